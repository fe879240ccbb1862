"""The watched-words and decide stages in a real pipeline, with and without a community policy."""

from __future__ import annotations

from gardien.domain import Action, Community, Language, Queue
from gardien.pipeline import Pipeline, StageContext, TriageRecord
from gardien.pipeline.decide import Decide
from gardien.pipeline.record import CommunityConfig
from gardien.pipeline.stage import PROVIDED
from gardien.pipeline.watched_words import WatchedWords
from gardien.policy.compiler import compile_text
from tests.policy.policy_factories import post


def run(records: list[TriageRecord], context: StageContext) -> None:
    for record in records:
        record.signals.language = Language(record.post.language or "en", 0.9)
    pipeline = Pipeline(
        [WatchedWords(), Decide()], provided=PROVIDED | {"text.normalized", "language"}
    )
    pipeline.run(records, context)


def test_default_policy_for_the_communitys_locale() -> None:
    context = StageContext({"lyon": CommunityConfig(Community("lyon", "Lyon", locales=("fr",)))})
    text = "Quel c.o.n.n.a.r.d, aujourd'hui"
    record = TriageRecord("lyon", post(text, "fr"))
    run([record], context)
    assert {text[s.start : s.end] for s in record.signals.matches} == {"c.o.n.n.a.r.d"}
    assert record.decision is not None
    assert record.decision.action is Action.FLAG
    assert record.decision.queue is Queue.MODERATION
    assert record.decision.policy_version.startswith("lyon@")


def test_community_policy_is_used_and_spans_are_reused() -> None:
    policy = compile_text(
        "community: acme\nwatched_words:\n  lists:\n"
        "    - {name: brands, action: 'route:legal', terms: [counterfeit]}\n"
    )
    context = StageContext({"acme": CommunityConfig(Community("acme", "Acme"), policy)})
    record = TriageRecord("acme", post("Is this a COUNTERFEIT?"))
    run([record], context)
    assert record.decision is not None
    assert (record.decision.action, record.decision.department) == (Action.ROUTE, "legal")
    assert record.decision.queue is Queue.CARE
    assert record.decision.reasons[0].span is not None


def test_community_profile_words_join_the_default_policy() -> None:
    profile = Community("velo", "Vélo", locales=("fr",), watched_words=("pigeons", "arnaque"))
    context = StageContext({"velo": CommunityConfig(profile)})
    record = TriageRecord("velo", post("Bande de pigeons !", "fr"))
    run([record], context)
    assert record.decision is not None
    assert [r.rule for r in record.decision.reasons] == ["community-words"]
    assert record.decision.action is Action.FLAG
