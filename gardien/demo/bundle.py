"""Read the bundled demo data: the manifest and each channel's JSONL lines.

Pure readers over the packaged files (importlib.resources, so they work after `pip install .`);
pass `root` to read a bundle built elsewhere, e.g. by `python -m gardien.demo.build --out DIR`.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
CATEGORIES = (
    "chatter",
    "question",
    "praise",
    "feature_request",
    "complaint",
    "spam",
    "insult",
    "troll",
    "hate",
    "offtopic",
)


@dataclass(frozen=True, slots=True)
class DemoBrand:
    name: str
    name_en: str
    description: str
    website: str


@dataclass(frozen=True, slots=True)
class DemoCommunity:
    slug: str
    name: str
    description: str
    locales: tuple[str, ...]
    off_limit_themes: tuple[str, ...]
    watched_words: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoChannel:
    """A channel and its file; `posts` distinct ids, `lines` records (replays included)."""

    name: str
    kind: str
    community: str
    file: str
    posts: int
    lines: int


@dataclass(frozen=True, slots=True)
class DemoManifest:
    brand: DemoBrand
    communities: tuple[DemoCommunity, ...]
    channels: tuple[DemoChannel, ...]
    categories: tuple[str, ...]
    start: str
    end: str
    seed: int

    def channel(self, name: str) -> DemoChannel:
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(f"no demo channel named {name!r}")


def data_root() -> Traversable:
    return resources.files("gardien.demo").joinpath("data")


def parse_manifest(raw: dict[str, Any]) -> DemoManifest:
    communities = tuple(
        DemoCommunity(
            slug=c["slug"],
            name=c["name"],
            description=c["description"],
            locales=tuple(c["locales"]),
            off_limit_themes=tuple(c["off_limit_themes"]),
            watched_words=tuple(c["watched_words"]),
        )
        for c in raw["communities"]
    )
    channels = tuple(
        DemoChannel(c["name"], c["kind"], c["community"], c["file"], c["posts"], c["lines"])
        for c in raw["channels"]
    )
    return DemoManifest(
        brand=DemoBrand(**raw["brand"]),
        communities=communities,
        channels=channels,
        categories=tuple(raw["categories"]),
        start=raw["start"],
        end=raw["end"],
        seed=raw["seed"],
    )


def load_manifest(root: Traversable | Path | None = None) -> DemoManifest:
    """The brand, its communities and channels, as bundled (or as built under `root`)."""
    base = root if root is not None else data_root()
    return parse_manifest(json.loads(base.joinpath(MANIFEST).read_text(encoding="utf-8")))


def iter_channel_lines(
    channel_name: str, root: Traversable | Path | None = None
) -> Iterator[bytes]:
    """One channel's records as raw JSONL lines (no trailing newline), in arrival order."""
    base = root if root is not None else data_root()
    channel = load_manifest(base).channel(channel_name)
    with base.joinpath(channel.file).open("rb") as raw, gzip.GzipFile(fileobj=raw) as lines:
        for line in lines:
            yield line.rstrip(b"\n")
