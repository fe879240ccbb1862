"""Members and the moderation queue: the gatekeeping and member-lifecycle area's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("community_id", "author_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    joined_at: Mapped[datetime]
    trust_level: Mapped[int] = mapped_column(Integer, default=0)
    strikes: Mapped[int] = mapped_column(Integer, default=0)


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
