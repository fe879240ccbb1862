"""What a rebuild keeps from the model it replaces: the choices made on validation.

`gardien train` chooses a grid entry (C, weight of the word vectors), thresholds and gates on
validation and the functional dev set. On another machine the weights come out a hair apart
(floating-point order), and every choice that was a near-tie can flip: on session 21's machine
a rebuild of `hate-en-fr.v1` picked another dense scale (0.7012 against 0.7013), then a French
threshold one step higher (one post of MLMA's 401), which ruled out the French lift's gate, and
the functional dev set read 0.885 → 0.860 in French. So each model records a fingerprint of what
it learns and is chosen on; a rebuild on the same rows keeps the recorded choices and fits only
the weights and their calibration, and anything that changes those rows (a seed, a split, the
grid) chooses afresh. Where the rows did change, a grid entry within `STICKY` of the best still
loses to the previous choice, so float noise alone cannot move it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gardien.classifiers.linear import load_model
from gardien.classifiers.registry import ModelSpec, model_path

if TYPE_CHECKING:
    from gardien.classifiers.features import Featurizer
    from gardien.classifiers.training_data import Data

#: `meta["choices"]`: how this build made its choices.
RECORDED, CHOSEN = "kept from the previous build (same rows)", "validation"
#: What a rebuild on unchanged rows carries over from the model it replaces, besides the grid
#: entry and the thresholds: gates chosen after the fit, each with the key of what chose them.
CARRIED = (
    "reading", "readings", "gates", "gates_key", "second_opinion_for", "tolerance",
    "implied_by", "implied_gates", "implied_floors", "implied_key",
)  # fmt: skip
#: How close to the best validation score the previous grid entry must stay to be kept when the
#: rows changed (about one post of English validation).
STICKY = 0.001


def key(*parts: Any) -> str:
    """A short stable digest of JSON-able parts (the same on every machine)."""
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def fingerprint(spec: ModelSpec, data: Data, featurizer: Featurizer) -> str:
    """What a model learns and is chosen on: every row, label, language and group, the seeds'
    weight, the spec's outputs and readings, and the encoder's vocabulary (a new encoder,
    `gardien train --new-encoder`, chooses everything afresh)."""
    splits = [(s.texts, s.labels, s.langs) for s in (data.train, data.val, data.extra)]
    spec_part = (spec.name, spec.labels, spec.softmax_over, spec.readings)
    return key(spec_part, splits, data.groups, data.extra_weight, vocabulary(featurizer))


def vocabulary(featurizer: Featurizer) -> str:
    """The digest of an encoder's feature names (its vectors follow from them)."""
    found = _VOCABULARIES.get(id(featurizer))
    if found is None or found[0] is not featurizer:
        found = (featurizer, key(featurizer.names))
        _VOCABULARIES[id(featurizer)] = found
    return found[1]


_VOCABULARIES: dict[int, tuple[Featurizer, str]] = {}


def reads(*matrices: Any) -> str:
    """Which features fire in each row of the given sparse matrices (their structure, not their
    values: the same on every machine). It moves when the code that reads text does (canonical
    text, n-grams, the typo repair) while the rows stay the same."""
    digest = hashlib.sha256()
    for matrix in matrices:
        if matrix is not None:
            digest.update(matrix.indptr.astype("<i8").tobytes())
            digest.update(matrix.indices.astype("<i8").tobytes())
    return digest.hexdigest()[:16]


def previous_meta(spec: ModelSpec) -> dict[str, Any] | None:
    """The meta of the model on disk under this spec's name, if there is one."""
    path = model_path(spec.name)
    return load_model(path).meta if path.is_file() else None


def recorded(spec: ModelSpec, data: Data, featurizer: Featurizer) -> dict[str, Any] | None:
    """The previous build's meta when it learnt exactly these rows (its choices to keep)."""
    meta = previous_meta(spec)
    if meta is None or meta.get("data") != fingerprint(spec, data, featurizer):
        return None
    return meta


def previous_choice(spec: ModelSpec) -> tuple[float, float] | None:
    """The (C, dense scale) of the model on disk under this spec's name, if there is one."""
    meta = previous_meta(spec)
    if meta is None or "C" not in meta or "dense_scale" not in meta:
        return None
    return float(meta["C"]), float(meta["dense_scale"])


def choose_entry(
    scores: Sequence[tuple[float, float, float]], previous: tuple[float, float] | None
) -> int:
    """The grid entry to keep among (score, C, scale): the best (the first on an exact tie),
    unless the previous choice scores within `STICKY` of it."""
    best = max(range(len(scores)), key=lambda i: (scores[i][0], -i))
    for i, (score, c, scale) in enumerate(scores):
        if previous == (c, scale) and scores[best][0] - score <= STICKY:
            return i
    return best


def of_model(meta: dict[str, Any]) -> tuple[Any, ...]:
    """What of a model a later choice rests on: its rows and its own grid entry and thresholds."""
    fields = ("data", "reads", "C", "dense_scale", "threshold", "thresholds")
    return tuple(meta.get(k) for k in fields)


def kept(meta: dict[str, Any], name: str, current_key: str) -> bool:
    """Whether a rebuild keeps the gates `meta` carries under `name` (`gates`, `implied`):
    everything that chose them is unchanged (their key, written when they were chosen)."""
    return f"{name}_key" in meta and meta[f"{name}_key"] == current_key
