"""The command line as a user types it: import twice, list rejects, triage."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.cli.main import app
from gardien.store.db import Database
from tests.factories import jsonl, post


@pytest.fixture
def cli_env(database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("GARDIEN_DATABASE_URL", database.engine.url.render_as_string(False))
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    added = runner.invoke(
        app, ["channel", "add", "forum", "--community", "velo", "--locale", "fr", "--locale", "en"]
    )
    assert added.exit_code == 0, added.output
    return runner


def test_import_twice_then_list_rejects(cli_env: CliRunner, tmp_path: Path) -> None:
    lines = jsonl([post(str(i), f"Bonjour numéro {i}") for i in range(20)])
    path = tmp_path / "posts.jsonl"
    path.write_bytes(lines + b"{broken\n")
    first = cli_env.invoke(app, ["import", str(path), "--channel", "forum"])
    assert first.exit_code == 0, first.output
    assert "21 lines: 20 new" in first.output and "1 rejected" in first.output
    assert "line 21: malformed JSON" in first.output
    assert "triaged 20 posts" in first.output
    second = cli_env.invoke(app, ["import", str(path), "--channel", "forum"])
    assert "0 new, 0 edited, 20 unchanged" in second.output
    assert "triaged 0 posts" in second.output
    rejects = cli_env.invoke(app, ["rejects", "list"])
    assert "forum" in rejects.output and "malformed JSON" in rejects.output


def test_unknown_channel_is_a_clear_error_not_a_traceback(
    cli_env: CliRunner, tmp_path: Path
) -> None:
    path = tmp_path / "posts.jsonl"
    path.write_bytes(jsonl([post("1")]))
    result = cli_env.invoke(app, ["import", str(path), "--channel", "nowhere"])
    assert result.exit_code == 2
    assert "no channel named 'nowhere'" in result.output


def test_a_file_of_unknown_format_is_refused(cli_env: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "posts.txt"
    path.write_text("hello")
    result = cli_env.invoke(app, ["import", str(path), "--channel", "forum"])
    assert result.exit_code == 2 and "name it .jsonl or .csv" in result.output


def test_triage_and_db_upgrade_commands(cli_env: CliRunner) -> None:
    assert cli_env.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = cli_env.invoke(app, ["triage"])
    assert result.exit_code == 0 and "triaged 0 posts" in result.output
