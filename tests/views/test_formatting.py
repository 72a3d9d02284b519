"""Display helpers: limits and times in the interface language."""

from __future__ import annotations

import pytest

from console.views.formatting import limit_display


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("2工作日", "2 working days"),
        ("1工作日", "1 working day"),
        ("0.5工作日", "0.5 working days"),
        ("4工作时", "4 working hours"),
        ("6小时", "6 hours"),
        ("4工作时+2工作时延期", "4 working hours + 2 working hours extension"),
    ],
)
def test_limits_in_english(text: str, english: str) -> None:
    assert limit_display(text, english=True) == english
    assert limit_display(text, english=False) == text  # Chinese as the services write it


def test_no_limit() -> None:
    assert limit_display(None, english=True) == "—"
    assert limit_display("", english=False) == "—"
