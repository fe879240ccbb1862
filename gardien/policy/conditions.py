"""Rule conditions: the facts a rule may test about a post and its author, and compiled tests.

Facts are computed lazily per post (a rule about links does not pay for counting capitals).
A fact that is unknown (an author without an account date) fails every test, so a rule never
fires on missing data; wrap it in ``not`` to say the opposite.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from gardien.domain import Author, Member, Post, Signals
from gardien.domain.time import ensure_utc
from gardien.policy.matcher import Match
from gardien.policy.schema import Condition

Value = str | float | bool | None
Predicate = Callable[["Facts"], bool]

_LINK = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<![\w@])@\w+")
_HASHTAG = re.compile(r"(?<![\w#])#\w+")
_WORD = re.compile(r"\w{3,}")


class Facts:
    """What rules can ask about one post; each fact computed at most once."""

    def __init__(
        self,
        post: Post,
        author: Author | None,
        member: Member | None,
        signals: Signals,
        matches: Sequence[Match],
        new_member: timedelta,
        brand_accounts: frozenset[str] = frozenset(),
    ) -> None:
        self.post, self.author, self.member, self.signals = post, author, member, signals
        self.matches, self.new_member = matches, new_member
        #: The brand's own handles in the community, case-folded (`author.is_brand`).
        self.brand_accounts = brand_accounts
        self._memo: dict[str, Value] = {}

    def get(self, name: str) -> Value:
        """The value of fact `name` (``post.links``, ``score.spam``, ``count.repeated.copies``,
        ``words.insults``…)."""
        if name not in self._memo:
            self._memo[name] = self._compute(name)
        return self._memo[name]

    @property
    def language(self) -> str | None:
        """The identified language, else the channel's hint."""
        found = self.signals.language
        return found.code if found is not None else self.post.language

    def _compute(self, name: str) -> Value:
        scope, _, key = name.partition(".")
        if scope == "score":
            return self.signals.score(key)
        if scope == "flag":
            return self.signals.flags.get(key)
        if scope == "count":
            counted = self.signals.counts.get(key)
            return None if counted is None else float(counted)
        if scope == "words":
            return float(sum(1 for m in self.matches if key in ("any", m.source)))
        if scope == "post":
            return self._post(key)
        if scope == "author":
            return self._author(key)
        if scope == "member":
            return self._member(key)
        return None

    def _post(self, key: str) -> Value:
        post, text = self.post, self.post.text
        if key == "text":
            return text
        if key == "length":
            return float(len(text))
        if key == "language":
            return self.language
        if key == "channel":
            return post.channel
        if key == "links":
            return float(len(_LINK.findall(text)))
        if key == "mentions":
            return float(len(_MENTION.findall(text)))
        if key == "hashtags":
            return float(len(_HASHTAG.findall(text)))
        if key == "caps_ratio":
            letters = [c for c in text if c.isalpha()]
            return sum(c.isupper() for c in letters) / len(letters) if letters else 0.0
        if key == "repeated_words":
            counts = Counter(word.lower() for word in _WORD.findall(text))
            return float(max(counts.values(), default=0))
        if key == "is_reply":
            return post.parent_id is not None
        if key == "visibility":
            return str(post.visibility)
        return None

    def _author(self, key: str) -> Value:
        author = self.author
        if key == "known":
            return author is not None
        if author is None:
            return None
        if key == "account_age_days":
            return _days(author.created_at, self.post.created_at)
        if key == "followers":
            return float(author.followers)
        if key == "handle":
            return author.handle
        if key == "is_brand":
            return author.handle.casefold() in self.brand_accounts
        return None

    def _member(self, key: str) -> Value:
        member = self.member
        if key == "known":
            return member is not None
        if member is None:
            return True if key == "new" else None
        days = _days(member.joined_at, self.post.created_at)
        if key == "trust_level":
            return float(member.trust_level)
        if key == "strikes":
            return float(member.strikes)
        if key == "days":
            return days
        if key == "new":
            return days is not None and days < self.new_member.total_seconds() / 86_400
        return None


def _days(since: datetime | None, until: datetime) -> float | None:
    if since is None:
        return None
    return (ensure_utc(until) - ensure_utc(since)).total_seconds() / 86_400


def compile_condition(condition: Condition) -> Predicate:
    """A condition as a function of Facts, built once per policy version."""
    if condition.all is not None:
        parts = [compile_condition(part) for part in condition.all]
        return lambda facts: all(part(facts) for part in parts)
    if condition.any is not None:
        parts = [compile_condition(part) for part in condition.any]
        return lambda facts: any(part(facts) for part in parts)
    if condition.not_ is not None:
        inner = compile_condition(condition.not_)
        return lambda facts: not inner(facts)
    return _leaf(condition)


def _leaf(condition: Condition) -> Predicate:
    name = condition.field or ""
    tests: list[Callable[[Any], bool]] = []
    if condition.equals is not None:
        expected = _comparable(condition.equals)
        tests.append(lambda value: _comparable(value) == expected)
    if condition.in_ is not None:
        allowed = {_comparable(item) for item in condition.in_}
        tests.append(lambda value: _comparable(value) in allowed)
    for bound, check in (
        (condition.above, lambda v, b: v > b),
        (condition.at_least, lambda v, b: v >= b),
        (condition.below, lambda v, b: v < b),
        (condition.at_most, lambda v, b: v <= b),
    ):
        if bound is not None:
            tests.append(_numeric(bound, check))
    if condition.matches is not None:
        pattern = re.compile(condition.matches, re.IGNORECASE)
        tests.append(lambda value: pattern.search(str(value)) is not None)

    def predicate(facts: Facts) -> bool:
        value = facts.get(name)
        return value is not None and all(test(value) for test in tests)

    return predicate


def _numeric(bound: float, check: Callable[[float, float], bool]) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        return isinstance(value, int | float) and check(float(value), bound)

    return test


def _comparable(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value).strip().lower()
