"""What an Open311 request carried beyond the case's columns, for staff (the case detail).

Written by console.services.open311_intake; never part of an Open311 read or an export.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Open311Extras

#: open311_extras columns → the detail's words for them, in the order shown.
LABELS = {
    "email": "电子邮箱",
    "device_id": "设备编号",
    "account_id": "账户编号",
    "address_id": "地址编号",
    "media_url": "照片链接",
}


def staff_extras(session: Session, case_id: int) -> tuple[tuple[str, str], ...]:
    """(label, value) pairs of the case's Open311 extras; empty when it has none."""
    row = session.scalar(select(Open311Extras).where(Open311Extras.case_id == case_id))
    if row is None:
        return ()
    pairs = [(label, value) for c, label in LABELS.items() if (value := getattr(row, c))]
    attributes = json.loads(row.attributes) if row.attributes else {}
    for code, value in sorted(attributes.items()):
        shown = "、".join(value) if isinstance(value, list) else str(value)
        pairs.append((f"属性 {code}", shown))
    return tuple(pairs)
