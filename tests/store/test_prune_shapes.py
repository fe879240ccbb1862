"""Pruning the text shapes repeated-text detection keeps, on both backends: shapes older than the
look-back (plus a margin) go, in chunks; recent ones stay, and floods are still held afterwards;
a post still waiting to be judged keeps the shapes its own look-back needs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from gardien.app.triage import PRUNE_MARGIN, prune_text_shapes
from gardien.cli.main import app
from gardien.domain.time import utcnow
from gardien.pipeline.record import HistoryBounds
from gardien.store.db import Database
from gardien.store.earlier import prune_shapes
from gardien.store.tables import PostRow
from gardien.store.tables_judgement import TextShapeRow
from tests.factories import jsonl, post
from tests.store.test_repeated_text import FLOOD, FLOOD_POSTS, FLOOD_RULE, judged

NOW = utcnow()
#: Beyond the default look-back (24 h) and the margin (a day): prunable.
OLD = NOW - timedelta(hours=24) - PRUNE_MARGIN - timedelta(hours=2)
#: Within the look-back: kept.
RECENT = NOW - timedelta(hours=3)


def at(moment: Any, minutes: int) -> str:
    return (moment + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def gardien(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on the test database, with the French community 'velo'."""
    monkeypatch.setenv("GARDIEN_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["channel", "add", "forum", "--community", "velo", "--locale", "fr"])
    assert added.exit_code == 0, added.output
    return runner


def load(gardien: CliRunner, path: Path, records: list[dict[str, Any]], *args: str) -> None:
    path.write_bytes(jsonl(records))
    result = gardien.invoke(app, ["import", str(path), "-c", "forum", *args])
    assert result.exit_code == 0, result.output


def shaped_posts(database: Database) -> set[str]:
    """External ids of the posts whose shape is kept."""
    with database.session() as session:
        return set(
            session.scalars(
                select(PostRow.external_id).join(TextShapeRow, TextShapeRow.post_id == PostRow.id)
            )
        )


def old_and_recent(gardien: CliRunner, tmp_path: Path) -> None:
    """Four old posts (two authors) and two recent copies of the flood by the troll."""
    old = [post(f"old-{i}", FLOOD_POSTS[i], "troll", created_at=at(OLD, i)) for i in range(3)]
    old.append(post("old-other", f"{FLOOD} et encore", "fan", created_at=at(OLD, 5)))
    recent = [post(f"new-{i}", FLOOD_POSTS[i], "troll", created_at=at(RECENT, i)) for i in (0, 1)]
    load(gardien, tmp_path / "old-and-recent.jsonl", old + recent)


def test_member_refresh_prunes_old_shapes_and_floods_are_still_held(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    old_and_recent(gardien, tmp_path)
    assert len(shaped_posts(database)) == 6

    refreshed = gardien.invoke(app, ["member", "refresh", "--community", "velo"])
    assert refreshed.exit_code == 0, refreshed.output
    assert refreshed.output.strip() == "refreshed 2 members of velo, pruned 4 text shapes"
    assert shaped_posts(database) == {"new-0", "new-1"}

    # The third recent copy is compared with the two recent shapes kept: held as before.
    load(
        gardien,
        tmp_path / "third.jsonl",
        [post("new-2", FLOOD_POSTS[2], "troll", created_at=at(RECENT, 2))],
    )
    third = judged(database)["new-2"]
    assert third["counts"] == {"repeated.copies": 2, "repeated.authors": 1}
    assert FLOOD_RULE in third["rules"] and third["action"] == "hold"
    again = gardien.invoke(app, ["member", "refresh", "--community", "velo"])
    assert again.output.strip().endswith("pruned 0 text shapes")
    assert shaped_posts(database) == {"new-0", "new-1", "new-2"}


def test_shapes_go_in_chunks_and_only_of_the_community_asked(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    old_and_recent(gardien, tmp_path)
    added = gardien.invoke(app, ["channel", "add", "club", "--community", "club"])
    assert added.exit_code == 0, added.output
    elsewhere = [post(f"club-{i}", FLOOD_POSTS[i], "troll", created_at=at(OLD, i)) for i in (0, 1)]
    (tmp_path / "club.jsonl").write_bytes(jsonl(elsewhere))
    assert (
        gardien.invoke(app, ["import", str(tmp_path / "club.jsonl"), "-c", "club"]).exit_code == 0
    )
    with database.session() as session:
        velo = session.scalar(
            select(TextShapeRow.community_id).join(PostRow).where(PostRow.external_id == "old-0")
        )

    before = NOW - timedelta(hours=24) - PRUNE_MARGIN
    assert prune_shapes(database, before, community_id=velo, chunk=3) == 4  # chunks of 3 and 1
    assert shaped_posts(database) == {"new-0", "new-1", "club-0", "club-1"}
    assert prune_shapes(database, before, chunk=1) == 2
    assert shaped_posts(database) == {"new-0", "new-1"}


def test_a_post_waiting_to_be_judged_keeps_the_shapes_it_will_be_compared_with(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    """A historical import judged later (or batch by batch) still sees the flood it continues."""
    old_and_recent(gardien, tmp_path)
    late = post("old-3", FLOOD_POSTS[3], "troll", created_at=at(OLD, 30))
    load(gardien, tmp_path / "late.jsonl", [late], "--no-triage")
    bounds = HistoryBounds()

    assert prune_text_shapes(database, bounds, NOW) == 0  # old-3 still needs old-0 … old-2
    assert gardien.invoke(app, ["triage"]).exit_code == 0
    assert judged(database)["old-3"]["counts"]["repeated.copies"] == 3
    assert prune_text_shapes(database, bounds, NOW) == 5
    assert shaped_posts(database) == {"new-0", "new-1"}
