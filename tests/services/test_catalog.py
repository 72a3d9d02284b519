"""The filter combos' lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from console.db import Database
from console.models import Region
from console.services.catalog import (
    LOCAL_EXTENSION_MARK,
    category_options,
    grids_of_street,
    source_options,
    streets,
)
from console.services.reference.data import TAXONOMY_CJT214, TAXONOMY_GBT2026
from console.services.report_input import SOURCE_LABELS


def test_streets_and_their_grids(demo_db: Database) -> None:
    with demo_db.read() as s:
        rows = streets(s)
        assert len(rows) == 9
        assert rows[0][1:] == ("610104001", "青年路街道")
        assert [r[1] for r in rows] == sorted(r[1] for r in rows)
        total = 0
        for street_id, code, _ in rows:
            grids = grids_of_street(s, street_id)
            assert grids and all(g[1].startswith(code) for g in grids)
            assert [g[1] for g in grids] == sorted(g[1] for g in grids)
            total += len(grids)
        assert total == len(s.scalars(select(Region.id).where(Region.level == "grid")).all())
        assert grids_of_street(s, -1) == []


def test_categories_put_the_taxonomy_in_force_first(demo_db: Database) -> None:
    with demo_db.read() as s:
        after = category_options(s, on=date(2026, 7, 1))
        before = category_options(s, on=date(2026, 6, 30))
    assert len(after) == len(before) == 89 + 58 + 153 + 250 + 13
    # From 2026-07-01 the pickers open on GB/T 47678.5-2026; the older codes follow, marked.
    assert {o.taxonomy for o in after[: 153 + 250]} == {TAXONOMY_GBT2026}
    assert after[0].label == "01001 供水井盖"
    older = next(o for o in after if (o.kind, o.code) == ("event_type", "0102"))
    assert (older.taxonomy, older.label) == (TAXONOMY_CJT214, "0102 暴露垃圾〔CJ/T 214〕")
    # The day before, CJ/T 214 still comes first and 2026 codes are the marked ones.
    assert before[0].taxonomy == TAXONOMY_CJT214 and before[0].label == "0101 上水井盖"
    newer = next(o for o in before if (o.kind, o.code) == ("event_type", "06010"))
    assert newer.label == "06010 暴露垃圾〔GB/T 47678.5-2026〕"
    in_force = after[: 153 + 250]
    assert in_force == sorted(in_force, key=lambda o: (o.kind, o.code))


def test_local_extension_classes_are_labelled_as_such(demo_db: Database) -> None:
    with demo_db.read() as s:
        options = category_options(s, TAXONOMY_CJT214, on=date(2026, 6, 1))
    local = [o for o in options if o.local]
    assert {(o.kind, o.major_name) for o in local} == {
        ("component", "扩展部件类"),
        ("event_type", "扩展事件"),
    }
    assert len(local) == 4 + 4
    assert all(o.label.endswith(f"（{LOCAL_EXTENSION_MARK}）") for o in local)
    assert not any(LOCAL_EXTENSION_MARK in o.label for o in options if not o.local)
    assert {o.taxonomy for o in options} == {TAXONOMY_CJT214}


def test_sources() -> None:
    assert source_options() == list(SOURCE_LABELS.items())
    assert ("hotline", "12345") in source_options()
