"""From drafts to interchange records: ids, engagement observed over time, edits, arrival order."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from random import Random
from typing import Any

from gardien.demo.cast import stamp
from gardien.demo.threads import Draft

LATER_HOURS = [2, 5, 9, 18, 30, 52, 96]


@dataclass(frozen=True)
class Snapshot:
    """What a channel showed for a post at one moment: its counts, and its text if edited."""

    at: datetime
    likes: int
    replies: int
    shares: int
    edited_at: datetime | None = None


def assign_ids(drafts: list[Draft], prefixes: dict[str, str]) -> None:
    """Ids grow with time within a channel, as most platforms' ids do."""
    order = {id(d): i for i, d in enumerate(drafts)}
    for channel, prefix in prefixes.items():
        mine = sorted(
            (d for d in drafts if d.channel == channel), key=lambda d: (d.created_at, order[id(d)])
        )
        for n, draft in enumerate(mine):
            draft.id = f"{prefix}-{100001 + n}"


class Engagement:
    """Counts that grow along a saturating curve, or an S-curve for the post that goes viral."""

    def __init__(self, rng: Random, end: datetime) -> None:
        self.rng, self.end = rng, end
        self.first_seen: dict[int, datetime] = {}

    def potential(self, draft: Draft, kind: str) -> tuple[float, float, float]:
        """Likes, shares and replies never captured here, when the post has run its course."""
        if draft.private:
            return 0.0, 0.0, 0.0
        if draft.viral:
            return 9400.0, 2700.0, 650.0
        boost = {"praise": 1.6, "complaint": 1.3, "offtopic": 1.5, "spam": 0.1, "hate": 0.4}
        reach = 1 + math.sqrt(draft.author.followers) / 10
        likes = self.rng.lognormvariate(0.6, 1.0) * reach * boost.get(draft.category, 1.0)
        likes *= 0.35 if draft.root is not None else 1.0
        shares = likes * self.rng.uniform(0.0, 0.3) if kind == "social" else 0.0
        hidden = likes * self.rng.uniform(0.0, 0.1) if kind == "social" else 0.0
        return likes, shares, hidden

    def times(self, draft: Draft) -> list[datetime]:
        first = draft.created_at + timedelta(minutes=self.rng.uniform(1, 40))
        if draft.parent is not None:
            first = max(first, self.first_seen[id(draft.parent)] + timedelta(seconds=1))
        self.first_seen[id(draft)] = first
        if draft.viral:
            later = [draft.created_at + timedelta(hours=3 * k, minutes=17) for k in range(1, 25)]
        elif not draft.private and self.rng.random() < (0.3 if draft.root is None else 0.06):
            hours = self.rng.sample(LATER_HOURS, self.rng.randint(1, 3))
            later = [
                draft.created_at + timedelta(hours=h, minutes=self.rng.randint(0, 59))
                for h in hours
            ]
        else:
            later = []
        return [first, *sorted(t for t in later if first < t <= self.end)]

    def snapshots(self, draft: Draft, kind: str) -> list[Snapshot]:
        likes, shares, hidden = self.potential(draft, kind)
        tau = self.rng.uniform(2.0, 14.0)
        moments = self.times(draft)
        edit_at: datetime | None = None
        if draft.edit:
            edit_at = moments[0] + timedelta(minutes=self.rng.randint(10, 30 * 60))
            edit_at = min(edit_at, self.end - timedelta(minutes=20))
            moments = sorted([*moments, edit_at + timedelta(minutes=self.rng.randint(1, 15))])
        out: list[Snapshot] = []
        for at in moments:
            hours = (at - draft.created_at).total_seconds() / 3600
            if draft.viral:
                share = 1 / (1 + math.exp(-(hours - 30) / 7))
            else:
                share = 1 - math.exp(-hours / tau)
            seen = sum(1 for c in draft.children if c.created_at <= at)
            snap = Snapshot(
                at, round(likes * share), seen + round(hidden * share), round(shares * share)
            )
            if out:
                prev = out[-1]
                snap = Snapshot(
                    at,
                    max(snap.likes, prev.likes),
                    max(snap.replies, prev.replies),
                    max(snap.shares, prev.shares),
                )
                if (
                    snap.likes + snap.replies + snap.shares
                    <= prev.likes + prev.replies + prev.shares
                ):
                    snap = Snapshot(at, prev.likes + 1, snap.replies, snap.shares)
            if edit_at is not None and at > edit_at:
                snap = Snapshot(snap.at, snap.likes, snap.replies, snap.shares, edit_at)
            out.append(snap)
        return out


def record(draft: Draft, snap: Snapshot, url: str | None) -> dict[str, Any]:
    text = draft.text + draft.edit if snap.edited_at and draft.edit else draft.text
    rec: dict[str, Any] = {
        "id": draft.id,
        "text": text,
        "created_at": stamp(draft.created_at),
        "author": draft.author.as_json(),
        "thread_id": draft.thread.id,
        "likes": snap.likes,
        "replies": snap.replies,
        "shares": snap.shares,
        "observed_at": stamp(snap.at),
        "visibility": "private" if draft.private else "public",
        "demo": {"category": draft.category, "lang": draft.lang},
        **draft.extra,
    }
    if draft.parent is not None:
        rec["parent_id"] = draft.parent.id
    if snap.edited_at is not None:
        rec["edited_at"] = stamp(snap.edited_at)
    if url and not draft.private:
        rec["url"] = url
    return rec


def url_for(draft: Draft, template: str) -> str:
    handle = draft.author.handle.lstrip("@")
    return template.format(thread=draft.thread.id, id=draft.id, handle=handle)


def render(
    drafts: Iterable[Draft], channels: list[dict[str, Any]], rng: Random, end: datetime
) -> dict[str, list[bytes]]:
    """Every channel's lines, in the order a listener would have received them."""
    engagement = Engagement(rng, end)
    specs = {c["name"]: c for c in channels}
    timed: dict[str, list[tuple[str, str, bytes]]] = {name: [] for name in specs}
    for draft in sorted(drafts, key=lambda d: (d.created_at, d.channel, d.id)):
        spec = specs[draft.channel]
        for snap in engagement.snapshots(draft, spec["kind"]):
            rec = record(draft, snap, url_for(draft, spec["url"]))
            line = json.dumps(rec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            timed[draft.channel].append((stamp(snap.at), draft.id, line.encode("utf-8")))
    return {name: [line for _, _, line in sorted(rows)] for name, rows in timed.items()}
