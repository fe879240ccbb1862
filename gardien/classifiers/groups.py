"""Does a post name a group protected from hate? A word list, read on the canonical text.

Hate is an attack on people for their group. The offensive model knows hostility from tens of
thousands of tweets; the hate model learnt it from HatEval (immigrants and women only), MLMA and
our hand-written posts, and misses attacks on groups it saw little of ("les homos, on devrait les
pendre sur la place publique" reads offensive, not hate). Where a post names a protected group,
offensive's score may lift hate's (`implied.py`); this module says where, and which words named
the group, so the console can highlight them beside the offensive words. The words
(`group_words.json`) are written by hand; the canonical text (`text.py`) undoes l33t, look-alike
letters, spaced-out letters and CamelCase hashtags first, so "tr@ns" and "#BanMuslims" count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.text import canonical, canonical_with_offsets, original_span
from gardien.domain.signals import Span

WORDS = Path(__file__).with_name("group_words.json")
#: The label of a span that names the group an attack is aimed at.
LABEL = "group"


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    table = json.loads(WORDS.read_text(encoding="utf-8"))
    out = {}
    for lang, words in table.items():
        if lang.startswith("_"):
            continue
        alternatives = "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
        out[lang] = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
    return out


def languages() -> frozenset[str]:
    """The languages with a word list (others never name a group here)."""
    return frozenset(_patterns())


def named(texts: Sequence[str], langs: Sequence[str]) -> NDArray[np.bool_]:
    """Whether each post names a protected group in its language's words."""
    patterns = _patterns()
    return np.array(
        [
            (pattern := patterns.get(lang)) is not None
            and pattern.search(canonical(text)) is not None
            for text, lang in zip(texts, langs, strict=True)
        ],
        dtype=np.bool_,
    )


def spans(text: str, lang: str) -> tuple[Span, ...]:
    """The stretches of the original text that name a group, labelled LABEL."""
    pattern = _patterns().get(lang)
    if pattern is None:
        return ()
    folded, offsets = canonical_with_offsets(text)
    out: list[Span] = []
    for match in pattern.finditer(folded):
        start, end = original_span(offsets, match.start(), match.end(), len(text))
        if end > start and not any(s.start == start for s in out):
            out.append(Span(start, end, LABEL))
    return tuple(out)
