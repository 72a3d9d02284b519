"""Reference data: category taxonomies, deadline rules per registration condition, routing."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base


class Category(Base):
    """One minor class (小类) of a taxonomy, with its major class (大类)."""

    __tablename__ = "categories"
    #: Components and events reuse code numbers (部件 0101 上水井盖, 事件 0101 私搭乱建).
    __table_args__ = (UniqueConstraint("taxonomy", "kind", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: "cjt214" (CJ/T 214 / GB/T 30428.2 lineage, 4-digit codes) or "gbt47678-5-2026" (5-digit).
    taxonomy: Mapped[str] = mapped_column(String(20))
    #: "component" (部件) or "event_type" (事件/事项).
    kind: Mapped[str] = mapped_column(String(12))
    code: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(60))
    major_code: Mapped[str] = mapped_column(String(4))
    major_name: Mapped[str] = mapped_column(String(40))
    #: The GB/T 47678.5-2026 code this older code maps to, where names match.
    successor_code: Mapped[str | None] = mapped_column(String(8))
    #: True for local extension classes (扩展部件类 / 扩展事件).
    is_local_extension: Mapped[bool] = mapped_column(default=False)
    #: One of the five functions of grid work (resources/org/functions.csv), as
    #: resources/taxonomy/functions.csv gives it (the queues filter on that file's code lists, the
    #: same data: console.services.reference.functions.codes_of_function). Rows predating the
    #: column were city management: the reference load sets every row's from the file.
    function: Mapped[str] = mapped_column(
        String(8), default="城市管理", server_default="城市管理", index=True
    )


class DeadlineRule(Base):
    """One 立案条件 row: what qualifies, the time limit, the closing condition.

    The limit is ``limit_value`` in ``limit_unit`` (work_hours, workdays or hours — the last on
    the natural clock, for 紧急). ``source`` keeps where the value came from.
    """

    __tablename__ = "deadline_rules"
    __table_args__ = (Index("ix_deadline_rules_category", "taxonomy", "kind", "category_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(20))
    #: "component" (部件) or "event_type" (事件), as on Category.
    kind: Mapped[str] = mapped_column(String(12))
    category_code: Mapped[str] = mapped_column(String(8))
    condition: Mapped[str] = mapped_column(String(300))
    limit_value: Mapped[float] = mapped_column(Float)
    limit_unit: Mapped[str] = mapped_column(String(12))
    closing_condition: Mapped[str] = mapped_column(String(200))
    default_department_code: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(200))


class RoutingRule(Base):
    """(category prefix, street) → default handling department. A null street means any.

    ``category_prefix`` matches a full minor code or a major-class prefix; the longest prefix
    and a street-specific row win.
    """

    __tablename__ = "routing_rules"
    __table_args__ = (UniqueConstraint("taxonomy", "kind", "category_prefix", "street_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxonomy: Mapped[str] = mapped_column(String(20))
    #: "component" (部件) or "event_type" (事件): a prefix applies to one kind only.
    kind: Mapped[str] = mapped_column(String(12))
    category_prefix: Mapped[str] = mapped_column(String(8))
    street_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
