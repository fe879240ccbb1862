"""Judge every post that has not been judged yet, batch by batch, each batch in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from gardien.domain import Community, ensure_utc
from gardien.domain.time import utcnow
from gardien.pipeline.record import CommunityConfig, HistoryBounds, StageContext
from gardien.pipeline.runner import Runner
from gardien.settings import Settings
from gardien.store.care_config import brand_handles
from gardien.store.communities import all_communities
from gardien.store.db import Database
from gardien.store.earlier import prune_shapes
from gardien.store.tables import PostRow
from gardien.store.tables_workers import DeadPostRow
from gardien.store.triage import pending_records, save_judgements

#: How much longer than the look-back text shapes are kept: room for posts that arrive late
#: (platform backfills, retried webhooks, a listener catching up), which are compared with the
#: shapes of their own time.
PRUNE_MARGIN = timedelta(days=1)

#: Returns a community's (live, shadow) compiled policies.
PolicyLoader = Callable[[Database, Community], tuple[object, object]]


@dataclass(slots=True)
class TriageReport:
    judged: int = 0
    batches: int = 0


def build_context(
    database: Database, load_policy: PolicyLoader | None = None, settings: Settings | None = None
) -> StageContext:
    """What the stages may consult: every community's profile, compiled policy and the brand's
    own handles, and how much history the store loads with each post (`settings`, else the
    defaults)."""
    with database.session() as session:
        communities = all_communities(session)
        brands = {
            community.slug: brand_handles(session, community.slug) for community in communities
        }
    configs = {}
    for community in communities:
        live, shadow = (None, None) if load_policy is None else load_policy(database, community)
        configs[community.slug] = CommunityConfig(
            community=community, policy=live, shadow=shadow, brand_accounts=brands[community.slug]
        )
    return StageContext(communities=configs, history=history_bounds(settings))


def history_bounds(settings: Settings | None) -> HistoryBounds:
    """The repeated-text look-back the settings ask for, as the store and the stage read it."""
    if settings is None:
        return HistoryBounds()
    return HistoryBounds(
        window=timedelta(hours=settings.repeated_window_hours),
        per_author=settings.repeated_per_author,
    )


def triage_pending(
    database: Database,
    runner: Runner,
    context: StageContext,
    batch_size: int = 1_000,
    progress: Callable[[int], None] | None = None,
) -> TriageReport:
    """Run the pipeline over untriaged posts until none are left."""
    report = TriageReport()
    after = 0
    while True:
        with database.session() as session:
            batch = pending_records(session, batch_size, after, context.history)
            if not batch:
                return report
            judged = runner.judge(batch, context)
            save_judgements(session, judged, utcnow())
        after = max(record.post_id or 0 for record in batch)
        report.judged += len(batch)
        report.batches += 1
        if progress is not None:
            progress(report.judged)


def prune_text_shapes(
    database: Database, bounds: HistoryBounds, now: datetime, community_id: int | None = None
) -> int:
    """Forget the text shapes no post will be compared with again: older than the look-back plus
    `PRUNE_MARGIN`, and older than the look-back of the oldest post still waiting to be judged
    (a historical import judged batch by batch needs its own earlier batches). Posts set aside
    as dead letters do not hold pruning back. Returns how many shapes went."""
    before = now - bounds.window - PRUNE_MARGIN
    with database.session() as session:
        oldest_pending = session.scalar(
            select(func.min(PostRow.created_at)).where(
                PostRow.triaged_at.is_(None), PostRow.id.not_in(select(DeadPostRow.post_id))
            )
        )
    if oldest_pending is not None:
        before = min(before, ensure_utc(oldest_pending) - bounds.window)
    return prune_shapes(database, before, community_id)
