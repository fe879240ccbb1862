"""The marketing report: everything the dashboard shows for one community and period, built
once and rendered as the console page, a standalone HTML file, a PDF, or a weekly e-mail."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select

from gardien.actions.insights import Who, do_mark_report_sent
from gardien.insights import discussions, influence
from gardien.insights import funnel as stages
from gardien.insights.catalogue import Catalogue
from gardien.insights.dashboard import Dashboard, assemble
from gardien.insights.funnel import Placement
from gardien.insights.summary import summarise
from gardien.insights.themes import Doc, Theme, find_themes
from gardien.insights.trends import weeks_between
from gardien.store import insights_themes as stored_themes
from gardien.store.communities import find_community
from gardien.store.db import Database
from gardien.store.insights_animation import due_schedules
from gardien.store.insights_dashboard import (
    ResponseTimes,
    Scope,
    cube,
    latest_day,
    resolve_scope,
    response_times,
    theme_docs,
)
from gardien.store.insights_facts import catalogue_of, rebuild_daily
from gardien.store.insights_people import (
    author_stats,
    evidence_posts,
    member_histories,
    save_stages,
    stage_counts,
    thread_stats,
)
from gardien.store.insights_people import stage_members as stored_stage
from gardien.store.tables import ChannelRow, CommunityRow

TEMPLATES = Path(__file__).parent.parent / "web" / "templates"
#: A stored funnel older than this is recomputed when a report is built.
FUNNEL_FRESH = timedelta(hours=24)
#: How many advocates and detractors get evidence posts stored with their stage.
EVIDENCED = 100


@dataclass(slots=True)
class Report:
    community: str
    name: str
    since: date
    until: date
    channel: str | None
    language: str | None
    generated_at: datetime
    board: Dashboard
    channel_names: dict[int, str]
    themes: list[Theme]
    prompts: list[str]
    funnel: dict[str, int]
    advocates: list[Placement]
    detractors: list[Placement]
    influencers: list[influence.Influencer]
    critics: list[influence.Influencer]
    discussions: list[discussions.Discussion]
    response: ResponseTimes
    summary: list[str] = field(default_factory=list)

    def query(self, **extra: object) -> str:
        """The query string of this report's filters plus `extra` (for links to posts)."""
        from urllib.parse import urlencode

        values: dict[str, object] = {"since": self.since, "until": self.until}
        if self.channel:
            values["channel"] = self.channel
        if self.language:
            values["language"] = self.language
        values.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(values)


