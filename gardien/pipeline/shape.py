"""The shape of a text for spotting repeats: an exact fingerprint and a small similarity sketch.

Both are taken from the classifiers' canonical form (`classifiers/text.py`), so case, accents,
look-alike letters, l33t, spaced-out letters and stretched letters change nothing; words are
the runs of letters and digits, so spacing, punctuation and emoji change nothing either. Links,
handles, e-mails and phone numbers are placeholders: a flood that changes its link each time is
still one text.

- The **fingerprint** (16 hex digits) is the same for texts with the same words in the same
  order, numbers aside (every run of digits reads as 0: "only 26 left" and "only 24 left" are one
  campaign); the store indexes it to count the authors of one text.
- The **sketch** is a bottom-k sample of the hashed character 4-grams of those words: the
  `SKETCH` smallest hash values. Two sketches estimate how much the texts share (exactly when
  both texts are short enough to keep every 4-gram), so a near-copy with a word changed or
  added still scores high, without keeping the text. It is stored as `SKETCH` 32-bit integers.

Texts too short to be a flood ("thanks!", "+1", "lol") get no fingerprint: they are never
compared, counted or stored.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from gardien.classifiers.text import EMAIL, PHONE, URL, USER, canonical

#: Hash values kept per sketch (32-bit each); texts of up to SKETCH + 3 characters keep all.
SKETCH = 64
#: Fewer words, or fewer letters and digits (placeholders not counted), is too short to count.
MIN_WORDS, MIN_CHARS = 3, 20

_WORD = re.compile(r"[^\W_]+")
_DIGITS = re.compile(r"\d+")
_PLACEHOLDERS = frozenset({URL, USER, EMAIL, PHONE})
# 64-bit constants of the gram hash (odd multipliers, splitmix64's finaliser).
_K1, _K2, _K3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(0x165667B1)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@dataclass(frozen=True, slots=True)
class TextShape:
    """A text's fingerprint ("" when too short to count) and its sketch (sorted hash values);
    `members` is the sketch as a set, built once since a post is compared many times."""

    fingerprint: str = ""
    sketch: tuple[int, ...] = ()
    _members: frozenset[int] | None = field(default=None, init=False, compare=False, repr=False)

    @property
    def members(self) -> frozenset[int]:
        """The sketch as a set, built on the first comparison (most posts are never compared)."""
        members = self._members
        if members is None:
            members = frozenset(self.sketch)
            object.__setattr__(self, "_members", members)
        return members

    @property
    def counts(self) -> bool:
        """Whether the text is long enough to be compared with others at all."""
        return bool(self.fingerprint)


SHORT = TextShape()


def words(text: str) -> list[str]:
    """The canonical words of `text`, in order."""
    return _WORD.findall(canonical(text))


def shapes(texts: Sequence[str]) -> list[TextShape]:
    """The shape of each text; the 4-grams of the whole batch are hashed in one numpy pass."""
    joined: list[str] = []
    for text in texts:
        tokens = words(text)
        content = [token for token in tokens if token not in _PLACEHOLDERS]
        long_enough = len(content) >= MIN_WORDS and sum(map(len, content)) >= MIN_CHARS
        joined.append(" ".join(tokens) if long_enough else "")
    sketches = _sketches(joined)
    return [
        TextShape(_fingerprint(text), sketch) if text else SHORT
        for text, sketch in zip(joined, sketches, strict=True)
    ]


def shape_of(text: str) -> TextShape:
    """The shape of one text."""
    return shapes([text])[0]


def similarity(a: TextShape, b: TextShape) -> float:
    """How much of the two texts is the same, 0–1 (Dice coefficient of their 4-gram sets):
    1.0 for the same words (numbers aside), about 0.9 for a word changed in a dozen."""
    if not a.fingerprint or not b.fingerprint:  # too short to count
        return 0.0
    if a.fingerprint == b.fingerprint:
        return 1.0
    shared = len(a.members & b.members)
    if not shared:
        return 0.0
    if len(a.sketch) < SKETCH and len(b.sketch) < SKETCH:  # both complete: exact
        union = len(a.sketch) + len(b.sketch) - shared
    else:  # estimate from the values up to the lower of the two sketches' largest: every value
        # of either text below it is known, and every shared value lies below it
        cut = min(a.sketch[-1], b.sketch[-1])
        union = bisect_right(a.sketch, cut) + bisect_right(b.sketch, cut) - shared
    jaccard = shared / union
    return 2 * jaccard / (1 + jaccard)


def pack(sketch: Sequence[int]) -> bytes:
    """A sketch as bytes for storage (little-endian 32-bit integers)."""
    return np.asarray(sketch, dtype="<u4").tobytes()


def unpack(data: bytes) -> tuple[int, ...]:
    """A stored sketch back as integers."""
    return tuple(np.frombuffer(data, dtype="<u4").tolist())


def _fingerprint(joined: str) -> str:
    numbers_aside = _DIGITS.sub("0", joined)
    return hashlib.blake2b(numbers_aside.encode("utf-8"), digest_size=8).hexdigest()


def _sketches(joined: Sequence[str]) -> list[tuple[int, ...]]:
    """Bottom-k samples of each text's hashed character 4-grams ("" → empty)."""
    if not any(joined):
        return [() for _ in joined]
    whole = "\x00".join(joined)  # one pass; grams spanning a separator are dropped below
    codes = np.frombuffer(whole.encode("utf-32-le"), dtype="<u4").astype(np.uint64)
    if codes.size < 4:
        return [() for _ in joined]
    key = codes[:-3] * _K1 + codes[1:-2] * _K2 + codes[2:-1] * _K3 + codes[3:]
    key ^= key >> np.uint64(30)
    key *= _M1
    key ^= key >> np.uint64(27)
    key *= _M2
    hashed = key >> np.uint64(32)
    # Keep the grams inside each text, tagged with the text's index in the high bits: one sort
    # of the whole batch puts each text's distinct values together, smallest first.
    lengths = np.fromiter((len(text) for text in joined), dtype=np.int64, count=len(joined))
    grams = np.maximum(lengths - 3, 0)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    owner = np.repeat(np.arange(len(joined), dtype=np.uint64), grams)
    offset = np.arange(int(grams.sum())) - np.repeat(np.cumsum(grams) - grams, grams)
    position = np.repeat(starts, grams) + offset
    tagged = np.sort((owner << np.uint64(32)) | hashed[position])
    tagged = tagged[np.concatenate(([True], tagged[1:] != tagged[:-1]))]  # distinct
    text = tagged >> np.uint64(32)
    first = np.searchsorted(text, np.arange(len(joined) + 1, dtype=np.uint64))
    rank = np.arange(tagged.size) - first[text.astype(np.int64)]
    kept = np.minimum(np.diff(first), SKETCH)
    values = (tagged[rank < SKETCH] & np.uint64(0xFFFFFFFF)).tolist()
    ends = np.cumsum(kept).tolist()
    return [tuple(values[end - size : end]) for end, size in zip(ends, kept.tolist(), strict=True)]
