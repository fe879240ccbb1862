"""A rebuild keeps the choices of the model it replaces when it learns the same rows, so that
`make models` on another machine lands on the model that was evaluated (`choices.py`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gardien.classifiers import choices
from gardien.classifiers.cards import write_card
from gardien.classifiers.datasets import Split
from gardien.classifiers.features import Featurizer
from gardien.classifiers.registry import ModelSpec
from gardien.classifiers.training import CV_GRID, GRID, Design, fit_linear
from gardien.classifiers.training_data import Data
from tests.classifiers.test_training import tiny

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SPEC = ModelSpec("rude.v0", "rude", ("rude",))


def test_a_near_tie_keeps_the_previous_grid_choice_and_a_clear_win_does_not() -> None:
    """Float noise between machines must not flip a near-tie (session 21: hate-en-fr.v1's
    C=4 ×2 and ×8 at 0.7013 / 0.7012), yet a change that moves validation still picks afresh."""
    scores = [(0.700, 1.0, 2.0), (0.7012, 4.0, 2.0), (0.7013, 4.0, 8.0)]
    assert choices.choose_entry(scores, None) == 2
    assert choices.choose_entry(scores, (4.0, 2.0)) == 1
    assert choices.choose_entry(scores, (1.0, 2.0)) == 2  # 0.0013 behind: beyond STICKY
    assert choices.choose_entry(scores, (16.0, 2.0)) == 2  # not in this grid
    assert choices.choose_entry([(0.8, 1.0, 2.0), (0.8, 4.0, 2.0)], None) == 0  # first on a tie
    assert choices.STICKY < 0.005  # far under the tolerance builds are compared with


def test_changed_rows_choose_afresh_keeping_the_previous_entry_only_on_a_near_tie(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    encoder, data = tiny()  # cross-validation: C=4 reads 0.750, C=16 0.708
    assert choices.previous_choice(SPEC) is None  # nothing on disk under that name

    def chosen() -> tuple[float, float]:
        model = fit_linear(SPEC, encoder, data, log=lambda _: None)
        assert model.meta["choices"] == choices.CHOSEN
        return model.meta["C"], model.meta["dense_scale"]

    assert chosen() == CV_GRID[0]
    monkeypatch.setattr(choices, "previous_choice", lambda _: CV_GRID[1])
    assert chosen() == CV_GRID[0]  # 0.04 behind: a clear loss
    monkeypatch.setattr(choices, "STICKY", 0.05)
    assert chosen() == CV_GRID[1]


def test_the_same_rows_keep_the_recorded_choices_and_fit_only_the_weights(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    encoder, data = tiny()
    recorded: dict[str, Any] = {
        "data": choices.fingerprint(SPEC, data, encoder.featurizer),
        "reads": choices.reads(Design(encoder, data.train.texts).sparse),
        "C": 16.0,
        "dense_scale": 4.0,
        "threshold": 0.3,
        "thresholds": {"en": 0.35},
        "gates": {"en": 0.6},
        "gates_key": "abc",
        "second_opinion_for": "rude-main.v0",
        "tolerance": 0.005,
    }
    monkeypatch.setattr(choices, "previous_meta", lambda _: recorded)
    lines: list[str] = []
    model = fit_linear(SPEC, encoder, data, log=lines.append)
    assert (model.meta["C"], model.meta["dense_scale"]) == (16.0, 4.0)  # not the best, 4.0
    assert model.threshold == 0.3 and model.threshold_for("en") == 0.35
    assert model.meta["gates"] == {"en": 0.6} and model.meta["gates_key"] == "abc"
    assert model.meta["choices"] == choices.RECORDED
    assert sum("C=" in line for line in lines) == 1  # one fit, no grid
    assert model.sparse.any()  # the weights themselves are learnt
    write_card(model, tmp_path)
    assert "Rebuilt on the same rows" in (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8")

    recorded["reads"] = "another reading"  # the same rows, read by changed text code
    assert fit_linear(SPEC, encoder, data, log=lambda _: None).meta["choices"] == choices.CHOSEN
    data.train.labels[0] = 1 - data.train.labels[0]  # one label changed: every choice afresh
    fresh = fit_linear(SPEC, encoder, data, log=lambda _: None)
    assert fresh.meta["choices"] == choices.CHOSEN and "gates" not in fresh.meta
    assert fresh.meta["data"] != recorded["data"]


def test_a_fingerprint_reads_every_row_label_language_weight_and_the_vocabulary() -> None:
    encoder, data = tiny()
    words = encoder.featurizer
    base = choices.fingerprint(SPEC, data, words)
    assert choices.fingerprint(SPEC, data, words) == base
    changes: list[Data] = []
    for field in ("texts", "labels", "langs"):
        _, other = tiny()
        column = getattr(other.train, field)
        column[-1] = {"texts": "you moron!", "labels": 1 - other.train.labels[-1], "langs": "fr"}[
            field
        ]
        changes.append(other)
    _, weighed = tiny()
    weighed.extra_weight = 2.0
    _, seeded = tiny()
    seeded.extra = Split(["stupid work"], [1], ["en"])
    for other in [*changes, weighed, seeded]:
        assert choices.fingerprint(SPEC, other, words) != base
    assert choices.fingerprint(ModelSpec("rude.v1", "rude", ("rude",)), data, words) != base
    other_words = Featurizer.build([*data.train.texts, "brand new words"], 100, 500, min_df=1)
    assert choices.fingerprint(SPEC, data, other_words) != base
    assert choices.kept({"gates_key": "k"}, "gates", "k")
    assert not choices.kept({"gates_key": "k"}, "gates", "other")
    assert not choices.kept({}, "gates", "k")


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_every_shipped_model_records_the_rows_a_rebuild_gives_it() -> None:
    """A seed file edited without retraining, or a shipped model whose choices a rebuild would
    not keep, fails here: `make models` must land on the evaluated models."""
    from gardien.classifiers import implied, rescue
    from gardien.classifiers.functional import functional_cases
    from gardien.classifiers.registry import SPECS, FastTier
    from gardien.classifiers.training_data import load

    tier = FastTier(use_local=False)
    loaded = {spec.name: load(spec, DATA) for spec in SPECS}
    for spec in SPECS:
        meta = tier.model(spec.task, spec.language or "en").meta
        assert meta["name"] == spec.name
        fingerprint = choices.fingerprint(spec, loaded[spec.name], tier.encoder.featurizer)
        assert meta["data"] == fingerprint, spec.name
        assert (meta["C"], meta["dense_scale"]) in GRID, spec.name  # CV's grid is inside it
    sentiment = tier.model("sentiment").meta
    for task in rescue.TASKS:
        second = tier.second_opinion(task)
        assert second is not None
        seeds = rescue.seeds_spec(task)
        rows = rescue.seeds_data(task, DATA)
        assert second.meta["data"] == choices.fingerprint(seeds, rows, tier.encoder.featurizer)
        dev = Split()
        for row in functional_cases(rescue.DEV_SET):
            dev.add([row["text"]], [int(row[task])], row["lang"])
        main = tier.model(task).meta
        key = rescue.gates_key_of(second.meta, main, sentiment, dev)
        assert choices.kept(second.meta, "gates", key), seeds.name
    for task in implied.IMPLIED_BY:
        main = tier.model(task).meta
        key = implied.gates_key(tier, task, loaded[main["name"]].val)
        assert choices.kept(main, "implied", key), main["name"]


def test_a_restack_over_an_unchanged_fast_model_keeps_the_shipped_stacker(tmp_path: Path) -> None:
    """`gardien train --only hate` restacks the fine-tuned heads: over a fast model that kept
    its rows and choices, the stacker, band and threshold stay as evaluated."""
    from gardien.classifiers.accurate import kind_path, load_head
    from gardien.classifiers.finetune import SHIPPED, kind_for, restack, stack_key

    for task, lang in SHIPPED:
        shipped = load_head(kind_path(task, kind_for(lang)))
        assert shipped.meta["stack_key"] == stack_key(task, lang), shipped.name
        lines: list[str] = []
        head = restack(task, tmp_path / "no data needed", lines.append, lang=lang)
        assert any("keeps its stacker" in line for line in lines)
        assert (head.stack_weights == shipped.stack_weights).all()
        assert head.meta == shipped.meta


def test_training_keeps_the_shipped_encoder_unless_asked_for_a_new_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Every model, the off-topic calibration and every evaluated figure rest on the shipped
    encoder; today's corpus would give another vocabulary (session 21)."""
    from gardien.classifiers import training
    from gardien.errors import ConfigError

    def distil(*_: object) -> None:
        raise AssertionError("the shipped encoder was distilled again")

    monkeypatch.setattr(training, "distil_vectors", distil)
    lines: list[str] = []
    encoder = training.shared_encoder({}, lines.append)
    assert encoder.featurizer.n_features > 100_000
    assert lines and lines[0].startswith("keeping the shared encoder")
    with pytest.raises(ConfigError, match="leave out --only"):
        training.train_all(tmp_path, lines.append, only=("spam",), new_encoder=True)


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_the_e5_head_is_kept_without_embedding_anything_when_nothing_under_it_changed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from gardien.classifiers import training_accurate
    from gardien.classifiers.accurate import SHIPPED, kind_path, load_head
    from gardien.classifiers.training_cv_heads import train_cv_heads

    def embed(*_: object) -> None:
        raise AssertionError("embedded again")

    monkeypatch.setattr(training_accurate.CachedEmbedder, "embed", embed)
    lines: list[str] = []
    heads = training_accurate.train_heads(DATA, tmp_path, lines.append, SHIPPED)
    heads += train_cv_heads(DATA, tmp_path, lines.append, SHIPPED)  # intent's, complaint's
    assert sorted(h.name for h in heads) == sorted(f"{task}-e5.v1" for task in SHIPPED)
    for head in heads:
        task = head.meta["task"]
        assert head.meta == load_head(kind_path(task, "e5")).meta
    assert any("kept" in line for line in lines)


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_a_fine_tuned_head_is_kept_without_torch_when_its_rows_and_recipe_are_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`make models` fine-tunes with two threads; the shipped heads were built with one, on the
    same rows and recipe: kept, so the cascade stays the one evaluated."""
    from dataclasses import replace

    from gardien.classifiers import finetune
    from gardien.classifiers.accurate import kind_path, load_head

    def no_torch() -> None:
        raise AssertionError("fine-tuned again")

    monkeypatch.setattr(finetune, "_imports", no_torch)
    for task, lang in finetune.SHIPPED:
        lines: list[str] = []
        head = finetune.finetune(task, DATA, lines.append, finetune.Recipe(threads=2), lang)
        assert head.meta == load_head(kind_path(task, finetune.kind_for(lang))).meta
        assert any("kept" in line for line in lines)
    train, val = finetune.head_rows("hate", DATA, "en")
    other = replace(finetune.Recipe(), epochs=4)
    assert finetune.rows_key(train, val, other) != finetune.rows_key(train, val, finetune.Recipe())
