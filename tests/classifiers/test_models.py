"""The shipped fast-tier models: shapes, ranges, calibration metadata and explanations."""

from __future__ import annotations

import numpy as np
import pytest

from gardien.classifiers.linear import one_of_softmax
from gardien.classifiers.registry import SPECS, FastTier, fast_tier

POSTS = [
    "You are a stupid idiot, shut up",
    "Thanks a lot, the delivery was fast and the product is great!",
    "Comment réinitialiser mon mot de passe ?",
    "WIN a FREE iPhone!!! call 0800 123 4567 now or visit www.win-now.com",
    "Ta gueule espèce de connard",
    "",
]


@pytest.fixture(scope="module")
def tier() -> FastTier:
    return fast_tier()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_predict_gives_probabilities_per_label(tier: FastTier, spec) -> None:  # type: ignore[no-untyped-def]
    probs = tier.predict(spec.task, POSTS)
    assert probs.shape == (len(POSTS), len(spec.labels))
    assert np.all((probs >= 0) & (probs <= 1))
    if not spec.binary:
        assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-4)


def test_scores_order_the_obvious_cases(tier: FastTier) -> None:
    offensive = tier.predict("offensive", POSTS)[:, 0]
    assert offensive[0] > offensive[1] and offensive[4] > offensive[2]
    spam = tier.predict("spam", POSTS)[:, 0]
    assert spam[3] > 0.5 > spam[1]
    intent = tier.model("intent").labels
    assert intent[int(tier.predict("intent", POSTS)[2].argmax())] == "question"


def test_every_model_records_its_sources_and_calibration(tier: FastTier) -> None:
    for spec in SPECS:
        meta = tier.model(spec.task).meta
        assert meta["sources"], spec.name
        assert "ece_calibrated" in meta["validation"]


def test_explanations_are_spans_of_the_original_text(tier: FastTier) -> None:
    text = "Honestly you are a total 1d10t"
    model = tier.model("offensive")
    spans = model.explain(tier.encoder, text)
    assert spans
    assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert "1d10t" in [text[s.start : s.end] for s in spans]


def test_each_model_reads_words_as_its_training_chose(tier: FastTier) -> None:
    """Spam chose the written reading on validation: the tier featurises a batch as written
    for it (a typo stays a typo) and as repaired for the others, and explains it the same way."""
    spam = tier.model("spam")
    assert spam.reading == "written" and spam.meta["readings"]["written"] > 0
    assert tier.model("offensive").reading == "repaired"
    posts = ["Txt STOPP to 87121 to clam ur prize", "you are a stupidd idiott"]
    written = tier.encoder.reading("written")
    assert np.allclose(tier.read(spam, posts), spam.probabilities(written.encode(posts)))
    repaired = spam.probabilities(tier.encoder.encode(posts))
    assert not np.allclose(tier.predict("spam", posts), repaired)  # the reading matters here
    spans = spam.explain(tier.encoder, posts[0])
    assert spans and all(0 <= s.start < s.end <= len(posts[0]) for s in spans)


def test_a_short_reply_with_a_mention_is_not_spam(tier: FastTier) -> None:
    """Regression guard (session 14): the mention's word vector made these spam (0.99, 0.93,
    0.91), past the default policies' hold (0.8)."""
    replies = ["@hturner saem", "@niamhgravel16 Up for it !", "@Samspokes10 Top, thanks 😊👍"]
    scores = tier.predict("spam", replies, ["en"] * len(replies))[:, 0]
    assert (scores < 0.8).all(), scores
    assert scores[0] < tier.model("spam", "en").threshold_for("en")
    bait = tier.predict("spam", ["@sam WIN a FREE iPhone! txt WIN to 80086 now"], ["en"])
    assert bait[0, 0] > 0.9  # a mention does not hide spam


