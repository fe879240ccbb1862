"""Members and the moderation queue: the gatekeeping and member-lifecycle area's tables.

Columns added to `members` after the initial schema carry a server default or accept NULL,
because ingest inserts members with a raw multi-row INSERT that names only the first columns."""

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


class MemberRow(Base):
    """An author's standing in one community; `canonical_id` points at the member it was
    linked into (one person across channels shares that member's history and ladder)."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "author_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    joined_at: Mapped[datetime]
    trust_level: Mapped[int] = mapped_column(Integer, default=0)
    strikes: Mapped[int] = mapped_column(Integer, default=0)
    language: Mapped[str | None] = mapped_column(String(20))
    canonical_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    erased_at: Mapped[datetime | None]
    #: When ban evasion last compared this member with the banned ones (NULL: not yet).
    evasion_checked_at: Mapped[datetime | None]


class ModerationItemRow(Base):
    __tablename__ = "moderation_items"
    __table_args__ = (Index("ix_moderation_open", "community_id", "status", "severity"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    action: Mapped[str] = mapped_column(String(20))
    severity: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="open")
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claim_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    resolved_by: Mapped[str | None] = mapped_column(String(200))
    resolved_at: Mapped[datetime | None]
    rule: Mapped[str | None] = mapped_column(String(100))


class ReportRow(Base):
    """A reader's report of a post: it opens or bumps the post's moderation item. Status: open,
    dismissed (unfounded), or handled (answered by a verdict on the item)."""

    __tablename__ = "moderation_reports"
    __table_args__ = (UniqueConstraint("post_id", "reporter"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("moderation_items.id"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    reporter: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")
    dismissed_by: Mapped[str | None] = mapped_column(String(200))
    dismissed_at: Mapped[datetime | None]
    dismiss_note: Mapped[str] = mapped_column(Text, default="")


class SanctionRow(Base):
    """One sanction (warn, mute, suspend, ban) or a post action's strike, with its rule and the
    content concerned kept as evidence (the post may be gone from its channel)."""

    __tablename__ = "sanctions"
    __table_args__ = (Index("ix_sanctions_member", "member_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(String(20))
    strike: Mapped[bool] = mapped_column(Boolean, default=True)
    strike_number: Mapped[int] = mapped_column(Integer, default=0)
    rule: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    appeal_until: Mapped[datetime]
    appeal_token: Mapped[str] = mapped_column(String(64), unique=True)
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(100), default="")


class AppealRow(Base):
    """A member's single appeal of a sanction, and another moderator's decision on it."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanctions.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")


class NoticeRow(Base):
    """A statement of reasons sent to a member: the rule, the content, how to appeal."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    kind: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(100), default="")
    content: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class CodeOfConductRow(Base):
    """One version of a community's code of conduct in one language (Markdown, with its rules)."""

    __tablename__ = "codes_of_conduct"
    __table_args__ = (UniqueConstraint("community_id", "version", "language"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    requires_reacceptance: Mapped[bool] = mapped_column(Boolean, default=False)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime]


class AcceptanceRow(Base):
    """A member's (or applicant's) acceptance of one version of the code of conduct."""

    __tablename__ = "coc_acceptances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    version: Mapped[int] = mapped_column(Integer)
    language: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime]


class ApplicationFormRow(Base):
    """A community's application questions and how screening scores are acted on."""

    __tablename__ = "application_forms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), unique=True)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    approve_below: Mapped[float] = mapped_column(Float, default=0.0)
    reject_from: Mapped[float] = mapped_column(Float, default=1.01)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]


class ApplicationRow(Base):
    """A request to join: answers, accepted code version, screening score with its reasons."""

    __tablename__ = "applications"
    __table_args__ = (Index("ix_applications_queue", "community_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    handle: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), default="")
    language: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(100))
    external_id: Mapped[str | None] = mapped_column(String(200))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    coc_version: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class IdentityLinkRow(Base):
    """Two members of one community known to be one person; undone links keep their row."""

    __tablename__ = "identity_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    primary_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    linked_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    linked_by: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime]
    undone_by: Mapped[str | None] = mapped_column(String(200))
    undone_at: Mapped[datetime | None]


class EvasionFlagRow(Base):
    """A member or applicant who resembles a banned member, with the evidence."""

    __tablename__ = "evasion_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"))
    banned_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    #: open, then confirmed (the same person: linked to the banned one) or cleared by a moderator.
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
