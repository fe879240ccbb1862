"""Policies from the command line: save versions, and try one rule in shadow on live traffic."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.main import app
from gardien.store.db import Database
from tests.factories import jsonl, post

RULE = """
name: no-handlebar-talk
priority: 50
action: hold
when: {field: post.length, at_least: 25}
"""


@pytest.fixture
def cli(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GARDIEN_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(app, ["channel", "add", "forum", "--community", "velo", "--locale", "fr"])
    assert added.exit_code == 0, added.output
    return runner


def test_one_rule_runs_in_shadow_and_its_decisions_are_counted(
    cli: CliRunner, tmp_path: Path
) -> None:
    rule = tmp_path / "rule.yaml"
    rule.write_text(RULE)
    started = cli.invoke(app, ["policy", "shadow-rule", "velo", str(rule)])
    assert started.exit_code == 0, started.output
    assert "shadow: velo@" in started.output
    posts = tmp_path / "posts.jsonl"
    posts.write_bytes(
        jsonl([post("1", "Un long message sur mon guidon tordu"), post("2", "Court")])
    )
    assert cli.invoke(app, ["import", str(posts), "--channel", "forum"]).exit_code == 0
    stats = cli.invoke(app, ["policy", "shadow-stats", "velo"])
    assert "2 posts, 1 agree with live" in stats.output
    assert "→ shadow hold: 1" in stats.output
    assert "rule:no-handlebar-talk: 1 hits" in stats.output
    versions = cli.invoke(app, ["policy", "versions", "velo"])
    assert "shadow" in versions.output


def test_a_rule_that_is_not_a_mapping_is_refused(cli: CliRunner, tmp_path: Path) -> None:
    rule = tmp_path / "rule.yaml"
    rule.write_text("- just a list\n")
    result = cli.invoke(app, ["policy", "shadow-rule", "velo", str(rule)])
    assert result.exit_code == 2 and "give one rule" in result.output
