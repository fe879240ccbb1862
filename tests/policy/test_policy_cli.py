"""`gardien policy …` end to end: validate, check, import, and a dry run over stored posts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.main import app
from tests.factories import post, write_jsonl

DATA = Path(__file__).parent / "data"
STRICT = """\
community: cafe
locale: fr
watched_words:
  lists:
    - {name: insultes, locale: fr, action: hold, terms: [connard, arnaque]}
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("GARDIEN_DATABASE_URL", raising=False)
    return CliRunner()


def test_validate_accepts_a_good_file_and_names_the_line_of_a_bad_one(
    cli: CliRunner, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(STRICT)
    result = cli.invoke(app, ["policy", "validate", str(good)])
    assert result.exit_code == 0 and "is valid, version cafe@" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(STRICT.replace("action: hold", "action: delete"))
    result = cli.invoke(app, ["policy", "validate", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:5: watched_words.lists.0.action: unknown action 'delete'" in result.output


def test_validate_notes_an_accurate_tier_this_machine_cannot_run(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gardien.classifiers.accurate import AccurateTier

    monkeypatch.setattr(AccurateTier, "has", lambda self, task: task != "intent")
    path = tmp_path / "p.yaml"
    path.write_text(STRICT + "accurate: [intent, complaint]\n")
    result = cli.invoke(app, ["policy", "validate", str(path)])
    assert result.exit_code == 0 and "is valid" in result.output  # a note, not an error
    assert "cannot run the accurate tier for intent" in result.output
    assert "for complaint" not in result.output


def test_check_explains_a_decision(cli: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(STRICT)
    result = cli.invoke(app, ["policy", "check", str(path), "Quel c.o.n.n.a.r.d", "-l", "fr"])
    assert result.exit_code == 0
    assert "hold (queue moderation)" in result.output
    assert "watched word 'connard' in list 'insultes': 'c.o.n.n.a.r.d'" in result.output


def test_import_automod_writes_a_loadable_policy(cli: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "sub.yaml"
    args = ["policy", "import-automod", str(DATA / "automoderator.yaml"), "--community", "sub"]
    result = cli.invoke(app, [*args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "not imported: automod-5: set_flair" in result.output
    assert cli.invoke(app, ["policy", "validate", str(out)]).exit_code == 0


def test_dry_run_over_stored_posts_shows_newly_blocked_with_reasons(
    cli: CliRunner, tmp_path: Path
) -> None:
    assert (
        cli.invoke(
            app, ["channel", "add", "comptoir", "--community", "cafe", "--locale", "fr"]
        ).exit_code
        == 0
    )
    posts = write_jsonl(
        tmp_path / "posts.jsonl",
        [
            post("1", "Bonjour à tous", language="fr"),
            post("2", "Cette boutique est une arnaque", language="fr"),
            post("3", "Quel connard ce vendeur", language="fr"),
        ],
    )
    assert cli.invoke(app, ["import", str(posts), "--channel", "comptoir"]).exit_code == 0
    candidate = tmp_path / "strict.yaml"
    candidate.write_text(STRICT)
    result = cli.invoke(app, ["policy", "dry-run", "cafe", str(candidate)])
    assert result.exit_code == 0, result.output
    assert "3 posts replayed" in result.output
    assert "[allow → hold] Cette boutique est une arnaque" in result.output
    assert "watched word 'arnaque' in list 'insultes'" in result.output
    result = cli.invoke(app, ["policy", "shadow-report", "cafe", str(candidate)])
    assert result.exit_code == 0, result.output
    assert "words:insultes" in result.output
