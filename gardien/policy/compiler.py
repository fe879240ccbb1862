"""Compiling a checked policy into what the evaluator runs: one matcher, compiled rules, parsed
durations. Compiled once per policy version and cached, like Discourse's WordWatcher."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from gardien.domain import Action, Queue, Span
from gardien.errors import PolicyError
from gardien.policy.conditions import Predicate, compile_condition
from gardien.policy.defaults import shipped_list
from gardien.policy.loader import PolicyVersion, new_version, parse_policy
from gardien.policy.matcher import ANY_LOCALE, Match, Matcher, MatchMode, Term, TermError
from gardien.policy.matcher import compile_terms as compile_matcher
from gardien.policy.normalize import NormalizeOptions, Normalizer
from gardien.policy.schema import (
    ExternalCheck,
    PolicyFile,
    Rule,
    Threshold,
    WordList,
    parse_action,
    parse_duration,
)

#: Spans the watched-words stage stores start their label with this, then "list/term".
WORD_LABEL = "word:"
_CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    test: Predicate
    action: Action
    argument: str


@dataclass(frozen=True, slots=True)
class CompiledThreshold:
    threshold: Threshold
    action: Action
    argument: str

    @property
    def name(self) -> str:
        return self.threshold.name or f"{self.threshold.signal} ≥ {self.threshold.above:g}"


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A policy ready to judge posts: immutable, shared by every stage and thread."""

    policy: PolicyFile
    version: PolicyVersion
    matcher: Matcher
    thresholds: tuple[CompiledThreshold, ...]
    rules: tuple[CompiledRule, ...]
    terms: dict[tuple[str, str], Term]
    new_member: timedelta
    decay: timedelta
    external: ExternalCheck | None

    def find_words(self, text: str, language: str | None) -> list[Match]:
        """Watched words in `text` for its language (every locale's when unknown)."""
        locales = None if language in (None, "", "other", "und") else [language]
        return self.matcher.find(text, locales)

    def to_span(self, match: Match) -> Span:
        """A match as a Span for `Signals.matches` (its label finds the term again)."""
        return Span(match.start, match.end, f"{WORD_LABEL}{match.source}/{match.term}")

    def from_spans(self, spans: list[Span], text: str) -> list[Match]:
        """The matches the watched-words stage stored as spans, with their actions."""
        found = []
        for span in spans:
            if not span.label.startswith(WORD_LABEL):
                continue
            source, _, term_text = span.label[len(WORD_LABEL) :].partition("/")
            term = self.terms.get((source, term_text))
            if term is not None:
                found.append(
                    Match(
                        term.text,
                        span.start,
                        span.end,
                        term.action,
                        term.locale,
                        source,
                        text[span.start : span.end],
                    )
                )
        return found

    def sla(self, queue: Queue) -> timedelta | None:
        """How soon a post in `queue` should be handled, from the routing section."""
        routing = self.policy.routing
        if queue is Queue.MODERATION:
            return parse_duration(routing.moderation_sla)
        if queue is Queue.CARE:
            return parse_duration(routing.care_sla)
        return None


_cache: OrderedDict[str, CompiledPolicy] = OrderedDict()


def compile_policy(policy: PolicyFile, version: PolicyVersion) -> CompiledPolicy:
    """The compiled form of `policy`, from the cache when this version was compiled before."""
    key = f"{version.community}:{version.digest}"
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    compiled = _compile(policy, version)
    _cache[key] = compiled
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return compiled


def compile_text(
    text: str, source: str = "policy", author: str = "", saved_at: datetime | None = None
) -> CompiledPolicy:
    """Parse, check, version and compile a policy text; PolicyError on any problem."""
    policy = parse_policy(text, source)
    return compile_policy(policy, new_version(policy, text, author, saved_at))


def _compile(policy: PolicyFile, version: PolicyVersion) -> CompiledPolicy:
    terms = list(_terms(policy))
    options = {
        locale: NormalizeOptions(f.fold_accents, f.confusables, f.leet)
        for locale, f in policy.watched_words.folding.items()
    }
    try:
        matcher = compile_matcher(terms, options)
    except TermError as error:
        raise PolicyError(f"{version.community}: watched_words: {error}") from error
    thresholds = tuple(
        CompiledThreshold(item, *parse_action(item.action)) for item in policy.thresholds
    )
    rules = sorted(policy.rules, key=lambda rule: -rule.priority)
    return CompiledPolicy(
        policy=policy,
        version=version,
        matcher=matcher,
        thresholds=thresholds,
        rules=tuple(
            CompiledRule(rule, compile_condition(rule.when), *parse_action(rule.action))
            for rule in rules
        ),
        terms={(term.source, term.text): term for term in terms if not term.allow},
        new_member=timedelta(days=policy.new_member_days),
        decay=parse_duration(policy.strikes.decay),
        external=policy.external_check,
    )


def _terms(policy: PolicyFile) -> Iterator[Term]:
    """Every term of every list (shipped lists included, exclusions removed), then allow words."""
    for word_list in policy.watched_words.lists:
        yield from _list_terms(word_list, policy)
    for locale, words in policy.watched_words.allow.items():
        for word in words:
            yield Term.parse(word, locale=locale or ANY_LOCALE, allow=True)


def _list_terms(word_list: WordList, policy: PolicyFile) -> Iterator[Term]:
    folding = policy.watched_words.folding.get(word_list.locale)
    normalizer = Normalizer(
        NormalizeOptions()
        if folding is None
        else NormalizeOptions(folding.fold_accents, folding.confusables, folding.leet)
    )
    excluded = {normalizer.term_key(word) for word in word_list.exclude}
    raw = list(word_list.terms)
    for name in word_list.include:
        try:
            raw.extend(shipped_list(name))
        except KeyError as error:
            raise PolicyError(f"list {word_list.name!r}: {error.args[0]}") from error
    seen: set[tuple[str, bool, bool]] = set()
    # Plain spellings first, so a reason names "connard" rather than its l33t form "c0nn@rd".
    for text in sorted(raw, key=lambda term: not term.replace(" ", "").isalpha()):
        key = normalizer.term_key(text.strip("*"))
        shape = (key, text.startswith("*"), text.endswith("*"))
        if not key or key in excluded or shape in seen:
            continue
        seen.add(shape)
        if not text.startswith("*") and not text.endswith("*"):
            text = {"prefix": f"{text}*", "substring": f"*{text}*"}.get(word_list.match, text)
        yield Term.parse(text, word_list.action, word_list.locale, word_list.name)
    for pattern in word_list.regex:
        yield Term(pattern, word_list.action, word_list.locale, MatchMode.REGEX, word_list.name)
