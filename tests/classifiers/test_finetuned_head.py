"""The fine-tuned MiniLM heads: int8 ONNX run offline without torch, wired into the tier."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers.accurate import AccurateTier, head_path, kind_path, local_path
from gardien.classifiers.onnx_encoder import REPAIRED, OnnxEncoder
from gardien.domain import Post
from gardien.domain.signals import Language, Score
from gardien.errors import ConfigError
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import accurate_stages

SHIPPED = kind_path("offensive", "minilm")
needs_onnx = pytest.mark.skipif(not OnnxEncoder.available(), reason="onnxruntime missing")


@pytest.mark.parametrize("task", ["offensive", "hate"])
def test_the_fine_tuned_heads_ship_with_their_encoder_tokenizer_and_card(task: str) -> None:
    folder = kind_path(task, "minilm").parent
    assert {"model.npz", "encoder.onnx.gz", "tokenizer.json", "MODEL_CARD.md"} <= {
        p.name for p in folder.iterdir()
    }
    assert (folder / "encoder.onnx.gz").stat().st_size < 20 * 2**20
    assert "Apache-2.0" in (folder / "MODEL_CARD.md").read_text(encoding="utf-8")


@needs_onnx
def test_the_encoder_runs_offline_and_padding_does_not_change_a_vector() -> None:
    assert "torch" not in sys.modules
    encoder = OnnxEncoder(SHIPPED.parent)
    short = "you are an idiot"
    alone = encoder.embed([short])
    batch = encoder.embed([short, "a much longer post " * 20, ""])
    assert batch.shape == (3, 384) and np.isfinite(batch).all()
    np.testing.assert_allclose(alone[0], batch[0], atol=1e-4)
    assert "torch" not in sys.modules


@needs_onnx
@pytest.mark.parametrize("task", ["offensive", "hate"])
def test_the_shipped_heads_read_a_mistyped_insult_as_the_fast_tier_repairs_it(task: str) -> None:
    tier = AccurateTier()
    head = tier.head_for(task, "en")
    assert head is not None and head.meta["input"] == REPAIRED
    encoder = tier.encoder(head)
    typed, meant = encoder.embed(["you stupd ìdiot"]), encoder.embed(["you stupid idiot"])
    np.testing.assert_allclose(typed, meant, atol=1e-5)
    as_written = OnnxEncoder(SHIPPED.parent, canonical=True)  # no repair: other word pieces
    assert not np.allclose(as_written.embed(["you stupd idiot"]), meant, atol=1e-3)


@needs_onnx
def test_the_shipped_head_ranks_an_insult_above_thanks() -> None:
    tier = AccurateTier()
    assert tier.head_for("offensive", "fr") is None  # French posts keep the fast score
    english = tier.head_for("offensive", "en")
    assert english is not None and english.kind == "minilm" and not english.serves("fr")
    fast = np.array([[0.5], [0.5]], np.float32)
    probs = tier.predict(english, ["@user you are a fucking idiot", "thanks for the help!"], fast)
    assert probs[0, 0] > 0.5 > probs[1, 0]


@needs_onnx
def test_the_hate_head_tells_an_attack_on_a_group_from_a_mention_of_it() -> None:
    tier = AccurateTier()
    head = tier.head_for("hate", "en")
    assert head is not None and head.name == "hate-minilm.v1" and head.meta["templates"]
    texts = ["muslims are a plague on this country, kick them all out",
             "our muslim customers asked for halal options, now on the menu"]  # fmt: skip
    probs = tier.predict(head, texts, np.array([[0.5], [0.5]], np.float32))
    assert probs[0, 0] > head.threshold > probs[1, 0]


def _record(i: int, text: str, lang: str, score: float) -> TriageRecord:
    record = TriageRecord("c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC)))
    record.signals.language = Language(lang, 0.99)
    record.signals.scores["offensive"] = Score(score, "offensive-en-fr.v1")
    return record


@needs_onnx
def test_the_stage_rescores_unsure_english_posts_only() -> None:
    [stage] = accurate_stages(["offensive"])
    low, high = stage.accurate.head("offensive").band
    unsure = (low + high) / 2
    batch = [
        _record(0, "@user shut up you moron", "en", unsure),
        _record(1, "@user ferme-la crétin", "fr", unsure),
        _record(2, "lovely day", "en", 0.01),
    ]
    stage(batch, StageContext())
    models = [record.signals.scores["offensive"].model for record in batch]
    assert models == ["offensive-en-fr.v1+offensive-minilm.v1"] + ["offensive-en-fr.v1"] * 2


def test_a_local_head_wins_over_a_shipped_one_and_a_fine_tuned_over_e5(tmp_path: Path) -> None:
    assert head_path("hate", tmp_path) == kind_path("hate", "e5", tmp_path)  # none built
    for path in (kind_path("hate", "e5", tmp_path), kind_path("hate", "minilm", tmp_path)):
        path.parent.mkdir(parents=True)
        path.touch()
        assert head_path("hate", tmp_path) == path
    local = local_path("hate", "minilm", tmp_path)
    local.parent.mkdir(parents=True)
    local.touch()
    assert head_path("hate", tmp_path) == local


def test_a_fine_tuned_head_without_onnxruntime_is_refused_at_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(OnnxEncoder, "available", staticmethod(lambda: False))
    with pytest.raises(ConfigError, match="offensive head needs onnxruntime and tokenizers"):
        accurate_stages(["offensive"])


DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@needs_onnx
@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
@pytest.mark.parametrize("task", ["offensive", "hate"])
def test_restacking_a_shipped_head_refits_the_same_stacker(tmp_path: Path, task: str) -> None:
    """The stacker is rebuilt from the data, not carried over. Newer onnxruntime / tokenizers
    move int8 margins by ~1e-3, so 'the same' means the same probabilities within 0.03
    and the same decisions' quality, not the same bytes."""
    import shutil

    from gardien.classifiers.accurate import load_head
    from gardien.classifiers.finetune import restack

    path = kind_path(task, "minilm")
    shutil.copytree(path.parent, tmp_path / path.parent.name)
    again = restack(task, DATA, lambda _: None, tmp_path)
    shipped = load_head(path)
    fast, margins = np.meshgrid(np.linspace(0.02, 0.98, 49), np.linspace(-5, 5, 41))
    grid = fast.reshape(-1, 1).astype(np.float32), margins.reshape(-1, 1).astype(np.float32)
    assert np.abs(again.combine(*grid) - shipped.combine(*grid)).max() < 0.03
    assert abs(again.threshold - shipped.threshold) <= 0.05
    assert again.meta["languages"] == shipped.meta["languages"] == ["en"]
    stacked = again.meta["validation"]["stacked_macro_f1"]
    assert abs(stacked - shipped.meta["validation"]["stacked_macro_f1"]) <= 0.01
