"""The packaged bundle, read the way the loader will read it."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from gardien.demo.bundle import DemoManifest, iter_channel_lines, load_manifest


def test_packaged_manifest_loads() -> None:
    manifest = load_manifest()
    assert isinstance(manifest, DemoManifest)
    assert {c.slug for c in manifest.communities} >= {"les-rouleurs", "red-velo-riders"}
    assert manifest.channel("riders-social").community == "red-velo-riders"


def test_packaged_channel_lines_are_jsonl_bytes() -> None:
    manifest = load_manifest()
    for channel in manifest.channels:
        count = 0
        for line in iter_channel_lines(channel.name):
            assert isinstance(line, bytes) and not line.endswith(b"\n")
            assert json.loads(line)["id"]
            count += 1
        assert count == channel.lines


def test_unknown_channel_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="no demo channel named 'nope'"):
        list(iter_channel_lines("nope"))


def test_real_posts_are_few_and_credited() -> None:
    folder = resources.files("gardien.demo")
    real = json.loads(folder.joinpath("real_posts.json").read_text(encoding="utf-8"))
    sources = folder.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert len(real) <= 400
    for item in real:
        assert item["source"] in sources and item["licence"]
        assert item["source"] != "complaints_en", "complaints_en has no licence"
