"""Insights area tables: per-post facts for fast dashboards, events, giveaways, report schedules.

`post_facts` is a narrow copy of each judged post's labels (one row per post, refreshed when the
post is judged again): dashboards group and count it through covering indexes instead of
parsing the triage JSON. The product catalogue lives in the community's settings."""

from __future__ import annotations

from datetime import date, datetime
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


class PostFactRow(Base):
    __tablename__ = "post_facts"
    __table_args__ = (
        # Covers every dashboard grouping of a period: no table lookups.
        Index(
            "ix_post_facts_window",
            "community_id",
            "day",
            "sentiment",
            "intent",
            "complaint",
            "channel_id",
            "language",
            "queue",
            "product",
        ),
        Index("ix_post_facts_products", "community_id", "product", "day", "intent", "complaint"),
        Index("ix_post_facts_author", "community_id", "author_id", "day"),
        # Covering, for good discussions: a period's threads grouped without table lookups.
        Index(
            "ix_post_facts_threads",
            "community_id",
            "day",
            "channel_id",
            "thread",
            "author_id",
            "sentiment",
            "queue",
            "off_topic",
            "language",
            "intent",
            "complaint",
            "post_id",
        ),
        # Covering, for influencers: a period's authors grouped without table lookups.
        Index(
            "ix_post_facts_authors",
            "community_id",
            "day",
            "author_id",
            "interactions",
            "polarity",
            "spam",
            "channel_id",
            "language",
        ),
    )

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"))
    thread: Mapped[str] = mapped_column(String(200))
    day: Mapped[date]
    language: Mapped[str] = mapped_column(String(20))
    sentiment: Mapped[str] = mapped_column(String(10))
    intent: Mapped[str] = mapped_column(String(20))
    complaint: Mapped[bool] = mapped_column(Boolean)
    polarity: Mapped[float] = mapped_column(Float)
    product: Mapped[str | None] = mapped_column(String(100))
    aspect: Mapped[str | None] = mapped_column(String(50))
    queue: Mapped[str] = mapped_column(String(20))
    interactions: Mapped[int] = mapped_column(Integer)
    spam: Mapped[bool] = mapped_column(Boolean)
    off_topic: Mapped[bool] = mapped_column(Boolean)


#: The dimensions of a `post_daily` cell (a post with no product counts under product "").
DAILY_CELL = (
    "community_id",
    "day",
    "channel_id",
    "language",
    "sentiment",
    "intent",
    "complaint",
    "product",
    "queue",
)


