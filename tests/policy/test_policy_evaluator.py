"""The evaluator: one decision, the strongest action, every reason, the policy version."""

from __future__ import annotations

from gardien.domain import Action, Queue
from gardien.domain.signals import Score
from gardien.policy.compiler import compile_text
from gardien.policy.defaults import default_policy
from gardien.policy.evaluator import EXTERNAL_ERROR_FLAG, evaluate
from tests.policy.policy_factories import author, member, post, signals

POLICY = compile_text(
    """\
community: acme
watched_words:
  lists:
    - {name: insults, locale: en, action: flag, terms: [idiot]}
    - {name: slurs, locale: en, action: hold, terms: [scumbag]}
    - {name: promo, action: "tag:promo", terms: [discount]}
thresholds:
  - {signal: spam, above: 0.9, action: block}
rules:
  - name: trusted-members-pass
    priority: 100
    final: true
    action: allow
    when: {field: member.trust_level, at_least: 4}
  - name: young-account-links
    priority: 10
    action: hold
    when:
      all:
        - {field: author.account_age_days, below: 3}
        - {field: post.links, at_least: 1}
        - not: {field: author.followers, at_least: 1000}
routing:
  care:
    - {signal: intent.question, above: 0.6, department: technical}
strikes:
  earned_by: [block, hold]
external_check: {url: "http://127.0.0.1:9/check", on_error: flag}
""",
    source="acme.yaml",
)


def test_strongest_action_wins_and_every_reason_is_kept() -> None:
    text = "You idiot, you scumbag"
    decision = evaluate(post(text), None, None, signals(), POLICY)
    assert decision.action is Action.HOLD
    assert decision.queue is Queue.MODERATION
    assert decision.policy_version == POLICY.version.id
    words = [
        (r.term, r.rule, r.action, text[r.span.start : r.span.end])
        for r in decision.reasons
        if r.kind == "word" and r.span
    ]
    assert words == [
        ("idiot", "insults", Action.FLAG, "idiot"),
        ("scumbag", "slurs", Action.HOLD, "scumbag"),
    ]


def test_score_reasons_carry_signal_score_and_threshold() -> None:
    decision = evaluate(post("buy now"), None, None, signals(spam=0.97), POLICY)
    assert decision.action is Action.BLOCK
    reason = decision.reasons[0]
    assert (reason.kind, reason.signal, reason.score, reason.threshold) == (
        "score",
        "spam",
        0.97,
        0.9,
    )
    assert "strike:warn" in decision.tags


def test_a_score_set_by_more_than_the_fast_tier_names_its_models() -> None:
    alone = signals(spam=0.97)
    assert evaluate(post("buy now"), None, None, alone, POLICY).reasons[0].message == (
        "spam 0.97 ≥ 0.9"
    )
    seconded = signals(spam=0.97)
    seconded.scores["spam"] = Score(0.97, "spam-en.v1+spam-seeds.v1")
    message = evaluate(post("buy now"), None, None, seconded, POLICY).reasons[0].message
    assert message == "spam 0.97 ≥ 0.9 (spam-en.v1 + spam-seeds.v1)"


def test_strike_ladder_follows_the_members_strikes() -> None:
    bob = author("bob")
    decision = evaluate(post("scumbag"), bob, member(bob, strikes=2), signals(), POLICY)
    assert [r.message for r in decision.reasons if r.kind == "strike"] == ["strike 3: suspend 7d"]


def test_rules_test_the_author_at_the_posts_time() -> None:
    newcomer = author("newbie", age_days=1)
    link = post("see https://spam.example")
    assert evaluate(link, newcomer, None, signals(), POLICY).action is Action.HOLD
    famous = author("star", age_days=1, followers=5000)
    assert evaluate(link, famous, None, signals(), POLICY).action is Action.ALLOW
    assert evaluate(link, author("old"), None, signals(), POLICY).action is Action.ALLOW


def test_a_final_rule_overrides_the_rest() -> None:
    mod = author("mod")
    decision = evaluate(post("idiot"), mod, member(mod, trust=4), signals(), POLICY)
    assert decision.action is Action.ALLOW
    assert decision.reasons[-1].rule == "trusted-members-pass"


def test_tags_and_care_routing_come_from_the_policy() -> None:
    decision = evaluate(post("any discount?"), None, None, signals(intent__question=0.8), POLICY)
    assert decision.tags == ["promo"]
    assert (decision.action, decision.queue, decision.department) == (
        Action.ROUTE,
        Queue.CARE,
        "technical",
    )


def test_external_check_failure_falls_back_as_configured() -> None:
    failed = signals()
    failed.flags[EXTERNAL_ERROR_FLAG] = "timeout"
    decision = evaluate(post("hello"), None, None, failed, POLICY)
    assert decision.action is Action.FLAG
    assert "timeout" in decision.reasons[0].message


def test_french_default_policy_in_action() -> None:
    policy = default_policy("fr")
    decision = evaluate(post("Espèce de c0nn4rd !", "fr"), None, None, signals("fr"), policy)
    assert decision.action is Action.FLAG
    assert {r.rule for r in decision.reasons} >= {"insultes-fr"}
    calm = evaluate(post("La classe, ce chat !", "fr"), None, None, signals("fr"), policy)
    assert calm.action is Action.ALLOW and calm.reasons == []


def test_english_default_policy_leaves_identity_words_alone() -> None:
    policy = default_policy("en")
    assert evaluate(post("As a gay man I love it"), None, None, signals(), policy).reasons == []
    assert evaluate(post("f.u.c.k you"), None, None, signals(), policy).action is Action.FLAG


def test_rules_read_what_a_stage_counted_and_nothing_when_it_did_not() -> None:
    policy = compile_text(
        "community: acme\nrules:\n  - name: flood\n    action: hold\n"
        "    when: {field: count.repeated.copies, at_least: 2}\n"
    )
    counted = signals()
    counted.counts["repeated.copies"] = 2
    assert evaluate(post("again"), None, None, counted, policy).action is Action.HOLD
    counted.counts["repeated.copies"] = 1
    assert evaluate(post("again"), None, None, counted, policy).action is Action.ALLOW
    assert evaluate(post("again"), None, None, signals(), policy).action is Action.ALLOW
