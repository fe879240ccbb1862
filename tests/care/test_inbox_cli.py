"""`gardien inbox` and `gardien fires` as a user types them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gardien.app.runtime import Runtime
from gardien.cli.main import app
from gardien.domain import utcnow
from tests.care.conftest import complaint, feed


@pytest.fixture
def cli(care_runtime: Runtime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    url = care_runtime.database.engine.url.render_as_string(False)
    monkeypatch.setenv("GARDIEN_DATABASE_URL", url)
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(tmp_path))
    return CliRunner()


def test_inbox_lists_cases_by_rank_with_the_parts_of_the_score(
    care_runtime: Runtime, cli: CliRunner
) -> None:
    now = utcnow()
    feed(care_runtime, [
        complaint("q", "My Urbaine 3 bell squeaks", now - timedelta(minutes=3), "quinn"),
        complaint("l", "My Rhône E7 battery died, Case #58213", now, "lena", followers=48_200),
    ])  # fmt: skip
    result = cli.invoke(app, ["inbox"])
    assert result.exit_code == 0, result.output
    header, first, second = result.output.splitlines()
    assert header.split()[:4] == ["case", "rank", "risk", "parts"]
    assert "@lena" in first and "@quinn" in second
    assert "reach=13" in first and "neg=14" in first and "vel=0" in first

    checked = cli.invoke(app, ["fires", "check"])
    assert checked.exit_code == 0 and "rescored 2 cases" in checked.output
    assert cli.invoke(app, ["fires", "list"]).output.strip() == "no alerts"
