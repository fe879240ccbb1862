"""Canonical text for the classifiers: evasions undone, every character traceable to the original.

Models see one canonical form (lower case, accents and look-alikes folded, zero-width removed,
l33t and spaced-out letters rejoined, links and mentions replaced by placeholders), so the
same n-grams fire whether a post says "idiot", "1d10t", "i d i o t" or "іdіot" (Cyrillic і).
`canonical` is the fast path; `canonical_with_offsets` gives the same string plus, for each of
its characters, the index of the original character it came from, so explanations can point at
the text exactly as the author wrote it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

#: Characters that hide inside words to dodge filters; they are dropped.
_INVISIBLE = "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
_INVISIBLE += "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\ufeff"

#: Letters from other scripts that look like Latin ones (a small, common subset of Unicode
#: confusables); Greek and Cyrillic words are rarely mixed with Latin ones on purpose.
_LOOKALIKES = {
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d",
    "ɡ": "g", "ӏ": "l", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ѵ": "v", "ԛ": "q", "ԝ": "w",
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ﬁ": "fi",
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "´": "'",
}  # fmt: skip

#: Ranges whose characters get the per-character fold (others are kept as they are).
_FOLD_RANGES = (
    (0x0041, 0x005A), (0x00A0, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF), (0x1D00, 0x1DBF),
    (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x2100, 0x214F), (0x2460, 0x24FF), (0xFF00, 0xFFEF),
    (0x1D400, 0x1D7FF), (0x1F130, 0x1F189),
)  # fmt: skip

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a",
                       "$": "s", "!": "i", "|": "l", "€": "e"})  # fmt: skip

#: Placeholders carry the *kind* of thing (a link, a handle, a phone number) into the n-grams.
URL, USER, EMAIL, PHONE = "xxurl", "xxuser", "xxemail", "xxphone"

Rewrite = Callable[[re.Match[str]], str]


def _fold_char(char: str) -> str:
    if char in _INVISIBLE:
        return ""
    if char in _LOOKALIKES:
        return _LOOKALIKES[char]
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    lowered = char.lower()
    if not base or not base.isprintable():
        return lowered if len(lowered) == 1 else char
    return base.replace("\u2019", "'")


@lru_cache(maxsize=1)
def _fold_table() -> dict[int, str]:
    """Built once, on first use: the per-character fold as a `str.translate` table."""
    table: dict[int, str] = {}
    for low, high in _FOLD_RANGES:
        for code in range(low, high + 1):
            folded = _fold_char(chr(code))
            if folded != chr(code):
                table[code] = folded
    for char in _INVISIBLE + "".join(_LOOKALIKES):
        table[ord(char)] = _fold_char(char)
    return table


def _leet(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith("@"):
        return token
    body = token.rstrip("!|")  # a trailing "!" is punctuation, not an i
    return body.translate(_LEET) + token[len(body) :]


def _squeeze(match: re.Match[str]) -> str:
    return re.sub(r"[\s.\-_*+~,]", "", match.group(0))


_STEPS: tuple[tuple[re.Pattern[str], str | Rewrite], ...] = (
    (re.compile(r"[a-z][\w.+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)+"), f" {EMAIL} "),
    (re.compile(r"\bhttps?\b(?::/*\S*)?|\bwww\.\S+|\b[a-z0-9-]+\.(?:com|net|org|fr|ly)/\S*"),
     f" {URL} "),
    (re.compile(r"(?<![\w@])@\w+"), f" {USER} "),
    (re.compile(r"(?<!\w)\+?\d(?:[ .\-()]?\d){8,13}(?!\w)"), f" {PHONE} "),
    # l33t: a run of letters, digits and symbols with at least one letter and one symbol or digit
    (re.compile(r"(?<![\w@$!|])(?=[\w@$!|€]*[a-z])(?=[a-z]*[0-9@$!|€])[\w@$!|€]{3,}"), _leet),
    # spaced out: "f u c k", "f.u.c.k", "i-d-i-o-t" (at least three single letters)
    (re.compile(r"(?<!\w)[a-z](?:(?:[ .\-_*+~]|\s){1,2}[a-z]){2,}(?!\w)"), _squeeze),
    (re.compile(r"([^\W\d_])\1{2,}"), r"\1\1"),  # "stuuuupid" -> "stuupid"
)  # fmt: skip


#: A hashtag's body; its words are split where the case changes, before case is folded away.
_HASHTAG = re.compile(r"(?<![\w#])#(\w{2,})")


def _word_starts(tag: str) -> list[int]:
    """Where a CamelCase hashtag's words begin: "BanTheGays" → [3, 6], "NoDACA" → [2],
    "LesFemmesALaCuisine" → [3, 9, 10, 12], "Covid19Vaccine" → [7]. All-caps and all-lower
    tags stay whole."""
    starts = []
    for i in range(1, len(tag)):
        before, here = tag[i - 1], tag[i]
        upper_after_lower = (before.islower() or before.isdigit()) and here.isupper()
        acronym_end = (
            before.isupper() and here.isupper() and i + 1 < len(tag) and tag[i + 1].islower()
        )
        if upper_after_lower or acronym_end:
            starts.append(i)
    return starts


def split_hashtags(text: str) -> str:
    """A CamelCase hashtag followed by its words ("#BanTheGays" → "#BanTheGays Ban The Gays"):
    the words share their n-grams with plain sentences, and the tag stays one token, which
    names a campaign as no sentence does (validation loses 0.017 without it)."""
    if "#" not in text:
        return text
    return _split_hashtags_tracking(text, list(range(len(text))))[0]


def _split_hashtags_tracking(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in _HASHTAG.finditer(text):
        cuts = _word_starts(match.group(1))
        if not cuts:
            continue
        start, end = match.span(1)
        pieces.append(text[last:end])
        new_offsets.extend(offsets[last:end])
        for begin, stop in itertools.pairwise([0, *cuts, end - start]):
            pieces.append(" " + text[start + begin : start + stop])  # the space stands for
            new_offsets.extend(offsets[start + begin : start + stop + 1][:1])  # the word's start
            new_offsets.extend(offsets[start + begin : start + stop])
        last = end
    pieces.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets


def canonical(text: str) -> str:
    """The canonical form the models read (fast path, no offsets)."""
    out = split_hashtags(text).translate(_fold_table())
    for pattern, replacement in _STEPS:
        out = pattern.sub(replacement, out)
    return out


def canonical_with_offsets(text: str) -> tuple[str, list[int]]:
    """The canonical form and, for each of its characters, its index in `text`."""
    table = _fold_table()
    pieces: list[str] = []
    offsets: list[int] = []
    split, origins = _split_hashtags_tracking(text, list(range(len(text))))
    for index, char in zip(origins, split, strict=True):
        folded = table.get(ord(char), char)
        pieces.append(folded)
        offsets.extend([index] * len(folded))
    out = "".join(pieces)
    for pattern, replacement in _STEPS:
        out, offsets = _sub_tracking(pattern, replacement, out, offsets)
    return out, offsets


def _sub_tracking(
    pattern: re.Pattern[str], replacement: str | Rewrite, text: str, offsets: list[int]
) -> tuple[str, list[int]]:
    """`pattern.sub` that also rewrites the offsets (replacement characters spread over the match)."""
    pieces: list[str] = []
    new_offsets: list[int] = []
    last = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        new = replacement(match) if callable(replacement) else match.expand(replacement)
        pieces.append(text[last:start])
        new_offsets.extend(offsets[last:start])
        pieces.append(new)
        width = end - start
        for k in range(len(new)):
            position = start + (k * (width - 1) // max(len(new) - 1, 1) if width > 1 else 0)
            new_offsets.append(offsets[min(position, end - 1)] if width else offsets[start - 1])
        last = end
    pieces.append(text[last:])
    new_offsets.extend(offsets[last:])
    return "".join(pieces), new_offsets


def original_span(offsets: list[int], start: int, end: int, text_length: int) -> tuple[int, int]:
    """Map the canonical span [start, end) back to a span of the original text."""
    if not offsets or start >= end:
        return (0, 0)
    first = offsets[min(start, len(offsets) - 1)]
    last = offsets[min(end, len(offsets)) - 1]
    return (first, min(max(last + 1, first + 1), text_length))
