"""What the repeated-text stage compares each post with, loaded with the batch; and each judged
text's shape, remembered for the posts to come.

Loading costs two set-based reads per batch, however large it is, both bounded by
`HistoryBounds` and both within [the batch's oldest post − window, its newest post]: the recent
shapes of the batch's authors (the most recent `per_author` of each), and the recent shapes with
the batch's fingerprints in their communities (the most recent `per_text` of each). The batch's
own posts are left out: the stage compares them with each other itself.

Shapes older than any look-back still to be read are pruned in short chunks (`prune_shapes`), by
the periodic member upkeep (`app/triage.py: prune_text_shapes`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from gardien.domain import ensure_utc
from gardien.pipeline.record import EarlierPost, HistoryBounds, TriageRecord
from gardien.pipeline.shape import pack, shapes, unpack
from gardien.store.db import Database
from gardien.store.tables import AuthorRow, ChannelRow, CommunityRow, PostRow
from gardien.store.tables_judgement import TextShapeRow


def attach_earlier(
    session: Session,
    records: Sequence[TriageRecord],
    author_ids: Sequence[int],
    bounds: HistoryBounds,
) -> None:
    """Give each record its text's shape and the earlier posts it is to be compared with;
    `author_ids` are the records' author row ids, in the same order."""
    if not records:
        return
    computed = shapes([record.post.text for record in records])
    for record, shape in zip(records, computed, strict=True):
        record.shape = shape
    counted = [(r, a) for r, s, a in zip(records, computed, author_ids, strict=True) if s.counts]
    if not counted:
        return  # short texts are compared with nothing
    times = [ensure_utc(record.post.created_at) for record, _ in counted]
    since, until = min(times) - bounds.window, max(times)
    own = [record.post_id for record in records if record.post_id is not None]
    window = (
        TextShapeRow.created_at >= since,
        TextShapeRow.created_at <= until,
        TextShapeRow.post_id.not_in(own),
    )
    authors = sorted({author_id for _, author_id in counted})
    by_author: dict[int, tuple[EarlierPost, ...]] = _group(
        session,
        _ranked(TextShapeRow.author_id.in_(authors), *window, per=[TextShapeRow.author_id]),
        bounds.per_author,
        lambda row: row.author_id,
        with_sketch=True,
    )
    communities = select(CommunityRow.id).where(
        CommunityRow.slug.in_(sorted({record.community for record, _ in counted}))
    )
    by_text: dict[tuple[str, str], tuple[EarlierPost, ...]] = _group(
        session,
        _ranked(
            TextShapeRow.community_id.in_(communities.scalar_subquery()),
            TextShapeRow.fingerprint.in_(sorted({s.fingerprint for s in computed if s.counts})),
            *window,
            per=[TextShapeRow.community_id, TextShapeRow.fingerprint],
        ),
        bounds.per_text,
        lambda row: (row.slug, row.fingerprint),
        with_sketch=False,
    )
    for record, shape, author_id in zip(records, computed, author_ids, strict=True):
        same_text = by_text.get((record.community, shape.fingerprint), ())
        record.earlier = by_author.get(author_id, ()) + same_text


def save_shapes(session: Session, records: Iterable[TriageRecord]) -> None:
    """Remember the shape of each judged post long enough to count (a re-judged post's replaces
    its old one), in the batch's transaction."""
    shaped = {r.post_id: r.shape for r in records if r.post_id is not None and r.shape is not None}
    if not shaped:
        return
    session.execute(delete(TextShapeRow).where(TextShapeRow.post_id.in_(list(shaped))))
    counted = [post_id for post_id, shape in shaped.items() if shape.counts]
    if not counted:
        return
    posts = session.execute(
        select(PostRow.id, PostRow.author_id, PostRow.created_at, ChannelRow.community_id)
        .join(ChannelRow, ChannelRow.id == PostRow.channel_id)
        .where(PostRow.id.in_(counted))
    )
    rows = [
        {
            "post_id": post_id,
            "community_id": community_id,
            "author_id": author_id,
            "created_at": created_at,
            "fingerprint": shaped[post_id].fingerprint,
            "sketch": pack(shaped[post_id].sketch),
        }
        for post_id, author_id, created_at, community_id in posts
    ]
    if rows:
        session.execute(insert(TextShapeRow), rows)


def prune_shapes(
    database: Database, before: datetime, community_id: int | None = None, chunk: int = 2_000
) -> int:
    """Forget the shapes of posts written before `before` (of one community, or all), `chunk`
    rows per transaction so no delete holds the table (or SQLite's write lock) for long; returns
    how many went. Walks the primary key once, so a run costs one pass whatever it deletes."""
    where = [TextShapeRow.created_at < before]
    if community_id is not None:
        where.append(TextShapeRow.community_id == community_id)
    deleted, after = 0, 0
    while True:
        with database.session() as session:
            ids = list(
                session.scalars(
                    select(TextShapeRow.post_id)
                    .where(TextShapeRow.post_id > after, *where)
                    .order_by(TextShapeRow.post_id)
                    .limit(chunk)
                )
            )
            if not ids:
                return deleted
            session.execute(delete(TextShapeRow).where(TextShapeRow.post_id.in_(ids)))
        deleted += len(ids)
        after = ids[-1]


def _ranked(*where: Any, per: list[Any]) -> Any:
    """Shapes matching `where`, each numbered from the most recent within its `per` group."""
    rank = func.row_number().over(
        partition_by=per, order_by=(TextShapeRow.created_at.desc(), TextShapeRow.post_id.desc())
    )
    return select(TextShapeRow, rank.label("rank")).where(*where).subquery()


def _group(
    session: Session, ranked: Any, limit: int, key: Any, with_sketch: bool
) -> dict[Any, tuple[EarlierPost, ...]]:
    """The first `limit` of each group, as EarlierPosts named by author handle and channel."""
    columns = [
        ranked.c.post_id,
        ranked.c.author_id,
        ranked.c.created_at,
        ranked.c.fingerprint,
        AuthorRow.external_id,
        ChannelRow.name,
        CommunityRow.slug,
    ]
    if with_sketch:
        columns.append(ranked.c.sketch)
    rows = session.execute(
        select(*columns)
        .join(AuthorRow, AuthorRow.id == ranked.c.author_id)
        .join(ChannelRow, ChannelRow.id == AuthorRow.channel_id)
        .join(CommunityRow, CommunityRow.id == ranked.c.community_id)
        .where(ranked.c.rank <= limit)
    )
    groups: dict[Any, list[EarlierPost]] = {}
    for row in rows:
        earlier = EarlierPost(
            post_id=row.post_id,
            channel=row.name,
            author=row.external_id,
            created_at=ensure_utc(row.created_at),
            fingerprint=row.fingerprint,
            sketch=unpack(row.sketch) if with_sketch else (),
        )
        groups.setdefault(key(row), []).append(earlier)
    return {name: tuple(found) for name, found in groups.items()}
