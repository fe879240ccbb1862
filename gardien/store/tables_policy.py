"""Policies: every saved text is a version; per community one live version and at most one in
shadow; shadow decisions are recorded beside the live ones, never applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class PolicyVersionRow(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("community_id", "digest"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    version: Mapped[str] = mapped_column(String(150))
    digest: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime]


class PolicyStateRow(Base):
    """Which version of a community's policy judges live traffic, and which runs in shadow."""

    __tablename__ = "policy_state"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    live_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    shadow_id: Mapped[int | None] = mapped_column(ForeignKey("policy_versions.id"))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class ShadowDecisionRow(Base):
    """What the shadow version would have decided for a post, beside what the live one did."""

    __tablename__ = "shadow_decisions"
    __table_args__ = (UniqueConstraint("post_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    version: Mapped[str] = mapped_column(String(150), index=True)
    action: Mapped[str] = mapped_column(String(20))
    queue: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    live_version: Mapped[str] = mapped_column(String(150))
    live_action: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime]
