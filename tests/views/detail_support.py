"""Stand-in case details (attribute access only, no services, no database) and helpers
shared by the detail panel's tests."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

from PySide6.QtWidgets import QLabel

from console.views.case_detail_panel import CaseDetailPanel

HOSTILE = "<b>x</b><script>alert(1)</script>"


def option(action: str, zh: str, en: str, note: bool = False) -> SimpleNamespace:
    from console.domain.lifecycle import default_lifecycle

    known = default_lifecycle().transitions.get(action)
    kind = known.input if known is not None else ("note" if note else "none")
    return SimpleNamespace(action=action, label_zh=zh, label_en=en, note_required=note, input=kind)


def entry(event_id: int, at: datetime, action: str, label: str, **kw: Any) -> SimpleNamespace:
    values: dict[str, Any] = {
        "event_id": event_id,
        "at": at,
        "action": action,
        "action_label": label,
        "from_state": None,
        "to_state": "reported",
        "from_label": None,
        "to_label": "待立案",
        "actor_name": "王监督",
        "actor_role": "inspector",
        "actor_role_label": "监督员",
        "department_name": None,
        "note": None,
        "data": {},
    }
    values.update(kw)
    return SimpleNamespace(**values)


def make_detail(**overrides: Any) -> SimpleNamespace:
    snap = SimpleNamespace(
        id=42,
        number="E0102202611230001",
        version=7,
        state="dispatched",
        source="hotline",
        taxonomy="cjt214",
        kind="event_type",
        category_code="0102",
        urgent=True,
        description=HOSTILE,
        address="青年路12号 <i>北门</i>",
        lon=108.912345,
        lat=34.271234,
        grid_id=5,
        street_id=2,
        department_id=9,
        reported_at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),  # 09:00 in Xi'an
        registered_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        dispatched_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        handled_at=None,
        closed_at=None,
        limit_value=4.0,
        limit_unit="work_hours",
        extension_value=0.0,
        extension_requested=None,
        warning_at=datetime(2026, 11, 23, 6, 12, tzinfo=UTC),
        deadline_at=datetime(2026, 11, 23, 8, 0, tzinfo=UTC),  # 16:00 in Xi'an
        suspended_at=None,
        rework_count=1,
        return_count=0,
        light="green",
    )
    timeline = (
        entry(1, datetime(2026, 11, 23, 1, 0, tzinfo=UTC), "report", "上报"),
        entry(
            2,
            datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
            "register",
            "立案",
            from_state="reported",
            from_label="待立案",
            to_state="registered",
            to_label="待派遣",
            actor_name="李值班",
            actor_role="duty_chief",
            actor_role_label="值班长",
        ),
        entry(
            3,
            datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
            "dispatch",
            "派遣",
            from_state="registered",
            from_label="待派遣",
            to_state="dispatched",
            to_label="处置中",
            actor_name="赵派遣",
            actor_role="dispatcher",
            actor_role_label="派遣员",
            department_name="市容局",
            note="请尽快 <b>处理</b>\n第二行",
        ),
    )
    values: dict[str, Any] = {
        "snapshot": snap,
        "category_name": "暴露垃圾",
        "major_name": "市容环境",
        "street_name": "青年路街道",
        "area_name": "青年路第一片区",
        "unit_name": "北院门社区",
        "grid_code": "610104001001001",
        "grid_name": "北院门第1网格",
        "department_name": "市容局",
        "rule_condition": "发现暴露垃圾",
        "closing_condition": "垃圾清除干净",
        "limit_text": "4工作时",
        "remaining_seconds": 2 * 3600 + 15 * 60 + 30,
        "timeline": timeline,
        "actions": (
            option("request_extension", "申请延期", "Request extension", note=True),
            option("feedback", "处置反馈", "Feedback", note=True),
            option("approve_extension", "批准延期", "Approve extension"),
            option("dispatch", "派遣", "Dispatch"),
        ),
        "duplicates": (),
        "duplicate_actions": frozenset(),
        "category_note": "",
    }
    values.update(overrides)
    return SimpleNamespace(**values)


def field(panel: CaseDetailPanel, key: str) -> str:
    label = panel.findChild(QLabel, f"field_{key}")
    assert label is not None, key
    return label.text()