class DailyCountRow(Base):
    """Posts per community, day and label combination: the dashboard's counts read these few
    hundred rows a day instead of every post. Kept in step by `record_facts` (same
    transaction), rebuilt from `post_facts` by `rebuild_daily`."""

    __tablename__ = "post_daily"
    __table_args__ = (
        UniqueConstraint(*DAILY_CELL, name="uq_post_daily_cell"),
        # Covering (the count included): a period's counts come from the index alone.
        Index(
            "ix_post_daily_window",
            "community_id",
            "day",
            "sentiment",
            "intent",
            "complaint",
            "channel_id",
            "language",
            "queue",
            "product",
            "posts",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    day: Mapped[date]
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    language: Mapped[str] = mapped_column(String(20))
    sentiment: Mapped[str] = mapped_column(String(10))
    intent: Mapped[str] = mapped_column(String(20))
    complaint: Mapped[bool] = mapped_column(Boolean)
    product: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(20))
    posts: Mapped[int] = mapped_column(Integer)


#: The dimensions of a `post_weekly` cell: a daily cell with its week (Monday) for its day.
WEEKLY_CELL = ("community_id", "week", *DAILY_CELL[2:])


class WeeklyCountRow(Base):
    """`post_daily` summed per week (Monday, UTC): a period longer than the dashboard's daily
    chart reads its whole weeks here (seven times fewer rows) and only its edges per day."""

    __tablename__ = "post_weekly"
    __table_args__ = (
        UniqueConstraint(*WEEKLY_CELL, name="uq_post_weekly_cell"),
        Index(
            "ix_post_weekly_window",
            "community_id",
            "week",
            "sentiment",
            "intent",
            "complaint",
            "channel_id",
            "language",
            "queue",
            "product",
            "posts",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    week: Mapped[date]
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    language: Mapped[str] = mapped_column(String(20))
    sentiment: Mapped[str] = mapped_column(String(10))
    intent: Mapped[str] = mapped_column(String(20))
    complaint: Mapped[bool] = mapped_column(Boolean)
    product: Mapped[str] = mapped_column(String(100))
    queue: Mapped[str] = mapped_column(String(20))
    posts: Mapped[int] = mapped_column(Integer)


class ThemeCacheRow(Base):
    """Themes computed by the batch job for one community's period and filters, served as is
    while the posts they were computed from are still the period's latest (`signature`)."""

    __tablename__ = "insight_themes"
    __table_args__ = (UniqueConstraint("community_id", "scope_key", name="uq_insight_themes"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    scope_key: Mapped[str] = mapped_column(String(200))
    signature: Mapped[str] = mapped_column(String(100))
    themes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime]


class MemberStageRow(Base):
    """Each author's funnel stage in a community, as last computed (the funnel reads a whole
    history, so it is refreshed by a job rather than for every page view)."""

    __tablename__ = "member_stages"
    __table_args__ = (Index("ix_member_stages_stage", "community_id", "stage", "weight"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id"), primary_key=True)
    handle: Mapped[str] = mapped_column(String(200))
    stage: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(Text)
    weight: Mapped[int] = mapped_column(Integer)
    post_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    computed_at: Mapped[datetime]


class EventRow(Base):
    """A virtual event of one community; reminders go out through `channel`."""

    __tablename__ = "insight_events"
    __table_args__ = (Index("ix_insight_events_when", "community_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(100))
    thread: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    reminded_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class RsvpRow(Base):
    __tablename__ = "insight_rsvps"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("insight_events.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    status: Mapped[str] = mapped_column(String(20))
    answered_at: Mapped[datetime]
    attended_at: Mapped[datetime | None]


class GiveawayRow(Base):
    """A giveaway and its public commitments (seed hash, entries head, revealed seed, winners)."""

    __tablename__ = "giveaways"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    prize: Mapped[str] = mapped_column(Text, default="")
    winners: Mapped[int] = mapped_column(Integer, default=1)
    eligibility: Mapped[dict[str, Any]] = mapped_column(default=dict)
    closes_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    commitment: Mapped[str | None] = mapped_column(String(64))
    committed_at: Mapped[datetime | None]
    #: Kept secret until the draw; None when the organiser keeps the seed off the server.
    seed: Mapped[str | None] = mapped_column(String(200))
    entries_head: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]
    revealed_seed: Mapped[str | None] = mapped_column(String(200))
    drawn: Mapped[list[str]] = mapped_column(JSON, default=list)
    drawn_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class GiveawayEntryRow(Base):
    """One entry, one per person (linked identities share `person`), chained by `receipt`."""

    __tablename__ = "giveaway_entries"
    __table_args__ = (
        UniqueConstraint("giveaway_id", "person", name="uq_giveaway_entries_person"),
        UniqueConstraint("giveaway_id", "n", name="uq_giveaway_entries_n"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    giveaway_id: Mapped[int] = mapped_column(ForeignKey("giveaways.id"))
    n: Mapped[int] = mapped_column(Integer)
    person: Mapped[str] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    handle: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    receipt: Mapped[str] = mapped_column(String(64))


class ReportScheduleRow(Base):
    """A weekly report e-mailed to the marketing lead(s) of one community."""

    __tablename__ = "report_schedules"
    __table_args__ = (Index("ix_report_schedules_due", "next_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id"))
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    format: Mapped[str] = mapped_column(String(10), default="pdf")
    weekday: Mapped[int] = mapped_column(Integer, default=0)
    hour: Mapped[int] = mapped_column(Integer, default=8)
    next_due_at: Mapped[datetime]
    last_sent_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
