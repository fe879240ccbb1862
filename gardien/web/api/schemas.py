"""API boundary types: what clients see, separate from storage rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class ReasonOut(BaseModel):
    kind: str
    message: str
    action: str
    rule: str = ""
    term: str = ""
    signal: str = ""
    score: float | None = None
    threshold: float | None = None
    span: dict[str, Any] | None = None


class PostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    community: str
    channel: str
    external_id: str
    author: str
    author_handle: str
    followers: int
    text: str = Field(description="The text exactly as received (current revision).")
    created_at: datetime
    thread_id: str | None
    parent_id: str | None
    likes: int
    replies: int
    shares: int
    visibility: str
    language: str | None = None
    action: str | None = Field(None, description="The decision's action, once triaged.")
    queue: str | None = None
    department: str | None = None
    reasons: list[ReasonOut] = []
    policy_version: str = ""


class PostDetailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    post: PostOut
    original_text: str
    edited_at: datetime | None
    extra: dict[str, Any]
    signals: dict[str, Any]
    revisions: list[dict[str, Any]]
    engagement: list[dict[str, Any]]
    thread: list[PostOut]


class QueueItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    status: str
    rank: float = Field(description="Severity (moderation) or priority (care); higher first.")
    created_at: datetime
    post: PostOut


class Page(BaseModel, Generic[T]):
    """A page of results; pass `next_cursor` back as `cursor` for the next page."""

    items: list[T]
    next_cursor: str | None = None


class RejectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    channel: str
    line_no: int
    reason: str
    excerpt: str
    received_at: datetime


class IngestOut(BaseModel):
    accepted: int
    new: int
    edited: int
    unchanged: int
    engagement_points: int
    rejected: list[dict[str, Any]]
    triaged: int
