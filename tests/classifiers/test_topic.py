"""Off-topic: the stored calibration is what the scorer applies, and the dev set gives it back."""

from __future__ import annotations

import json

import pytest

from gardien.classifiers.registry import fast_tier
from gardien.classifiers.topic import SHAPES, Calibration, TopicProfile, TopicScorer
from gardien.classifiers.topic_calibration import DEV_COMMUNITIES, fit, measure


def dev_profile(slug: str) -> TopicProfile:
    spec = json.loads(DEV_COMMUNITIES.read_text(encoding="utf-8"))[slug]
    return TopicProfile(
        spec["description"], tuple(spec["examples"]), tuple(spec["off_limit_themes"])
    )


def scores(profile: TopicProfile, texts: list[str]) -> list[float]:
    encoder = fast_tier().encoder
    encoded = encoder.encode(texts)
    return TopicScorer(profile, encoder).scores(encoded.dense, encoded.features).tolist()


#: A few posts of the dev set, with their label, per community.
LABELLED = {
    "running_club": [
        ("my Glide 3 outsole is already worn through after 300km, is that normal?? 😒", 0),
        ("Israel has every right to defend itself, the army should finish the job", 1),
    ],
    "supermarket": [
        ("Encore des fraises moisies dans la barquette achetée ce matin, c'est la 2e fois 🤢", 0),
        ("Avec toute cette immigration, bientôt on ne sera plus chez nous", 1),
    ],
    "saas_forum": [
        ("Recurring tasks are duplicating every time I edit the template, anyone else?", 0),
        ("Republicans vs Democrats, who's actually worse for tech? discuss", 1),
    ],
}


@pytest.mark.parametrize("slug", sorted(LABELLED))
def test_calibrated_scores_fall_on_the_side_of_one_half_their_label_says(slug: str) -> None:
    texts, labels = zip(*LABELLED[slug], strict=True)
    assert [int(p >= 0.5) for p in scores(dev_profile(slug), list(texts))] == list(labels)


def test_the_scorer_applies_the_stored_calibration_of_its_profile_shape() -> None:
    stored = Calibration.load()
    assert set(stored.platt) == set(SHAPES)
    assert TopicScorer(dev_profile("saas_forum"), fast_tier().encoder).calibration == stored
    assert dev_profile("saas_forum").shape == "examples+themes"
    assert TopicProfile("Running shoes", (), ("politics",)).shape == "description+themes"
    assert TopicProfile("Running shoes").shape == "description"


def test_refitting_on_the_dev_set_reproduces_the_stored_calibration() -> None:
    stored, refit = Calibration.load(), fit(measure(fast_tier().encoder))
    message = "encoder or dev set changed: python -m gardien.classifiers.topic_calibration --write"
    assert (refit.unrelated_below, refit.off_limit_margin, refit.keyword_coverage) == (
        stored.unrelated_below,
        stored.off_limit_margin,
        stored.keyword_coverage,
    ), message
    for shape in SHAPES:
        assert refit.platt[shape] == pytest.approx(stored.platt[shape], abs=1e-4), message


def test_everyday_words_of_the_glossary_do_not_name_a_theme() -> None:
    # bug: keyword coverage read "left" (left wing), "rappel" (booster) and "dieu" as naming
    # politics, vaccines and religion in a parcel update, a product recall and a compliment
    shop = TopicProfile(
        "Online shop: orders, deliveries, returns and refunds.",
        ("Where is my order?", "Je voudrais retourner ma commande"),
        ("politics",),
    )
    parcel, politics = scores(
        shop,
        [
            "My parcel left the warehouse yesterday and still nothing",
            "Les partis politiques et le gouvernement nous mentent",
        ],
    )
    assert parcel < 0.5 < politics
    (recall,) = scores(dev_profile("supermarket"), ["Rappel produit : quels lots sont concernés ?"])
    (wow,) = scores(dev_profile("cosmetics_ig"), ["Oh mon dieu ce rouge à lèvres 😍"])
    assert recall < 0.5 and wow < 0.5
