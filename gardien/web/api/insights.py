"""Insights API: the dashboard's numbers, the posts behind them, the funnel, the catalogue (events
and giveaways are in animation.py). Reading needs marketing lead (or community manager);
changing needs community manager."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from gardien.actions import insights as actions
from gardien.app import reports
from gardien.app.runtime import Runtime
from gardien.insights.catalogue import parse_catalogue
from gardien.insights.funnel import STAGES
from gardien.store.insights_dashboard import PostFilter, posts_behind, resolve_scope
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.api.schemas import Page
from gardien.web.deps import runtime as get_runtime
from gardien.web.deps import session

router = APIRouter(prefix="/api/v1/insights", tags=["insights"])
READERS = (Role.marketing_lead, Role.community_manager)
Reader = Annotated[Principal, Depends(require(*READERS))]
Manager = Annotated[Principal, Depends(require(Role.community_manager))]
Db = Annotated[Session, Depends(session)]
Rt = Annotated[Runtime, Depends(get_runtime)]


class ProductOut(BaseModel):
    name: str
    mentions: int
    praise: int
    requests: int
    complaints: int
    improvement_per_week: list[int]
    rising: bool


class ThemeOut(BaseModel):
    id: int
    label: str
    terms: list[str]
    posts: int
    per_week: list[int]
    rising: bool


class ResponseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    source: str
    asked: int
    answered: int
    median_minutes: float | None
    p90_minutes: float | None
    within_sla: int | None


class PlacementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    handle: str
    stage: str
    evidence: str
    post_ids: list[int]


class InfluencerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    handle: str
    followers: int
    posts: int
    reach: float
    engagement: float
    sentiment: float
    trust: float
    score: float
    post_ids: list[int]


class DashboardOut(BaseModel):
    community: str
    since: date
    until: date
    summary: list[str]
    total: int
    complaints: int
    complaint_share: float
    sentiment: dict[str, int]
    intents: dict[str, int]
    volume: list[dict[str, Any]] = Field(description="One bucket per day (per week if long).")
    products: list[ProductOut]
    themes: list[ThemeOut]
    prompts: list[str]
    response: ResponseOut
    funnel: dict[str, int]
    advocates: list[PlacementOut]
    detractors: list[PlacementOut]
    influencers: list[InfluencerOut]
    queues: dict[str, int]
    channels: dict[str, int]
    languages: dict[str, int]


@router.get("/{community}/dashboard", response_model=DashboardOut)
def dashboard(
    community: str,
    rt: Rt,
    principal: Reader,
    since: date | None = None,
    until: date | None = None,
    channel: str | None = None,
    language: str | None = None,
) -> DashboardOut:
    """Everything the dashboard shows, as numbers (the console links each to its posts)."""
    access_community(principal, community, *READERS)
    start, end = reports.default_period(rt.database, community)
    r = reports.build_report(
        rt.database, community, since or start, until or end, channel, language
    )
    b = r.board
    return DashboardOut(
        community=r.community,
        since=r.since,
        until=r.until,
        summary=r.summary,
        total=b.total,
        complaints=b.complaints,
        complaint_share=b.complaint_share,
        sentiment=b.sentiment,
        intents=b.intents,
        volume=[{"start": start, **counts} for start, counts in b.buckets],
        products=[
            ProductOut(
                name=p.name,
                mentions=p.mentions,
                praise=p.praise,
                requests=p.requests,
                complaints=p.complaints,
                improvement_per_week=list(p.improvement_trend.counts),
                rising=p.improvement_trend.rising,
            )
            for p in b.products
        ],
        themes=[
            ThemeOut(
                id=t.id,
                label=t.label,
                terms=list(t.terms),
                posts=t.size,
                per_week=list(t.trend.counts),
                rising=t.trend.rising,
            )
            for t in r.themes
        ],
        prompts=r.prompts,
        response=ResponseOut.model_validate(r.response),
        funnel=r.funnel,
        advocates=[PlacementOut.model_validate(p) for p in r.advocates],
        detractors=[PlacementOut.model_validate(p) for p in r.detractors],
        influencers=[InfluencerOut.model_validate(i) for i in r.influencers],
        queues=b.queues,
        channels={r.channel_names.get(k, str(k)): v for k, v in b.channels.items()},
        languages=b.languages,
    )


class FactPostOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    created_at: datetime
    handle: str
    channel: str
    text: str
    sentiment: str
    intent: str
    product: str | None
    url: str | None


@router.get("/{community}/posts", response_model=Page[FactPostOut])
def posts(
    community: str,
    db: Db,
    principal: Reader,
    since: date,
    until: date,
    sentiment: str | None = None,
    intent: str | None = None,
    complaint: bool | None = None,
    product: str | None = None,
    queue: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Page[FactPostOut]:
    """The posts behind a number, newest first."""
    access_community(principal, community, *READERS)
    scope = resolve_scope(db, community, since, until)
    which = PostFilter(
        sentiment=sentiment, intent=intent, complaint=complaint, product=product, queue=queue
    )
    before = cursors.decode(cursor, 1)
    found = posts_behind(db, scope, which, limit, int(before[0]) if before else None)
    return Page[FactPostOut](
        items=[FactPostOut.model_validate(p) for p in found],
        next_cursor=cursors.encode(found[-1].id) if len(found) == limit else None,
    )


@router.get("/{community}/funnel/{stage}", response_model=list[PlacementOut])
def funnel(community: str, stage: str, rt: Rt, principal: Reader) -> list[PlacementOut]:
    """Members at `stage` (as last computed), clearest evidence first."""
    access_community(principal, community, *READERS)
    if stage not in STAGES:
        raise actions.InsightsError(f"a stage is one of {', '.join(STAGES)}")
    return [
        PlacementOut.model_validate(p) for p in reports.stage_members(rt.database, community, stage)
    ]


def _who(principal: Principal) -> actions.Who:
    return actions.Who(f"user:{principal.username}", datetime.now(UTC))


@router.put("/{community}/catalogue")
def set_catalogue(
    community: str,
    body: dict[str, Any],
    db: Db,
    principal: Manager,
    rt: Annotated[Runtime, Depends(get_runtime)],
) -> dict[str, Any]:
    """Replace the products, aspects, brand accounts and funnel rules; run
    `gardien report backfill` afterwards to re-match stored posts."""
    access_community(principal, community, Role.community_manager)
    catalogue = parse_catalogue(body)
    actions.do_set_catalogue(db, _who(principal), community, catalogue)
    rt.refresh()  # rebuilt on next use: the policy reads the brand's accounts (author.is_brand)
    return catalogue.to_dict()
