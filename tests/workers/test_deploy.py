"""The deployment files, checked by reading (no Docker engine runs here): the compose file is
valid YAML with every service, its commands exist, and every GARDIEN_* variable it sets is a
real setting (a typo would be silently ignored at run time)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from typer.testing import CliRunner

from gardien.cli.main import app
from gardien.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict[str, dict[str, dict[str, object]]]:
    document: dict[str, dict[str, dict[str, object]]] = yaml.safe_load(
        (ROOT / "compose.yaml").read_text()
    )
    return document


def test_compose_runs_the_app_workers_and_scheduler_on_the_three_services() -> None:
    services = compose()["services"]
    assert set(services) >= {
        "app",
        "worker",
        "scheduler",
        "migrate",
        "postgres",
        "rabbitmq",
        "redis",
    }
    assert services["worker"]["command"][:3] == ["python", "-m", "gardien.workers"]
    assert services["scheduler"]["command"] == ["gardien", "scheduler"]
    assert services["migrate"]["command"] == ["gardien", "db", "upgrade"]
    assert services["app"]["environment"]["GARDIEN_TRIAGE_MODE"] == "broker"  # type: ignore[index]


def test_every_variable_compose_sets_is_a_setting() -> None:
    fields = {f"GARDIEN_{name.upper()}" for name in Settings.model_fields}
    text = (ROOT / "compose.yaml").read_text()
    assert set(re.findall(r"\bGARDIEN_[A-Z_]+(?=:)", text)) <= fields


def test_the_commands_the_images_run_exist() -> None:
    runner = CliRunner()
    for command in (["worker", "--help"], ["scheduler", "--help"], ["dead-letters", "--help"]):
        assert runner.invoke(app, command).exit_code == 0, command
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gardien", "serve"]' in dockerfile and "/healthz" in dockerfile
