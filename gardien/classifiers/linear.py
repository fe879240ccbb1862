"""Fast tier: linear models over shared n-gram features and distilled word vectors, numpy only.

An artefact is a plain .npz (weights as float16, calibration, labels, a JSON model card summary),
so loading needs neither scikit-learn nor pickles. `Encoder` featurises a batch once for all
models; `LinearModel` turns that into calibrated probabilities and explains them as spans.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.features import Features, Featurizer
from gardien.classifiers.text import USER
from gardien.domain.signals import Span

Matrix = NDArray[np.float32]
#: How a model reads words: typos and stretched letters read back (every model but spam), or as
#: written; each model records the one its validation chose (`LinearModel.reading`).
REPAIRED, WRITTEN = "repaired", "written"
#: Tokens the written reading gives no word vector: a mention is a name, not a word, and the
#: spam data (SMS, YouTube comments) hold 5 in 5,095 texts, so its vector was weighted by nothing
#: they taught, yet it made up the whole meaning of a short reply ("@sam up for it!": spam 0.93).
UNREAD = (USER,)
_WORDS = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Encoded:
    """One batch, featurised: sparse tf-idf plus a dense mean of distilled word vectors."""

    features: Features
    dense: Matrix


@dataclass(frozen=True, slots=True)
class Detail:
    """Where one text's features occur, and each occurrence's share of the feature's value.

    `dense_shares` holds, per occurrence, its share of the dense vector (word vectors only), so a
    model's contribution per occurrence is `shares * sparse_weight + dense_shares @ dense_weight`.
    """

    length: int
    cols: NDArray[np.int64]
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    shares: Matrix
    dense_shares: Matrix
    word_starts: NDArray[np.int64]
    word_ends: NDArray[np.int64]


class Encoder:
    """The shared featuriser and word vectors (unigram id -> row), built by training."""

    def __init__(self, featurizer: Featurizer, word_ids: NDArray[np.int64], vectors: Matrix):
        self.featurizer = featurizer
        self.vectors = vectors.astype(np.float32)
        self.row_of = np.full(featurizer.n_features, -1, dtype=np.int64)
        self.row_of[word_ids] = np.arange(len(word_ids))
        self._last: tuple[tuple[str, ...], Encoded] | None = None
        self._details: dict[str, Detail] = {}  # lazily filled, bounded: explanations of a batch
        self._written: Encoder | None = None

    def reading(self, name: str) -> Encoder:
        """This encoder for a model's reading: "repaired" (typos read back, the default) or
        "written" (words as typed; the vocabulary and vectors are shared, not copied)."""
        if name == REPAIRED:
            return self
        if name != WRITTEN:
            raise ValueError(f"unknown reading {name!r}")
        if self._written is None:
            self._written = _WrittenEncoder(self)
        return self._written

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def encode(self, texts: list[str] | tuple[str, ...]) -> Encoded:
        """Featurise a batch; the last batch is remembered so several stages share the work."""
        key = tuple(texts)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        features = self.featurizer.transform(key)
        encoded = Encoded(features, self.dense(features))
        self._last = (key, encoded)
        return encoded

    def detail(self, text: str) -> Detail:
        """Occurrences of `text`'s features in the original text (cached: several models explain
        the same post)."""
        found = self._details.get(text)
        if found is not None:
            return found
        if len(self._details) >= 4096:
            self._details.clear()
        cols, starts, ends = self.featurizer.occurrences(text)
        unique, inverse, counts = np.unique(cols, return_inverse=True, return_counts=True)
        # the occurrences are exactly the features `transform` counts: rebuild its values here
        value = (1.0 + np.log(counts)) * self.featurizer.idf[unique]
        group = (unique >= self.featurizer.n_word).astype(np.int64)
        norms = np.sqrt(np.bincount(group, weights=value * value, minlength=2))
        value = value / np.maximum(norms[group], 1e-12)
        shares = (value[inverse] / counts[inverse]).astype(np.float32)
        rows = self.row_of[cols]
        has = rows >= 0
        dense_shares = np.zeros((len(cols), self.dim), dtype=np.float32)
        dense_shares[has] = self.vectors[rows[has]] * shares[has, None]
        raw = dense_shares.sum(axis=0)
        dense_shares /= max(float(np.linalg.norm(raw)), 1e-6)
        words = [(m.start(), m.end()) for m in _WORDS.finditer(text)]
        detail = Detail(
            len(text),
            cols,
            starts,
            ends,
            shares,
            dense_shares,
            np.array([w[0] for w in words], dtype=np.int64),
            np.array([w[1] for w in words], dtype=np.int64),
        )
        self._details[text] = detail
        return detail

    def dense(self, features: Features) -> Matrix:
        """Tf-idf-weighted mean of the word vectors of each document, normalised to length 1."""
        rows = self.row_of[features.cols]
        keep = rows >= 0
        out = np.zeros((features.n_docs, self.dim), dtype=np.float32)
        np.add.at(out, features.rows[keep], self.vectors[rows[keep]] * features.values[keep, None])
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-6)).astype(np.float32)

    def save(self, path: Path) -> None:
        word_ids = np.flatnonzero(self.row_of >= 0)
        order = self.row_of[word_ids]
        np.savez_compressed(
            path, word_ids=word_ids[np.argsort(order)], vectors=self.vectors.astype(np.float16)
        )

    @classmethod
    def load(cls, features_path: Path, vectors_path: Path) -> Encoder:
        featurizer = Featurizer.load(features_path)
        with np.load(vectors_path, allow_pickle=False) as data:
            return cls(featurizer, data["word_ids"], data["vectors"].astype(np.float32))


class _WrittenEncoder(Encoder):
    """An encoder reading words as written, sharing its parent's vocabulary and vectors; its
    mentions carry no word vector (`UNREAD`). A batch is featurised by the parent (cached: the
    other models read it too) and only the posts a repair changed (about one in five tweets)
    are featurised again, as written; those and the posts with a mention get their dense
    vector again."""

    def __init__(self, parent: Encoder) -> None:
        self.parent = parent
        self.featurizer = parent.featurizer.as_written()
        self.vectors, self.row_of = parent.vectors, parent.row_of.copy()
        words = self.featurizer.words
        self.unread = np.array([words[t] for t in UNREAD if t in words], dtype=np.int64)
        self.row_of[self.unread] = -1
        self._last, self._details, self._written = None, {}, self

    def encode(self, texts: list[str] | tuple[str, ...]) -> Encoded:
        key = tuple(texts)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        base = self.parent.encode(key)
        repaired = base.features.repaired
        changed = np.flatnonzero(repaired) if repaired is not None else np.arange(len(key))
        features = base.features
        if len(changed):
            new = self.featurizer.transform([key[i] for i in changed])
            features = features.with_rows(changed, new)
        redo = np.union1d(changed, features.rows[np.isin(features.cols, self.unread)])
        if not len(redo):
            encoded = base
        else:
            dense = base.dense.copy()
            dense[redo] = self.dense(features.only_rows(redo))
            encoded = Encoded(features, dense)
        self._last = (key, encoded)
        return encoded

    def reading(self, name: str) -> Encoder:
        return self.parent.reading(name)


@dataclass(frozen=True, slots=True)
class LinearModel:
    """Weights over [sparse features | dense vector], a bias, and a calibration of the margin.

    Binary models have one output (the positive label); multi-class ones one per label and a
    softmax. Calibration is Platt scaling (a, b) for binary and a temperature for multi-class,
    both fitted on validation data.
    """

    name: str
    labels: tuple[str, ...]
    sparse: Matrix
    dense: Matrix
    bias: Matrix
    calibration: Matrix
    meta: dict[str, Any]

    @property
    def binary(self) -> bool:
        return len(self.labels) == 1

    @property
    def positive(self) -> int | None:
        """For a binary model read from a softmax over several classes, its class's column."""
        if not self.binary or self.sparse.shape[1] == 1:
            return None
        return int(self.meta["positive"])

    def margins(self, encoded: Encoded) -> Matrix:
        f = encoded.features
        contrib = self.sparse[f.cols] * f.values[:, None]
        out = np.empty((f.n_docs, self.sparse.shape[1]), dtype=np.float32)
        for k in range(out.shape[1]):
            out[:, k] = np.bincount(f.rows, weights=contrib[:, k], minlength=f.n_docs)
        out += encoded.dense @ self.dense + self.bias
        return out if self.positive is None else one_of_softmax(out, self.positive)

    def probabilities(self, encoded: Encoded) -> Matrix:
        """Calibrated probabilities: (n, 1) for binary models, (n, labels) otherwise."""
        return self.calibrate(self.margins(encoded))

    def calibrate(self, margins: Matrix) -> Matrix:
        if self.binary:
            a, b = float(self.calibration[0]), float(self.calibration[1])
            return (1.0 / (1.0 + np.exp(-(a * margins + b)))).astype(np.float32)
        z = margins / float(self.calibration[0])
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return (z / z.sum(axis=1, keepdims=True)).astype(np.float32)

    @property
    def threshold(self) -> float:
        """Decision threshold tuned on validation (binary), for evaluation and policy defaults."""
        return float(self.meta.get("threshold", 0.5))

    @property
    def reading(self) -> str:
        """How this model reads words (`REPAIRED` or `WRITTEN`): pass `encoder.reading(...)`
        of it to `probabilities`; `explain` picks it itself."""
        return str(self.meta.get("reading", REPAIRED))

    def threshold_for(self, language: str) -> float:
        """The language's own validation-tuned threshold when it had enough data, else the global."""
        return float(self.meta.get("thresholds", {}).get(language, self.threshold))

    def explain(
        self, encoder: Encoder, text: str, label: int = 0, top: int = 5
    ) -> tuple[Span, ...]:
        """The words of `text` that pushed output `label` up most, as spans of the original."""
        detail = encoder.reading(self.reading).detail(text)
        if not len(detail.cols):
            return ()
        sparse = self.sparse[detail.cols]
        label = label if self.positive is None else self.positive
        weights, dense_w = sparse[:, label], self.dense[:, label]
        if sparse.shape[1] > 1:  # softmax: what favours this label over the average label
            weights = weights - sparse.mean(axis=1)
            dense_w = dense_w - self.dense.mean(axis=1)
        amount = detail.shares * weights + detail.dense_shares @ dense_w
        return _word_spans(detail, amount, self.labels[0 if self.binary else label], top)


