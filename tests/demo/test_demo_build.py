"""The demo bundle: reproducible, big and varied enough, and valid interchange records."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

from gardien.demo.build import build
from gardien.demo.bundle import CATEGORIES, DemoManifest

Lines = dict[str, list[dict[str, Any]]]
Posts = dict[tuple[str, str], dict[str, Any]]


def parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, stamp
    return moment


def test_same_seed_gives_identical_bytes(built: Path, tmp_path: Path) -> None:
    build(tmp_path)
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (built / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_committed_bundle_is_the_default_build(built: Path) -> None:
    """Guards against editing the generator or the phrase banks without regenerating."""
    packaged = resources.files("gardien.demo").joinpath("data")
    for path in built.iterdir():
        assert packaged.joinpath(path.name).read_bytes() == path.read_bytes(), path.name


def test_bundle_is_small(built: Path) -> None:
    assert sum(p.stat().st_size for p in built.iterdir()) < 3_000_000


def test_manifest_describes_brand_communities_and_channels(manifest: DemoManifest) -> None:
    assert manifest.brand.name == "Vélo Rouge"
    slugs = {c.slug for c in manifest.communities}
    assert len(slugs) >= 2
    assert len(manifest.channels) >= 3
    for channel in manifest.channels:
        assert channel.community in slugs
        assert channel.file == f"{channel.name}.jsonl.gz"
    for community in manifest.communities:
        assert community.locales and community.off_limit_themes and community.watched_words
    assert set(manifest.categories) == set(CATEGORIES)


def test_counts_languages_and_categories(
    posts: Posts, lines: Lines, manifest: DemoManifest
) -> None:
    assert len(posts) >= 3000
    langs = Counter(rec["demo"]["lang"] for rec in posts.values())
    assert set(langs) == {"fr", "en"}
    assert min(langs.values()) >= 0.25 * len(posts)
    categories = Counter(rec["demo"]["category"] for rec in posts.values())
    assert set(categories) == set(CATEGORIES)
    assert categories.most_common(1)[0][0] == "chatter"
    for channel in manifest.channels:
        assert channel.lines == len(lines[channel.name])
        assert channel.posts == len({rec["id"] for rec in lines[channel.name]})


def test_every_line_is_a_valid_record(lines: Lines) -> None:
    """The required fields and types of docs/FORMAT.md, plus the demo's ground truth."""
    for recs in lines.values():
        for rec in recs:
            assert isinstance(rec["id"], str) and 1 <= len(rec["id"]) <= 200
            assert isinstance(rec["text"], str) and rec["text"].strip()
            parse(rec["created_at"])
            parse(rec["observed_at"])
            author = rec["author"]
            assert isinstance(author["id"], str) and author["id"]
            assert isinstance(author["followers"], int) and author["followers"] >= 0
            parse(author["created_at"])
            for count in ("likes", "replies", "shares"):
                assert isinstance(rec[count], int) and rec[count] >= 0
            assert rec["visibility"] in ("public", "private")
            assert rec["demo"]["category"] in CATEGORIES
            assert rec["demo"]["lang"] in ("fr", "en")
            assert json.loads(json.dumps(rec)) == rec


def test_lines_arrive_in_time_order(lines: Lines) -> None:
    for recs in lines.values():
        seen = [parse(rec["observed_at"]) for rec in recs]
        assert seen == sorted(seen)
        assert all(parse(r["created_at"]) <= parse(r["observed_at"]) for r in recs)


def test_threads_and_parents_resolve(lines: Lines, posts: Posts) -> None:
    for channel, recs in lines.items():
        first_line: dict[str, int] = {}
        for number, rec in enumerate(recs):
            first_line.setdefault(rec["id"], number)
        for rec in recs:
            root = posts[(channel, rec["thread_id"])]
            assert root["thread_id"] == root["id"]
            if "parent_id" in rec:
                parent = posts[(channel, rec["parent_id"])]
                assert parent["thread_id"] == rec["thread_id"]
                assert parse(parent["created_at"]) < parse(rec["created_at"])
                assert first_line[parent["id"]] < first_line[rec["id"]]


def test_replies_make_real_threads(posts: Posts) -> None:
    per_thread = Counter((channel, rec["thread_id"]) for (channel, _), rec in posts.items())
    assert sum(1 for rec in posts.values() if "parent_id" in rec) > 1000
    assert max(per_thread.values()) >= 30


def test_engagement_histories_only_grow(lines: Lines) -> None:
    history: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for channel, recs in lines.items():
        for rec in recs:
            history[(channel, rec["id"])].append(rec)
    replayed = [h for h in history.values() if len(h) > 1]
    assert len(replayed) >= 300
    for h in replayed:
        for before, after in pairwise(h):
            assert parse(before["observed_at"]) < parse(after["observed_at"])
            for count in ("likes", "replies", "shares"):
                assert before[count] <= after[count]
            total = [sum(r[c] for c in ("likes", "replies", "shares")) for r in (before, after)]
            assert total[0] < total[1]
    viral = max(history.values(), key=len)
    assert len(viral) >= 10 and viral[-1]["likes"] > 50 * max(viral[0]["likes"], 1)
    gains = [b["likes"] - a["likes"] for a, b in pairwise(viral)]
    assert max(gains[:8]) > 3 * gains[0], "the viral complaint's engagement accelerates"


def test_edited_posts_keep_their_id_and_change_text(lines: Lines) -> None:
    edited = 0
    for recs in lines.values():
        by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for rec in recs:
            by_id[rec["id"]].append(rec)
        for h in by_id.values():
            if any("edited_at" in r for r in h):
                edited += 1
                assert "edited_at" not in h[0]
                assert h[-1]["text"] != h[0]["text"]
                assert parse(h[-1]["edited_at"]) >= parse(h[0]["observed_at"])
    assert edited >= 10


def test_private_messages_and_new_bad_accounts(posts: Posts) -> None:
    assert sum(1 for rec in posts.values() if rec["visibility"] == "private") >= 50
    spam = [rec for rec in posts.values() if rec["demo"]["category"] == "spam"]
    new = [
        rec
        for rec in spam
        if parse(rec["created_at"]) - parse(rec["author"]["created_at"]) < timedelta(days=10)
    ]
    assert len(new) >= 0.5 * len(spam)
    authors = {rec["author"]["id"] for rec in posts.values()}
    assert 200 <= len(authors) <= 1000
    followers = sorted(
        {rec["author"]["id"]: rec["author"]["followers"] for rec in posts.values()}.values()
    )
    assert followers[-1] > 100 * followers[len(followers) // 2], "reach is heavy-tailed"


def test_texts_are_varied(posts: Posts) -> None:
    texts = [rec["text"] for rec in posts.values()]
    assert len(set(texts)) >= 0.9 * len(texts)
    trigrams = []
    for text in texts:
        words = text.lower().split()
        trigrams += [tuple(words[i : i + 3]) for i in range(len(words) - 2)]
    assert len(set(trigrams)) >= 0.4 * len(trigrams)
