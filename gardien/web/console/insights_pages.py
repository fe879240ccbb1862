"""Insights console: the marketing dashboard (charts with their data tables, every number a
link to its posts), the posts behind a number, funnel stages, report downloads (events and
giveaways: animation_pages.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from gardien.app import reports
from gardien.app.runtime import Runtime
from gardien.insights import charts
from gardien.insights.funnel import STAGES
from gardien.store.insights_dashboard import PostFilter, Scope, posts_behind, resolve_scope
from gardien.web.access import Principal, Role, access_community, require
from gardien.web.api import cursor as cursors
from gardien.web.console.render import render
from gardien.web.deps import runtime as get_runtime

router = APIRouter(include_in_schema=False)
READERS = (Role.marketing_lead, Role.community_manager)
Reader = Annotated[Principal, Depends(require(*READERS))]
Rt = Annotated[Runtime, Depends(get_runtime)]


def _period(
    rt: Runtime, community: str, since: date | None, until: date | None
) -> tuple[date, date]:
    if since and until:
        return since, until
    start, end = reports.default_period(rt.database, community)
    return since or start, until or end


@router.get("/console/insights")
def insights_home(principal: Reader) -> RedirectResponse:
    """The first community the user reads insights of."""
    slugs = sorted(principal.communities(*READERS))
    return RedirectResponse(
        f"/console/insights/{slugs[0]}" if slugs else "/console", status_code=303
    )


@router.get("/console/insights/{community}", response_class=HTMLResponse)
def dashboard(
    community: str,
    request: Request,
    rt: Rt,
    principal: Reader,
    since: date | None = None,
    until: date | None = None,
    channel: str | None = None,
    language: str | None = None,
) -> HTMLResponse:
    """The dashboard: filters, then every section of the report."""
    report = _report(rt, principal, community, since, until, channel, language)
    context = {
        "report": report,
        "charts": charts,
        "open_tables": False,
        "communities": sorted(principal.communities(*READERS)),
        **reports.links(report),
    }
    return render(request, "insights/dashboard.html", context, principal)


def _report(
    rt: Runtime,
    principal: Principal,
    community: str,
    since: date | None,
    until: date | None,
    channel: str | None,
    language: str | None,
) -> reports.Report:
    """The report the dashboard and the download show, once the reader's access is checked."""
    access_community(principal, community, *READERS)
    start, end = _period(rt, community, since, until)
    return reports.build_report(rt.database, community, start, end, channel, language)


def _scope(
    rt: Runtime, community: str, since: date, until: date, channel: str | None, language: str | None
) -> Scope:
    with rt.database.session() as session:
        return resolve_scope(session, community, since, until, channel, language)


@router.get("/console/insights/{community}/posts", response_class=HTMLResponse)
def posts_page(
    community: str,
    request: Request,
    rt: Rt,
    principal: Reader,
    since: date,
    until: date,
    channel: str | None = None,
    language: str | None = None,
    sentiment: str | None = None,
    intent: str | None = None,
    complaint: bool | None = None,
    product: str | None = None,
    queue: str | None = None,
    day: date | None = None,
    days: Annotated[int, Query(ge=1, le=366)] = 1,
    author: int | None = None,
    thread: str | None = None,
    theme: int | None = None,
    cursor: str | None = None,
) -> HTMLResponse:
    """The posts a number of the dashboard counts, newest first."""
    access_community(principal, community, *READERS)
    scope = _scope(rt, community, since, until, channel, language)
    ids = reports.theme_post_ids(rt.database, scope, theme) if theme is not None else None
    which = PostFilter(
        sentiment=sentiment,
        intent=intent,
        complaint=complaint,
        product=product,
        queue=queue,
        day=day,
        days=days,
        author_id=author,
        thread=thread,
        post_ids=ids,
    )
    before = cursors.decode(cursor, 1)
    with rt.database.session() as session:
        posts = posts_behind(session, scope, which, 50, int(before[0]) if before else None)
    filters = {k: v for k, v in request.query_params.items() if k != "cursor"}
    next_cursor = cursors.encode(posts[-1].id) if len(posts) == 50 else None
    context = {
        "community": community,
        "posts": posts,
        "filters": filters,
        "next_cursor": next_cursor,
    }
    return render(request, "insights/posts.html", context, principal)


@router.get("/console/insights/{community}/funnel", response_class=HTMLResponse)
def funnel_page(
    community: str,
    request: Request,
    rt: Rt,
    principal: Reader,
    stage: Annotated[str, Query(pattern="^(" + "|".join(STAGES) + ")$")] = "advocate",
    until: date | None = None,
    since: date | None = None,
) -> HTMLResponse:
    """Members at one stage of the funnel, with the evidence for it."""
    access_community(principal, community, *READERS)
    since, until = _period(rt, community, since, until)
    members = reports.stage_members(rt.database, community, stage)
    context = {
        "community": community,
        "stage": stage,
        "stages": STAGES,
        "members": members,
        "until": until,
    }
    return render(request, "insights/funnel.html", context, principal)


@router.get("/console/insights/{community}/report.{format}")
def download(
    community: str,
    format: Annotated[str, Path(pattern="^(html|pdf)$")],
    request: Request,
    rt: Rt,
    principal: Reader,
    since: date | None = None,
    until: date | None = None,
    channel: str | None = None,
    language: str | None = None,
) -> Response:
    """The report as a file: HTML (self-contained) or PDF."""
    report = _report(rt, principal, community, since, until, channel, language)
    base = str(request.base_url)
    name = f"gardien-{community}-{report.since}-{report.until}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format == "pdf":
        return Response(
            reports.render_pdf(report, base), media_type="application/pdf", headers=headers
        )
    return Response(reports.render_html(report, base), media_type="text/html", headers=headers)
