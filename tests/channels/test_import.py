"""File import: idempotent, loss-free, edits kept as revisions, engagement appended (both backends)."""

from __future__ import annotations

import gzip
from pathlib import Path

from sqlalchemy import func, select

from gardien.app.runtime import Runtime
from gardien.channels.file_import import import_file
from gardien.store import queries
from gardien.store.db import Database
from gardien.store.tables import AuthorRow, EngagementRow, PostRevisionRow, PostRow, RejectRow
from tests.factories import jsonl, post, write_jsonl


def count(database: Database, table: type) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def test_importing_the_same_file_twice_leaves_the_post_count_unchanged(
    runtime: Runtime, tmp_path: Path
) -> None:
    path = write_jsonl(
        tmp_path / "posts.jsonl", [post(str(i), f"post number {i}", likes=i) for i in range(50)]
    )
    first = import_file(runtime.database, path, "forum", runtime.limits, batch_size=16)
    second = import_file(runtime.database, path, "forum", runtime.limits, batch_size=16)
    assert (first.counts.new, second.counts.new, second.counts.unchanged) == (50, 0, 50)
    assert count(runtime.database, PostRow) == 50
    assert count(runtime.database, EngagementRow) == 50


def test_three_broken_lines_among_a_thousand(runtime: Runtime, tmp_path: Path) -> None:
    lines = jsonl([post(str(i), f"message {i}") for i in range(1000)]).splitlines(keepends=True)
    lines[9] = b'{"id": "9", "text": "cut off\n'
    lines[499] = b'{"id": "499", "created_at": "2026-10-01T10:00:00Z", "author": {"id": "a"}}\n'
    lines[998] = b'{"id": "998", "text": "\xc3\x28", "created_at": "x", "author": {"id": "a"}}\n'
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"".join(lines))
    report = import_file(runtime.database, path, "forum", runtime.limits, batch_size=100)
    assert report.counts.new == 997
    assert [line for line, _ in report.rejects] == [10, 500, 999]
    with runtime.database.session() as session:
        rejects = queries.list_rejects(session)
    assert [(r.line_no, r.reason.split(":")[0]) for r in rejects] == [
        (10, "malformed JSON"),
        (500, "text"),
        (999, "invalid UTF-8 at byte 23"),
    ]
    import_file(runtime.database, path, "forum", runtime.limits)
    assert count(runtime.database, RejectRow) == 3
    assert count(runtime.database, PostRow) == 997


def test_an_edit_keeps_the_original_text_and_adds_a_revision(
    runtime: Runtime, tmp_path: Path
) -> None:
    write_jsonl(tmp_path / "a.jsonl", [post("1", "Livraison en retard")])
    write_jsonl(
        tmp_path / "b.jsonl",
        [post("1", "Livraison en retard !!", edited_at="2026-10-01T11:00:00Z")],
    )
    import_file(runtime.database, tmp_path / "a.jsonl", "forum", runtime.limits)
    report = import_file(runtime.database, tmp_path / "b.jsonl", "forum", runtime.limits)
    assert report.counts.edited == 1
    with runtime.database.session() as session:
        row = session.scalars(select(PostRow)).one()
        assert (row.original_text, row.text) == ("Livraison en retard", "Livraison en retard !!")
        assert row.triaged_at is None
        revision = session.scalars(select(PostRevisionRow)).one()
        assert revision.text == "Livraison en retard !!"
        assert revision.edited_at is not None and revision.edited_at.tzinfo is not None


def test_engagement_counts_append_to_the_history_and_replays_add_nothing(
    runtime: Runtime, tmp_path: Path
) -> None:
    curve = [
        post("1", "Mon vélo a cassé", likes=n, shares=n // 2, observed_at=f"2026-10-01T1{n}:00:00Z")
        for n in range(1, 6)
    ]
    path = write_jsonl(tmp_path / "curve.jsonl", curve)
    import_file(runtime.database, path, "forum", runtime.limits)
    import_file(runtime.database, path, "forum", runtime.limits)
    with runtime.database.session() as session:
        detail = queries.post_detail(session, session.scalars(select(PostRow.id)).one())
    assert [point["likes"] for point in detail.engagement] == [1, 2, 3, 4, 5]
    assert detail.post.likes == 5 and detail.post.shares == 2


def test_unknown_fields_are_kept(runtime: Runtime, tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "x.jsonl",
        [post("1", campaign={"name": "autumn"}, author={"id": "u", "karma": 12})],
    )
    import_file(runtime.database, path, "forum", runtime.limits)
    with runtime.database.session() as session:
        row = session.scalars(select(PostRow)).one()
        assert row.extra == {"campaign": {"name": "autumn"}}
        assert session.scalars(select(AuthorRow)).one().extra == {"karma": 12}


def test_an_interrupted_import_rerun_completes_without_duplicates(
    runtime: Runtime, tmp_path: Path
) -> None:
    records = [post(str(i), f"hello {i}") for i in range(300)]
    full = write_jsonl(tmp_path / "full.jsonl", records)
    partial = tmp_path / "partial.jsonl"
    partial.write_bytes(full.read_bytes()[: len(full.read_bytes()) // 2])  # cut mid-line
    import_file(runtime.database, partial, "forum", runtime.limits, batch_size=50)
    import_file(runtime.database, full, "forum", runtime.limits, batch_size=50)
    assert count(runtime.database, PostRow) == 300


def test_gzipped_csv_imports(runtime: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "posts.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as out:
        out.write(
            "id,text,created_at,author_id\n1,Salut,2026-10-01T10:00:00Z,u1\n"
            "2,Hi,2026-10-01T10:00:00Z,u2\n"
        )
    report = import_file(runtime.database, path, "forum", runtime.limits)
    assert report.counts.new == 2


def test_replaying_a_file_with_an_edit_records_nothing_new(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Regression: the replayed original line used to count as a new edit and revert the text."""
    path = write_jsonl(
        tmp_path / "edited.jsonl",
        [
            post("1", "Livré cassé"),
            post("1", "Livré cassé, roue voilée", edited_at="2026-10-01T10:05:00Z"),
        ],
    )
    first = import_file(runtime.database, path, "forum", runtime.limits)
    again = import_file(runtime.database, path, "forum", runtime.limits)
    assert (first.counts.edited, again.counts.edited, again.counts.unchanged) == (1, 0, 2)
    with runtime.database.session() as session:
        row = session.scalars(select(PostRow)).one()
        assert (row.text, row.triaged_at is None) == ("Livré cassé, roue voilée", True)
    assert count(runtime.database, PostRevisionRow) == 1


def test_an_older_edit_arriving_late_is_kept_but_does_not_become_current(
    runtime: Runtime, tmp_path: Path
) -> None:
    late = post("1", "v2", edited_at="2026-10-01T10:05:00Z")
    latest = post("1", "v3", edited_at="2026-10-01T10:09:00Z")
    write_jsonl(tmp_path / "a.jsonl", [post("1", "v1"), latest])
    write_jsonl(tmp_path / "b.jsonl", [late])
    import_file(runtime.database, tmp_path / "a.jsonl", "forum", runtime.limits)
    import_file(runtime.database, tmp_path / "b.jsonl", "forum", runtime.limits)
    with runtime.database.session() as session:
        assert session.scalars(select(PostRow.text)).one() == "v3"
        assert sorted(session.scalars(select(PostRevisionRow.text))) == ["v2", "v3"]