def build_report(
    database: Database,
    community: str,
    since: date,
    until: date,
    channel: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Read and compute every part of the report (one read transaction)."""
    now = now or datetime.now(UTC)
    with database.session() as session:
        scope = resolve_scope(session, community, since, until, channel, language)
        row = session.get_one(CommunityRow, scope.community_id)
        catalogue = catalogue_of(row.settings)
        brand = {handle.casefold() for handle in catalogue.brand_accounts}
        board = assemble(cube(session, scope), since, until)
        themes = cached_themes(session, scope, now)
        counts, computed_at = stage_counts(session, scope.community_id)
        if computed_at is None or now - computed_at > FUNNEL_FRESH:
            counts = refresh_funnel(session, scope.community_id, catalogue, until, now)
        advocates = stored_stage(session, scope.community_id, "advocate", 10)
        detractors = stored_stage(session, scope.community_id, "detractor", 10)
        authors = [
            stats
            for stats in author_stats(session, scope, now)
            if stats.handle.casefold() not in brand
        ]
        channel_names = dict(
            session.execute(
                select(ChannelRow.id, ChannelRow.name).where(
                    ChannelRow.community_id == scope.community_id
                )
            ).all()
        )
        response = response_times(session, scope, catalogue.brand_accounts)
        threads = discussions.best(thread_stats(session, scope))
    locale = "fr" if (row.settings or {}).get("locales", ["en"])[:1] == ["fr"] else "en"
    report = Report(
        community=scope.community,
        name=row.name,
        since=since,
        until=until,
        channel=channel,
        language=language,
        generated_at=now,
        board=board,
        channel_names=channel_names,
        themes=themes,
        prompts=discussions.prompts(themes, locale),
        funnel=counts,
        advocates=advocates,
        detractors=detractors,
        influencers=influence.rank(authors, 10),
        critics=influence.critics(authors, 5),
        discussions=threads,
        response=response,
    )
    report.summary = summarise(
        board, themes, counts, response.median_minutes, response.answered_share
    )
    return report


#: Stored themes whose period has changed since are still served for this long: the
#: `refresh_insights` job (every 15 minutes) or `gardien report themes` recomputes them meanwhile.
THEMES_FRESH = timedelta(hours=1)


def cached_themes(session: Any, scope: Scope, now: datetime) -> list[Theme]:
    """The stored themes of `scope`; computed here (then stored) only when the batch job has
    not computed them yet or they are older than THEMES_FRESH and out of date."""
    stored = stored_themes.load(session, scope)
    if stored is not None and now - stored.computed_at <= THEMES_FRESH:
        return stored.themes
    signed = stored_themes.signature(session, scope)
    if stored is not None and stored.signature == signed:
        return stored.themes
    return compute_themes(session, scope, now, signed)


def compute_themes(
    session: Any, scope: Scope, now: datetime, signed: str | None = None
) -> list[Theme]:
    """Cluster the period's posts and store the themes (the batch job's work: ~1 s)."""
    docs: list[Doc] = theme_docs(session, scope)
    themes = find_themes(docs, weeks_between(scope.since, scope.until))
    signed = signed or stored_themes.signature(session, scope)
    stored_themes.save(session, scope, themes, signed, now)
    return themes


def recount_daily(database: Database, community: str | None = None) -> int:
    """Rebuild the daily summary from the facts (of one community); returns its cells."""
    with database.session() as session:
        row = find_community(session, community) if community else None
        return rebuild_daily(session, row.id if row is not None else None)


def refresh_themes(database: Database, community: str | None = None, days: int = 28) -> int:
    """The batch job: recompute the stored themes of each community's default period (the
    last `days` days) when its posts changed; returns how many were recomputed."""
    now = datetime.now(UTC)
    done = 0
    with database.session() as session:
        query = select(CommunityRow.slug)
        if community:
            query = query.where(CommunityRow.slug == community)
        slugs = list(session.scalars(query))
    for slug in slugs:
        since, until = default_period(database, slug, days)
        with database.session() as session:
            scope = resolve_scope(session, slug, since, until)
            stored = stored_themes.load(session, scope)
            signed = stored_themes.signature(session, scope)
            if stored is None or stored.signature != signed:
                compute_themes(session, scope, now, signed)
                done += 1
    return done


def default_period(database: Database, community: str, days: int = 28) -> tuple[date, date]:
    """The last `days` days up to the community's latest post (today when it has none)."""
    with database.session() as session:
        until = latest_day(session, community) or datetime.now(UTC).date()
    return until - timedelta(days=days - 1), until


def theme_post_ids(database: Database, scope: Scope, theme_id: int) -> tuple[int, ...]:
    """The posts of one theme (themes are deterministic for the same posts)."""
    with database.session() as session:
        themes = cached_themes(session, scope, datetime.now(UTC))
    for theme in themes:
        if theme.id == theme_id:
            return theme.post_ids
    return ()


def stage_members(
    database: Database, community: str, stage: str, limit: int = 200
) -> list[Placement]:
    """Members at one funnel stage, with the evidence (as last computed)."""
    with database.session() as session:
        row = find_community(session, community)
        return stored_stage(session, row.id, stage, limit)


def refresh_funnel(
    session: Any, community_id: int, catalogue: Catalogue, until: date, now: datetime
) -> dict[str, int]:
    """Recompute every member's stage from their whole history and store it (brand accounts
    left out); the clearest advocates and detractors get their evidence posts."""
    brand = {handle.casefold() for handle in catalogue.brand_accounts}
    rules = stages.FunnelRules.from_settings(catalogue.funnel)
    placements = [
        stages.place(history, rules)
        for history in member_histories(session, community_id, until)
        if history.handle.casefold() not in brand
    ]
    evidenced = {
        p.author_id: p
        for stage in ("advocate", "detractor")
        for p in _with_evidence(session, community_id, placements, stage, EVIDENCED)
    }
    save_stages(session, community_id, [evidenced.get(p.author_id, p) for p in placements], now)
    return stages.funnel_counts(placements)


def refresh_funnels(database: Database, community: str | None = None) -> int:
    """Refresh the stored funnel of one community (or all); returns members placed."""
    now = datetime.now(UTC)
    placed = 0
    with database.session() as session:
        query = select(CommunityRow)
        if community:
            query = query.where(CommunityRow.slug == community)
        for row in session.scalars(query):
            counts = refresh_funnel(session, row.id, catalogue_of(row.settings), now.date(), now)
            placed += sum(counts.values())
    return placed


