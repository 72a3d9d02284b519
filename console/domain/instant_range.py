"""Client-sent instants the console can store and compute with: aware, and sane once in UTC.

A time at 0001-01-01T00:00+14:00 or 9999-12-31T23:59-14:00 parses, but its UTC value falls
outside what ``datetime`` holds (an OverflowError deep in a service, a 500). Every time a client
sends (a device's clock, a query's start/end) is checked here once, the field named.
"""

from __future__ import annotations

from datetime import UTC, datetime

from console.errors import ValidationError

#: The years an instant from a client may fall in, in UTC (both included).
FIRST_YEAR = 1900
LAST_YEAR = 2999


def checked_utc(at: datetime, field: str) -> datetime:
    """``at`` (aware) in UTC; ValidationError naming ``field`` when out of range."""
    try:
        utc = at.astimezone(UTC)
    except (OverflowError, ValueError):
        utc = None
    if utc is None or not FIRST_YEAR <= utc.year <= LAST_YEAR:
        raise ValidationError(
            f"时间超出范围（应在 {FIRST_YEAR}–{LAST_YEAR} 年之间）: {at.isoformat()}", field=field
        )
    return at
