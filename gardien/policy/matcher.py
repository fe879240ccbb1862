"""Watched-word matching: thousands of terms in one Aho-Corasick automaton per folding option.

The matcher only answers (which terms, where in the original text); the evaluator decides and
the actions act. Compile once per policy version (see `gardien.policy.compiler`) and reuse.

Term syntax (as in Discourse's watched words): ``idiot`` matches the whole word, ``idiot*`` a
word starting with it, ``*idiot`` a word ending with it, ``*idiot*`` anywhere, even inside a
word. Regex terms run on the folded text (lower case, no accents, look-alikes resolved).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import ahocorasick

from gardien.policy.normalize import (
    NormalizeOptions,
    Normalizer,
    View,
    dedup_key,
    is_word_char,
    needs_boundary,
)

ANY_LOCALE = "*"


class MatchMode(StrEnum):
    """Where a term may match: as a whole word (the default, no Scunthorpe problem) or more."""

    WORD = "word"
    PREFIX = "prefix"
    SUFFIX = "suffix"
    SUBSTRING = "substring"
    REGEX = "regex"


class TermError(ValueError):
    """A term that cannot be compiled (an empty term, a broken regex)."""


@dataclass(frozen=True, slots=True)
class Term:
    """One watched word as the policy states it: text, action, locale, how it matches."""

    text: str
    action: str = "flag"
    locale: str = ANY_LOCALE
    mode: MatchMode = MatchMode.WORD
    source: str = ""
    allow: bool = False

    @classmethod
    def parse(
        cls,
        raw: str,
        action: str = "flag",
        locale: str = ANY_LOCALE,
        source: str = "",
        allow: bool = False,
    ) -> Term:
        """A term from the wildcard syntax: ``*`` at either end widens the match."""
        text = raw.strip()
        head, tail = text.startswith("*"), text.endswith("*") and len(text) > 1
        body = text.strip("*")
        if head and tail:
            mode = MatchMode.SUBSTRING
        elif head:
            mode = MatchMode.SUFFIX
        elif tail:
            mode = MatchMode.PREFIX
        else:
            mode = MatchMode.WORD
        return cls(body, action, locale, mode, source, allow)


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a text; `start`/`end` are offsets into the text as received."""

    term: str
    start: int
    end: int
    action: str
    locale: str
    source: str = ""
    excerpt: str = ""


@dataclass(frozen=True, slots=True)
class _Entry:
    term: Term
    left: bool
    right: bool


@dataclass(slots=True)
class _Group:
    """The terms that share one folding option set, in two automata and a regex list."""

    normalizer: Normalizer
    locales: set[str] = field(default_factory=set)
    entries: list[_Entry] = field(default_factory=list)
    exact: ahocorasick.Automaton | None = None
    dedup: ahocorasick.Automaton | None = None
    regexes: list[tuple[re.Pattern[str], Term]] = field(default_factory=list)


class Matcher:
    """Finds watched words in texts; immutable once compiled, safe to share between threads."""

    def __init__(self, groups: list[_Group], size: int) -> None:
        self._groups = groups
        self.size = size

    def find(self, text: str, locales: Collection[str] | None = None) -> list[Match]:
        """Every term of `locales` (all when None; ``*`` terms always) found in `text`.

        Matches inside an allow-listed word are dropped; results are sorted by position.
        """
        wanted = None if locales is None else {*locales, ANY_LOCALE}
        found: dict[tuple[int, int, int], tuple[Term, int, int]] = {}
        for group in self._groups:
            if wanted is not None and group.locales.isdisjoint(wanted):
                continue
            folded, views = group.normalizer.views(text)
            for view in views:
                automaton = group.dedup if view.dedup else group.exact
                if automaton is not None:
                    _scan(view, automaton, group.entries, wanted, found)
            for pattern, term in group.regexes:
                if wanted is None or term.locale in wanted:
                    for hit in pattern.finditer(folded.text):
                        if hit.end() > hit.start():
                            start, end = folded.span(hit.start(), hit.end())
                            found[(id(term), start, end)] = (term, start, end)
        return _without_allowed(text, found.values())