def test_thanking_customer_service_is_not_spam(tier: FastTier) -> None:
    """SMS spam's words in a customer's thanks: 0.96 before the English praise and complaint
    seeds joined spam's training (session 14), held by the default policies (≥ 0.8); 0.65 now,
    still above the model's own threshold: not yet right, no longer held."""
    thanks = "@RedVelo Wow. Big thanks to @Mehdi_VR in customer service for the quick reply. 🔥"
    assert tier.predict("spam", [thanks], ["en"])[0, 0] < 0.8


def test_explanation_shares_add_up_to_the_featurised_values(tier: FastTier) -> None:
    """Regression guard: explanations rebuild tf-idf values from occurrences; they must agree."""
    text = "Ugh, the 2nd delivery was LATE again 😡 call me at 0800 123 4567, stupidd shop"
    for reading in ("repaired", "written"):
        encoder = tier.encoder.reading(reading)
        detail = encoder.detail(text)
        features = encoder.encode([text]).features
        summed = np.bincount(detail.cols, weights=detail.shares, minlength=features.n_features)
        assert np.allclose(summed[features.cols], features.values, atol=1e-5)


def test_one_of_softmax_is_the_log_odds_of_that_class() -> None:
    margins = np.array([[2.0, 0.5, -1.0], [0.0, 0.0, 0.0], [-30.0, 40.0, 39.0]], np.float32)
    z = np.exp(margins - margins.max(axis=1, keepdims=True))
    p = z[:, 1] / z.sum(axis=1)
    log_odds = one_of_softmax(margins, 1)[:, 0]
    assert log_odds.shape == (3,)
    assert np.allclose(1 / (1 + np.exp(-log_odds)), p, atol=1e-5)


def test_complaints_are_told_apart_from_the_other_intents() -> None:
    """The shipped complaint model is a softmax over every intent read as complaint vs the
    rest: a question to support or thanks after a fix must not look like a complaint."""
    tier = FastTier(use_local=False)
    model = tier.model("complaint")
    assert model.meta["softmax_over"][model.meta["positive"]] == "complaint"
    posts = [
        "@ShopCo my order never arrived and nobody answers the chat",
        "@ShopCo do you deliver to Belgium?",
        "@ShopCo thanks, all sorted now!",
        "@ShopCo ma commande n'est jamais arrivée et personne ne répond",
    ]
    scores = tier.predict("complaint", posts, ["en", "en", "en", "fr"])[:, 0]
    assert scores[0] > 0.5 > max(scores[1], scores[2]) and scores[3] > 0.5
    spans = model.explain(tier.encoder, posts[0])
    assert spans and {s.label for s in spans} == {"complaint"}


def test_members_talking_among_themselves_are_not_customers_intents() -> None:
    """A member's own result, congratulations to another member or a tip naming a fault are
    "other" (care would get them as praise, complaint or question), while a complaint or a
    question to the brand keeps its intent (session 15's chatter seeds; the English tip
    "if the screen flickers…, lower the brightness" still reads as a complaint)."""
    from gardien.classifiers.registry import INTENTS

    tier = FastTier(use_local=False)
    chatter = [
        ("Did my first 10 km without stopping today, so proud 🏃", "en"),
        ("Congrats on the podium @jules, well deserved!", "en"),
        ("Mon premier pain maison a levé !! trop fière 🥖", "fr"),
        ("@lucie si la batterie se vide vite, désactive le GPS, chez moi ça a tout changé", "fr"),
    ]
    customers = [
        ("@ShopCo my order never arrived and nobody answers the chat", "en", "complaint"),
        ("@ShopCo ma commande n'est jamais arrivée et personne ne répond", "fr", "complaint"),
        ("@ShopCo do you deliver to Belgium?", "en", "question"),
    ]
    posts = [*chatter, *((text, lang) for text, lang, _ in customers)]
    probs = tier.predict("intent", [p[0] for p in posts], [p[1] for p in posts])
    read = [INTENTS[int(i)] for i in probs.argmax(axis=1)]
    assert read == ["other"] * len(chatter) + [intent for _, _, intent in customers]


