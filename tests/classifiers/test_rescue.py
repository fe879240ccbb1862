"""The second opinion (classifiers/rescue.py): it only raises, only past its gate, names itself,
and its gates follow the validation-then-dev rule."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from gardien.classifiers.registry import FastTier, fast_tier
from gardien.classifiers.rescue import (
    GATES,
    KIND,
    SURE,
    TASKS,
    TOLERANCE,
    Scored,
    choose_gates,
    is_rescued,
    lift,
    most_cautious,
    row_gates,
)
from gardien.domain import Post
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import AccurateStage, HateStage

PLAIN_ATTACKS = [
    "All Muslims are terrorists.",
    "Je déteste les musulmans, tous autant qu'ils sont.",
]


@pytest.fixture(scope="module")
def tier() -> FastTier:
    return fast_tier()


def test_lift_only_raises_and_only_past_the_gate() -> None:
    main = np.array([0.1, 0.3, 0.9, 0.4], np.float32)
    second = np.array([0.95, 0.6, 0.99, 0.2], np.float32)
    gates = np.array([0.8, 0.8, 0.5, 0.1], np.float32)
    fused, raised = lift(main, second, gates)
    assert fused.tolist() == pytest.approx([0.95, 0.3, 0.99, 0.4])
    assert raised.tolist() == [True, False, True, False]
    assert np.all(fused >= main)


def test_lift_leaves_kind_posts_to_the_main_model() -> None:
    main = np.array([0.1, 0.1], np.float32)
    second = np.array([0.95, 0.95], np.float32)
    gates = np.array([0.5, 0.5], np.float32)
    fused, raised = lift(main, second, gates, np.array([True, False]))
    assert fused.tolist() == pytest.approx([0.1, 0.95]) and raised.tolist() == [False, True]
    val = Scored(main, second, np.array([0, 1]), np.array(["en", "en"]), np.array([True, False]))
    assert val.f1("en", 0.5, 0.5) == 1.0  # the kind post stays below the threshold


def test_the_second_opinion_raises_attacks_but_not_kind_posts_about_a_group(
    tier: FastTier,
) -> None:
    """Session 14: the second opinion raised "Immigrants built this country…" to hate 0.94;
    the sentiment model reads it as kind, so the main model's score stands."""
    kind = "Immigrants built this country and keep it running. Grateful for every one of them."
    sentiment = tier.model("sentiment")
    positive = tier.predict("sentiment", [kind], ["en"])[0, sentiment.labels.index("positive")]
    assert positive >= KIND
    second = tier.second_opinion("hate")
    assert second is not None and tier.read(second, [kind])[0, 0] >= second.meta["gates"]["en"]
    for task in TASKS:
        fused, raised = tier.scored(task, [kind, PLAIN_ATTACKS[0]], ["en", "en"])
        assert not raised[0], task
        assert fused[0, 0] == pytest.approx(tier.predict(task, [kind], ["en"], rescue=False)[0, 0])
    fused, raised = tier.scored("hate", [kind, "I hate women."], ["en", "en"])
    assert raised[1] and fused[1, 0] >= tier.model("hate").threshold_for("en")


def test_every_harm_task_ships_a_second_opinion_with_a_gate_per_language(tier: FastTier) -> None:
    for task in TASKS:
        second = tier.second_opinion(task)
        assert second is not None, task
        gates = second.meta["gates"]
        assert set(gates) == {"en", "fr"}
        for lang, gate in gates.items():
            assert gate is None or (gate in GATES and gate >= tier.model(task).threshold_for(lang))
        assert second.meta["second_opinion_for"] == tier.model(task).name
        assert any("not-harm" in s["dataset"] for s in second.meta["sources"])
    assert tier.second_opinion("spam") is None


def test_row_gates_serve_only_the_languages_validation_gave_a_gate(
    tier: FastTier,
) -> None:
    second = tier.second_opinion("hate")
    assert second is not None
    saved = dict(second.meta["gates"])
    try:
        second.meta["gates"] = {"en": 0.6, "fr": None}
        assert row_gates(second, ["en", "fr", "de"], 3).tolist() == pytest.approx(
            [0.6, np.inf, np.inf]
        )
        assert row_gates(second, None, 2).tolist() == [np.inf, np.inf]
    finally:
        second.meta["gates"] = saved