def _scan(
    view: View,
    automaton: ahocorasick.Automaton,
    entries: list[_Entry],
    wanted: set[str] | None,
    found: dict[tuple[int, int, int], tuple[Term, int, int]],
) -> None:
    """Collect the automaton's hits in one view that respect boundaries and locales."""
    text = view.text
    size = len(text)
    for last, (length, indices) in automaton.iter(text):
        start, end = last - length + 1, last + 1
        if view.dedup and not any(p in view.stretched for p in range(start, end)):
            continue  # "as" is not "ass": only a visibly stretched word may match its dedup key
        before = start > 0 and is_word_char(text[start - 1])
        after = end < size and is_word_char(text[end])
        plural = _plural_end(text, end, size) if after else 0
        for index in indices:
            entry = entries[index]
            stop = end
            if entry.left and before:
                continue
            if entry.right and after:
                if not plural:
                    continue
                stop = plural  # "idiots" is "idiot"
            if wanted is not None and entry.term.locale not in wanted:
                continue
            origin_start, origin_end = view.span(start, stop)
            found[(id(entry.term), origin_start, origin_end)] = (
                entry.term,
                origin_start,
                origin_end,
            )


def _plural_end(text: str, end: int, size: int) -> int:
    """Where a plural ending ("s", "x", "es") that starts at `end` closes a word, else 0."""
    for suffix in ("s", "x", "es"):
        stop = end + len(suffix)
        if text.startswith(suffix, end) and (stop == size or not is_word_char(text[stop])):
            return stop
    return 0


def _without_allowed(text: str, hits: Iterable[tuple[Term, int, int]]) -> list[Match]:
    """Drop the hits that lie inside an allow-listed word's hit; allow hits are not reported."""
    hits = list(hits)
    allowed = [(start, end) for term, start, end in hits if term.allow]
    matches = [
        Match(term.text, start, end, term.action, term.locale, term.source, text[start:end])
        for term, start, end in hits
        if not term.allow and not any(a <= start and end <= b for a, b in allowed)
    ]
    matches.sort(key=lambda m: (m.start, m.end, m.term))
    return matches


def compile_terms(
    terms: Iterable[Term], options: Mapping[str, NormalizeOptions] | None = None
) -> Matcher:
    """Compile terms into a Matcher; `options` gives a locale its own folding (default: all on).

    Raises TermError for an empty term or a regex that does not compile.
    """
    options = options or {}
    groups: dict[NormalizeOptions, _Group] = {}
    keys: dict[NormalizeOptions, tuple[dict[str, list[int]], dict[str, list[int]]]] = {}
    count = 0
    for term in terms:
        chosen = options.get(term.locale, NormalizeOptions())
        group = groups.get(chosen)
        if group is None:
            group = groups[chosen] = _Group(Normalizer(chosen))
            keys[chosen] = ({}, {})
        group.locales.add(term.locale)
        count += 1
        if term.mode is MatchMode.REGEX:
            group.regexes.append((_compile_regex(term), term))
            continue
        key = group.normalizer.term_key(term.text)
        if not key:
            raise TermError(f"term {term.text!r} is empty once folded; give it letters or digits")
        wide_left = term.mode in (MatchMode.SUFFIX, MatchMode.SUBSTRING)
        wide_right = term.mode in (MatchMode.PREFIX, MatchMode.SUBSTRING)
        entry = _Entry(
            term,
            left=not wide_left and needs_boundary(key[0]),
            right=not wide_right and needs_boundary(key[-1]),
        )
        group.entries.append(entry)
        exact, dedup = keys[chosen]
        exact.setdefault(key, []).append(len(group.entries) - 1)
        dedup.setdefault(dedup_key(key), []).append(len(group.entries) - 1)
    for chosen, group in groups.items():
        exact, dedup = keys[chosen]
        group.exact = _automaton(exact)
        group.dedup = _automaton(dedup)
    return Matcher(list(groups.values()), count)


def _automaton(keys: dict[str, list[int]]) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key, indices in keys.items():
        automaton.add_word(key, (len(key), tuple(indices)))
    automaton.make_automaton()
    return automaton


def _compile_regex(term: Term) -> re.Pattern[str]:
    try:
        return re.compile(term.text, re.IGNORECASE)
    except re.error as error:
        raise TermError(f"regex {term.text!r} does not compile: {error}") from error
