"""A command-line time (``--now``, ``--from``): ISO 8601 with its UTC offset."""

from __future__ import annotations

from datetime import datetime

from console.errors import ValidationError


def aware_time(text: str | None, flag: str, example: str) -> datetime | None:
    """``text`` as an aware datetime (None when absent); a clear error naming ``--flag``.

    A time without an offset is refused rather than guessed: the seat and the server may not
    share a time zone.
    """
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(
            f"--{flag} '{text}' 不是 ISO 8601 时间，应如 {example}", field=flag
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(f"--{flag} '{text}' 缺少时区偏移，应如 {example}", field=flag)
    return value
