"""Stage: send a decided post to the moderation queue, the care inbox, or nowhere."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.domain import Action, Decision, Queue
from gardien.pipeline.record import StageContext, TriageRecord

#: Actions that need a moderator to look, when the policy did not name a queue itself.
NEEDS_REVIEW = frozenset({Action.HOLD, Action.BLOCK, Action.FLAG, Action.CENSOR})


def queue_for(decision: Decision) -> Queue:
    """The queue a decision implies: the policy's choice first, else review for strong actions."""
    if decision.queue is not Queue.NONE:
        return decision.queue
    if decision.action in NEEDS_REVIEW:
        return Queue.MODERATION
    if decision.action is Action.ROUTE or decision.department:
        return Queue.CARE
    return Queue.NONE


class Route:
    """Fills `decision.queue`; a post with no decision is allowed and goes nowhere."""

    name = "route"
    needs = frozenset({"decision"})
    sets = frozenset({"route"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            if record.decision is None:
                record.decision = Decision()
            record.decision.queue = queue_for(record.decision)
