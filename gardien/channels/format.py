"""The interchange format (docs/FORMAT.md) as Pydantic models: the boundary every channel maps to."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt, field_validator

from gardien.domain.time import ensure_utc

ExternalId = Annotated[str, Field(min_length=1, max_length=200)]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else ensure_utc(value)


class IncomingAuthor(BaseModel):
    """The author of an incoming post, as the channel knows them."""

    model_config = ConfigDict(extra="allow")

    id: ExternalId
    handle: Annotated[str, Field(max_length=200)] = ""
    name: Annotated[str, Field(max_length=200)] = ""
    followers: NonNegativeInt = 0
    created_at: datetime | None = None
    email: Annotated[str, Field(max_length=320)] | None = None
    verified: bool = False

    _utc_created = field_validator("created_at")(_utc)


class IncomingPost(BaseModel):
    """One post in the interchange format; unknown fields are kept in `model_extra`."""

    model_config = ConfigDict(extra="allow")

    id: ExternalId
    text: str
    created_at: datetime
    author: IncomingAuthor
    thread_id: ExternalId | None = None
    parent_id: ExternalId | None = None
    edited_at: datetime | None = None
    language: Annotated[str, Field(max_length=20)] | None = None
    likes: NonNegativeInt | None = None
    replies: NonNegativeInt | None = None
    shares: NonNegativeInt | None = None
    observed_at: datetime | None = None
    visibility: Literal["public", "private"] = "public"
    url: Annotated[str, Field(max_length=2000)] | None = None

    _utc_times = field_validator("created_at", "edited_at", "observed_at")(_utc)

    @property
    def extra(self) -> dict[str, Any]:
        """Fields the format does not know, kept as received."""
        return dict(self.model_extra or {})

    @property
    def has_engagement(self) -> bool:
        return self.likes is not None or self.replies is not None or self.shares is not None
