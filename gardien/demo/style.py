"""How one author writes: casing, accents, typos, texting abbreviations, emojis.

Applied after composition so the same template reads differently from one author to the next,
as real posts do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from random import Random

from gardien.demo.grammar import strip_accents

SMS = {
    "fr": [
        ("pourquoi", "pk"),
        ("quelqu'un", "qqn"),
        ("beaucoup", "bcp"),
        ("c'est", "c"),
        ("s'il vous plaît", "svp"),
        ("aujourd'hui", "ajd"),
        ("je sais pas", "jsp"),
        ("merci", "mrc"),
        ("vraiment", "vrmt"),
    ],
    "en": [
        ("you", "u"),
        ("please", "pls"),
        ("thanks", "thx"),
        ("people", "ppl"),
        ("because", "cuz"),
        ("really", "rly"),
        ("tonight", "tonite"),
        ("going to", "gonna"),
    ],
}
WORD = re.compile(r"[^\W\d_]{4,}")


@dataclass(frozen=True)
class Style:
    """Habits of one writer; the neutral style leaves text as composed."""

    lower: bool = False
    no_accents: bool = False
    sms: bool = False
    typo_rate: float = 0.0
    emoji_rate: float = 0.0
    shouty: bool = False
    ellipsis: bool = False

    @classmethod
    def draw(cls, rng: Random) -> Style:
        return cls(
            lower=rng.random() < 0.18,
            no_accents=rng.random() < 0.22,
            sms=rng.random() < 0.12,
            typo_rate=rng.choice([0.0, 0.0, 0.0, 0.02, 0.04, 0.08]),
            emoji_rate=rng.choice([0.0, 0.0, 0.1, 0.3, 0.6]),
            shouty=rng.random() < 0.08,
            ellipsis=rng.random() < 0.1,
        )


def typo(word: str, rng: Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def apply_style(
    text: str, style: Style, lang: str, angry: bool, rng: Random, emojis: list[str]
) -> str:
    """Rewrite a composed text the way this author would have typed it."""
    if style.sms:
        for long, short in SMS[lang]:
            text = re.sub(rf"\b{re.escape(long)}\b", short, text, flags=re.IGNORECASE)
    if style.typo_rate:
        text = WORD.sub(lambda m: typo(m[0], rng) if rng.random() < style.typo_rate else m[0], text)
    if style.no_accents and lang == "fr":
        text = strip_accents(text)
    if angry and style.shouty:
        text = text.upper() if rng.random() < 0.5 else text.replace("!", "!!!").replace("?", "???")
    elif style.lower:
        text = text.lower()
    if style.ellipsis:
        text = text.rstrip(".") + rng.choice(["...", "…", ".."])
    if emojis and rng.random() < style.emoji_rate:
        text += " " + "".join(rng.choice(emojis) for _ in range(rng.randint(1, 3)))
    return text
