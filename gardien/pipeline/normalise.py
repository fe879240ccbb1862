"""Stage: a normalised copy of the text for the classifiers; the original stays as received."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from gardien.pipeline.record import StageContext, TriageRecord

_INVISIBLE = dict.fromkeys(
    [
        *(0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
    ],
    None,
)
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """NFKC (folds full-width and styled letters), drop invisible and bidi controls, squeeze spaces."""
    folded = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return _SPACES.sub(" ", folded).strip()


class Normalise:
    """Sets `record.normalized`; every later stage reads it instead of re-deriving it."""

    name = "normalise"
    needs = frozenset({"post"})
    sets = frozenset({"text.normalized"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        for record in batch:
            record.normalized = normalise_text(record.post.text)
