"""Threads: who starts them, about what, when, and who answers.

The generator only decides content and timing; engagement counts and the JSON records come
later (`timeline.py`), once every reply is known.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from random import Random
from typing import Any

from gardien.demo.cast import Cast, Person
from gardien.demo.grammar import Bank, compose, reply_text

# What answers a thread, by the category of its first post: reply kind -> weight.
# Kinds that are categories are composed as such; the others are reply phrases.
REPLIES: dict[str, dict[str, int]] = {
    "chatter": {
        "react": 45,
        "chatter": 30,
        "answer": 8,
        "question": 7,
        "spam": 4,
        "troll": 2,
        "insult": 1,
        "praise": 3,
        "offtopic": 1,
    },
    "question": {
        "answer": 55,
        "react": 8,
        "question": 10,
        "thanks": 10,
        "care": 12,
        "spam": 3,
        "troll": 2,
    },
    "praise": {"react": 50, "chatter": 20, "praise": 15, "question": 8, "troll": 4, "spam": 3},
    "feature_request": {"react": 40, "chatter": 22, "feature_request": 20, "care": 12, "troll": 4},
    "complaint": {
        "metoo": 30,
        "care": 20,
        "answer": 18,
        "react": 8,
        "troll": 5,
        "insult": 3,
        "complaint": 8,
        "thanks": 5,
    },
    "spam": {"calm": 65, "insult": 5, "spam": 30},
    "insult": {"calm": 40, "insult": 30, "troll": 10, "react": 20},
    "troll": {"calm": 35, "insult": 25, "troll": 15, "react": 25},
    "hate": {"calm": 60, "insult": 30, "hate": 10},
    "offtopic": {"offtopic": 45, "insult": 20, "calm": 25, "hate": 4, "troll": 6},
}
REPLY_RATE = {"question": 1.4, "complaint": 1.5, "offtopic": 2.0, "spam": 0.3, "hate": 1.2}
PHRASE_KINDS = {"react", "answer", "care", "calm", "thanks", "metoo", "welcome"}
DM_MIX = {"complaint": 50, "question": 35, "praise": 5, "spam": 10}
USER = re.compile(r"@user\b", re.IGNORECASE)
URL = re.compile(r"@url\b|\bhttp\b(?!s?:)", re.IGNORECASE)


@dataclass(eq=False)
class Draft:
    """A post before it has an id: text, author, time, and its place in a thread."""

    channel: str
    author: Person
    text: str
    created_at: datetime
    category: str
    lang: str
    parent: Draft | None = None
    root: Draft | None = None
    private: bool = False
    children: list[Draft] = field(default_factory=list)
    viral: bool = False
    edit: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    id: str = ""

    @property
    def thread(self) -> Draft:
        return self.root or self


def phrase_category(kind: str) -> str:
    """The ground-truth category of a reply phrase."""
    return "complaint" if kind == "metoo" else "chatter" if kind in PHRASE_KINDS else kind


class Writer:
    """Texts for posts: composed from the phrase banks, or one of the real posts we borrow."""

    def __init__(self, rng: Random, banks: dict[str, Bank], cast: Cast, real: list[dict[str, str]]):
        self.rng, self.banks, self.cast = rng, banks, cast
        self.real: dict[tuple[str, str], list[str]] = {}
        for item in real:
            self.real.setdefault((item["category"], item["lang"]), []).append(item["text"])
        for pool in self.real.values():
            rng.shuffle(pool)
        self.share = {"spam": 0.7, "insult": 0.6, "hate": 0.6, "offtopic": 0.45}

    def borrowed(self, category: str, lang: str) -> str | None:
        pool = self.real.get((category, lang))
        if not pool or self.rng.random() >= self.share.get(category, 0.0):
            return None
        text = pool.pop()
        text = USER.sub(lambda _: "@" + self.cast.mention(lang), text)
        return URL.sub(lambda _: f"https://t.co/{self.rng.randrange(16**8):08x}", text)

    def text(self, kind: str, lang: str, topic: str | None = None) -> tuple[str, str, bool]:
        """(text, lang, borrowed): borrowed spam is English even in a French channel, as it
        often is; a borrowed text is kept as its author wrote it."""
        bank = self.banks[lang]
        mention = lambda: self.cast.mention(lang)  # noqa: E731
        if kind == "spam" and lang == "fr" and self.rng.random() < 0.4:
            lang = "en"
        real = self.borrowed(kind, lang)
        if real is not None:
            return real, lang, True
        if kind in PHRASE_KINDS:
            return reply_text(bank, kind, self.rng, mention), bank.lang, False
        return compose(bank, kind, self.rng, mention, topic), bank.lang, False


def geometric(rng: Random, mean: float) -> int:
    """A count with the given mean, most threads short and a few long."""
    if mean <= 0:
        return 0
    p = 1.0 / (1.0 + mean)
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p))


def weighted(rng: Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]
