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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
def _lexicon() -> dict[str, tuple[re.Pattern[str], dict[str, str]]]:
    """Per language, one pattern over every word, and each word's group."""
    table = json.loads(WORDS.read_text(encoding="utf-8"))
    out = {}
    for lang, by_group in table.items():
        if lang.startswith("_"):
            continue
        group_of = {word: group for group, words in by_group.items() for word in words}
        alternatives = "|".join(re.escape(w) for w in sorted(group_of, key=len, reverse=True))
        pattern = re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")
        out[lang] = (pattern, group_of)
    return out


@dataclass(frozen=True)
class OnePerson:
    """A language's forms that name one person or qualify a noun, and the words around a mention
    that make it speak of the whole group (`group_words.json`, "_one_person")."""

    forms: frozenset[str]
    plural_heads: frozenset[str]
    quantifiers: frozenset[str]
    articles: frozenset[str]
    possessives: frozenset[str]
    #: How many words before a mention a possessive still owns it: an English adjective comes
    #: before its noun ("my gay brother"), a French one after it ("mes deux potes gays").
    possessive_reach: int


@lru_cache(maxsize=1)
def _one_person() -> dict[str, OnePerson]:
    table = json.loads(WORDS.read_text(encoding="utf-8")).get("_one_person", {})
    return {
        lang: OnePerson(
            forms=frozenset(entry["forms"]),
            plural_heads=frozenset(entry["plural_heads"]),
            quantifiers=frozenset(entry["quantifiers"]),
            articles=frozenset(entry["articles"]),
            possessives=frozenset(entry["possessives"]),
            possessive_reach=int(entry["possessive_reach"]),
        )
        for lang, entry in table.items()
        if not lang.startswith("_")
    }


#: Where a clause ends: a possessive before it does not reach a mention after it.
_CLAUSE_END = re.compile(r"[,.;:!?()\n]")


def generic(canon: str, start: int, end: int, rules: OnePerson | None) -> bool:
    """Whether the mention canon[start:end] speaks of the group as a whole, as attacks on a group
    do ("gays are…", "les trans…", "any Muslim…"), rather than of one person or a thing
    ("my gay brother", "a Muslim nurse", "mec trans", "Arab food fest"): the group guard's
    not-hateful posts swear near such mentions, and offensive's lift read them as attacks."""
    if rules is None:
        return True
    clause_start = max((m.end() for m in _CLAUSE_END.finditer(canon, 0, start)), default=0)
    before = _WORD.findall(canon[clause_start:start])
    after = _WORD.findall(canon[end:])
    if any(word in rules.possessives for word in before[-rules.possessive_reach :]):
        return False
    if canon[start:end] not in rules.forms:
        return True
    previous = before[-1] if before else ""
    return (
        (bool(after) and after[0] in rules.plural_heads)
        or previous in rules.quantifiers
        or previous in rules.articles
        or previous in rules.plural_heads
    )


def languages() -> frozenset[str]:
    """The languages with a word list (others never name a group here)."""
    return frozenset(_lexicon())


def groups_of(lang: str) -> frozenset[str]:
    """The groups the language's word list knows ("women", "muslims", ...)."""
    entry = _lexicon().get(lang)
    return frozenset(entry[1].values()) if entry else frozenset()


#: How the fast tier reads a word its vocabulary lacks (`Featurizer.repair`: "womn" → "women",
#: "hatewomen" → "hate women"); known words are never changed.
Repair = Callable[[str], str]
_WORD = re.compile(r"\w+")
#: A quoted phrase (two words or more, between double quotes or guillemets): someone else's
#: words, as counter-speech quotes an attack to condemn it. A single quoted word is a scare
#: quote ("refugees") and still names the group.
QUOTED = re.compile(r'"[^"\n]*\s[^"\n]*"|“[^”\n]*\s[^”\n]*”|«[^»\n]*\s[^»\n]*»')


def named(
    texts: Sequence[str],
    langs: Sequence[str],
    ignore: Mapping[str, frozenset[str]] | None = None,
    repair: Repair | None = None,
    quoted: bool = True,
    whole_group: bool = False,
) -> NDArray[np.bool_]:
    """Whether each post names a protected group in its language's words (groups in
    `ignore[lang]` do not count); with `repair`, also through typos the fast tier reads back;
    without `quoted`, not inside a QUOTED phrase; with `whole_group`, only a `generic` mention
    counts."""
    lexicon, one_person = _lexicon(), _one_person()
    out = np.zeros(len(texts), dtype=np.bool_)
    for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
        if (entry := lexicon.get(lang)) is None:
            continue
        skip = ignore.get(lang, frozenset()) if ignore else frozenset()
        rules = one_person.get(lang) if whole_group else None
        canon = canonical(text if quoted else QUOTED.sub(" ", text))
        out[i] = _counts(canon, entry, skip, rules)
        if not out[i] and repair is not None:
            fixed = " ".join(repair(word) for word in _WORD.findall(canon))
            out[i] = _counts(fixed, entry, skip, rules)
    return out


def _counts(
    canon: str,
    entry: tuple[re.Pattern[str], dict[str, str]],
    skip: frozenset[str],
    rules: OnePerson | None,
) -> bool:
    """Whether `canon` names a group outside `skip` (with `rules`, as a whole)."""
    pattern, group_of = entry
    return any(
        group_of[m.group()] not in skip and generic(canon, *m.span(), rules)
        for m in pattern.finditer(canon)
    )


def spans(text: str, lang: str, repair: Repair | None = None) -> tuple[Span, ...]:
    """The stretches of the original text that name a group, labelled LABEL (with `repair`,
    the whole mistyped word where only its repair names one)."""
    entry = _lexicon().get(lang)
    if entry is None:
        return ()
    pattern = entry[0]
    folded, offsets = canonical_with_offsets(text)
    found = [m.span() for m in pattern.finditer(folded)]
    if repair is not None:
        found += [
            m.span()
            for m in _WORD.finditer(folded)
            if not pattern.fullmatch(m.group()) and pattern.search(repair(m.group()))
        ]
    out: list[Span] = []
    for first, last in sorted(found):
        start, end = original_span(offsets, first, last, len(text))
        if end > start and not any(s.start <= start < s.end for s in out):
            out.append(Span(start, end, LABEL))
    return tuple(out)