def test_customers_posts_read_by_their_feeling_in_both_languages() -> None:
    """Questions to a brand are neutral, complaints negative, thanks positive, in French too
    (session 16's seeds by polarity: the model before them read both French questions as
    positive and the damaged parcel as neutral)."""
    tier = FastTier(use_local=False)
    posts = [
        ("Bonjour, vous livrez aussi en Suisse ?", "fr", "neutral"),
        ("Est-ce que la veste existe en taille M ?", "fr", "neutral"),
        ("Troisième livraison en retard ce mois-ci, j'en ai marre", "fr", "negative"),
        ("Le colis est arrivé abîmé et le SAV ne répond pas", "fr", "negative"),
        ("Problème réglé en cinq minutes par le service client, merci !", "fr", "positive"),
        ("What time does the Lyon store open on Sundays?", "en", "neutral"),
        ("The app logs me out every time I open it, so annoying", "en", "negative"),
        ("Support sorted my refund in a day, great job", "en", "positive"),
    ]
    probs = tier.predict("sentiment", [p[0] for p in posts], [p[1] for p in posts])
    labels = tier.model("sentiment").labels
    assert [labels[int(i)] for i in probs.argmax(axis=1)] == [p[2] for p in posts]


def test_french_posts_get_the_french_spam_model(tier: FastTier) -> None:
    """spam-fr.v1 scores French posts; every other language keeps the main model, also inside
    one mixed batch (each row as its own language's model scores it)."""
    assert tier.model("spam", "fr").name == "spam-fr.v1"
    assert tier.model("spam", "en").name == tier.model("spam", "de").name == "spam-en.v1"
    assert tier.model("spam", "fr").meta["language"] == "fr"
    posts = ["Gagne un iPhone gratuit, clique vite sur le lien en bio !!", "Merci, vélo reçu."]
    french = tier.predict("spam", posts, ["fr", "fr"])[:, 0]
    assert french[0] > 0.9 > 0.1 > french[1]
    english_model = tier.predict("spam", posts, ["en", "en"])[:, 0]
    mixed = tier.predict("spam", [*posts, *posts], ["fr", "fr", "en", "de"])[:, 0]
    assert np.allclose(mixed[:2], french) and np.allclose(mixed[2:], english_model)
    assert tier.predict("spam", [], []).shape == (0, 1)


#: The same harsh words about a thing, then at a person (not a protected group).
HARSH = [
    ("The new update is terrible, the app freezes every morning.",
     "You are terrible at your job, you clown.", "en"),
    ("This hotel room was disgusting, stains everywhere.",
     "You are disgusting, stay away from me.", "en"),
    ("Le nouveau menu est lamentable, tout était froid.",
     "T'es lamentable, espèce de guignol.", "fr"),
    ("Cette livraison, une vraie arnaque, trois semaines de retard.",
     "Quel escroc ce vendeur, un vrai guignol.", "fr"),
]  # fmt: skip


def test_harsh_words_about_a_thing_offend_less_than_at_a_person(tier: FastTier) -> None:
    """Customers criticise products bluntly; that is a complaint, not an insult (what the
    criticism seeds teach). English still misreads some ("disgusting" about a room): a known
    limit, so most pairs, not all, must be ordered."""
    things = [tier.decided("offensive", [a], [lang])[0][0, 0] for a, _, lang in HARSH]
    people = [tier.decided("offensive", [b], [lang])[0][0, 0] for _, b, lang in HARSH]
    ordered = sum(t < p for t, p in zip(things, people, strict=True))
    assert ordered >= 3
    assert np.mean(people) - np.mean(things) > 0.3
    for (_, person, lang), score in zip(HARSH, people, strict=True):
        assert score >= tier.model("offensive").threshold_for(lang), person
