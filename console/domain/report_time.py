"""When a report may say it was made: not before ``earliest_date``, not later than now plus a
clock-skew allowance (both data: resources/intake/report_time.csv).

One rule for every path that takes a report time (imports, the seat's form, the gateway); it is
applied by ``console.services.report_input.validate``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from console.config import LOCAL_TZ, csv_rows, resource
from console.domain.instant_range import checked_utc
from console.errors import ValidationError

FIELD = "reported_at"


class ReportTimeError(ValidationError):
    """A report time outside the window (or no instant at all)."""

    code = "invalid_time"


@dataclass(frozen=True)
class ReportTimeRule:
    earliest: date
    future_skew: timedelta

    def check(self, at: datetime, now: datetime) -> datetime:
        """``at`` unchanged when it lies in the window; ReportTimeError otherwise."""
        try:
            checked_utc(at, FIELD)
        except ValidationError as exc:
            raise ReportTimeError(exc.message, field=FIELD) from None
        first = datetime.combine(self.earliest, time(), LOCAL_TZ)
        if at < first:
            raise ReportTimeError(
                f"上报时间早于 {self.earliest.isoformat()}，不予受理: {_shown(at)}", field=FIELD
            )
        if at > now + self.future_skew:
            minutes = int(self.future_skew.total_seconds() // 60)
            raise ReportTimeError(
                f"上报时间晚于当前时间（允许误差 {minutes} 分钟）: {_shown(at)}", field=FIELD
            )
        return at


def _shown(at: datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M:%S")


def load_rule(path: Path) -> ReportTimeRule:
    values = {r["name"].strip(): (r.get("value") or "").strip() for r in csv_rows(path)}
    try:
        earliest = date.fromisoformat(values["earliest_date"])
        skew = float(values["future_skew_minutes"])
    except (KeyError, ValueError) as exc:
        raise ValidationError(
            f"{path.name} 格式错误（应有 earliest_date 与 future_skew_minutes）: {exc}"
        ) from None
    if not 0 <= skew <= 24 * 60:
        raise ValidationError(f"{path.name}: future_skew_minutes 应在 0–1440 之间: {skew}")
    return ReportTimeRule(earliest, timedelta(minutes=skew))


@lru_cache(maxsize=1)
def report_time_rule() -> ReportTimeRule:
    """The rule in resources/intake/report_time.csv (read once)."""
    return load_rule(resource("intake", "report_time.csv"))
