"""Open311 service codes: one per category of every taxonomy, derived from the taxonomy itself.

A category's ``service_code`` is its category key (console.services.reference): ``C`` for 部件,
``E`` for 事件, then its code. Components and events share code numbers, so the letter keeps
部件 0305 垃圾箱 (``C0305``) and 事件 0305 无证掘路 (``E0305``) apart; each taxonomy's code form,
checked when the reference data load (CJ/T 214 4 digits, GB/T 47678.5-2026 5), keeps the
generations apart, so the code alone names its taxonomy: ``E0102`` is CJ/T 214's 暴露垃圾,
``E06010`` the 2026 one. A category whose code form does not name its taxonomy gets the
taxonomy in front (``cjt214:C0101``), so a code never means two things.

The friendly codes of resources/intake/open311_services.csv (``garbage``, ``manhole_cover``, the
bare ``0101`` / ``01001`` earlier clients send) stay accepted as aliases of their category; the
service list shows only the codes above.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.models import Category, DeadlineRule
from console.services.ingest.open311_reader import Service
from console.services.reference.open311_codes import parse_service_code, service_code
from console.services.taxonomy_schedule import TaxonomySchedule

MAX_CODE = 40


@dataclass(frozen=True)
class CatalogEntry:
    """One category as an Open311 service type."""

    service_code: str
    taxonomy: str
    #: "component" (部件) or "event_type" (事件)
    kind: str
    category_code: str
    name: str
    major_name: str
    local: bool
    #: The GB/T 47678.5-2026 code an older category's new reports are filed under
    successor_code: str | None
    #: The taxonomy's short name (schedule.csv), e.g. "CJ/T 214"
    taxonomy_label: str
    #: The taxonomy files new reports today
    in_force: bool
    #: It has registration conditions (立案条件): its definition has something to say
    has_conditions: bool
    #: The friendly codes of open311_services.csv that name it
    aliases: tuple[str, ...] = ()


def resolve_service_code(
    session: Session, code: object, aliases: Mapping[str, Service]
) -> Service | None:
    """The category a client's ``service_code`` names: (taxonomy, kind, category_code, name).

    ``aliases`` is the table of friendly codes (open311_services.csv, the gateway's
    ``ctx.services``), tried first so earlier clients keep working; then the codes of
    :func:`service_code`. None for a code naming no category of this database.
    """
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE:
        return None
    text = code.strip()
    if text in aliases:
        return aliases[text]
    parsed = parse_service_code(text)
    if parsed is None:
        return None
    taxonomy, kind, plain = parsed
    name = session.scalar(
        select(Category.name).where(
            Category.taxonomy == taxonomy, Category.kind == kind, Category.code == plain
        )
    )
    return Service(taxonomy, kind, plain, name) if name is not None else None


def catalog(
    session: Session,
    schedule: TaxonomySchedule,
    in_force: str,
    aliases: Mapping[str, Service],
) -> list[CatalogEntry]:
    """Every category of the database as a service type: the taxonomy ``in_force`` first,
    then the older ones (latest first), each 部件 then 事件, by code."""
    order = [in_force] + [p.taxonomy for p in reversed(schedule.periods) if p.taxonomy != in_force]
    named: dict[tuple[str, str, str], list[str]] = {}
    for alias, row in aliases.items():
        named.setdefault((row.taxonomy, row.kind, row.category_code), []).append(alias)
    rules = select(DeadlineRule.taxonomy, DeadlineRule.kind, DeadlineRule.category_code)
    with_rules = {(t, k, c) for t, k, c in session.execute(rules.distinct())}
    entries = []
    for c in session.scalars(select(Category)):
        triple = (c.taxonomy, c.kind, c.code)
        entries.append(
            CatalogEntry(
                service_code=service_code(*triple),
                taxonomy=c.taxonomy,
                kind=c.kind,
                category_code=c.code,
                name=c.name,
                major_name=c.major_name,
                local=bool(c.is_local_extension),
                successor_code=c.successor_code,
                taxonomy_label=schedule.label(c.taxonomy),
                in_force=c.taxonomy == in_force,
                has_conditions=triple in with_rules,
                aliases=tuple(named.get(triple, ())),
            )
        )
    rank = {t: i for i, t in enumerate(order)}
    return sorted(
        entries,
        key=lambda e: (rank.get(e.taxonomy, len(rank)), e.taxonomy, e.kind, e.category_code),
    )
