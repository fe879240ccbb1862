"""Keep `post_facts` in step with triage: one narrow row of labels per judged post.

`record_facts(session, post_ids)` is meant to be called by the triage path right after it saved
the judgements of a batch (same transaction); `backfill_facts` fills or refreshes the table for
posts judged before (after a catalogue change, say)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Date, and_, bindparam, cast, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gardien.insights.catalogue import Catalogue, Matcher, parse_catalogue
from gardien.insights.labels import label, scores_of
from gardien.insights.trends import week_of
from gardien.store.db import Database
from gardien.store.tables import ChannelRow, CommunityRow, PostRow, TriageRow
from gardien.store.tables_insights import (
    DAILY_CELL,
    WEEKLY_CELL,
    DailyCountRow,
    PostFactRow,
    WeeklyCountRow,
)

Cell = tuple[Any, ...]

#: Scores at or above which a post counts as spam (bot-like authors) or off topic.
SPAM_AT = 0.5
OFF_TOPIC_AT = 0.5


def catalogue_of(settings: dict[str, Any] | None) -> Catalogue:
    """The insights settings (catalogue, brand accounts, funnel) of a community's settings."""
    return parse_catalogue((settings or {}).get("insights"))


def _matchers(session: Session, community_ids: Collection[int]) -> dict[int, Matcher]:
    rows = session.execute(
        select(CommunityRow.id, CommunityRow.settings).where(CommunityRow.id.in_(community_ids))
    )
    return {row_id: Matcher(catalogue_of(settings)) for row_id, settings in rows}


