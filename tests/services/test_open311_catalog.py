"""Open311 service codes from the taxonomy: unique, parsed back, resolved with the aliases."""

from __future__ import annotations

from sqlalchemy import select

from console.db import Database
from console.models import Category
from console.services.ingest.open311_reader import Service, load_services
from console.services.open311_catalog import (
    catalog,
    parse_service_code,
    resolve_service_code,
    service_code,
)
from console.services.taxonomy_schedule import read_schedule

ALIASES = load_services()


def test_codes_are_the_category_keys_and_parse_back() -> None:
    assert service_code("gbt47678-5-2026", "event_type", "06010") == "E06010"
    assert service_code("cjt214", "component", "0305") == "C0305"
    assert service_code("cjt214", "event_type", "0305") == "E0305"
    # A code whose form does not name its taxonomy carries it in front.
    assert service_code("cjt214", "component", "01001") == "cjt214:C01001"
    for code, parsed in [
        ("E06010", ("gbt47678-5-2026", "event_type", "06010")),
        ("c0305", ("cjt214", "component", "0305")),
        (" E0305 ", ("cjt214", "event_type", "0305")),
        ("cjt214:C01001", ("cjt214", "component", "01001")),
    ]:
        assert parse_service_code(code) == parsed
    for junk in ("", "garbage", "X0101", "E", "E123", "E12345678", "nowhere:C0101", "E01a1"):
        assert parse_service_code(junk) is None, junk


def test_every_category_has_its_own_code_that_resolves_to_it(demo_db: Database) -> None:
    schedule = read_schedule()
    with demo_db.read() as s:
        entries = catalog(s, schedule, "gbt47678-5-2026", ALIASES)
        triples = set(s.execute(select(Category.taxonomy, Category.kind, Category.code)).all())
        assert {(e.taxonomy, e.kind, e.category_code) for e in entries} == triples
        assert len({e.service_code for e in entries}) == len(entries)
        for e in entries:
            assert resolve_service_code(s, e.service_code, ALIASES) == Service(
                e.taxonomy, e.kind, e.category_code, e.name
            )
        # The aliases of open311_services.csv first, exactly as the table says.
        for alias, row in ALIASES.items():
            assert resolve_service_code(s, alias, ALIASES) == row
        assert resolve_service_code(s, "C9999", ALIASES) is None  # no such category
        assert resolve_service_code(s, None, ALIASES) is None
        assert resolve_service_code(s, "E" + "0" * 50, ALIASES) is None
    garbage = next(e for e in entries if e.service_code == "E06010")
    assert garbage.aliases == ("garbage", "06010") and garbage.in_force
    old = next(e for e in entries if e.service_code == "E0102")
    assert not old.in_force and old.successor_code == "06010" and old.taxonomy_label == "CJ/T 214"
