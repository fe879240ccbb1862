"""Ban evasion: how much a new account resembles a banned one, with the evidence. The score
combines independent hints (same e-mail, same channel identity, handle pattern, near-identical
text) as 1 - Π(1 - weight); it flags, it never bans on its own."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher

FLAG_AT = 0.5
_HANDLE = re.compile(r"[^a-z]+")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Identity:
    """What is known of one person: e-mails, handles, channel identities and some texts."""

    emails: frozenset[str] = frozenset()
    handles: frozenset[str] = frozenset()
    accounts: frozenset[tuple[str, str]] = frozenset()
    texts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Evidence:
    hint: str
    weight: float
    detail: str


@dataclass(frozen=True, slots=True)
class Resemblance:
    score: float
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return self.score >= FLAG_AT


def canonical_email(email: str) -> str:
    """Lower case, ``+tag`` dropped, and dots dropped for Gmail (which ignores them)."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}" if local else ""


def handle_stem(handle: str) -> str:
    """A handle's letters only: ``@Troll_42`` and ``troll.2024`` share the stem ``troll``."""
    return _HANDLE.sub("", handle.lower())


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _near_identical(a: Iterable[str], b: Iterable[str]) -> tuple[float, str] | None:
    best: tuple[float, str] | None = None
    others = [(text, _shingles(text)) for text in b]
    for text in a:
        mine = _shingles(text)
        if len(mine) < 4:
            continue
        for other, theirs in others:
            if len(theirs) < 4:
                continue
            jaccard = len(mine & theirs) / len(mine | theirs)
            if jaccard >= 0.7 and (best is None or jaccard > best[0]):
                best = (jaccard, f"{text[:80]!r} ≈ {other[:80]!r} ({jaccard:.0%} shared)")
    return best


def resemblance(candidate: Identity, banned: Identity) -> Resemblance:
    """How much `candidate` looks like `banned`, and why."""
    evidence: list[Evidence] = []
    emails = {canonical_email(e) for e in candidate.emails} & {
        canonical_email(e) for e in banned.emails
    }
    emails.discard("")
    if emails:
        evidence.append(Evidence("email", 0.9, f"same e-mail address {sorted(emails)[0]}"))
    accounts = candidate.accounts & banned.accounts
    if accounts:
        channel, account = sorted(accounts)[0]
        evidence.append(Evidence("account", 0.95, f"same identity {account} on {channel}"))
    evidence.extend(_handles(candidate.handles, banned.handles))
    near = _near_identical(candidate.texts, banned.texts)
    if near is not None:
        evidence.append(Evidence("text", 0.6, f"near-identical text: {near[1]}"))
    remaining = 1.0
    for item in evidence:
        remaining *= 1.0 - item.weight
    return Resemblance(round(1.0 - remaining, 3), evidence)


def _handles(mine: Iterable[str], theirs: Iterable[str]) -> list[Evidence]:
    best: Evidence | None = None
    for a in mine:
        for b in theirs:
            stem_a, stem_b = handle_stem(a), handle_stem(b)
            if len(stem_a) < 4 or len(stem_b) < 4:
                continue
            if stem_a == stem_b:
                found = Evidence("handle", 0.6, f"handle {a} follows the pattern of {b}")
            else:
                ratio = SequenceMatcher(None, stem_a, stem_b).ratio()
                if ratio < 0.85:
                    continue
                found = Evidence("handle", 0.4, f"handle {a} is close to {b} ({ratio:.0%})")
            if best is None or found.weight > best.weight:
                best = found
    return [] if best is None else [best]


def text_similarity(a: str, b: str) -> float:
    """Word-trigram Jaccard similarity (short texts: exact match after folding case)."""
    mine, theirs = _shingles(a), _shingles(b)
    if not mine or not theirs:
        return float(a.casefold().split() == b.casefold().split())
    return len(mine & theirs) / len(mine | theirs)