def record_facts(session: Session, post_ids: Sequence[int]) -> int:
    """(Re)write the facts of `post_ids` from their stored triage; returns how many rows."""
    if not post_ids:
        return 0
    rows = session.execute(
        select(
            PostRow.id,
            PostRow.channel_id,
            PostRow.author_id,
            PostRow.thread_id,
            PostRow.external_id,
            PostRow.created_at,
            PostRow.text,
            PostRow.likes + PostRow.replies + PostRow.shares,
            ChannelRow.community_id,
            TriageRow.language,
            TriageRow.signals,
            TriageRow.queue,
        )
        .join(TriageRow, TriageRow.post_id == PostRow.id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .where(PostRow.id.in_(post_ids))
    ).all()
    matchers = _matchers(session, {row.community_id for row in rows})
    facts = []
    for row in rows:
        scores = scores_of(row.signals or {})
        labels = label(scores)
        product, aspect = matchers[row.community_id].match(row.text)
        facts.append(
            {
                "post_id": row.id,
                "community_id": row.community_id,
                "channel_id": row.channel_id,
                "author_id": row.author_id,
                "thread": (row.thread_id or row.external_id)[:200],
                "day": row.created_at.date(),
                "language": row.language,
                "sentiment": labels.sentiment,
                "intent": labels.intent,
                "complaint": labels.complaint,
                "polarity": labels.polarity,
                "product": product,
                "aspect": aspect,
                "queue": row.queue,
                "interactions": int(row[7] or 0),
                "spam": scores.get("spam", 0.0) >= SPAM_AT,
                "off_topic": scores.get("off_topic", 0.0) >= OFF_TOPIC_AT,
            }
        )
    before = _stored_cells(session, post_ids)
    session.execute(delete(PostFactRow).where(PostFactRow.post_id.in_(post_ids)))
    if facts:
        session.execute(insert(PostFactRow), facts)
    after = Counter(_cell(fact) for fact in facts)
    daily = {cell: after[cell] - before[cell] for cell in after | before}
    weekly: Counter[Cell] = Counter()
    for (community_id, day, *rest), n in daily.items():
        weekly[(community_id, week_of(day), *rest)] += n
    _apply_deltas(session, DailyCountRow, DAILY_CELL, daily)
    _apply_deltas(session, WeeklyCountRow, WEEKLY_CELL, weekly)
    return len(facts)


def _cell(fact: dict[str, Any]) -> Cell:
    return tuple(fact[name] if name != "product" else fact[name] or "" for name in DAILY_CELL)


def _stored_cells(session: Session, post_ids: Sequence[int]) -> Counter[Cell]:
    """How the facts about to be replaced are counted in `post_daily` (one grouped query)."""
    columns = [getattr(PostFactRow, name) for name in DAILY_CELL]
    rows = session.execute(
        select(*columns, func.count()).where(PostFactRow.post_id.in_(post_ids)).group_by(*columns)
    )
    found: Counter[Cell] = Counter()
    for row in rows:
        cell = tuple(
            value if name != "product" else value or ""
            for name, value in zip(DAILY_CELL, row, strict=False)
        )
        found[cell] += row[-1]
    return found


def _apply_deltas(
    session: Session, table: Any, names: tuple[str, ...], deltas: Mapping[Cell, int]
) -> None:
    """Add each cell's delta to a summary `table` in one multi-row upsert; drop emptied cells.
    Cells go in sorted order, so concurrent batches lock shared cells in the same order."""
    changed = [
        dict(zip(names, cell, strict=True), posts=n) for cell, n in sorted(deltas.items()) if n
    ]
    if not changed:
        return
    dialect = session.get_bind().dialect.name
    upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    statement = upsert.on_conflict_do_update(
        index_elements=list(names), set_={"posts": table.posts + upsert.excluded.posts}
    )
    for start in range(0, len(changed), 500):
        session.execute(statement.values(changed[start : start + 500]))
    emptied = [{f"k_{k}": v for k, v in row.items()} for row in changed if row["posts"] < 0]
    if emptied:
        keys = [getattr(table, name) == bindparam(f"k_{name}") for name in names]
        session.connection().execute(
            delete(table).where(and_(*keys), table.posts <= 0),
            [{k: v for k, v in row.items() if k != "k_posts"} for row in emptied],
        )


def rebuild_daily(session: Session, community_id: int | None = None) -> int:
    """Recount `post_daily` from `post_facts`, then `post_weekly` from `post_daily` (each one
    INSERT … SELECT … GROUP BY): the backfill for facts written before the summaries existed,
    or written around `record_facts`. Returns the daily cells."""
    facts = [getattr(PostFactRow, name) for name in DAILY_CELL]
    product = func.coalesce(PostFactRow.product, "")
    grouped = [
        product if name == "product" else column
        for name, column in zip(DAILY_CELL, facts, strict=True)
    ]
    query = select(*grouped, func.count()).group_by(*grouped)
    by_week = [
        _monday(session, DailyCountRow.day) if name == "day" else getattr(DailyCountRow, name)
        for name in DAILY_CELL
    ]
    weeks = select(*by_week, func.sum(DailyCountRow.posts)).group_by(*by_week)
    clears = [delete(DailyCountRow), delete(WeeklyCountRow)]
    total = select(func.count()).select_from(DailyCountRow)
    if community_id is not None:
        query = query.where(PostFactRow.community_id == community_id)
        weeks = weeks.where(DailyCountRow.community_id == community_id)
        clears = [
            delete(DailyCountRow).where(DailyCountRow.community_id == community_id),
            delete(WeeklyCountRow).where(WeeklyCountRow.community_id == community_id),
        ]
        total = total.where(DailyCountRow.community_id == community_id)
    for clear in clears:
        session.execute(clear)
    session.execute(insert(DailyCountRow).from_select([*DAILY_CELL, "posts"], query))
    session.execute(insert(WeeklyCountRow).from_select([*WEEKLY_CELL, "posts"], weeks))
    return int(session.scalar(total) or 0)


def _monday(session: Session, day: Any) -> Any:
    """SQL for the Monday starting `day`'s week (as `trends.week_of` does in Python)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", day), Date)
    return func.date(day, "weekday 0", "-6 days")


def backfill_facts(
    database: Database,
    community: str | None = None,
    batch_size: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the facts of every judged post (of one community), batch by batch."""
    done, after = 0, 0
    while True:
        with database.session() as session:
            query = (
                select(TriageRow.post_id)
                .where(TriageRow.post_id > after)
                .order_by(TriageRow.post_id)
                .limit(batch_size)
            )
            if community is not None:
                query = (
                    query.join(PostRow, PostRow.id == TriageRow.post_id)
                    .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
                    .join(CommunityRow, CommunityRow.id == ChannelRow.community_id)
                    .where(CommunityRow.slug == community)
                )
            ids = list(session.scalars(query))
            if not ids:
                return done
            done += record_facts(session, ids)
        after = ids[-1]
        if progress is not None:
            progress(done)
