"""Repeated text end to end, on both backends: floods and campaigns imported with `gardien import`
are scored, counted and held by the shipped policy with its reason; short texts are not; the
answer does not depend on how the posts were batched, and replaying the file changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select
from typer.testing import CliRunner

from gardien.cli.main import app
from gardien.pipeline.record import HistoryBounds
from gardien.store import queries
from gardien.store.db import Database
from gardien.store.tables import AuthorRow
from gardien.store.tables_judgement import TextShapeRow
from gardien.store.tables_members import MemberRow
from gardien.store.triage import pending_records
from tests.factories import jsonl, post

FLOOD = "Suivez ma chaîne pour des tests de vélos électriques, nouvelle vidéo chaque semaine"
#: One troll, five near-copies in an hour: case, emoji, spacing, l33t, a word changed.
FLOOD_POSTS = [
    FLOOD,
    FLOOD.upper() + " !!!",
    "suivez   ma chaîne pour des tests de vélos électriques... nouvelle vidéo chaque semaine 🎥🎥",
    "Suivez ma cha1ne pour des t3sts de vél0s électriques, nouvelle vidéo chaque semaine",
    "Suivez ma chaîne pour des essais de vélos électriques, nouvelle vidéo chaque semaine",
]
GIVEAWAY = "Concours : un vélo électrique à gagner, plus que {} places, inscrivez-vous ici {}"
FLOOD_RULE, CAMPAIGN_RULE = "texte-répété", "texte-copié-par-plusieurs-comptes"


def flood_file(path: Path) -> Path:
    records = [
        post(f"flood-{i}", text, "troll", created_at=f"2026-10-01T10:{10 * i:02d}:00Z")
        for i, text in enumerate(FLOOD_POSTS)
    ]
    records += [
        post(
            f"giveaway-{i}",
            GIVEAWAY.format(40 - i, f"https://cadeau.example/{i}"),
            f"spam{i}",
            created_at=f"2026-10-01T11:{i:02d}:00Z",
        )
        for i in range(4)
    ]
    records += [
        post(f"thanks-{i}", "merci !", "polie", created_at=f"2026-10-01T12:{i:02d}:00Z")
        for i in range(5)
    ]
    path.write_bytes(jsonl(records))
    return path


@pytest.fixture
def gardien(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """The command line on the test database, with the French community 'velo'."""
    monkeypatch.setenv("GARDIEN_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["channel", "add", "forum", "--community", "velo", "--locale", "fr"])
    assert added.exit_code == 0, added.output
    return runner


def judged(database: Database) -> dict[str, dict[str, Any]]:
    """Each post's repeated-text score and counts, action and rules, by external id."""
    with database.session() as session:
        views = queries.list_posts(session, "velo", limit=100)
        out = {}
        for view in views:
            signals = queries.post_detail(session, view.id).signals
            out[view.external_id] = {
                "score": signals["scores"]["repeated"]["value"],
                "spans": signals["scores"]["repeated"]["spans"],
                "counts": signals["counts"],
                "action": view.action,
                "rules": {reason["rule"] for reason in view.reasons},
                "messages": {reason["rule"]: reason["message"] for reason in view.reasons},
            }
    return out


def shapes_stored(database: Database) -> int:
    with database.session() as session:
        return int(session.scalar(select(func.count()).select_from(TextShapeRow)) or 0)


