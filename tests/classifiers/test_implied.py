"""Hate implies offensive (classifiers/implied.py): offensive's score is never under hate's,
carried onto offensive's scale; it only lifts, names the hate model and shows its words. And
offensive implies hate where a protected group is named, showing the group's words too."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from gardien.classifiers import groups
from gardien.classifiers.implied import (
    FLOORS,
    OWN_TERMS,
    SECOND_OPINION_FLOOR,
    carried,
    group_guard,
    onto_scale,
    row_floors,
    row_gates,
)
from gardien.classifiers.registry import FastTier, fast_tier
from gardien.classifiers.rescue import is_rescued
from gardien.domain import Post
from gardien.pipeline.language import IdentifyLanguage
from gardien.pipeline.normalise import Normalise
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import HateStage, OffensiveStage

#: Attacks on groups whose words are not insults: hate is surer of them than offensive.
ATTACKS = [
    "Les Noirs, on devrait les remettre dans les champs de coton.",
    "Une femme au volant, c'est un accident annoncé, qu'elle retourne à ses casseroles.",
    "Il faut expulser tous les musulmans de ce pays.",
    "Immigrants should all be sent back where they came from.",
    "Women are too stupid to vote.",
]
LANGS = ["fr", "fr", "fr", "en", "en"]


@pytest.fixture(scope="module")
def tier() -> FastTier:
    return fast_tier()


def test_onto_scale_lands_each_threshold_on_the_other_and_keeps_the_ends() -> None:
    source = np.array([0.5, 0.5, 0.5, 0.5, 0.4], np.float32)
    target = np.array([0.7, 0.7, 0.7, 0.7, 0.5], np.float32)
    scores = np.array([0.0, 0.5, 1.0, 0.25, 0.7], np.float32)
    assert onto_scale(scores, source, target).tolist() == pytest.approx([0, 0.7, 1, 0.35, 0.75])
    grid = np.linspace(0, 1, 101, dtype=np.float32)
    carried = onto_scale(grid, np.full(101, 0.3, np.float32), np.full(101, 0.8, np.float32))
    assert np.all(np.diff(carried) >= 0)


def test_row_gates_read_the_models_gates_and_none_means_no_lift(tier: FastTier) -> None:
    model = tier.model("offensive")
    saved = model.meta.get("implied_gates")
    model.meta["implied_gates"] = {"en": None, "fr": 0.7}
    try:
        assert row_gates(model, ["en", "fr", "de"]).tolist() == pytest.approx([np.inf, 0.7, np.inf])
    finally:
        model.meta["implied_gates"] = saved


def _gated_from_threshold(tier: FastTier, task: str):  # type: ignore[no-untyped-def]
    """`task` lifted by the task implying it from its own threshold on, in both languages."""
    model = tier.model(task)
    saved = model.meta.get("implied_gates")
    model.meta["implied_gates"] = {lang: model.threshold_for(lang) for lang in ("en", "fr")}
    yield tier
    model.meta["implied_gates"] = saved


@pytest.fixture
def gated(tier: FastTier):  # type: ignore[no-untyped-def]
    """Offensive lifted by hate from its threshold on, in both languages, for these tests."""
    yield from _gated_from_threshold(tier, "offensive")


def test_past_its_gate_hate_lifts_offensive_and_names_itself(gated: FastTier) -> None:
    tier = gated
    hate, _ = tier.rescued("hate", ATTACKS, LANGS)
    offensive, setters = tier.decided("offensive", ATTACKS, LANGS)
    alone, _ = tier.rescued("offensive", ATTACKS, LANGS)
    assert np.all(offensive >= alone)
    lifted = carried(tier, "offensive", hate[:, 0], LANGS, ATTACKS)
    hate_side = {tier.model("hate").name, tier.second_opinion("hate").name}  # type: ignore[union-attr]
    assert any(s is not None and s.name in hate_side for s in setters), "hate lifted no post"
    for lang, h, o, c in zip(LANGS, hate[:, 0], offensive[:, 0], lifted, strict=True):
        assert o >= c - 1e-6  # the gate is the threshold: every carried score counts
        if h >= tier.model("hate").threshold_for(lang):
            assert o >= tier.model("offensive").threshold_for(lang) - 1e-6


def test_without_gates_offensive_is_its_own_after_the_second_opinion(tier: FastTier) -> None:
    model = tier.model("offensive")
    saved = model.meta.get("implied_gates")
    model.meta["implied_gates"] = {"en": None, "fr": None}
    try:
        offensive, setters = tier.decided("offensive", ATTACKS, LANGS)
        alone, own_setters = tier.rescued("offensive", ATTACKS, LANGS)
        assert np.array_equal(offensive, alone) and setters == own_setters
    finally:
        model.meta["implied_gates"] = saved


def test_the_offensive_stage_names_hate_and_shows_its_words_where_hate_set_the_score(
    gated: FastTier,
) -> None:
    tier = gated
    batch = [
        TriageRecord("c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC)))
        for i, text in enumerate(ATTACKS)
    ]
    for stage in (Normalise(), IdentifyLanguage()):
        stage(batch, StageContext())
    OffensiveStage(tier)(batch, StageContext())
    languages = [r.signals.language.code for r in batch]  # type: ignore[union-attr]
    fused, setters = tier.decided("offensive", ATTACKS, languages)
    for record, setter, value in zip(batch, setters, fused[:, 0], strict=True):
        score = record.signals.scores["offensive"]
        assert score.value == pytest.approx(float(value), abs=1e-4)
        assert is_rescued(score.model) == (setter is not None)
        if setter is not None:
            assert score.model == f"offensive-en-fr.v1+{setter.name}"
            assert score.spans


def test_a_score_set_by_hate_reads_as_lifted_and_hates_own_does_not() -> None:
    assert is_rescued("offensive-en-fr.v1+hate-en-fr.v1")
    assert is_rescued("offensive-en-fr.v1+hate-seeds.v1")
    assert not is_rescued("hate-en-fr.v1")
    assert not is_rescued("offensive-en-fr.v1")
    assert not is_rescued("hate-en-fr.v1+hate-minilm.v1")


#: Hostile posts: the first two aim at a group by name, the last two at no group.
HOSTILE = [
    "les homos, on devrait les pendre sur la place publique, ces sales merdes",
    "Ces putains de migrants, qu'ils crèvent tous",
    "Ce putain d'arbitre de merde, qu'il crève",
    "Quelle bande de connards, ces députés de merde",
]
HOSTILE_LANGS = ["fr"] * 4


@pytest.fixture
def hate_gated(tier: FastTier):  # type: ignore[no-untyped-def]
    """Hate lifted by offensive from hate's threshold on, in both languages, for these tests."""
    yield from _gated_from_threshold(tier, "hate")


