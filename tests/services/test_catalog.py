"""The filter combos' lists."""

from __future__ import annotations

from sqlalchemy import select

from console.db import Database
from console.models import Region
from console.services.catalog import category_options, grids_of_street, source_options, streets
from console.services.reference_data import TAXONOMY_GBT2026
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


def test_categories(demo_db: Database) -> None:
    with demo_db.read() as s:
        options = category_options(s)
        assert ("event_type", "0102", "暴露垃圾", "市容环境") in options
        assert {o[0] for o in options} == {"component", "event_type"}
        assert options == sorted(options, key=lambda o: (o[0], o[1]))
        newer = category_options(s, TAXONOMY_GBT2026)
        assert newer and all(len(o[1]) == 5 for o in newer)


def test_sources() -> None:
    assert source_options() == list(SOURCE_LABELS.items())
    assert ("hotline", "12345") in source_options()
