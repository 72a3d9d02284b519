"""Small display helpers shared by the views: local times, remaining clock time and tooltips
that show text verbatim."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from console.config import LOCAL_TZ
from console.views.i18n import use_english


def remaining_text(seconds: float | None, *, english: bool | None = None) -> str:
    """The clock as 剩余 2小时15分 / 超期 1小时 (English: "2 h 15 min left" / "1 h overdue").

    ``seconds`` is clock time (working seconds for 工作时/工作日 limits), so it is shown in
    hours and minutes only, never in 24-hour days: 剩余 37小时. Whole minutes, rounded down.
    A case at or past its deadline (``seconds <= 0``) is overdue. ``None`` (no clock) gives "".
    """
    if seconds is None:
        return ""
    if english is None:
        english = use_english()
    overdue = seconds <= 0
    hours, mins = divmod(int(abs(seconds) // 60), 60)
    if english:
        text = " ".join(([f"{hours} h"] if hours else []) + ([f"{mins} min"] if mins else []))
        text = text or "<1 min"
        return f"{text} overdue" if overdue else f"{text} left"
    zh = (f"{hours}小时" if hours else "") + (f"{mins}分" if mins else "")
    return ("超期 " if overdue else "剩余 ") + (zh or "不足1分")


_LIMIT = re.compile(r"(\d+(?:\.\d+)?)(工作时|工作日|小时)")
_LIMIT_EN = {"工作时": "working hour", "工作日": "working day", "小时": "hour"}


def limit_display(text: str | None, *, english: bool | None = None) -> str:
    """A time limit as the services write it ("2工作日", "4工作时+2工作时延期") in the
    interface language: "2 working days", "4 working hours + 2 working hours extension"."""
    if not text:
        return "—"
    if english is None:
        english = use_english()
    if not english:
        return text

    def one(match: re.Match[str]) -> str:
        value, unit = match.group(1), _LIMIT_EN[match.group(2)]
        return f"{value} {unit}" + ("" if float(value) == 1 else "s")

    out = _LIMIT.sub(one, text)
    return out.replace("+", " + ").replace("延期", " extension")


def local_time_text(value: datetime | None) -> str:
    """``yyyy-MM-dd HH:mm`` in Asia/Shanghai; "—" for none (naive values are taken as UTC)."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` verbatim, line breaks kept.

    Qt renders a tooltip as HTML whenever ``Qt.mightBeRichText`` says so (any tag-like
    string): case text from the public (``<h1>``, ``<img src=file:///…>``) must never be
    markup, so it is escaped inside ``<qt>`` (always rich text, every character shown)."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>"


def tier_rates_text(rates: Sequence[Any], *, separator: str = "    ") -> str:
    """本月小事不出网格率 33.3% (2/6) … from the services' TierRate rows (labels from
    resources/evaluation/tiers.csv); — when nothing was closed this month."""
    english = use_english()
    parts = []
    for r in rates:
        label = f"{r.label_en}, this month" if english else f"本月{r.label_zh}"
        value = "—" if r.value is None else f"{r.value:.1f}%"
        parts.append(f"{label} {value} ({r.numerator}/{r.denominator})")
    return separator.join(parts)
