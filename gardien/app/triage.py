"""Judge every post that has not been judged yet, batch by batch, each batch in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from gardien.domain import Community
from gardien.domain.time import utcnow
from gardien.pipeline.record import CommunityConfig, HistoryBounds, StageContext
from gardien.pipeline.runner import Runner
from gardien.settings import Settings
from gardien.store.communities import all_communities
from gardien.store.db import Database
from gardien.store.triage import pending_records, save_judgements

#: Returns a community's (live, shadow) compiled policies.
PolicyLoader = Callable[[Database, Community], tuple[object, object]]


@dataclass(slots=True)
class TriageReport:
    judged: int = 0
    batches: int = 0


def build_context(
    database: Database, load_policy: PolicyLoader | None = None, settings: Settings | None = None
) -> StageContext:
    """What the stages may consult: every community's profile and compiled policy, and how much
    history the store loads with each post (`settings`, else the defaults)."""
    with database.session() as session:
        communities = all_communities(session)
    configs = {}
    for community in communities:
        live, shadow = (None, None) if load_policy is None else load_policy(database, community)
        configs[community.slug] = CommunityConfig(community=community, policy=live, shadow=shadow)
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
