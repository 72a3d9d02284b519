"""The handover (交接班记录) as a PDF: a QTextDocument printed to a QPdfWriter, A4.

Everything from the data (names, addresses, notes, alert messages) is escaped with
:func:`html.escape` before it goes into the document's HTML. No network and no bundled font:
Qt picks a CJK font from the system. The document's language is an argument (``english``), not
the UI's, so a handover can be exported in either language from either UI; its fixed texts are
zh/en pairs like the reference data's labels.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from console.domain.lifecycle import STATE_LABELS
from console.services.handover import (
    COUNT_KEYS,
    LIST_KEYS,
    CaseLine,
    HandoverRecord,
    HandoverSummary,
    alert_level_labels,
    role_labels,
    shift_labels,
)
from console.views.formatting import local_time_text
from console.views.pdf import write_html_pdf

#: Fixed texts of the document: key → (zh, en).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("交接班记录", "Shift handover"),
    "shift": ("班次", "Shift"),
    "built_at": ("生成时间", "Built at"),
    "on_duty": ("值班人员", "On duty"),
    "nobody": ("（无排班）", "(nobody on the roster)"),
    "counts": ("本班情况", "This shift"),
    "item": ("项目", "Item"),
    "count": ("数量", "Count"),
    "none": ("无", "None"),
    "number": ("案件编号", "Case number"),
    "category": ("类别", "Category"),
    "address": ("地址", "Address"),
    "state": ("状态", "State"),
    "deadline": ("处置时限", "Deadline"),
    "alert": ("提醒", "Alert"),
    "notes": ("交接说明", "Notes"),
    "no_notes": ("（无）", "(none)"),
    "signatures": ("签字", "Signatures"),
    "outgoing": ("交班人", "Outgoing officer"),
    "incoming": ("接班人", "Incoming officer"),
    "signed": ("已签字", "signed"),
    "unsigned": ("未签字", "not signed"),
    "shown": ("仅列出前 {n} 项", "first {n} shown"),
}
COUNT_LABELS: dict[str, tuple[str, str]] = {
    "new": ("新上报", "New reports"),
    "registered": ("立案", "Registered"),
    "dispatched": ("派遣", "Dispatched"),
    "closed": ("结案", "Closed"),
    "overdue_now": ("当前超期", "Overdue now"),
    "open_supervision": ("在办督办", "Open supervision (督办)"),
    "unacknowledged_alerts": ("未确认提醒", "Unacknowledged alerts"),
}
LIST_LABELS: dict[str, tuple[str, str]] = {
    "overdue": ("超期案件", "Overdue cases"),
    "open_supervision": ("在办督办", "Open supervision (督办)"),
    "unacknowledged_alerts": ("未确认提醒", "Unacknowledged alerts"),
}

_STYLE = """
body { font-size: 10pt; }
h1 { font-size: 18pt; text-align: center; }
h2 { font-size: 12pt; margin-top: 12px; }
table { border-collapse: collapse; }
th { background-color: #e9ecef; font-weight: bold; }
td, th { padding: 3px; }
"""


def _pair(pair: tuple[str, str], english: bool) -> str:
    return (pair[1] or pair[0]) if english else (pair[0] or pair[1])


def _table(
    headers: list[str] | None, rows: list[list[str]], *, wrap: frozenset[int] = frozenset()
) -> str:
    """A bordered table; only the columns in ``wrap`` may break lines (a case number never)."""

    def cell(tag: str, col: int, text: str) -> str:
        nowrap = "" if col in wrap else ' style="white-space: nowrap"'
        return f"<{tag}{nowrap}>{escape(text)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers or []))
    head = f"<tr>{head}</tr>" if head else ""
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    return f'<table border="1" cellspacing="0" cellpadding="3" width="100%">{head}{body}</table>'


def _line_detail(line: CaseLine, english: bool) -> str:
    levels = alert_level_labels()
    if english and line.level in levels:
        zh, en = levels[line.level]
        if line.detail.startswith(zh):
            return en + line.detail[len(zh) :]
    return str(line.detail)


def handover_html(
    record_or_summary: HandoverRecord | HandoverSummary,
    *,
    english: bool = False,
    notes: str | None = None,
) -> str:
    """The document's HTML. ``notes`` overrides the record's (an unsaved edit)."""
    record = record_or_summary if isinstance(record_or_summary, HandoverRecord) else None
    summary = record.summary if record is not None else record_or_summary
    assert isinstance(summary, HandoverSummary)

    def t(key: str) -> str:
        return _pair(TEXTS[key], english)

    shift_name = _pair(shift_labels().get(summary.shift_code, ("", "")), english)
    span = f"{local_time_text(summary.shift_start)} – {local_time_text(summary.shift_end)}"
    parts = [f"<h1>{escape(t('title'))}</h1>"]
    parts.append(
        f"<p><b>{escape(t('shift'))}:</b> {escape(shift_name)} {escape(span)}<br/>"
        f"<b>{escape(t('built_at'))}:</b> {escape(local_time_text(summary.built_at))}</p>"
    )

    parts.append(f"<h2>{escape(t('on_duty'))}</h2>")
    roles = role_labels()
    if summary.on_duty:
        rows = [
            [
                _pair(roles.get(e.role, (e.role, e.role)), english),
                e.display_name,
                f"{local_time_text(e.starts_at)} – {local_time_text(e.ends_at)}",
            ]
            for e in summary.on_duty
        ]
        parts.append(_table(None, rows, wrap=frozenset({1})))
    else:
        parts.append(f"<p>{escape(t('nobody'))}</p>")

    parts.append(f"<h2>{escape(t('counts'))}</h2>")
    parts.append(
        _table(
            [t("item"), t("count")],
            [[_pair(COUNT_LABELS[k], english), str(summary.counts.get(k, 0))] for k in COUNT_KEYS],
        )
    )

    count_of = {
        "overdue": "overdue_now",
        "open_supervision": "open_supervision",
        "unacknowledged_alerts": "unacknowledged_alerts",
    }
    for key in LIST_KEYS:
        lines = summary.lists.get(key, [])
        total = summary.counts.get(count_of[key], len(lines))
        parts.append(f"<h2>{escape(_pair(LIST_LABELS[key], english))} ({total})</h2>")
        if not lines:
            parts.append(f"<p>{escape(t('none'))}</p>")
            continue
        detail = t("deadline") if key == "overdue" else t("alert")
        rows = [
            [
                line.number,
                line.category_code,
                line.address,
                _pair(STATE_LABELS.get(line.state, (line.state_label, line.state_label)), english)
                if line.state
                else line.state_label,
                _line_detail(line, english),
            ]
            for line in lines
        ]
        parts.append(
            _table(
                [t("number"), t("category"), t("address"), t("state"), detail],
                rows,
                wrap=frozenset({2, 4}),
            )
        )
        if total > len(lines):
            parts.append(f"<p>{escape(t('shown').format(n=len(lines)))}</p>")

    text = notes if notes is not None else (record.notes if record is not None else "")
    parts.append(f"<h2>{escape(t('notes'))}</h2>")
    body = escape(text.strip()).replace("\n", "<br/>") if text.strip() else escape(t("no_notes"))
    parts.append(f"<p>{body}</p>")

    parts.append(f"<h2>{escape(t('signatures'))}</h2>")
    sign_rows = []
    for side in ("outgoing", "incoming"):
        name = getattr(record, f"{side}_name", "") if record is not None else ""
        at: datetime | None = getattr(record, f"{side}_signed_at", None) if record else None
        state = f"{t('signed')} {local_time_text(at)}" if at is not None else t("unsigned")
        sign_rows.append([t(side), name or "", state])
    parts.append(_table(None, sign_rows, wrap=frozenset({1})))
    return f"<html><head><style>{_STYLE}</style></head><body>{''.join(parts)}</body></html>"


def write_handover_pdf(
    record_or_summary: HandoverRecord | HandoverSummary,
    path: Path,
    *,
    english: bool = False,
    notes: str | None = None,
) -> Path:
    """Write the handover to ``path`` as an A4 PDF; returns the path."""
    return write_html_pdf(
        handover_html(record_or_summary, english=english, notes=notes),
        path,
        title=_pair(TEXTS["title"], english),
    )
