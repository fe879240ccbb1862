"""Stage: judge each post again under the community's shadow policy, if one is running.

The shadow decision is recorded beside the live one and never applied, so a community manager
can see what a candidate policy would change on real traffic before turning it on."""

from __future__ import annotations

from collections.abc import Sequence

from gardien.pipeline.record import StageContext, TriageRecord
from gardien.policy.compiler import CompiledPolicy
from gardien.policy.evaluator import evaluate


class ShadowDecide:
    """Sets `record.shadow` for communities with a shadow policy; leaves the rest alone."""

    name = "shadow"
    needs = frozenset({"decision"})
    sets = frozenset({"decision.shadow"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            config = context.config(record.community)
            if config is None or not isinstance(config.shadow, CompiledPolicy):
                continue
            shadow = config.shadow
            record.shadow = evaluate(
                record.post,
                record.author,
                record.member,
                record.signals,
                shadow,
                brand_accounts=config.brand_accounts,
            )
