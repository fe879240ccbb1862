"""Ways people dodge filters, applied to test texts to measure how much a model's score drops.

Each evasion rewrites some words (seeded, so the report is reproducible): the robustness report
re-scores the offensive and hate test sets after each one.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

_LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}
_LOOKALIKE = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "i": "і", "y": "у"}
_ACCENT = {"a": "à", "e": "é", "i": "î", "o": "ô", "u": "ü", "c": "ç", "n": "ñ"}
_WORD = re.compile(r"[^\W\d_]{4,}")

Evasion = Callable[[str], str]


def l33t(word: str) -> str:
    return "".join(_LEET.get(c, c) if c.islower() else c for c in word)


def spacing(word: str) -> str:
    return " ".join(word)


def strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def add_accents(word: str) -> str:
    return "".join(_ACCENT.get(c, c) for c in word)


def lookalikes(word: str) -> str:
    return "".join(_LOOKALIKE.get(c, c) for c in word)


def zero_width(word: str) -> str:
    return "\u200b".join(word)


def repeated(word: str) -> str:
    return word[:-1] + word[-1] * 4


def swapped(word: str) -> str:
    """Two neighbouring letters in the middle swapped ("women" → "wmoen")."""
    i = len(word) // 2 - 1
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def missing(word: str) -> str:
    """A letter in the middle left out ("women" → "woen")."""
    i = len(word) // 2
    return word[:i] + word[i + 1 :]


EVASIONS: dict[str, Evasion] = {
    "l33t": l33t,
    "spacing": spacing,
    "accents_removed": strip_accents,
    "accents_added": add_accents,
    "lookalikes": lookalikes,
    "zero_width": zero_width,
    "repeated_letters": repeated,
    "swapped_letters": swapped,
    "missing_letter": missing,
}


def evade(text: str, evasion: Evasion, share: float = 0.5, seed: int = 13) -> str:
    """Apply `evasion` to about `share` of the words of 4+ letters (seeded per text)."""
    rng = random.Random(f"{seed}:{text}")
    return _WORD.sub(lambda m: evasion(m.group(0)) if rng.random() < share else m.group(0), text)


def joined_words(text: str, share: float = 0.5, seed: int = 13) -> str:
    """About `share` of the spaces after words of 4+ letters left out ("black people" →
    "blackpeople"): the one evasion that works across words, not inside one."""
    rng = random.Random(f"{seed}:{text}")
    return _JOIN.sub(lambda m: "" if rng.random() < share else m.group(0), text)


_JOIN = re.compile(r"(?<=[^\W\d_]{4}) (?=[^\W\d_])")
#: Every evasion the robustness report applies, by name.
NAMES = (*EVASIONS, "joined_words")


def rewrite(text: str, name: str) -> str:
    """`text` after the evasion called `name`."""
    return joined_words(text) if name == "joined_words" else evade(text, EVASIONS[name])