def one_of_softmax(margins: Matrix, positive: int) -> Matrix:
    """The log-odds of one class against all the others under a softmax, as one column."""
    others = np.delete(margins, positive, axis=1)
    top = others.max(axis=1, keepdims=True)
    rest = top + np.log(np.exp(others - top).sum(axis=1, keepdims=True))
    return (margins[:, [positive]] - rest).astype(np.float32)


def _word_spans(detail: Detail, amount: Matrix, label: str, top: int) -> tuple[Span, ...]:
    """Spread each occurrence's contribution over its characters, sum per word, keep the top."""
    size = detail.length + 1
    width = np.maximum(detail.ends - detail.starts, 1)
    per_char = np.zeros(size + 1, dtype=np.float64)
    np.add.at(per_char, detail.starts, amount / width)
    np.add.at(per_char, detail.ends, -amount / width)
    total = np.concatenate([[0.0], np.cumsum(np.cumsum(per_char)[:size])])
    weights = total[detail.word_ends] - total[detail.word_starts]
    order = [int(i) for i in np.argsort(-weights)[:top] if weights[i] > 0]
    if not order:
        return ()
    cut = weights[order[0]] * 0.15
    return tuple(
        Span(
            int(detail.word_starts[i]), int(detail.word_ends[i]), label, round(float(weights[i]), 4)
        )
        for i in sorted(order)
        if weights[i] >= cut
    )


def save_model(path: Path, model: LinearModel) -> None:
    np.savez_compressed(
        path,
        labels=np.array(model.labels, dtype=np.str_),
        sparse=model.sparse.astype(np.float16),
        dense=model.dense.astype(np.float16),
        bias=model.bias.astype(np.float32),
        calibration=model.calibration.astype(np.float32),
        meta=np.array(json.dumps(model.meta, sort_keys=True)),
    )


def load_model(path: Path) -> LinearModel:
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        return LinearModel(
            name=str(meta["name"]),
            labels=tuple(data["labels"].tolist()),
            sparse=data["sparse"].astype(np.float32),
            dense=data["dense"].astype(np.float32),
            bias=data["bias"].astype(np.float32),
            calibration=data["calibration"].astype(np.float32),
            meta=meta,
        )