def test_offensive_lifts_hate_only_where_a_protected_group_is_named(hate_gated: FastTier) -> None:
    tier = hate_gated
    offensive, _ = tier.rescued("offensive", HOSTILE, HOSTILE_LANGS)
    threshold = tier.model("offensive").threshold_for("fr")
    assert (offensive[:, 0] >= threshold).all(), "every post here is offensive"
    carried_scores = carried(tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE)
    assert carried_scores[2:].tolist() == [0, 0]  # no group named: nothing to carry
    assert (carried_scores[:2] >= tier.model("hate").threshold_for("fr")).all()
    hate, setters = tier.decided("hate", HOSTILE, HOSTILE_LANGS)
    alone, own_setters = tier.rescued("hate", HOSTILE, HOSTILE_LANGS)
    assert np.all(hate >= alone)
    assert (hate[:2, 0] >= tier.model("hate").threshold_for("fr")).all()
    assert np.array_equal(hate[2:], alone[2:]) and setters[2:] == own_setters[2:]


def test_the_hate_stage_shows_the_group_beside_the_offensive_words(hate_gated: FastTier) -> None:
    tier = hate_gated
    batch = [
        TriageRecord("c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC)))
        for i, text in enumerate(HOSTILE)
    ]
    for stage in (Normalise(), IdentifyLanguage()):
        stage(batch, StageContext())
    HateStage(tier)(batch, StageContext())
    _, setters = tier.decided("hate", HOSTILE, HOSTILE_LANGS)
    offensive_side = {tier.model("offensive").name, tier.second_opinion("offensive").name}  # type: ignore[union-attr]
    lifted = [i for i, s in enumerate(setters) if s is not None and s.name in offensive_side]
    assert lifted, "offensive lifted no post"
    for i in lifted:
        score = batch[i].signals.scores["hate"]
        assert score.model.startswith("hate-en-fr.v1+offensive-")
        named = [HOSTILE[i][s.start : s.end] for s in score.spans if s.label == groups.LABEL]
        assert named and named[0].lower() in {"homos", "migrants"}
        assert any(s.label != groups.LABEL for s in score.spans), "and the offensive words"


def test_english_hostility_at_hatevals_own_groups_is_left_to_the_hate_model(
    hate_gated: FastTier,
) -> None:
    """HatEval judged hate at women and immigrants on its own terms (OWN_TERMS): offensive
    carries nothing there, and does where another group is named."""
    texts = ["Women are fucking disgusting pigs", "Gays are fucking disgusting pigs"]
    offensive, _ = hate_gated.rescued("offensive", texts, ["en", "en"])
    carried_scores = carried(hate_gated, "hate", offensive[:, 0], ["en", "en"], texts)
    assert carried_scores[0] == 0 and carried_scores[1] > 0
    assert "women" in OWN_TERMS["en"] and "fr" not in OWN_TERMS


def test_offensive_never_lifts_hate_on_a_post_sentiment_reads_as_kind(
    hate_gated: FastTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    tier = hate_gated
    lifted, _ = tier.decided("hate", HOSTILE, HOSTILE_LANGS)
    alone, _ = tier.rescued("hate", HOSTILE, HOSTILE_LANGS)
    assert (lifted[:2] > alone[:2]).any(), "the lift must raise a post for this test"
    everyone_kind = lambda texts, languages: np.ones(len(texts), dtype=np.bool_)  # noqa: E731
    monkeypatch.setattr(tier, "kind_posts", everyone_kind)
    spared, setters = tier.decided("hate", HOSTILE, HOSTILE_LANGS)
    assert np.array_equal(spared, tier.rescued("hate", HOSTILE, HOSTILE_LANGS)[0])
    assert all(s is None or s.name.startswith("hate") for s in setters)


def test_a_carried_score_under_its_floor_is_not_read_and_counts_zero(tier: FastTier) -> None:
    offensive, _ = tier.rescued("offensive", HOSTILE, HOSTILE_LANGS)
    full = carried(tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE)
    floor = np.array([0.0, 2.0, 0.0, 0.0], dtype=np.float32)  # the second row cannot pass
    floored = carried(tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE, floor=floor)
    assert full[1] > 0 and floored[1] == 0
    assert floored[[0, 2, 3]].tolist() == full[[0, 2, 3]].tolist()


def test_offensive_lifts_hate_only_where_the_second_opinion_is_not_sure_it_is_harmless(
    tier: FastTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Offensive reads hostility anywhere in a post (swearing at a wedding, anger at those who
    attack a group): the hate second opinion must read it at least its language's floor."""
    offensive, _ = tier.rescued("offensive", HOSTILE, HOSTILE_LANGS)
    opinion = tier.read(tier.second_opinion("hate"), HOSTILE[:2])[:, 0]  # type: ignore[arg-type]
    floors = row_floors(tier.model("hate"), HOSTILE_LANGS[:2])
    assert (opinion >= floors).all(), "the attacks pass the floor"
    assert (carried(tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE)[:2] > 0).all()
    assert not carried(
        tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE, opinion_floor=1.01
    ).any()
    monkeypatch.setitem(tier.model("hate").meta, "implied_floors", {"en": 1.01, "fr": 1.01})
    assert not carried(tier, "hate", offensive[:, 0], HOSTILE_LANGS, HOSTILE).any()


def test_each_language_reads_its_own_floor_and_one_without_reads_the_default(
    tier: FastTier, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tier.model("hate")
    monkeypatch.setitem(model.meta, "implied_floors", {"en": 0.2, "fr": None})
    assert row_floors(model, ["en", "fr", "de"]).tolist() == pytest.approx(
        [0.2, SECOND_OPINION_FLOOR, SECOND_OPINION_FLOOR]
    )
    shipped = fast_tier().model("hate").meta.get("implied_floors", {})
    assert set(shipped.values()) <= {None, *FLOORS}


def test_the_group_guard_holds_not_hateful_posts_that_name_a_group_with_strong_words() -> None:
    guard = group_guard()
    assert len(guard) >= 200 and set(guard.labels) == {0}
    assert {lang: guard.langs.count(lang) for lang in ("en", "fr")} == {"en": 100, "fr": 100}
    assert groups.named(guard.texts, guard.langs).mean() > 0.9  # they do name a group
