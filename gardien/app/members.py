"""Member upkeep that runs on a schedule: strikes decay and trust levels follow history."""

from __future__ import annotations

from sqlalchemy import select

from gardien.actions.members import refresh_standing
from gardien.domain.time import utcnow
from gardien.pipeline.record import StageContext
from gardien.pipeline.watched_words import policy_for
from gardien.store.communities import find_community
from gardien.store.db import Database
from gardien.store.tables_members import MemberRow


def refresh_members(database: Database, context: StageContext, community: str) -> int:
    """Recompute every member's active strikes (after the policy's decay) and trust level, which
    the policy's rules read; returns how many members were refreshed."""
    strikes = policy_for(context, community).policy.strikes
    now = utcnow()
    count = 0
    with database.session() as session:
        row = find_community(session, community)
        for member in session.scalars(
            select(MemberRow).where(
                MemberRow.community_id == row.id, MemberRow.canonical_id.is_(None)
            )
        ):
            refresh_standing(session, member, now, strikes)
            count += 1
    return count


def refresh_all_members(database: Database, context: StageContext) -> int:
    """`refresh_members` for every community the context knows."""
    return sum(refresh_members(database, context, slug) for slug in context.communities)