def test_predict_with_the_second_opinion_never_lowers_a_score(tier: FastTier) -> None:
    posts = [*PLAIN_ATTACKS, "Gay couples are welcome here.", "Le service client est top"]
    langs = ["en", "fr", "en", "fr"]
    for task in TASKS:
        alone = tier.predict(task, posts, langs, rescue=False)
        fused, raised = tier.scored(task, posts, langs)
        assert np.all(fused >= alone)
        assert np.array_equal(fused[~raised], alone[~raised])


def _scored(main: list[float], second: list[float], labels: list[int]) -> Scored:
    n = len(main)
    return Scored(
        np.array(main, np.float32),
        np.array(second, np.float32),
        np.array(labels),
        np.array(["en"] * n),
    )


def test_validation_vetoes_costly_gates_and_dev_picks_the_most_cautious_of_the_best() -> None:
    # validation: a sure second opinion on 20 of 60 not-hate posts costs at gates up to 0.9
    val = _scored([0.1] * 60 + [0.9] * 40, [0.92] * 20 + [0.0] * 80, [0] * 60 + [1] * 40)
    # dev: two attacks the main model misses, the second opinion is sure of (0.95)
    dev = _scored([0.1] * 6 + [0.9] * 2, [0.0] * 4 + [0.95, 0.95, 0.0, 0.0], [0] * 4 + [1] * 4)
    gates = choose_gates(val, dev, {"en": 0.5})
    assert gates["en"] is None  # every gate in GATES raises the 20 validation posts
    easy_val = _scored([0.1] * 6 + [0.9] * 4, [0.0] * 10, [0] * 6 + [1] * 4)
    assert choose_gates(easy_val, dev, {"en": 0.5}) == {"en": max(GATES)}
    # dev prefers "none" when the second opinion only adds false alarms there
    noisy_dev = _scored([0.1] * 4 + [0.9] * 4, [0.99] * 4 + [0.0] * 4, [0] * 4 + [1] * 4)
    assert choose_gates(easy_val, noisy_dev, {"en": 0.5}) == {"en": None}
    # gates never sit below the language's threshold
    assert choose_gates(easy_val, dev, {"en": 0.85}) == {"en": 0.9}
    assert TOLERANCE == 0.005


def test_validation_vetoes_a_cost_only_where_resampling_cannot_explain_it() -> None:
    # one not-hate post of ten raised: it costs 0.1 macro-F1, yet a resample without it is
    # common (about a third), so the cost is not sure and the gate stays for dev to judge
    small = _scored([0.1] * 6 + [0.9] * 4, [0.92] + [0.0] * 9, [0] * 6 + [1] * 4)
    assert small.f1("en", 0.5, 0.9) < small.f1("en", 0.5, None) - TOLERANCE
    assert not small.costly("en", 0.5, 0.9)
    # the same share of a hundred times the posts is sure
    large = _scored([0.1] * 600 + [0.9] * 400, [0.92] * 100 + [0.0] * 900, [0] * 600 + [1] * 400)
    assert large.costly("en", 0.5, 0.9)
    # a cost within TOLERANCE never vetoes, however sure
    assert not large.costly("en", 0.5, 0.95) and SURE == 0.95


def test_a_guard_vetoes_gates_that_make_too_many_of_its_posts_positive() -> None:
    easy_val = _scored([0.1] * 6 + [0.9] * 4, [0.0] * 10, [0] * 6 + [1] * 4)
    dev = _scored([0.1] * 6 + [0.9] * 2, [0.0] * 4 + [0.95, 0.95, 0.0, 0.0], [0] * 4 + [1] * 4)
    # 100 guard posts, all negative: the second opinion is sure (0.95) of 5, fairly sure of 2
    guard = _scored([0.1] * 100, [0.95] * 5 + [0.75] * 2 + [0.0] * 93, [0] * 100)
    assert guard.rate("en", 0.5, None) == 0 and guard.rate("en", 0.5, 0.7) == 0.07
    assert choose_gates(easy_val, dev, {"en": 0.5}) == {"en": max(GATES)}  # no guard: 0.9
    # two points allowed: every gate raises five guard posts or more, so none is kept
    assert choose_gates(easy_val, dev, {"en": 0.5}, guard=guard, guard_points=0.02) == {"en": None}
    assert choose_gates(easy_val, dev, {"en": 0.5}, guard=guard, guard_points=0.05) == {"en": 0.9}


