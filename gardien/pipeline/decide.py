"""Stage: the community's policy turns each post's signals into one decision with its reasons."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.watched_words import MATCHED_BY, policy_for
from gardien.policy.evaluator import evaluate


class Decide:
    """Sets `record.decision` through the pure evaluator; reuses the watched-words spans when
    they were found by the same policy version (else the evaluator matches again)."""

    name = "decide"
    needs = frozenset({"language", "matches.watched_words"})
    sets = frozenset({"decision"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            policy = policy_for(context, record.community)
            signals = record.signals
            matches = None
            if signals.flags.get(MATCHED_BY) == policy.version.id:
                matches = policy.from_spans(signals.matches, record.post.text)
            config = context.config(record.community)
            record.decision = evaluate(
                record.post,
                record.author,
                record.member,
                signals,
                policy,
                matches,
                config.brand_accounts if config is not None else frozenset(),
            )
