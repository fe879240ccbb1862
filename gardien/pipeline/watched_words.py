"""Stage: find the community's watched words in each post, as spans of the original text."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.pipeline.record import StageContext, TriageRecord
from gardien.policy.compiler import CompiledPolicy
from gardien.policy.defaults import default_policy

#: Flag naming the policy version whose words were matched, so `decide` can trust the spans.
MATCHED_BY = "watched_words"


def policy_for(context: StageContext, community: str) -> CompiledPolicy:
    """The community's compiled policy, or the shipped default for its first locale (with the
    community profile's watched words added)."""
    config = context.config(community)
    if config is None:
        return default_policy("en", community)
    if isinstance(config.policy, CompiledPolicy):
        return config.policy
    profile = config.community
    locale = profile.locales[0] if profile.locales else "en"
    return default_policy(locale, community, profile.watched_words)


def language_of(record: TriageRecord) -> str | None:
    """The identified language, else the channel's hint."""
    found = record.signals.language
    return found.code if found is not None else record.post.language


class WatchedWords:
    """Adds each match to `signals.matches` (label ``word:<list>/<term>``); decides nothing."""

    name = "watched_words"
    needs = frozenset({"text.normalized", "language"})
    sets = frozenset({"matches.watched_words"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            policy = policy_for(context, record.community)
            matches = policy.find_words(record.post.text, language_of(record))
            record.signals.matches.extend(policy.to_span(match) for match in matches)
            record.signals.flags[MATCHED_BY] = policy.version.id
