"""The export's formula guard and the importer's undoing of it (#13 §2): a leading ' goes on
exactly what a spreadsheet would run (or what already looks guarded) and comes off exactly that,
so every text survives export and import unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.services.ingest.csv_reader import parse_csv_text
from console.services.ingest.report import FORMULA_START, excel_text, safe_text, unguard_text

#: Text biased towards the characters the guard looks at.
GUARDISH = st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "\t", "a", "度", " "]))


@pytest.mark.parametrize(
    ("text", "in_csv", "in_excel"),
    [
        ("=1+1", "'=1+1", "=1+1"),
        ("-5 度", "'-5 度", "-5 度"),
        ("@张三", "'@张三", "@张三"),
        ("+86", "'+86", "+86"),
        ("'quoted", "'quoted", "'quoted"),  # not a formula, and not guarded: left alone
        ("'=x", "''=x", "''=x"),  # looks guarded: one more, so the import takes one off
        ("''-x", "'''-x", "'''-x"),
        ("普通文字", "普通文字", "普通文字"),
        ("", "", ""),
        ("'", "'", "'"),
    ],
)
def test_guard_and_unguard(text: str, in_csv: str, in_excel: str) -> None:
    assert safe_text(text) == in_csv and unguard_text(in_csv) == text
    assert excel_text(text) == in_excel and unguard_text(in_excel) == text


def test_unguard_takes_off_only_the_guard() -> None:
    # A file from elsewhere: one ' before a formula character is the guard, nothing else is.
    assert unguard_text("'=SUM(A1)") == "=SUM(A1)"
    assert unguard_text("'quoted'") == "'quoted'"
    assert unguard_text("a'=b") == "a'=b"
    assert all(unguard_text("'" + c) == c for c in FORMULA_START)


@settings(max_examples=300, deadline=None)
@given(st.one_of(GUARDISH, st.text()))
def test_every_text_round_trips(text: str) -> None:
    guarded = safe_text(text)
    assert unguard_text(guarded) == text
    assert unguard_text(excel_text(text)) == text
    assert not guarded.startswith(FORMULA_START)  # a spreadsheet never runs it


@settings(max_examples=100, deadline=None)
@given(
    st.lists(GUARDISH.filter(lambda t: "\t" not in t), min_size=1, max_size=5).filter(
        lambda ts: "".join(ts).strip()  # a blank row is skipped, as Excel's trailing rows
    )
)
def test_through_a_csv_file(texts: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"c{i}" for i in range(len(texts))])
    writer.writerow([safe_text(t) for t in texts])
    parsed = parse_csv_text(buffer.getvalue())
    assert parsed.records and parsed.records[0].data is not None
    assert list(parsed.records[0].data.values()) == texts
