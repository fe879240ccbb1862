"""Giveaways anyone can audit: eligibility rules, a hash-chained entry list, and a draw that is
reproducible from published data.

1. Commit: the organiser picks a secret random seed and publishes `sha256(seed)` before entries
   close (`commitment`).
2. Entries: each entry is chained to the one before it (the first to the commitment):
   `receipt_n = sha256(receipt_{n-1} | n | entrant | handle | at)`. Each entrant may keep their
   receipt; changing, removing or inserting any entry later changes every receipt after it.
3. Close: the last receipt (`entries_head`) is published; no entry can be added after it.
4. Draw: the seed is revealed; each entry's ticket is `sha256(seed | entries_head | entrant)`
   and the lowest tickets win. Nobody could predict the tickets before the seed was revealed,
   and the organiser could not choose the seed after seeing the entries (its hash was public).

`verify(document)` redoes every step from the published document alone."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from gardien.domain.time import ensure_utc
from gardien.errors import GardienError


class GiveawayError(GardienError):
    """A giveaway step done out of order (entering after close, drawing before commit …)."""

    code = "giveaway"


def new_seed() -> str:
    """A fresh secret seed: 32 random bytes as hex."""
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Eligibility:
    """Who may enter. `person` dedupes entries across linked identities (one per person)."""

    member_days: int = 0
    thread: str | None = None
    exclude_sanctioned: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "member_days": self.member_days,
            "thread": self.thread,
            "exclude_sanctioned": self.exclude_sanctioned,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Eligibility:
        data = data or {}
        return cls(
            member_days=int(data.get("member_days", 0)),
            thread=data.get("thread") or None,
            exclude_sanctioned=bool(data.get("exclude_sanctioned", True)),
        )


@dataclass(frozen=True, slots=True)
class Candidate:
    """What eligibility needs to know about someone who wants to enter."""

    person: str
    handle: str
    joined_at: datetime | None
    sanctioned: bool
    threads: frozenset[str] = frozenset()


def refusals(candidate: Candidate, rules: Eligibility, now: datetime) -> list[str]:
    """Why `candidate` may not enter (empty: eligible)."""
    reasons = []
    if candidate.joined_at is None:
        reasons.append("not a member of the community")
    elif ensure_utc(candidate.joined_at) > now - timedelta(days=rules.member_days):
        reasons.append(f"member for less than {rules.member_days} days")
    if rules.thread and rules.thread not in candidate.threads:
        reasons.append(f"has not posted in thread {rules.thread}")
    if rules.exclude_sanctioned and candidate.sanctioned:
        reasons.append("under a sanction")
    return reasons


@dataclass(frozen=True, slots=True)
class Entry:
    n: int
    entrant: str
    handle: str
    at: datetime


def _iso(moment: datetime) -> str:
    return ensure_utc(moment).isoformat().replace("+00:00", "Z")


def receipt(previous: str, entry: Entry) -> str:
    line = f"{previous}|{entry.n}|{entry.entrant}|{entry.handle}|{_iso(entry.at)}"
    return hashlib.sha256(line.encode()).hexdigest()


def receipts(commit: str, entries: Sequence[Entry]) -> list[str]:
    """Each entry's chained receipt, in order, starting from the commitment."""
    chain, previous = [], commit
    for entry in entries:
        previous = receipt(previous, entry)
        chain.append(previous)
    return chain


def ticket(seed: str, head: str, entrant: str) -> str:
    return hashlib.sha256(f"{seed}|{head}|{entrant}".encode()).hexdigest()


def draw(seed: str, head: str, entries: Sequence[Entry], winners: int) -> list[str]:
    """The winning entrants: the `winners` lowest tickets (ties impossible in practice)."""
    ranked = sorted(entries, key=lambda entry: (ticket(seed, head, entry.entrant), entry.n))
    return [entry.entrant for entry in ranked[:winners]]


@dataclass(slots=True)
class Verification:
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    winners: list[str] = field(default_factory=list)

    def fail(self, problem: str) -> None:
        self.ok = False
        self.problems.append(problem)


def publication(
    title: str,
    winners: int,
    commit: str,
    committed_at: datetime,
    closes_at: datetime,
    entries: Sequence[Entry],
    head: str | None,
    seed: str | None,
    drawn: Sequence[str],
) -> dict[str, Any]:
    """The document to publish: enough for anyone to recompute the draw."""
    chain = receipts(commit, entries)
    return {
        "title": title,
        "winners": winners,
        "commitment": commit,
        "committed_at": _iso(committed_at),
        "closes_at": _iso(closes_at),
        "entries": [
            {"n": e.n, "entrant": e.entrant, "handle": e.handle, "at": _iso(e.at), "receipt": r}
            for e, r in zip(entries, chain, strict=True)
        ],
        "entries_head": head,
        "seed": seed,
        "drawn": list(drawn),
    }


def _entries(document: Mapping[str, Any]) -> list[Entry]:
    return [
        Entry(int(e["n"]), str(e["entrant"]), str(e["handle"]), datetime.fromisoformat(e["at"]))
        for e in document.get("entries", [])
    ]


def verify(document: Mapping[str, Any]) -> Verification:
    """Recompute the whole giveaway from its published document and say what does not hold."""
    result = Verification()
    try:
        entries = _entries(document)
        commit = str(document["commitment"])
        committed_at = datetime.fromisoformat(document["committed_at"])
        closes_at = datetime.fromisoformat(document["closes_at"])
    except (KeyError, TypeError, ValueError) as error:
        result.fail(f"the document is incomplete or malformed: {error}")
        return result
    seed, head = document.get("seed"), document.get("entries_head")
    if committed_at >= closes_at:
        result.fail("the seed was committed after entries closed")
    if seed is None or head is None:
        result.fail("the draw has not happened yet (no seed or no entries head published)")
        return result
    if commitment(str(seed)) != commit:
        result.fail("the revealed seed does not match the published commitment")
    chain = receipts(commit, entries)
    for entry, expected, published in zip(entries, chain, document["entries"], strict=True):
        if published.get("receipt") != expected:
            result.fail(f"entry {entry.n} ({entry.handle}) was changed after it was made")
            break
    if (chain[-1] if chain else commit) != head:
        result.fail("the entries do not match the entries head published at close")
    for entry in entries:
        if ensure_utc(entry.at) > ensure_utc(closes_at):
            result.fail(f"entry {entry.n} was made after entries closed")
    result.winners = draw(str(seed), str(head), entries, int(document.get("winners", 1)))
    if list(document.get("drawn", [])) != result.winners:
        result.fail("the published winners are not the ones the seed and entries give")
    return result
