"""Workers build their records with the same loader as triage: a flood spread over threads and
messages is counted as it is in-process, the earlier messages' posts coming from the store."""

from __future__ import annotations

from sqlalchemy import select

from gardien.app.runtime import Runtime
from gardien.store import queries
from gardien.store.tables import PostRow
from gardien.workers.judge import judge_posts
from tests.factories import post
from tests.workers.conftest import ingest

FLOOD = "Suivez ma chaîne pour des tests de vélos électriques, nouvelle vidéo chaque semaine"


def test_a_flood_over_several_threads_and_messages_is_counted_by_the_workers(
    runtime: Runtime,
) -> None:
    ingest(
        runtime,
        [
            post(
                f"flood-{i}",
                FLOOD,
                "troll",
                thread_id=f"thread-{i}",
                created_at=f"2026-10-01T10:0{i}:00Z",
            )
            for i in range(5)
        ],
    )
    with runtime.database.session() as session:
        ids = list(session.scalars(select(PostRow.id).order_by(PostRow.id)))
    # Two messages, as the dispatcher packs them: each thread's posts together.
    first = judge_posts(runtime.database, runtime.runner, runtime.context(), ids[:2])
    second = judge_posts(runtime.database, runtime.runner, runtime.context(), ids[2:])
    assert (first.judged, second.judged) == (2, 3)
    with runtime.database.session() as session:
        found = {
            view.external_id: queries.post_detail(session, view.id).signals["counts"]
            for view in queries.list_posts(session, "velo")
        }
        held = {view.external_id: view.action for view in queries.list_posts(session, "velo")}
    assert [found[f"flood-{i}"]["repeated.copies"] for i in range(5)] == [0, 1, 2, 3, 4]
    assert [held[f"flood-{i}"] for i in range(2, 5)] == ["hold"] * 3
