"""The repeated-text stage on records: floods by one author, campaigns by several, short texts
left alone, and the same answer whatever the batches (earlier posts only ever count)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gardien.domain import Community, Post
from gardien.pipeline import Pipeline, StageContext, TriageRecord
from gardien.pipeline.decide import Decide
from gardien.pipeline.record import CommunityConfig, EarlierPost, HistoryBounds
from gardien.pipeline.repeated import AUTHORS, COPIES, MODEL, SCORE, RepeatedText
from gardien.pipeline.shape import shape_of
from gardien.pipeline.stage import PROVIDED
from gardien.pipeline.watched_words import WatchedWords
from gardien.policy.compiler import compile_text
from gardien.policy.conditions import Facts

START = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
FLOOD = "Vélo Rouge never refunds anyone, avoid their shop at all costs"


def post(
    text: str, author: str = "troll", minutes: float = 0, post_id: int | None = None
) -> TriageRecord:
    """A record in community 'velo', `minutes` after START; ids default to the order of writing."""
    external = str(post_id) if post_id is not None else f"{author}-{minutes}"
    at = START + timedelta(minutes=minutes)
    return TriageRecord("velo", Post("forum", external, author, text, at), post_id=post_id)


def judge(*records: TriageRecord, context: StageContext | None = None) -> list[TriageRecord]:
    RepeatedText()(list(records), context or StageContext())
    return list(records)


def found(record: TriageRecord) -> tuple[float, int | None, int | None]:
    counts = record.signals.counts
    return record.signals.score(SCORE), counts.get(COPIES), counts.get(AUTHORS)


def test_a_flood_in_one_batch_counts_every_earlier_copy_whatever_its_disguise() -> None:
    records = judge(
        post(FLOOD, minutes=0),
        post(FLOOD.upper() + " !!!", minutes=5),
        post("V3l0 R0uge never refunds any0ne... avoid their shop at all costs 😡", minutes=10),
        post("Vélo Rouge never refunds anybody, avoid their shop at all costs", minutes=15),
    )
    assert [found(r)[1] for r in records] == [0, 1, 2, 3]
    assert [found(r)[0] for r in records[:3]] == [0.0, 1.0, 1.0]
    assert 0.85 <= found(records[3])[0] < 1.0  # a word changed: near, not the same
    assert {found(r)[2] for r in records} == {1}  # one author


def test_the_score_explains_itself_with_the_closest_earlier_post() -> None:
    first, second = judge(post(FLOOD, post_id=41), post(f"  {FLOOD}!  ", minutes=1, post_id=42))
    assert first.signals.scores[SCORE].spans == ()
    score = second.signals.scores[SCORE]
    assert score.model == MODEL
    [span] = score.spans
    assert second.post.text[span.start : span.end] == f"{FLOOD}!"
    assert span.label == "near-copy of post 41" and span.weight == 1.0


def test_other_posts_of_the_same_author_are_not_copies() -> None:
    records = judge(
        post(FLOOD),
        post("My Vélo Rouge saddle squeaks after the rain, any idea how to fix it?", minutes=3),
        post("The new Vélo Rouge saddle squeaks in the rain, how do I fix that?", minutes=6),
    )
    assert [found(r)[1] for r in records] == [0, 0, 0]
    assert all(found(r)[0] < 0.85 for r in records)


@pytest.mark.parametrize("text", ["thanks!", "+1", "lol", "Thank you so much!!"])
def test_short_texts_never_count_as_floods(text: str) -> None:
    records = judge(*(post(text, minutes=m) for m in range(6)))
    for record in records:
        assert record.signals.score(SCORE) == 0.0
        assert record.signals.counts == {}  # no count: a rule on them cannot fire


def test_copies_outside_the_window_do_not_count() -> None:
    context = StageContext(history=HistoryBounds(window=timedelta(hours=6)))
    old, recent, now = judge(
        post(FLOOD, minutes=0),
        post(FLOOD, minutes=60 * 5),
        post(FLOOD, minutes=60 * 10),
        context=context,
    )
    assert found(old)[:2] == (0.0, 0)
    assert found(recent)[:2] == (1.0, 1)
    assert found(now)[:2] == (1.0, 1)  # the first one is 10 h old


def test_each_post_is_compared_with_at_most_per_author_earlier_posts() -> None:
    context = StageContext(history=HistoryBounds(per_author=3))
    records = judge(*(post(FLOOD, minutes=m) for m in range(6)), context=context)
    assert [found(r)[1] for r in records] == [0, 1, 2, 3, 3, 3]


def test_a_campaign_counts_its_distinct_authors() -> None:
    text = "Free Vélo Rouge e-bike giveaway, only {} left, claim yours at https://gift.example"
    records = judge(
        post(text.format(40), author="spam1", minutes=0),
        post(text.format(39), author="spam2", minutes=1),
        post(text.format(38), author="spam1", minutes=2),
        post(text.format(37), author="spam3", minutes=3),
        post(text.format(36), author="spam4", minutes=60 * 30),  # a day later: alone again
    )
    assert [found(r)[2] for r in records] == [1, 2, 2, 3, 1]
    assert [found(r)[1] for r in records] == [0, 0, 1, 0, 0]  # spam1 repeated itself once


def test_earlier_posts_loaded_by_the_store_count_like_the_batch() -> None:
    """Judged one post per batch with the earlier posts given, as the store gives them, the flood
    gets exactly what it gets in one batch."""
    texts = [FLOOD, FLOOD.lower(), FLOOD.replace("anyone", "anybody"), FLOOD + " #4"]
    together = judge(*(post(t, minutes=i, post_id=10 + i) for i, t in enumerate(texts)))
    alone: list[TriageRecord] = []
    for i, text in enumerate(texts):
        record = post(text, minutes=i, post_id=10 + i)
        record.earlier = tuple(
            EarlierPost(
                10 + j, "forum", "troll", START + timedelta(minutes=j), s.fingerprint, s.sketch
            )
            for j, s in ((j, shape_of(texts[j])) for j in range(i))
        )
        alone.extend(judge(record))
    assert [found(r) for r in alone] == [found(r) for r in together]
    assert [r.signals.scores[SCORE].spans for r in alone] == [
        r.signals.scores[SCORE].spans for r in together
    ]


def test_later_posts_never_change_an_earlier_answer() -> None:
    first = judge(post(FLOOD, minutes=10))[0]
    with_later = judge(post(FLOOD, minutes=10), post(FLOOD, minutes=20), post(FLOOD, minutes=30))
    assert found(first) == found(with_later[0]) == (0.0, 0, 1)


def test_the_order_in_the_batch_does_not_matter_only_the_time() -> None:
    early, late = post(FLOOD, minutes=0), post(FLOOD.upper(), minutes=30)
    judge(late, early)
    assert (found(early)[1], found(late)[1]) == (0, 1)


def test_a_policy_rule_reads_the_score_and_the_counts() -> None:
    policy = compile_text(
        "community: velo\nrules:\n"
        "  - name: flood\n    action: hold\n    message: Same text again and again.\n"
        "    when:\n      all:\n"
        "        - {field: score.repeated, at_least: 0.9}\n"
        "        - {field: count.repeated.copies, at_least: 2}\n"
    )
    context = StageContext({"velo": CommunityConfig(Community("velo", "Vélo"), policy)})
    pipeline = Pipeline(
        [RepeatedText(), WatchedWords(), Decide()],
        provided=PROVIDED | {"text.normalized", "language"},
    )
    records = [post(FLOOD, minutes=m) for m in range(3)] + [post("+1", minutes=m) for m in range(3)]
    pipeline.run(records, context)
    actions = [r.decision.action.value for r in records if r.decision]
    assert actions == ["allow", "allow", "hold", "allow", "allow", "allow"]
    reasons = records[2].decision.reasons if records[2].decision else []
    assert [(r.rule, r.message) for r in reasons] == [("flood", "Same text again and again.")]


def test_what_no_stage_counted_is_unknown_to_rules() -> None:
    record = post(FLOOD)
    facts = Facts(record.post, None, None, record.signals, [], timedelta(days=7))
    assert facts.get("count.repeated.copies") is None
    judge(record)
    facts = Facts(record.post, None, None, record.signals, [], timedelta(days=7))
    assert facts.get("count.repeated.copies") == 0.0
