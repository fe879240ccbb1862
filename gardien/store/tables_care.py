"""Care cases: the care inbox area's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (Index("ix_cases_open", "community_id", "status", "priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    status: Mapped[str] = mapped_column(String(30), default="new")
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    department: Mapped[str | None] = mapped_column(String(50))
    assignee: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