def refresh_stale_funnels(database: Database, older_than: timedelta = FUNNEL_FRESH / 2) -> int:
    """The batch job's funnel part: refresh the stored funnels older than `older_than`, so no
    page view pays for the whole-history recomputation; returns how many were refreshed."""
    now = datetime.now(UTC)
    done = 0
    with database.session() as session:
        for row in session.scalars(select(CommunityRow)):
            _, computed_at = stage_counts(session, row.id)
            if computed_at is None or now - computed_at > older_than:
                refresh_funnel(session, row.id, catalogue_of(row.settings), now.date(), now)
                done += 1
    return done


def _with_evidence(
    session: Any, community_id: int, placements: list[Placement], stage: str, limit: int = 10
) -> list[Placement]:
    chosen = [p for p in placements if p.stage == stage]
    chosen.sort(key=lambda p: (-p.weight, p.handle))
    chosen = chosen[:limit]
    posts = (
        evidence_posts(
            session, community_id, [p.author_id for p in chosen], positive=stage == "advocate"
        )
        if stage in ("advocate", "detractor")
        else {}
    )
    return [
        Placement(p.author_id, p.handle, p.stage, p.evidence, posts.get(p.author_id, ()), p.weight)
        for p in chosen
    ]


def _environment() -> Environment:
    from gardien.insights import charts
    from gardien.web import i18n

    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True),
        extensions=["jinja2.ext.i18n"],
    )
    # The body is shared with the console, which translates it; the exported report is English.
    english = i18n.translator(i18n.DEFAULT)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        english.gettext, english.ngettext, newstyle=True
    )
    env.globals["charts"] = charts
    return env


def links(report: Report, base_url: str = "") -> dict[str, Any]:
    """The template's `link(**filters)` (posts behind a number, or a funnel stage's members)
    and `post_url(id)`, absolute when `base_url` (the console's address) is given."""
    base = base_url.rstrip("/")
    home = f"{base}/console/insights/{report.community}"

    def link(**filters: object) -> str:
        page = "funnel" if "stage" in filters else "posts"
        return f"{home}/{page}?{report.query(**filters)}"

    def post_url(post_id: int) -> str:
        return f"{base}/console/posts/{post_id}"

    return {"link": link, "post_url": post_url}


def render_html(report: Report, base_url: str = "", open_tables: bool = False) -> str:
    """The report as one self-contained HTML page (inline SVG charts and CSS, no scripts)."""
    template = _environment().get_template("insights/report.html")
    return template.render(report=report, open_tables=open_tables, **links(report, base_url))


def render_pdf(report: Report, base_url: str = "") -> bytes:
    """The same page printed to PDF by WeasyPrint (needs Pango from the system)."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(report, base_url, open_tables=True)).write_pdf()
    return pdf


@dataclass(frozen=True, slots=True)
class Mailer:
    """How reports leave: an SMTP server (no authentication: a local relay)."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    mail_from: str = "gardien@localhost"
    timeout: float = 10.0


def mail_report(mailer: Mailer, recipients: list[str], report: Report, format: str) -> None:
    """E-mail the report: the summary in the body, the report attached as HTML or PDF."""
    message = EmailMessage()
    message["From"], message["To"] = mailer.mail_from, ", ".join(recipients)
    message["Subject"] = f"[Gardien] {report.name}: report {report.since} – {report.until}"
    message.set_content("\n".join(report.summary) + "\n")
    name = f"gardien-{report.community}-{report.since}-{report.until}.{format}"
    if format == "pdf":
        message.add_attachment(
            render_pdf(report), maintype="application", subtype="pdf", filename=name
        )
    else:
        message.add_attachment(render_html(report), subtype="html", filename=name)
    with smtplib.SMTP(mailer.smtp_host, mailer.smtp_port, timeout=mailer.timeout) as smtp:
        smtp.send_message(message)


def send_due_reports(database: Database, mailer: Mailer, now: datetime, days: int = 7) -> int:
    """Send every scheduled report that is due (covering the last `days` days); a failure
    leaves the schedule due, so the next run tries again."""
    with database.session() as session:
        due = due_schedules(session, now)
    sent = 0
    for schedule_id, community, recipients, format in due:
        until = now.date()
        since = date.fromordinal(until.toordinal() - days + 1)
        mail_report(mailer, recipients, build_report(database, community, since, until), format)
        with database.session() as session:
            do_mark_report_sent(session, Who("schedule", now), schedule_id)
        sent += 1
    return sent
