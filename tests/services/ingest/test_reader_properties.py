"""Property tests: arbitrary text or bytes never crash a reader: rows, or a clean file error."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from console.domain.input_limits import MAX_NUMBER_CHARS
from console.services.ingest.csv_reader import parse_csv_text, read_csv
from console.services.ingest.formats import IngestFileError, Parsed
from console.services.ingest.json_reader import parse_json_text, parse_jsonl_text, read_json
from console.services.ingest.open311_reader import read_open311

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean(parse, data) -> None:  # type: ignore[no-untyped-def]
    try:
        parsed = parse(data)
    except IngestFileError as exc:
        assert exc.code and exc.message
        return
    assert isinstance(parsed, Parsed)
    for r in parsed.records:
        assert r.line >= 1
        assert (r.data is None) != (r.error is None)


@FAST
@given(st.text(max_size=300))
def test_csv_text_never_crashes(text: str) -> None:
    _clean(parse_csv_text, text)


@FAST
@given(st.binary(max_size=300))
def test_csv_bytes_never_crash(data: bytes) -> None:
    _clean(read_csv, data)


@FAST
@given(st.text(max_size=300))
def test_json_text_never_crashes(text: str) -> None:
    _clean(parse_json_text, text)
    _clean(parse_jsonl_text, text)


@FAST
@given(st.binary(max_size=300))
def test_json_and_xml_bytes_never_crash(data: bytes) -> None:
    _clean(read_json, data)
    _clean(read_open311, data)


cell = st.text(
    alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=20
)


@FAST
@given(st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=10))
def test_csv_round_trip(rows: list[tuple[str, str, str]]) -> None:
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf).writerows([("a", "b", "c"), *rows])
    parsed = parse_csv_text(buf.getvalue())
    kept = [r for r in rows if any(c.strip() for c in r)]
    got = [tuple(r.data.values()) for r in parsed.records if r.data is not None]
    # Lone \r inside unquoted cells are the csv module's business; every non-blank row is there.
    assert len(got) + sum(1 for r in parsed.records if r.error) == len(kept)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@FAST
@given(st.lists(json_values, max_size=8), st.integers(min_value=0, max_value=3))
@example([{"": -(10**23)}], 1)  # 25 characters: kept as text (found by Hypothesis)
def test_json_list_keeps_every_item_with_its_line(items: list[object], indent: int) -> None:
    text = json.dumps(items, indent=indent or None, ensure_ascii=False)
    parsed = parse_json_text(text)
    assert len(parsed.records) == len(items)
    for record, item in zip(parsed.records, items, strict=True):
        assert (
            (record.data == as_read(item)) if isinstance(item, dict) else record.error is not None
        )


def as_read(value: object) -> object:
    """What the reader makes of a JSON value: an integer literal longer than MAX_NUMBER_CHARS
    stays its text (its field then refuses it on the row's line), never a huge int."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and len(str(value)) > MAX_NUMBER_CHARS:
        return str(value)
    if isinstance(value, list):
        return [as_read(v) for v in value]
    if isinstance(value, dict):
        return {k: as_read(v) for k, v in value.items()}
    return value
