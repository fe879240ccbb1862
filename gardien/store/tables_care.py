"""Care inbox tables: cases and their history, SLA policies and breaches, agents and shifts,
departments and routing rules, reply templates and replies, negative mentions and alerts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class CaseRow(Base):
    """A complaint, question or urgent mention; `post_id` is the post that opened it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_open", "community_id", "status", "priority"),
        Index("ix_cases_author_topic", "author_id", "status", "topic"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    status: Mapped[str] = mapped_column(String(30), default="new")
    #: The virality risk score (0–100); its parts are in `risk_parts`.
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    department: Mapped[str | None] = mapped_column(String(50))
    assignee: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    topic: Mapped[str | None] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    tier: Mapped[str] = mapped_column(String(20), default="normal", server_default="normal")
    risk_parts: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    opened_at: Mapped[datetime | None]
    first_response_due: Mapped[datetime | None]
    resolution_due: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime | None]
    reopened: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    csat: Mapped[int | None] = mapped_column(Integer)
    risk_alerted_at: Mapped[datetime | None]


class CasePostRow(Base):
    """Every post of a case: the one that opened it and those that joined it later."""

    __tablename__ = "case_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    added_at: Mapped[datetime]


class CaseEventRow(Base):
    """A case's history: opened, joined, assigned, routed, handed back, replied, resolved …"""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SlaPolicyRow(Base):
    """One community's promise for one priority tier, counted in its business hours."""

    __tablename__ = "care_sla_policies"
    __table_args__ = (UniqueConstraint("community_id", "tier"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    tier: Mapped[str] = mapped_column(String(20))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    warn_minutes: Mapped[int] = mapped_column(Integer, default=15)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    always: Mapped[bool] = mapped_column(Boolean, default=True)
    days: Mapped[list[int]] = mapped_column(JSON, default=list)
    opens: Mapped[str] = mapped_column(String(5), default="09:00")
    closes: Mapped[str] = mapped_column(String(5), default="18:00")


class SlaBreachRow(Base):
    """A warning before a deadline, or a breach of it: recorded once per case, kind and stage."""

    __tablename__ = "care_sla_breaches"
    __table_args__ = (UniqueConstraint("case_id", "kind", "stage", "due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    stage: Mapped[str] = mapped_column(String(20))
    due_at: Mapped[datetime]
    at: Mapped[datetime]


class AgentRow(Base):
    """A care agent of a community: languages, capacity, time zone; shifts in care_shifts."""

    __tablename__ = "care_agents"
    __table_args__ = (UniqueConstraint("community_id", "username"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    username: Mapped[str] = mapped_column(String(100))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    capacity: Mapped[int] = mapped_column(Integer, default=20)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ShiftRow(Base):
    __tablename__ = "care_shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("care_agents.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    starts: Mapped[str] = mapped_column(String(5))
    ends: Mapped[str] = mapped_column(String(5))


class DepartmentRow(Base):
    """A team cases can be routed to; its members (role `department`, with the department named
    in their account) see only its cases."""

    __tablename__ = "care_departments"
    __table_args__ = (UniqueConstraint("community_id", "slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    slug: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(200), default="")


class RoutingRuleRow(Base):
    """A rule sending matching cases to a department; `condition` is a policy Condition."""

    __tablename__ = "care_routing_rules"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    department: Mapped[str] = mapped_column(String(50))
    condition: Mapped[dict[str, Any]] = mapped_column(default=dict)


class TemplateRow(Base):
    __tablename__ = "care_templates"
    __table_args__ = (UniqueConstraint("community_id", "name", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    name: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(20))
    tone: Mapped[str] = mapped_column(String(30), default="warm")
    body: Mapped[str] = mapped_column(Text)


class ReplyRow(Base):
    """A reply sent on a case, as queued in the outbox under `outbox_key`."""

    __tablename__ = "care_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    agent: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    template: Mapped[str | None] = mapped_column(String(100))
    outbox_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class CareSettingsRow(Base):
    """A community's care settings: assignment strategy, catalogue, spike settings, tone."""

    __tablename__ = "care_settings"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(20), default="manual")
    last_assigned: Mapped[str | None] = mapped_column(String(100))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MentionRow(Base):
    """A negative post, with its product and topic: what spikes and echoes are counted from."""

    __tablename__ = "care_mentions"
    __table_args__ = (Index("ix_care_mentions_at", "community_id", "at"),)

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    channel: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]
    product: Mapped[str | None] = mapped_column(String(200))
    topic: Mapped[str | None] = mapped_column(String(100))
    negativity: Mapped[float] = mapped_column(Float)


class AlertDestinationRow(Base):
    """Where a community's alerts go: a webhook URL or an e-mail address."""

    __tablename__ = "care_alert_destinations"
    __table_args__ = (UniqueConstraint("community_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))


class AlertRow(Base):
    """A fire (a spike of negative posts on one key) or a case whose risk climbed."""

    __tablename__ = "care_alerts"
    __table_args__ = (Index("ix_care_alerts_open", "community_id", "status", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default="open")
    raised_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    observed: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[float] = mapped_column(Float, default=0.0)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
