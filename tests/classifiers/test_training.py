"""Training on a tiny sample: the same code path as `gardien train`, in well under a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers import strong_words
from gardien.classifiers.calibration import nearest_to_pooled, plateau_centre
from gardien.classifiers.datasets import Split
from gardien.classifiers.features import Featurizer
from gardien.classifiers.linear import Encoder, load_model, save_model
from gardien.classifiers.registry import ENCODER_DIR, ModelSpec, fast_tier
from gardien.classifiers.training import fit_linear
from gardien.classifiers.training_data import Data

RUDE = [
    f"{a} {b}"
    for a in ("you", "shut up", "what a", "such a")
    for b in ("idiot", "moron", "stupid idiot")
]
KIND = [
    f"{a} {b}"
    for a in ("thank you", "lovely", "great", "nice")
    for b in ("friend", "photo", "work")
]


def tiny() -> tuple[Encoder, Data]:
    texts = RUDE + KIND
    featurizer = Featurizer.build(texts, max_words=100, max_chars=500, min_df=1)
    words = np.arange(featurizer.n_word)
    vectors = np.random.default_rng(0).normal(size=(len(words), 8)).astype(np.float32)
    split = Split(texts, [1] * len(RUDE) + [0] * len(KIND), ["en"] * len(texts))
    return Encoder(featurizer, words, vectors), Data(split, Split(), [{"dataset": "tiny"}])


def test_fit_save_load_predict(tmp_path: Path) -> None:
    encoder, data = tiny()
    spec = ModelSpec("rude.v0", "rude", ("rude",))
    model = fit_linear(spec, encoder, data, log=lambda _: None)
    save_model(tmp_path / "rude.npz", model)
    loaded = load_model(tmp_path / "rude.npz")
    probs = loaded.probabilities(encoder.encode(["you stupid moron", "thank you friend"]))
    assert probs.shape == (2, 1)
    assert probs[0, 0] > probs[1, 0]
    assert loaded.meta["validation"]["kind"] == "5-fold CV on training"
    assert 0.2 <= loaded.threshold <= 0.8


def test_extra_rows_are_learnt_in_every_fold_but_never_scored() -> None:
    """Seeds beside a set judged by cross-validation: the score covers that set's rows only,
    and what the seeds teach reaches the model (here, words the set never labels)."""
    encoder, data = tiny()
    spec = ModelSpec("rude.v0", "rude", ("rude",))
    plain = fit_linear(spec, encoder, data, log=lambda _: None)
    data.extra.add(["stupid work", "stupid photo", "stupid friend"], [1, 1, 1], "en")
    seeded = fit_linear(spec, encoder, data, log=lambda _: None)
    assert seeded.meta["validation"]["size"] == len(data.train)
    post = encoder.encode(["stupid work"])
    assert seeded.probabilities(post)[0, 0] > plain.probabilities(post)[0, 0]
    data.extra_weight = 3.0  # each seed counts three times a row of the set
    heavier = fit_linear(spec, encoder, data, log=lambda _: None)
    assert heavier.probabilities(post)[0, 0] > seeded.probabilities(post)[0, 0]


def test_a_class_read_from_a_softmax_over_several(tmp_path: Path) -> None:
    """A binary model trained among three classes scores its class against the other two."""
    encoder, data = tiny()
    texts = RUDE + KIND + ["how do i", "how can i", "where is", "when does", "what time", "who is"]
    labels = [1] * len(RUDE) + [0] * len(KIND) + [2] * 6
    data = Data(Split(texts, labels, ["en"] * len(texts)), Split(), [{"dataset": "tiny"}])
    spec = ModelSpec("rude.v0", "rude", ("rude",), softmax_over=("kind", "rude", "question"))
    save_model(tmp_path / "rude.npz", fit_linear(spec, encoder, data, log=lambda _: None))
    model = load_model(tmp_path / "rude.npz")
    assert model.sparse.shape[1] == 3 and model.positive == 1
    probs = model.probabilities(encoder.encode(["you idiot", "thank you friend", "how do i"]))
    assert probs.shape == (3, 1)
    assert probs[0, 0] > max(probs[1, 0], probs[2, 0])


def test_featurizer_round_trips(tmp_path: Path) -> None:
    encoder, _ = tiny()
    encoder.featurizer.save(tmp_path / "f.npz")
    again = Featurizer.load(tmp_path / "f.npz")
    a = encoder.featurizer.transform(["you idiot"])
    b = again.transform(["you idiot"])
    assert np.array_equal(a.cols, b.cols)
    assert np.allclose(a.values, b.values, atol=1e-2)


def test_a_stretched_word_reads_as_the_word_the_vocabulary_knows() -> None:
    featurizer = Featurizer(
        ["stupid", "asshole", "good", "you", "you stupid"], [" st", "id "], np.ones(7, np.float32)
    )
    assert featurizer.repair("stupidd") == "stupid"  # what "stupiddddd" becomes once canonical
    assert featurizer.repair("assholee") == "asshole"  # its own "ss" is kept
    assert featurizer.repair("good") == "good" and featurizer.repair("xyzz") == "xyzz"
    assert featurizer.ids("you stupidd") == featurizer.ids("you stupid")
    ids, _, ends = featurizer.occurrences("you stupiddddd")
    assert featurizer.words["you stupid"] in ids.tolist()
    assert max(ends.tolist()) == len("you stupiddddd")  # spans still cover the original text


def test_a_mistyped_word_reads_as_the_commonest_known_word_one_typo_away() -> None:
    words = ["women", "woman", "hate", "violent", "you"]
    chars = [" wom", "wome", "omen", "men ", " wo", "wo", " vo", "vol", "ole", "len", "ent"]
    chars += [" vol", "vole", "olen", "lent", "ent "]
    featurizer = Featurizer(words, chars, np.array([1, 2, 1, 1, 1] + [1] * 16, np.float32))
    assert featurizer.repair("wmoen") == "women"  # two neighbours swapped
    assert featurizer.repair("haet") == "hate"
    assert featurizer.repair("wmen") == "women"  # a letter missing: "women" beats "woman"
    assert featurizer.repair("womenq") == "women"  # one letter too many
    # "volent" (French: they steal) is one letter from "violent", but every 4-gram of it is
    # known: a real word the vocabulary lacks, left as it is
    assert featurizer.repair("volent") == "volent"
    assert featurizer.repair("zzzz") == "zzzz" and featurizer.repair("wmn") == "wmn"
    assert featurizer.ids("you wmoen") == featurizer.ids("you women")


def test_a_strong_word_missing_a_letter_reads_as_the_word_past_the_gate() -> None:
    words = ["violent", "connard", "cunt", "salope", "you"]
    chars = [" vo", "vol", "ole", "len", "ent", " vol", "vole", "olen", "lent", "ent "]
    chars += [" co", "con", "ona", "nar", "ard", " con", "cona", "onar", "nard", "ard "]
    featurizer = Featurizer(words, chars, np.ones(len(words) + len(chars), np.float32))
    # every 4-gram of "conard" is known: the gate leaves it, as it leaves "volent"
    assert featurizer.repair("conard") == "conard" and featurizer.repair("volent") == "volent"
    featurizer.use_strong_words(["connard", "cunt", "unknownword"])
    assert featurizer.repair("conard") == "connard"
    assert featurizer.repair("cnt") == "cunt"  # three letters: too short for a typo otherwise
    assert featurizer.repair("volent") == "volent"  # "violent" is no strong word here
    assert featurizer.repair("you") == "you"  # a known word never changes
    assert featurizer.ids("you conard") == featurizer.ids("you connard")


def test_the_strong_words_are_each_harm_models_heaviest_single_words(tmp_path: Path) -> None:
    encoder, data = tiny()
    spec = ModelSpec("rude.v0", "rude", ("rude",))
    model = fit_linear(spec, encoder, data, log=lambda _: None)
    words = strong_words.strongest([model], encoder.featurizer, top=2)
    assert 0 < len(words) <= 2 and all(w.isalpha() and len(w) >= 4 for w in words)
    index = [encoder.featurizer.words[w] for w in words]
    single = [i for w, i in encoder.featurizer.words.items() if w.isalpha() and len(w) >= 4]
    weights = model.sparse[:, 0]
    assert min(weights[index]) >= sorted(weights[single])[-2]  # the two heaviest
    written = strong_words.write(tmp_path / "s.json", [model], encoder.featurizer, top=2)
    assert strong_words.load(tmp_path / "s.json") == written == sorted(words)
    assert strong_words.load(tmp_path / "missing.json") == []


def test_the_shipped_tier_reads_the_shipped_strong_words() -> None:
    featurizer = fast_tier().encoder.featurizer
    shipped = strong_words.load(ENCODER_DIR / strong_words.FILE)
    assert len(shipped) > 1000 and {"connard", "bitch", "pute", "merde"} <= set(shipped)
    shortened = {"pte": "pute", "merd": "merde", "debil": "debile", "putan": "putain"}
    assert {short: featurizer.repair(short) for short in shortened} == shortened
    gated = Featurizer.load(ENCODER_DIR / "features.npz")  # the same vocabulary, no strong words
    assert [gated.repair(short) for short in shortened] == list(shortened)


def test_a_swap_wins_over_a_commoner_word_one_letter_shorter() -> None:
    featurizer = Featurizer(["femmes", "memes"], [" fe", "fem"], np.array([3, 1, 1, 1], np.float32))
    assert featurizer.repair("fmemes") == "femmes"
    assert featurizer.repair("xmemes") == "memes"  # no swap reads as a word: one letter too many


def test_two_known_words_run_together_read_as_both() -> None:
    words = ["black", "people", "black people", "are", "scum", "pepper"]
    featurizer = Featurizer(words, [" bla", "blac", "lack"], np.ones(9, np.float32))
    assert featurizer.repair("blackpeople") == "black people"
    assert featurizer.ids("blackpeople are scum") == featurizer.ids("black people are scum")
    ids, starts, ends = featurizer.occurrences("Blackpeople are scum")
    assert featurizer.words["black people"] in ids.tolist()
    assert (starts.min(), ends.max()) == (0, len("Blackpeople are scum"))
    assert featurizer.repair("blackpeoplex") == "blackpeoplex"  # no two known words
    padded = " arescum "
    known_grams = [padded[i : i + 4] for i in range(len(padded) - 3)]
    looks_right = Featurizer(words, known_grams, np.ones(6 + len(known_grams), np.float32))
    assert looks_right.repair("arescum") == "arescum"  # every 4-gram known: a word, left alone


DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_harm_training_data_keeps_the_ordinary_posts_guard_apart() -> None:
    from gardien.classifiers import datasets
    from gardien.classifiers.identity_seeds import identity_split
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_accurate import ordinary_posts
    from gardien.classifiers.training_data import HAND_WRITTEN_COPIES, load

    hate = load(spec("hate"), DATA)
    guard = set(ordinary_posts(DATA, "fr")) | set(ordinary_posts(DATA, "en"))
    assert len(guard) > 700 and not guard & set(hate.train.texts)
    everyday = datasets.everyday_tweets(DATA, "fr")[datasets.GUARD_SIZE :]
    labels = dict(zip(hate.train.texts, hate.train.labels, strict=True))
    assert len(everyday) > 500 and all(labels[t] == 0 for t in everyday)
    from gardien.classifiers.training_data import seeds

    brand_posts = [row["text"] for row in seeds()]  # customers' posts to a brand: never hate
    assert len(brand_posts) > 1000 and all(labels[t] == 0 for t in brand_posts)
    hand_written = identity_split("hate").texts
    counted = sum(1 for t in hate.train.texts if t == hand_written[0])
    assert counted == HAND_WRITTEN_COPIES["hate"] == 3
    offensive = load(spec("offensive"), DATA)
    assert not guard & set(offensive.train.texts)
    counted = sum(1 for t in offensive.train.texts if t == hand_written[0])
    assert counted == HAND_WRITTEN_COPIES["offensive"] == 2


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_offensive_learns_brand_posts_by_their_own_label_and_swearing_as_offensive() -> None:
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import SWEARING_COPIES, load, seeds, swearing_seeds

    offensive = load(spec("offensive"), DATA).train
    labels = dict(zip(offensive.texts, offensive.labels, strict=True))
    rows = seeds()
    insults = [r["text"] for r in rows if r["offensive"] == "1"]
    clean = [r["text"] for r in rows if r["offensive"] == "0"]
    assert 20 <= len(insults) < 40 and len(clean) > 1000
    assert all(labels[t] == 1 for t in insults) and all(labels[t] == 0 for t in clean)
    swearing = [r["text"] for r in swearing_seeds()]
    assert len(swearing) >= 200 and all(labels[t] == 1 for t in swearing)
    assert offensive.texts.count(swearing[0]) == SWEARING_COPIES == 2
    hate = load(spec("hate"), DATA).train  # swearing attacks no group: hate 0
    hate_labels = dict(zip(hate.texts, hate.labels, strict=True))
    assert all(hate_labels[t] == 0 for t in swearing)


def test_offensive_learns_harsh_words_about_things_as_clean_and_at_a_person_as_offensive() -> None:
    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import CRITICISM_COPIES, CRITICISM_SEEDS, load

    offensive = load(spec("offensive"), DATA).train
    labels = dict(zip(offensive.texts, offensive.labels, strict=True))
    rows = read_seeds(CRITICISM_SEEDS)
    things = [r["text"] for r in rows if r["offensive"] == "0"]
    people = [r["text"] for r in rows if r["offensive"] == "1"]
    assert len(things) > 250 and len(people) > 90
    assert {r["lang"] for r in rows} == {"en", "fr"}
    assert all(labels[t] == 0 for t in things) and all(labels[t] == 1 for t in people)
    assert offensive.texts.count(things[0]) == CRITICISM_COPIES == 1
    hate = load(spec("hate"), DATA).train  # hate does not learn them
    assert not set(things) & set(hate.texts)


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_intent_models_learn_swearing_polite_and_chatter_seeds_without_scoring_them() -> None:
    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import (
        BRAND_TWEET_SEEDS,
        CHATTER_SEEDS,
        POLITE_SEEDS,
        load,
        swearing_seeds,
    )

    written_apart = [*read_seeds(POLITE_SEEDS), *read_seeds(CHATTER_SEEDS)]
    brand_tweets = {r["text"] for r in read_seeds(BRAND_TWEET_SEEDS)}
    for task in ("intent", "complaint"):
        data = load(spec(task), DATA)
        extra = {r["text"] for r in [*swearing_seeds(), *written_apart]}
        if task == "complaint":  # the brand tweets teach the complaint model only
            extra |= brand_tweets
        assert set(data.extra.texts) == extra and not extra & set(data.train.texts)
    assert not brand_tweets & set(load(spec("intent"), DATA).extra.texts)


def test_a_threshold_is_the_middle_of_the_near_best_plateau() -> None:
    grid = np.round(np.arange(0.3, 0.61, 0.05), 3)  # 0.3 … 0.6
    flat = [0.60, 0.70, 0.7334, 0.731, 0.7331, 0.70, 0.65]  # best at 0.4 by a hair
    assert plateau_centre(list(grid), flat) == 0.45
    lone = [0.60, 0.62, 0.64, 0.70, 0.64, 0.62, 0.60]
    assert plateau_centre(list(grid), lone) == 0.45
    edge = [0.70, 0.699, 0.60, 0.60, 0.60, 0.60, 0.60]  # two middles: the one nearer 0.5
    assert plateau_centre(list(grid), edge) == 0.35


def test_a_language_keeps_the_pooled_threshold_unless_its_own_posts_beat_it() -> None:
    grid = np.round(np.arange(0.4, 0.61, 0.05), 3)  # 0.4 … 0.6
    two_peaks = [0.600, 0.642, 0.616, 0.644, 0.632]  # 0.45 and 0.55, one post apart
    assert nearest_to_pooled(grid, two_peaks, pooled=0.425) == 0.45
    assert nearest_to_pooled(grid, two_peaks, pooled=0.6) == 0.55
    clear = [0.55, 0.56, 0.58, 0.60, 0.62]  # 0.6 wins by more than the tolerance
    assert nearest_to_pooled(grid, clear, pooled=0.4) == 0.6
    assert nearest_to_pooled(grid, clear, pooled=0.4, tolerance=0.05) == 0.5


def test_cross_validation_grouped_by_template_does_not_reward_memorised_sentences() -> None:
    """Fills of one template differ only in the group named: split across folds, each is
    scored by a model that learnt its twin; grouped, a held-out template is new to the model."""
    attacks = ["{g} are vermin", "{g} smell foul", "ban {g} forever", "{g} ruin towns"]
    kind = ["{g} are lovely", "welcome {g} here", "{g} helped us", "proud of {g}"]
    groups = ["cats", "dogs", "owls", "bees", "ants", "eels"]
    rows = [(t.format(g=g), label, t) for label, ts in ((1, attacks), (0, kind)) for t in ts
            for g in groups]  # fmt: skip
    texts = [text for text, _, _ in rows]
    featurizer = Featurizer.build(texts, max_words=200, max_chars=10, min_df=1)
    vectors = np.zeros((featurizer.n_word, 2), np.float32)
    encoder = Encoder(featurizer, np.arange(featurizer.n_word), vectors)
    split = Split(texts, [label for _, label, _ in rows], ["en"] * len(rows))
    spec = ModelSpec("rude.v0", "rude", ("rude",))
    grid = ((4.0, 1.0),)
    mixed = fit_linear(spec, encoder, Data(split, Split()), lambda _: None, grid)
    grouped_data = Data(split, Split(), groups=[t for _, _, t in rows])
    grouped = fit_linear(spec, encoder, grouped_data, lambda _: None, grid)
    assert mixed.meta["validation"]["macro_f1"] == 1.0
    assert grouped.meta["validation"]["macro_f1"] < 0.8
    assert grouped.meta["validation"]["kind"] == "5-fold CV on training, folds grouped by template"


def test_the_written_reading_leaves_typos_as_typed_and_shares_the_vocabulary() -> None:
    featurizer = Featurizer(["stupid", "you"], [" st", "id "], np.ones(4, np.float32))
    written = featurizer.as_written()
    assert featurizer.repair("stupidd") == "stupid"
    assert written.repair("stupidd") == "stupidd"
    assert written.words is featurizer.words and written.chars is featurizer.chars
    assert written.ids("you stupidd") != featurizer.ids("you stupidd")
    assert featurizer.repairs  # the original still repairs


def test_an_encoder_reads_as_each_model_reads() -> None:
    encoder, _ = tiny()
    written = encoder.reading("written")
    assert encoder.reading("repaired") is encoder and encoder.reading("written") is written
    assert written.vectors is encoder.vectors and not written.featurizer.repairs
    with pytest.raises(ValueError, match="reading"):
        encoder.reading("spoken")


def test_training_keeps_the_reading_validation_prefers() -> None:
    """Words the vocabulary lacks, one typo from a rude word ("idoit"), taught as harmless:
    read back, they ARE the rude word and cannot be told apart from it; as written, they can.
    Validation, asking the same, picks the written reading; a spec with one reading keeps it."""
    encoder, data = tiny()
    odd = ["idoit", "mroon", "stuipd"]
    assert [encoder.featurizer.repair(w) for w in odd] == ["idiot", "moron", "stupid"]
    data.train.add(odd * 3, [0] * 9, "en")
    val = Split(["idiot", "moron", "stupid", *odd], [1, 1, 1, 0, 0, 0], ["en"] * 6)
    spec = ModelSpec("rude.v0", "rude", ("rude",), readings=("repaired", "written"))
    model = fit_linear(spec, encoder, Data(data.train, val, data.sources), lambda _: None)
    scores = model.meta["readings"]
    assert scores["written"] > scores["repaired"] and model.reading == "written"
    written = model.probabilities(encoder.reading("written").encode(["idiot", "idoit"]))
    assert written[0, 0] > written[1, 0]
    one = fit_linear(ModelSpec("rude.v0", "rude", ("rude",)), encoder, data, lambda _: None)
    assert one.reading == "repaired" and "readings" not in one.meta


def test_the_written_reading_featurises_again_only_the_posts_a_repair_changed() -> None:
    encoder, _ = tiny()
    batch = ["you idiot", "you idoit", "thank you friend", "such a stuipd moron"]
    written = encoder.reading("written")
    got = written.encode(batch)
    plain = encoder.featurizer.as_written().transform(batch)
    assert encoder.encode(batch).features.repaired.tolist() == [False, True, False, True]
    assert np.array_equal(got.features.rows, plain.rows)
    assert np.array_equal(got.features.cols, plain.cols)
    assert np.allclose(got.features.values, plain.values)
    assert np.allclose(got.dense, written.dense(plain))
    assert not np.allclose(got.dense[1], encoder.encode(batch).dense[1])


def test_the_written_reading_gives_a_mention_no_word_vector() -> None:
    """A mention is a name, not a word: read as written, a reply's dense vector is its words'
    alone (nothing, for a mention and an unknown word), and an explanation agrees."""
    texts = ["@sam you idiot", "@sam saem", "thank you friend"]
    featurizer = Featurizer.build([*RUDE, *KIND, texts[0]], max_words=100, max_chars=500, min_df=1)
    assert "xxuser" in featurizer.words and "saem" not in featurizer.words
    words = np.array([i for w, i in featurizer.words.items() if " " not in w])  # as distilled
    vectors = np.random.default_rng(0).normal(size=(len(words), 8)).astype(np.float32)
    encoder = Encoder(featurizer, words, vectors)
    written = encoder.reading("written")
    got, base = written.encode(texts), encoder.encode(texts)
    assert np.array_equal(got.features.cols, base.features.cols)  # the same features ...
    alone = encoder.encode(["you idiot"]).dense[0]
    assert np.allclose(got.dense[0], alone, atol=1e-6)  # ... but the mention adds nothing
    assert not np.allclose(base.dense[0], alone)
    assert not got.dense[1].any() and base.dense[1].any()
    assert np.allclose(got.dense[2], base.dense[2])  # no mention, no repair: as the parent
    detail = written.detail(texts[1])
    assert not detail.dense_shares.any()


def test_french_spam_learns_the_french_seeds_and_the_english_model_does_not() -> None:
    from gardien.classifiers.datasets import read_rows, spam
    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.classifiers.registry import language_spec, spec
    from gardien.classifiers.training_data import load

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is not here")
    seeds = read_seeds("spam_seeds.csv")
    assert {row["lang"] for row in seeds} == {"fr"} and {row["spam"] for row in seeds} == {"0", "1"}
    english, french = load(spec("spam"), data), load(language_spec("spam", "fr"), data)
    texts = {row["text"] for row in seeds}
    assert not texts & {*english.train.texts, *english.val.texts}
    assert texts <= set(french.train.texts) and not len(french.val)  # cross-validated
    english_rows = {t for t, lang in zip(french.train.texts, french.train.langs, strict=True)
                    if lang == "en"}  # fmt: skip
    sms = {r["text"] for r in read_rows(data, "sms_spam", "sms_spam.csv")}
    assert english_rows and not english_rows & sms  # YouTube comments only: no SMS
    tests = {t for test in spam(data).tests for t in test.split.texts}
    assert not english_rows & tests
    ham = [t for t, y, lang in zip(french.train.texts, french.train.labels, french.train.langs,
                                   strict=True) if lang == "fr" and y == 0]  # fmt: skip
    assert len(ham) > 1000  # customers' posts and everyday French tweets, not spam


def test_english_spam_learns_thanks_and_complaints_as_not_spam() -> None:
    """Only the English praise and complaint seeds join spam's training (as not spam), never
    its validation; the other intents, and every French row, stay out."""
    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import SPAM_NOT_SPAM_INTENTS, load

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is not here")
    english = load(spec("spam"), data)
    learnt = dict(zip(english.train.texts, english.train.labels, strict=True))
    rows = read_seeds("intent_seeds.csv")
    kept = [r for r in rows if r["lang"] == "en" and r["intent"] in SPAM_NOT_SPAM_INTENTS]
    assert SPAM_NOT_SPAM_INTENTS == ("praise", "complaint") and len(kept) > 250
    assert all(learnt.get(r["text"]) == 0 for r in kept)
    others = {r["text"] for r in rows if r not in kept}
    assert not others & set(learnt) and not others & set(english.val.texts)
    assert not {r["text"] for r in kept} & set(english.val.texts)


@pytest.mark.parametrize(
    ("file", "size", "intents"),
    [
        ("polite_customer_seeds.csv", 160, {"complaint", "question", "praise"}),
        ("chatter_seeds.csv", 207, {"other"}),
    ],
)
def test_the_polite_posts_and_the_chatter_are_learnt_by_intent_and_complaint_only(
    file: str, size: int, intents: set[str]
) -> None:
    """They join every cross-validation fold of intent and complaint and are never scored, so
    the cross-validation reads the same rows as before them; no other model learns them."""
    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.classifiers.registry import SPECS, spec
    from gardien.classifiers.training_data import CHATTER_SEEDS, POLITE_SEEDS, load

    assert file in (POLITE_SEEDS, CHATTER_SEEDS)
    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is not here")
    rows = read_seeds(file)
    texts = {row["text"] for row in rows}
    assert len(rows) == len(texts) == size and {row["lang"] for row in rows} == {"en", "fr"}
    assert {row["intent"] for row in rows} == intents
    for task in ("intent", "complaint"):
        model_spec = spec(task)
        classes = list(model_spec.softmax_over or model_spec.labels)
        loaded = load(model_spec, data)
        learnt = dict(zip(loaded.extra.texts, loaded.extra.labels, strict=True))
        assert all(learnt[r["text"]] == classes.index(r["intent"]) for r in rows)
        assert not texts & set(loaded.train.texts)  # never scored by cross-validation
    for other in SPECS:
        if other.task not in ("intent", "complaint"):
            loaded = load(other, data)
            assert not texts & {*loaded.train.texts, *loaded.val.texts, *loaded.extra.texts}


def test_spam_seeds_share_nothing_with_the_demo_posts_they_are_checked_on() -> None:
    import json

    from gardien.classifiers.identity_seeds import read_seeds
    from gardien.demo.bundle import iter_channel_lines, load_manifest

    seeds = {row["text"].strip().lower() for row in read_seeds("spam_seeds.csv")}
    for written_apart in ("polite_customer_seeds.csv", "chatter_seeds.csv"):
        seeds |= {row["text"].strip().lower() for row in read_seeds(written_apart)}
    seeds |= {  # those English spam learns as not spam
        row["text"].strip().lower()
        for row in read_seeds("intent_seeds.csv")
        if row["lang"] == "en" and row["intent"] in ("praise", "complaint")
    }
    demo = {
        str(json.loads(line).get("text", "")).strip().lower()
        for channel in load_manifest().channels
        for line in iter_channel_lines(channel.name)
    }
    assert seeds and not seeds & demo


def test_sentiment_learns_customers_posts_by_the_polarity_their_intent_makes_plain() -> None:
    """Complaints negative, questions neutral, praise positive, each counting
    SENTIMENT_SEED_WEIGHT times a tweet; feature requests and "other" are left out (a wish
    or a remark has no polarity of its own); validation keeps the tweets alone."""
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import SENTIMENT_SEED_WEIGHT, load, seeds

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is not here")
    loaded = load(spec("sentiment"), data)
    learnt = dict(zip(loaded.extra.texts, loaded.extra.labels, strict=True))
    polarity = {"complaint": 0, "question": 1, "praise": 2}
    rows = seeds()
    assert learnt == {r["text"]: polarity[r["intent"]] for r in rows if r["intent"] in polarity}
    assert set(loaded.extra.langs) == {"en", "fr"} and loaded.extra_weight == SENTIMENT_SEED_WEIGHT
    assert not set(learnt) & {*loaded.val.texts, *loaded.train.texts}