def test_the_most_cautious_option_within_tolerance_of_the_best_wins() -> None:
    assert most_cautious({None: 0.80, 0.5: 0.85, 0.9: 0.847}) == 0.9
    assert most_cautious({None: 0.846, 0.5: 0.85, 0.9: 0.80}) is None  # none is near the best
    # (floor, gate) pairs, as the lift of hate chooses them: the higher floor first
    assert most_cautious({None: 0.80, (0.2, 0.6): 0.865, (0.4, 0.5): 0.83}) == (0.2, 0.6)
    assert most_cautious({None: 0.80, (0.2, 0.9): 0.865, (0.4, 0.5): 0.862}) == (0.4, 0.5)


def _posts(texts: list[str]) -> list[TriageRecord]:
    """Records as the signal stages get them: normalised, their language identified."""
    batch = [
        TriageRecord("c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC)))
        for i, text in enumerate(texts)
    ]
    for stage in (Normalise(), IdentifyLanguage()):
        stage(batch, StageContext())
    return batch


def test_a_raised_score_names_both_models_and_shows_the_second_opinions_words(
    tier: FastTier,
) -> None:
    batch = _posts(PLAIN_ATTACKS)
    HateStage(tier)(batch, StageContext())
    assert [r.signals.language.code for r in batch] == ["en", "fr"]  # type: ignore[union-attr]
    fused, setters = tier.decided("hate", PLAIN_ATTACKS, ["en", "fr"])
    _, second_set = tier.rescued("hate", PLAIN_ATTACKS, ["en", "fr"])
    assert any(second_set), "no plain attack was raised: the test needs one"
    for record, setter, value in zip(batch, setters, fused[:, 0], strict=True):
        score = record.signals.scores["hate"]
        assert score.value == pytest.approx(float(value), abs=1e-4)
        assert is_rescued(score.model) == (setter is not None)
        if setter is not None:  # the second opinion, or offensive where a group is named
            assert score.model == f"hate-en-fr.v1+{setter.name}"
            assert score.spans


def test_the_accurate_stage_leaves_raised_posts_alone(tier: FastTier) -> None:
    batch = _posts(PLAIN_ATTACKS)
    HateStage(tier)(batch, StageContext())
    before = [record.signals.scores["hate"] for record in batch]

    class Everywhere:  # a head for every post and language, always unsure
        def has(self, task: str) -> bool:
            return True

        def head_for(self, task: str, lang: str) -> object:
            return self

        def unsure(self, fast: np.ndarray, band: object = None) -> np.ndarray:
            return np.ones(len(fast), dtype=bool)

        name = "hate-test.v0"

        def predict(self, head: object, texts: list[str], fast: np.ndarray) -> np.ndarray:
            return np.zeros((len(texts), 1), np.float32)

    AccurateStage("hate", accurate=Everywhere(), tier=tier)(batch, StageContext())  # type: ignore[arg-type]
    for record, old in zip(batch, before, strict=True):
        new = record.signals.scores["hate"]
        assert (new == old) == is_rescued(old.model)


def test_every_fill_of_a_template_shares_one_cross_validation_group() -> None:
    from gardien.classifiers.identity_seeds import identity_rows, identity_split
    from gardien.classifiers.rescue import template_groups

    split = identity_split("hate")
    groups = template_groups(split)
    rows = identity_rows()
    assert len(groups) == len(split)
    by_template: dict[str, set[str]] = {}
    for row, group in zip(rows, groups, strict=False):
        by_template.setdefault(row["template"], set()).add(group)
    assert all(len(g) == 1 for g in by_template.values())
    assert len(set(groups[: len(rows)])) == len(by_template)  # one group per template
    rest = groups[len(rows) :]
    assert len(set(rest)) == len(rest)  # every hand-written post is its own group
