"""Care API boundary types: what clients send and see, separate from the care tables."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from gardien.web.api.schemas import PostOut


class RiskPartOut(BaseModel):
    name: str
    measure: float
    unit: str
    level: float = Field(description="0–1")
    points: float = Field(description="What this part adds to the score (0–100 in all).")


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    community: str
    status: str
    tier: str
    risk: float = Field(description="Virality risk, 0–100: the sum of its parts' points.")
    rank: float = Field(description="Inbox order: risk plus SLA pressure (0–25).")
    parts: list[RiskPartOut]
    department: str | None
    assignee: str | None
    topic: str | None
    product: str | None
    language: str | None
    opened_at: datetime
    first_response_due: datetime | None
    resolution_due: datetime | None
    sla_state: str
    sla_minutes_left: float | None
    post_id: int
    channel: str
    author: str
    author_handle: str
    followers: int
    text: str
    visibility: str
    posts: int


class CasePage(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class EventOut(BaseModel):
    at: datetime
    actor: str
    kind: str
    note: str
    detail: dict[str, Any]


class ReplyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    agent: str
    text: str
    template: str | None
    outbox_key: str
    created_at: datetime


class CaseDetailOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case: CaseOut
    posts: list[PostOut]
    thread: list[PostOut]
    history: list[dict[str, Any]] = Field(description="The author's other posts, newest first.")
    events: list[EventOut]
    replies: list[ReplyOut]
    csat: int | None
    first_response_at: datetime | None
    resolved_at: datetime | None


class AssignIn(BaseModel):
    agent: str | None = Field(None, description="Omit to let the community's strategy choose.")


class RouteIn(BaseModel):
    department: str
    note: str = ""


class NoteIn(BaseModel):
    note: str = ""


class DraftIn(BaseModel):
    template: str
    values: dict[str, str] = Field(default={}, description="Values that override the defaults.")


class DraftOut(BaseModel):
    template: str
    language: str
    tone: str
    text: str


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=10_000)
    template: str | None = None
    to_post: int | None = None


class CsatIn(BaseModel):
    score: int = Field(ge=1, le=5)


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    community: str
    kind: Literal["spike", "risk"] | str
    key: str
    status: str
    raised_at: datetime
    started_at: datetime | None
    last_seen_at: datetime
    closed_at: datetime | None
    observed: int
    expected: float
    case_id: int | None
    detail: dict[str, Any]


class AlertPage(BaseModel):
    items: list[AlertOut]
    next_cursor: str | None = None


class CrisisOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    alert: AlertOut
    posts: list[PostOut]
    by_channel: dict[str, int]


class CheckOut(BaseModel):
    rescored: int
    risk_alerts: list[int]
    sla_warnings: int
    sla_breaches: int
    spikes: list[int]
    closed: int
