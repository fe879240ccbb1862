"""Dry run and shadow statistics over in-memory history: what a stricter policy would change."""

from __future__ import annotations

from gardien.domain import Action
from gardien.policy.compiler import compile_text
from gardien.policy.replay import HistoryItem, replay
from tests.policy.policy_factories import post, signals

LIVE = compile_text(
    "community: acme\nwatched_words:\n  lists:\n"
    "    - {name: insults, action: flag, terms: [idiot]}\n"
    "thresholds:\n  - {signal: spam, above: 0.9, action: hold}\n"
)
STRICT = compile_text(
    "community: acme\nwatched_words:\n  lists:\n"
    "    - {name: insults, action: hold, terms: [idiot, moron]}\n"
    "thresholds:\n  - {signal: spam, above: 0.95, action: hold}\n"
)


def history() -> list[HistoryItem]:
    return [
        HistoryItem(post("what an idiot", external_id="a"), None, None, signals(), 1, "upheld"),
        HistoryItem(post("m0r0n", external_id="b"), None, None, signals(), 2, "overturned"),
        HistoryItem(post("hello", external_id="c"), None, None, signals(spam=0.92), 3),
        HistoryItem(post("thanks!", external_id="d"), None, None, signals(), 4),
    ]


def test_dry_run_reports_counts_changes_and_reasons() -> None:
    report = replay(history(), LIVE, STRICT)
    assert report.total == 4
    assert report.live_counts == {"flag": 1, "hold": 1, "allow": 2}
    assert report.candidate_counts == {"hold": 2, "allow": 2}
    assert [c.external_id for c in report.newly_blocked] == ["a", "b"]
    assert report.newly_blocked[1].reasons_after[0].term == "moron"
    assert [(c.external_id, c.before, c.after) for c in report.released] == [
        ("c", Action.HOLD, Action.ALLOW)
    ]
    assert report.changed == 3


def test_shadow_statistics_estimate_precision_from_moderators() -> None:
    report = replay(history(), LIVE, STRICT)
    words = report.rules["words:insults"]
    assert (words.hits, words.reviewed, words.overturned, words.precision) == (2, 2, 1, 0.5)
    assert words.actions == {"hold": 2}
    assert report.live_rules["score:spam ≥ 0.9"].hits == 1


def test_examples_are_capped_but_counts_are_not() -> None:
    items = [
        HistoryItem(post("idiot", external_id=str(i)), None, None, signals()) for i in range(5)
    ]
    report = replay(items, LIVE, STRICT, examples=2)
    assert (len(report.newly_blocked), report.newly_blocked_count) == (2, 5)
