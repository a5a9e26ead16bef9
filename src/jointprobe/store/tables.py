"""Tables of the node store. One metadata; Alembic migrations in ``migrations/``.

Every workflow item carries its marking: ``tlp`` (TLP 2.0 label), ``handling``
(law-enforcement handling codes, JSON) and ``grading`` (Admiralty code such as
``B2``). The exchange enforces them; the store keeps them.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from jointprobe.timeutil import utcnow


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class MarkedMixin:
    tlp: Mapped[str] = mapped_column(String(16), default="AMBER")
    handling: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    grading: Mapped[str | None] = mapped_column(String(2), nullable=True)
    fictional: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str | None] = mapped_column(Text, nullable=True)


class NodeIdentity(Base):
    __tablename__ = "node_identity"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(256), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebSignIn(Base):
    """A signed-in browser session, by the hash of its id (``accounts.web_sessions``).

    A session cookie is honoured only while its row exists and is not ended, so
    sign-out holds across restarts and worker processes. Rows are pruned once
    past ``expires_at`` (the cookie's own expiry).
    """

    __tablename__ = "web_sessions"
    sid_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)


class SignInFailure(Base):
    """One failed web sign-in, counted per user name and per client address
    (``accounts.throttle``); rows older than the window are pruned."""

    __tablename__ = "signin_failures"
    __table_args__ = (Index("ix_signin_failures_key_at", "key_hash", "failed_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Case(MarkedMixin, Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseMember(Base):
    __tablename__ = "case_members"
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Entity(MarkedMixin, Base):
    """A FollowTheMoney entity (things and interval relations alike)."""

    __tablename__ = "entities"
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    schema: Mapped[str] = mapped_column(String(64), index=True)
    caption: Mapped[str] = mapped_column(String(500), default="")
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Selector(Base):
    """Normalised selectors (phone, e-mail, …) of entities, for instant hits.

    The primary key is the lookup: (kind, value, entity_id). On SQLite the
    table is stored in that order (``WITHOUT ROWID``), so a lookup reads the
    table itself and a write updates one B-tree besides the entity index
    (migration 0005). ``ix_selectors_key_case`` (migration 0016) finds the holders
    of a key in one case, in entity order, without reading those of other cases.
    """

    __tablename__ = "selectors"
    __table_args__ = (
        Index("ix_selectors_key_case", "kind", "value", "case_id", "entity_id"),
        {"sqlite_with_rowid": False},
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(500), primary_key=True)
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class Edge(Base):
    """A relation between two entities, read off an FtM edge schema (Ownership, Call…).

    Indexed from each end with every column a network expansion reads
    (migration 0014), so that the index answers ``edges_touching`` alone.
    """

    __tablename__ = "edges"
    __table_args__ = (
        Index("ix_edges_source_cover", "source_id", "target_id", "case_id", "relation_id",
              "schema"),
        Index("ix_edges_target_cover", "target_id", "source_id", "case_id", "relation_id",
              "schema"),
    )  # fmt: skip
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    relation_id: Mapped[str] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), index=True
    )
    schema: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(128))
    target_id: Mapped[str] = mapped_column(String(128))
    case_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class CaseEvent(MarkedMixin, Base):
    """Seizures, arrests, charges, court outcomes, lab results, referrals, notes."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    place: Mapped[str | None] = mapped_column(String(300), nullable=True)
    title: Mapped[str] = mapped_column(String(500), default="")
    substance: Mapped[str | None] = mapped_column(String(200), nullable=True)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(18, 6), nullable=True)
    unit: Mapped[str | None] = mapped_column(String(16), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(32), nullable=True)
    term_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # where a seizure came from and how it travelled (migration 0009); NULL = not reported
    origin_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    transit_countries: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    destination_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    route: Mapped[str | None] = mapped_column(String(16), nullable=True)
    concealment: Mapped[str | None] = mapped_column(String(200), nullable=True)
    related_event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id"), nullable=True
    )
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EventPerson(Base):
    __tablename__ = "event_people"
    event_id: Mapped[int] = mapped_column(ForeignKey("case_events.id"), primary_key=True)
    entity_id: Mapped[str] = mapped_column(ForeignKey("entities.id"), primary_key=True)


class AuditEntry(Base):
    """Append-only, hash-chained log of every create, update and case read."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last id and hash; a deleted tail row shows up against it."""

    __tablename__ = "audit_head"
    __table_args__ = (UniqueConstraint("name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(16), default="main")
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
