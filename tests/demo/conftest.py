"""One demo build per test session, read back through the public reader."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gardien.demo.build import build
from gardien.demo.bundle import DemoManifest, iter_channel_lines, load_manifest


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo-a")
    build(out)
    return out


@pytest.fixture(scope="session")
def manifest(built: Path) -> DemoManifest:
    return load_manifest(built)


@pytest.fixture(scope="session")
def lines(built: Path, manifest: DemoManifest) -> dict[str, list[dict[str, Any]]]:
    """Every record of every channel, in file order."""
    return {
        channel.name: [json.loads(line) for line in iter_channel_lines(channel.name, built)]
        for channel in manifest.channels
    }


@pytest.fixture(scope="session")
def posts(lines: dict[str, list[dict[str, Any]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest record of each post, keyed by (channel, id)."""
    return {(channel, rec["id"]): rec for channel, recs in lines.items() for rec in recs}
