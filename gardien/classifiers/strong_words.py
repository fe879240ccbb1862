"""The harm models' strongest words, which the fast tier restores when a letter is dropped.

Dropping a letter is the cheapest way to slip an insult past a filter ("conard", "btch"), and
the typo repair (`Featurizer.repair`) reads a missing letter back only where the word holds a
4-gram no known word has: that gate spares the real words the vocabulary lacks ("volent",
"louer"), but lets most shortened insults through. Session 18 measured it on validation with a
letter dropped from half the words of 4+ letters (`evasions.missing`): French offensive lost
0.100 macro-F1. So the words the offensive and hate models weigh most towards harm are written
next to the encoder (`strong_words.json`, rebuilt whenever either model is), and an unknown
word one letter short of one of them is read as that word (`Featurizer.use_strong_words`).
How many per model (TOP) was chosen on validation (docs/CLASSIFIERS.md, session 18).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from gardien.classifiers.features import Featurizer
from gardien.classifiers.linear import LinearModel

FILE = "strong_words.json"
#: Words taken from each harm model: the smallest count whose missing-letter validation scores
#: came within 0.005 of the best tried (150 to 4,000).
TOP = 1000
#: Whole words of letters only, 4 or more: shorter ones are one letter from too many others.
_WORD = re.compile(r"[a-z]{4,}")


def strongest(models: Sequence[LinearModel], featurizer: Featurizer, top: int = TOP) -> list[str]:
    """The `top` single words each binary model weighs most towards its label, pooled."""
    words = featurizer.names[: featurizer.n_word]
    single = np.array([i for i, w in enumerate(words) if _WORD.fullmatch(w)], dtype=np.int64)
    out: set[str] = set()
    for model in models:
        weights = np.asarray(model.sparse[single, 0], dtype=np.float32)
        order = np.argsort(-weights, kind="stable")[:top]
        out.update(words[single[i]] for i in order if weights[i] > 0)
    return sorted(out)


def write(
    path: Path, models: Sequence[LinearModel], featurizer: Featurizer, top: int = TOP
) -> list[str]:
    """`strongest` words, written to `path` with where they came from."""
    words = strongest(models, featurizer, top)
    about = (
        f"The {top} single words each of {', '.join(m.name for m in models)} weighs most towards "
        "harm, read back by the typo repair when a letter is missing "
        "(classifiers/strong_words.py). Derived from those models, so from their data and licences."
    )
    record = {"about": about, "models": [m.name for m in models], "top": top, "words": words}
    path.write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return words


def load(path: Path) -> list[str]:
    """The words in `path`, or none where it is missing (models built before session 18)."""
    if not path.is_file():
        return []
    words = json.loads(path.read_text(encoding="utf-8"))["words"]
    return [str(w) for w in words]
