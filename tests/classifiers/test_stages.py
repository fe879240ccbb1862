"""The signal stages, run in a real pipeline after the lead's normalise and language stages."""

from __future__ import annotations

from datetime import UTC, datetime

from gardien.domain import Community, Post
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.record import CommunityConfig, StageContext, TriageRecord
from gardien.pipeline.runner import Pipeline
from gardien.pipeline.signals import signal_stages
from gardien.policy.schema import PolicyFile, Topic

RUNNERS = Community(
    "runners",
    "Runners",
    description="Running shoes, training plans, races, trail and road running.",
    off_limit_themes=("politics", "vaccines"),
)
SCORES = {
    "offensive", "hate", "spam", "complaint", "intent.question", "intent.complaint",
    "intent.praise", "intent.feature_request", "intent.other", "sentiment.negative",
    "sentiment.neutral", "sentiment.positive", "off_topic",
}  # fmt: skip


def record(text: str) -> TriageRecord:
    post = Post("forum", text[:20], "alice", text, datetime(2025, 1, 1, tzinfo=UTC))
    return TriageRecord(community="runners", post=post)


def test_all_signals_are_set_with_spans_inside_the_text() -> None:
    pipeline = Pipeline([Normalise(), IdentifyLanguage(), *signal_stages()])
    batch = [
        record("Which shoes for a first marathon?"),
        record("Votez contre ce gouvernement de menteurs !"),
        record("You're a f*cking 1d10t, shut up"),
    ]
    context = StageContext({"runners": CommunityConfig(RUNNERS)})
    pipeline.run(batch, context)
    for item in batch:
        assert set(item.signals.scores) == SCORES
        for score in item.signals.scores.values():
            assert 0.0 <= score.value <= 1.0
            assert score.model
            for span in score.spans:
                assert 0 <= span.start < span.end <= len(item.post.text)
    assert batch[1].signals.score("off_topic") > batch[0].signals.score("off_topic")
    assert batch[2].signals.score("offensive") > 0.5
    assert batch[2].signals.scores["offensive"].spans


def test_a_policy_topic_profile_overrides_the_community_description() -> None:
    class Policy:  # the shape of a compiled policy: its file, whose `topic` is the profile
        policy = PolicyFile(
            community="runners",
            topic=Topic(
                description="Baking bread and cakes",
                examples=["my sourdough is flat"],
                off_limit=["politics"],
            ),
        )

    stage = signal_stages()[-1]
    batch = [record("My sourdough starter smells odd"), record("Which shoes for a marathon?")]
    stage(batch, StageContext({"runners": CommunityConfig(RUNNERS, Policy())}))
    assert batch[1].signals.score("off_topic") > batch[0].signals.score("off_topic")


def test_posts_in_other_languages_are_scored_and_flagged() -> None:
    pipeline = Pipeline([Normalise(), IdentifyLanguage(), *signal_stages()])
    batch = [record("Das ist wirklich eine sehr schöne Landschaft hier in Bayern")]
    pipeline.run(batch, StageContext())
    assert batch[0].signals.flags.get("classifiers.language") == "unsupported"
    assert batch[0].signals.scores["off_topic"].value == 0.0
