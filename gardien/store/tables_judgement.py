"""Judgement's own tables: what triage remembers of each post's text to recognise it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from gardien.store.tables import Base


class TextShapeRow(Base):
    """The shape of a judged post's text (`pipeline/shape.py`: fingerprint and sketch, never the
    text), with its community, author and time, so that later posts are compared with it in two
    indexed reads: by author, and by fingerprint within the community. Posts too short to count
    have none."""

    __tablename__ = "text_shapes"
    __table_args__ = (
        Index("ix_text_shapes_author", "author_id", "created_at"),
        Index("ix_text_shapes_fingerprint", "community_id", "fingerprint", "created_at"),
    )

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id"), primary_key=True, autoincrement=False
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    created_at: Mapped[datetime]
    fingerprint: Mapped[str] = mapped_column(String(16))
    sketch: Mapped[bytes] = mapped_column(LargeBinary)