@pytest.mark.parametrize("batch_size", ["1000", "2"])
def test_a_flood_and_a_campaign_are_held_with_their_reason(
    gardien: CliRunner,
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    batch_size: str,
) -> None:
    """In one batch, or two posts at a time (the earlier ones then come from the store)."""
    monkeypatch.setenv("GARDIEN_TRIAGE_BATCH_SIZE", batch_size)
    result = gardien.invoke(app, ["import", str(flood_file(tmp_path / "f.jsonl")), "-c", "forum"])
    assert result.exit_code == 0, result.output
    assert "triaged 14 posts" in result.output
    posts = judged(database)

    flood = [posts[f"flood-{i}"] for i in range(5)]
    assert [p["counts"] for p in flood] == [
        {"repeated.copies": n, "repeated.authors": 1} for n in range(5)
    ]
    assert [p["score"] for p in flood[:4]] == [0.0, 1.0, 1.0, 1.0]
    assert 0.85 <= flood[4]["score"] < 1.0  # "essais" for "tests": near, not the same
    assert [FLOOD_RULE in p["rules"] for p in flood] == [False, False, True, True, True]
    assert [p["action"] for p in flood[2:]] == ["hold"] * 3
    assert flood[2]["messages"][FLOOD_RULE] == (
        "Le même texte publié encore et encore attend un modérateur."
    )
    [span] = flood[1]["spans"]
    assert span["label"].startswith("near-copy of post ") and span["weight"] == 1.0

    giveaway = [posts[f"giveaway-{i}"] for i in range(4)]
    assert [p["counts"]["repeated.authors"] for p in giveaway] == [1, 2, 3, 4]
    assert [CAMPAIGN_RULE in p["rules"] for p in giveaway] == [False, False, True, True]
    # French spam is read since session 13 (`spam-fr.v1`): the spam thresholds may block
    # these outright; the campaign rule still holds them and says why
    assert {p["action"] for p in giveaway[2:]} <= {"hold", "block"}
    assert all(CAMPAIGN_RULE in p["messages"] for p in giveaway[2:])

    thanks = [posts[f"thanks-{i}"] for i in range(5)]
    assert {(p["score"], str(p["counts"])) for p in thanks} == {(0.0, "{}")}
    assert not any(p["rules"] & {FLOOD_RULE, CAMPAIGN_RULE} for p in thanks)
    assert shapes_stored(database) == 9  # the short texts are not remembered


