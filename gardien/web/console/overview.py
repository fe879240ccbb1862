"""The overview: per community, the queues' sizes and whatever other areas report (SLA at risk,
alerts …) through panels registered in PANELS. The page and its JSON twin show the same data."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from gardien.store import queries
from gardien.store.communities import all_communities
from gardien.web.access import Principal, Role, require
from gardien.web.console.render import render
from gardien.web.deps import session

COMMUNITY_ROLES = tuple(role for role in Role if role is not Role.admin)
Member = Annotated[Principal, Depends(require(*COMMUNITY_ROLES))]


@dataclass(frozen=True, slots=True)
class Metric:
    """One number on a community's card: a label, its value, where to look, and how urgent."""

    label: str
    value: int | float | str
    href: str = ""
    level: str = "info"  # info, warning, danger


#: Each panel gives metrics per community slug; other areas append theirs (care: SLA at risk;
#: insights: alerts). A panel sees only the communities the principal works in.
Panel = Callable[[Session, Principal, Collection[str]], dict[str, list[Metric]]]
PANELS: list[Panel] = []


def queue_panel(
    db: Session, principal: Principal, slugs: Collection[str]
) -> dict[str, list[Metric]]:
    counts = queries.open_counts(db, slugs)
    out: dict[str, list[Metric]] = {}
    for slug, count in counts.items():
        metrics = [Metric("posts", count["posts"], f"/console/posts?community={slug}")]
        if principal.has(Role.moderator, slug):
            level = "warning" if count["moderation"] else "info"
            metrics.append(
                Metric(
                    "moderation queue",
                    count["moderation"],
                    f"/console/queue?community={slug}",
                    level,
                )
            )
        if principal.has(Role.care_agent, slug):
            metrics.append(Metric("care inbox", count["care"], f"/console/care?community={slug}"))
        out[slug] = metrics
    return out


class MetricOut(BaseModel):
    label: str
    value: int | float | str
    href: str = ""
    level: str = Field("info", description="info, warning or danger")


class CommunityCardOut(BaseModel):
    slug: str
    name: str
    roles: list[str] = Field(description="The caller's roles in this community.")
    metrics: list[MetricOut]


class OverviewOut(BaseModel):
    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "communities": [
                        {
                            "slug": "les-rouleurs",
                            "name": "Les Rouleurs",
                            "roles": ["moderator"],
                            "metrics": [
                                {
                                    "label": "moderation queue",
                                    "value": 12,
                                    "href": "/console/queue?community=les-rouleurs",
                                    "level": "warning",
                                }
                            ],
                        }
                    ]
                }
            ]
        }
    }

    communities: list[CommunityCardOut]


def overview(db: Session, principal: Principal) -> OverviewOut:
    slugs = principal.communities()
    cards: dict[str, list[MetricOut]] = {slug: [] for slug in slugs}
    for panel in (queue_panel, *PANELS):
        for slug, metrics in panel(db, principal, slugs).items():
            if slug in cards:
                cards[slug] += [
                    MetricOut(label=m.label, value=m.value, href=m.href, level=m.level)
                    for m in metrics
                ]
    names = {community.slug: community.name for community in all_communities(db)}
    return OverviewOut(
        communities=[
            CommunityCardOut(
                slug=slug,
                name=names.get(slug, slug),
                roles=["admin"] if principal.is_admin else sorted(principal.roles.get(slug, ())),
                metrics=cards[slug],
            )
            for slug in sorted(cards)
        ]
    )


router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["console"])


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/console", status_code=303)


@router.get("/console", response_class=HTMLResponse)
def overview_page(
    request: Request, db: Annotated[Session, Depends(session)], principal: Member
) -> HTMLResponse:
    """Every community the user works in, with its queues and alerts."""
    return render(request, "overview.html", {"overview": overview(db, principal)}, principal)


@api.get("/overview", response_model=OverviewOut)
def overview_json(db: Annotated[Session, Depends(session)], principal: Member) -> OverviewOut:
    """The overview page's data: per community the caller works in, its metrics."""
    return overview(db, principal)
