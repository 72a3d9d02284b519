"""Generate the console's alarm sounds (resources/sounds/*.wav) with the standard library only.

Two short two-tone alerts, 16-bit PCM mono at 44.1 kHz, each under 1.5 s:

- ``alarm_overdue.wav`` (red / overdue): four beeps alternating 880 Hz and 660 Hz, a slow
  "ding-dong" pattern.
- ``alarm_supervise.wav`` (督办 levels 1–3): six short, faster beeps alternating 1320 Hz and
  990 Hz with a touch of the second harmonic, so it is heard as more urgent and is easy to tell
  apart from the overdue sound.

Every beep rises and falls with a raised-cosine ramp, so no sample jumps (no clicks), and the
peak stays at -6 dBFS (below the -3 dBFS ceiling). The output is a pure function of the
constants below: running the script again gives the same bytes, which tests/test_make_sounds.py
checks against the committed files.

Run from the repository root::

    python tools/make_sounds.py
"""

from __future__ import annotations

import io
import math
import struct
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

SAMPLE_RATE = 44_100
SAMPLE_WIDTH = 2  # bytes: 16-bit PCM
CHANNELS = 1
#: Peak amplitude as a fraction of full scale: 10 ** (-6 / 20), i.e. -6 dBFS.
PEAK = 0.5
#: Length of the fade in and the fade out of every beep, in seconds.
RAMP_S = 0.012

OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "sounds"


@dataclass(frozen=True)
class Beep:
    """One tone: frequency (Hz), length and the silence after it (s), 2nd-harmonic share."""

    freq: float
    length: float
    gap: float
    harmonic: float = 0.0


#: file name → the beeps it is made of.
SOUNDS: dict[str, tuple[Beep, ...]] = {
    "alarm_overdue.wav": tuple(
        Beep(freq, 0.16, 0.07) for freq in (880.0, 660.0, 880.0, 660.0)
    ),  # 4 × 0.23 s = 0.92 s
    "alarm_supervise.wav": tuple(
        Beep(freq, 0.09, 0.05, harmonic=0.25) for freq in (1320.0, 990.0) * 3
    ),  # 6 × 0.14 s = 0.84 s
}


def _envelope(i: int, n: int, ramp: int) -> float:
    """Raised-cosine fade in over the first ``ramp`` samples and fade out over the last."""
    edge = min(i, n - 1 - i)
    if edge >= ramp:
        return 1.0
    return 0.5 - 0.5 * math.cos(math.pi * edge / ramp)


def beep_samples(beep: Beep) -> list[int]:
    """The 16-bit samples of one beep followed by its silence."""
    n = round(beep.length * SAMPLE_RATE)
    ramp = round(RAMP_S * SAMPLE_RATE)
    # Normalise so that the fundamental plus harmonic never exceeds PEAK.
    scale = PEAK * 32767 / (1.0 + beep.harmonic)
    samples = []
    for i in range(n):
        phase = 2.0 * math.pi * beep.freq * i / SAMPLE_RATE
        value = math.sin(phase) + beep.harmonic * math.sin(2.0 * phase)
        samples.append(round(scale * _envelope(i, n, ramp) * value))
    samples.extend([0] * round(beep.gap * SAMPLE_RATE))
    return samples


def render(beeps: tuple[Beep, ...]) -> bytes:
    """The complete WAV file (header and data) for a sequence of beeps."""
    samples: list[int] = []
    for beep in beeps:
        samples.extend(beep_samples(beep))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return buffer.getvalue()


def main(out_dir: Path | None = None) -> list[Path]:
    """Write every sound into ``out_dir`` (default resources/sounds); returns the paths."""
    target = out_dir or OUT_DIR
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, beeps in SOUNDS.items():
        path = target / name
        path.write_bytes(render(beeps))
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in main(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(written_path)