def test_replaying_the_file_changes_nothing(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = flood_file(tmp_path / "f.jsonl")
    assert gardien.invoke(app, ["import", str(path), "-c", "forum"]).exit_code == 0
    before, shapes = judged(database), shapes_stored(database)
    again = gardien.invoke(app, ["import", str(path), "-c", "forum"])
    assert "0 new, 0 edited, 14 unchanged" in again.output and "triaged 0 posts" in again.output
    assert gardien.invoke(app, ["triage"]).exit_code == 0
    assert judged(database) == before
    assert shapes_stored(database) == shapes


def test_an_edited_post_is_compared_again_without_its_old_self(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = flood_file(tmp_path / "f.jsonl")
    assert gardien.invoke(app, ["import", str(path), "-c", "forum"]).exit_code == 0
    edit = post(
        "flood-2",
        "Finalement je préfère les sorties en groupe le dimanche, qui vient avec moi ?",
        "troll",
        created_at="2026-10-01T10:20:00Z",
        edited_at="2026-10-01T13:00:00Z",
    )
    (tmp_path / "edit.jsonl").write_bytes(jsonl([edit]))
    result = gardien.invoke(app, ["import", str(tmp_path / "edit.jsonl"), "-c", "forum"])
    assert "1 edited" in result.output and "triaged 1 posts" in result.output
    edited = judged(database)["flood-2"]
    assert edited["counts"] == {"repeated.copies": 0, "repeated.authors": 1}
    assert FLOOD_RULE not in edited["rules"]
    assert shapes_stored(database) == 9  # its shape replaced, not added


def test_earlier_posts_are_loaded_with_two_queries_whatever_the_batch(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    """Set-based loading: as many statements for forty posts by forty authors as for four."""
    first = [post(f"a-{i}", f"{FLOOD} numéro {i}", f"fan{i}") for i in range(40)]
    (tmp_path / "a.jsonl").write_bytes(jsonl(first))
    gardien.invoke(app, ["import", str(tmp_path / "a.jsonl"), "-c", "forum"])
    later = [
        post(f"b-{i}", f"{FLOOD} numéro {i}", f"fan{i}", created_at="2026-10-01T11:00:00Z")
        for i in range(40)
    ]
    (tmp_path / "b.jsonl").write_bytes(jsonl(later))
    gardien.invoke(app, ["import", str(tmp_path / "b.jsonl"), "-c", "forum", "--no-triage"])

    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as session:
            few = pending_records(session, 4, history=HistoryBounds(per_author=3))
            small = len(statements)
            many = pending_records(session, 40, history=HistoryBounds(per_author=3))
            large = len(statements) - small
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert small == large == 3  # the posts, the authors' shapes, the texts' shapes
    assert {len(r.earlier) for r in many} == {40 + 1}  # its own first post + the same text
    assert all(e.sketch for r in few for e in r.earlier[:1])


def test_erasing_a_member_forgets_the_shapes_of_their_texts(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    """The shapes are derived from the texts: erasure removes them with the texts."""
    imported = gardien.invoke(app, ["import", str(flood_file(tmp_path / "f.jsonl")), "-c", "forum"])
    assert imported.exit_code == 0 and shapes_stored(database) == 9
    with database.session() as session:
        troll = session.scalar(
            select(MemberRow.id).join(AuthorRow).where(AuthorRow.external_id == "troll")
        )
    erased = gardien.invoke(app, ["member", "erase", str(troll), "--reason", "RGPD", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert shapes_stored(database) == 4  # the giveaways' remain


TEMPLATE = "Merci pour votre message, notre service client vous répond en message privé sous 24 h"


def test_the_brands_own_accounts_answering_with_a_template_are_not_held(
    gardien: CliRunner, database: Database, tmp_path: Path
) -> None:
    """Regression: the brand's support account was held on its third template reply. Its
    accounts (`brand_accounts` of the insights catalogue, here) are `author.is_brand`, which
    the shipped rules leave alone; the counts stay true, and a customer pasting the same text
    three times is still held."""
    (tmp_path / "brand.yaml").write_text("brand_accounts: ['@VeloRouge_Reponse']\n", "utf-8")
    told = gardien.invoke(app, ["report", "catalogue", str(tmp_path / "brand.yaml"), "--community", "velo"])  # fmt: skip
    assert told.exit_code == 0, told.output
    records = [
        post(f"{who}-{i}", TEMPLATE, who, created_at=f"2026-10-01T10:{10 * i:02d}:00Z")
        for who in ("velorouge_reponse", "client")
        for i in range(3)
    ]
    (tmp_path / "t.jsonl").write_bytes(jsonl(records))
    assert gardien.invoke(app, ["import", str(tmp_path / "t.jsonl"), "-c", "forum"]).exit_code == 0
    posts = judged(database)

    brand, client = posts["velorouge_reponse-2"], posts["client-2"]
    assert brand["counts"]["repeated.copies"] == client["counts"]["repeated.copies"] == 2
    assert FLOOD_RULE not in brand["rules"] and brand["action"] != "hold"
    assert FLOOD_RULE in client["rules"] and client["action"] == "hold"

    # A dry run knows the brand's accounts too: without the exemption, only its third reply
    # would change.
    shipped = gardien.invoke(app, ["policy", "show-default", "fr"]).output
    (tmp_path / "fr.yaml").write_text(
        shipped.replace("community: ", "community: velo #", 1), "utf-8"
    )
    older = "".join(line for line in shipped.splitlines(True) if "author.is_brand" not in line)
    (tmp_path / "older.yaml").write_text(
        older.replace("community: ", "community: velo #", 1), "utf-8"
    )
    dry = gardien.invoke(app, ["policy", "dry-run", "velo", str(tmp_path / "fr.yaml"), "--live", str(tmp_path / "older.yaml")])  # fmt: skip
    assert dry.exit_code == 0, dry.output
    assert (
        "1 would change" in dry.output and "[hold → allow] Merci pour votre message" in dry.output
    )
