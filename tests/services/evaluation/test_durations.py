"""The averages' working time: the vectorised measure equals WorkCalendar's, pair by pair."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import numpy as np

from console.config import LOCAL_TZ
from console.domain.worktime import WorkCalendar
from console.services.evaluation.durations import working_seconds


def test_equals_the_calendar_over_holidays_weekends_and_lunch() -> None:
    calendar = WorkCalendar()
    rng = random.Random(7)
    base = datetime(2026, 9, 25, tzinfo=LOCAL_TZ)  # across 国庆 (1–8 October) and weekends
    pairs = []
    for _ in range(400):
        a = base + timedelta(minutes=rng.randrange(0, 60 * 24 * 30))
        b = a + timedelta(minutes=rng.choice((0, 5, 90, 600, 3000, 20000)) - 10 * rng.random())
        pairs.append((a, b))
    pairs += [  # by hand: Friday 11:00 → Monday 09:00 is 1 h + 4 h (Friday) + 1 h (Monday)
        (datetime(2026, 11, 20, 11, tzinfo=LOCAL_TZ), datetime(2026, 11, 23, 9, tzinfo=LOCAL_TZ))
    ]
    got = working_seconds(
        calendar,
        np.array([a.timestamp() for a, _ in pairs]),
        np.array([b.timestamp() for _, b in pairs]),
    )
    expected = [calendar.work_seconds_between(a, b) for a, b in pairs]
    assert np.allclose(got, expected, atol=1e-3)
    assert got[-1] == 6 * 3600
    assert (got >= 0).all() and (got == 0).any()  # b ≤ a: nothing worked
    assert len(working_seconds(calendar, np.zeros(0), np.zeros(0))) == 0
