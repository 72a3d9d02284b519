"""Organisation: departments (dispatch targets), command-center users and the grid staff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from console.models.base import Base, UTCDateTime


class DepartmentKind(StrEnum):
    STREET_COMMITTEE = "street_committee"  # 街道城管委
    PROFESSIONAL = "professional"  # 区城管委专业部门
    FUNCTIONAL = "functional"  # 其他职能部门


class Role(StrEnum):
    """Who may do what. The command-center roles plus the handling side."""

    INTAKE = "intake"  # 受理员
    DUTY_CHIEF = "duty_chief"  # 值班长
    DISPATCHER = "dispatcher"  # 派遣员
    INSPECTOR = "inspector"  # 监督员
    LEADER = "leader"  # 领导
    ADMIN = "admin"  # 管理员
    WALL = "wall"  # 大屏 (read-only)
    DEPARTMENT = "department"  # 处置人员 of a department or street committee
    GRID_MANAGER = "grid_manager"  # 网格管理员 (self-handles small cases in the grid)
    # the other six of 一格七员 (grid_staff_roles.csv): each reports and self-handles what
    # resources/org/grid_staff_duties.csv lists
    GRID_SUPERVISOR = "grid_supervisor"  # 网格督导员
    CITY_INSPECTOR = "city_inspector"  # 城市监督员
    ENFORCEMENT_OFFICER = "enforcement_officer"  # 城管执法员
    SANITATION_WORKER = "sanitation_worker"  # 环卫保洁员
    FRONTAGE_INSPECTOR = "frontage_inspector"  # “三包”督查员
    PROPERTY_MANAGER = "property_manager"  # 物业管理员
    STREET_DUTY_OFFICER = "street_duty_officer"  # 街道值班员 (a street seat)
    STREET_LEADER = "street_leader"  # 街道领导 (a street seat)
    UNIT_HEAD = "unit_head"  # 单元长 (社区主任: the unit's cases)
    SYSTEM = "system"  # the scheduler, the simulator, importers


class GridStaffRole(StrEnum):
    """一格七员: the seven people attached to every grid."""

    GRID_MANAGER = "grid_manager"  # 网格管理员
    GRID_SUPERVISOR = "grid_supervisor"  # 网格督导员
    CITY_INSPECTOR = "city_inspector"  # 城市监督员
    ENFORCEMENT_OFFICER = "enforcement_officer"  # 城管执法员
    SANITATION_WORKER = "sanitation_worker"  # 环卫保洁员
    FRONTAGE_INSPECTOR = "frontage_inspector"  # "三包"督查员
    PROPERTY_MANAGER = "property_manager"  # 物业管理员


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    #: For a street committee: its street.
    street_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    contact_person: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: One of the five functions of grid work (departments.csv's column); see Category.function.
    function: Mapped[str] = mapped_column(String(8), default="城市管理", server_default="城市管理")


class User(Base):
    """A person who signs in to a seat (or the gateway): command-center staff and handlers."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(20), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    #: The street or unit a street-tier seat is confined to (roles.csv's scope); NULL otherwise.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: argon2id hash (console.services.passwords); NULL until a password is set: no sign-in.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Failed sign-ins since the last success (or unlock); reaching the policy's limit locks.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Created by the demo seed and still on its published password (the login hint lists it).
    demo_account: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class GridStaff(Base):
    __tablename__ = "grid_staff"
    __table_args__ = (UniqueConstraint("grid_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grid_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(30))
