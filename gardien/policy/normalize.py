"""Folding text for matching, so that an evasion meets the term it hides.

Every view keeps, for each of its characters, the offset of the original character it came from:
a match found in a folded view is reported as a span of the text *as received*.

The steps, each a view of the one before:

- ``fold``: drop invisible characters, NFKC, Unicode confusables (from the data of the
  `confusable-homoglyphs` package, itself Unicode's confusables.txt), case folding, accents.
  Punctuation is kept: regex terms run on this view.
- ``skeleton``: l33t and symbol substitution inside words (``a55``, ``sh!t``, ``$hit``), and the
  letters that look alike in every font (``l``, ``1``, ``|``) merged into ``i``. Same length.
- ``words`` (view A): every separator becomes a space (same length), so "l'idiot" has the word
  "idiot" and "grosse-merde" the word "merde".
- ``squeezed`` (view B): punctuation inside a word removed ("f.u.c.k", "con.nard"), single
  letters spaced out joined ("c o n n a r d"), runs of separators made one space.
- ``dedup``: runs of a letter made one ("fuuuuck"); the matcher only trusts a match there when the
  matched stretch had a letter repeated three times or more, so "as" never matches "ass".
"""

from __future__ import annotations

import importlib.resources
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Characters that render as nothing and are used to split words invisibly.
_INVISIBLE = frozenset(
    [
        *(0x00AD, 0x034F, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180E, 0x3164, 0xFEFF, 0xFFA0),
        *range(0x200B, 0x2010),
        *range(0x202A, 0x202F),
        *range(0x2060, 0x2070),
        *range(0xFE00, 0xFE10),
        *range(0x1F3FB, 0x1F400),  # emoji skin tones: "🖕🏽" is "🖕"
        *range(0xE0000, 0xE0080),  # tag characters
        *range(0xE0100, 0xE01F0),  # variation selectors supplement
    ]
)
#: Letters that NFKD does not take apart (they carry a stroke, not an accent).
_LIGATURES = {"œ": "oe", "æ": "ae", "ø": "o", "đ": "d", "ł": "l", "ŧ": "t", "ħ": "h"}
_APOSTROPHES = frozenset("'’‘ʼ`´′")
#: Digits read as letters inside a word that has letters ("a55", "m3rde").
_LEET_DIGITS = str.maketrans("0123456789", "oizeasgtbg")
#: Letters merged because fonts make them indistinguishable; applied to terms and text alike.
_SKELETON = str.maketrans({"l": "i", "_": "-"})
_LEET_TRIGGER = re.compile(r"[0-9@$€!|+]")
_CHUNK = re.compile(r"\S+")
_SINGLES = re.compile(r"(?<![^\W_])[^\W_](?:(?:[\W_]){1,3}[^\W_](?![^\W_])){2,}")
_INNER_PUNCT = re.compile(r"(?<=[^\W_])[^\w\s']+(?=[^\W_])")
_SEPARATORS = re.compile(r"(?:[\W_])+")
_TRIPLE = re.compile(r"([^\W_])\1\1")
_RUN = re.compile(r"([^\W_])\1+")
#: Scripts written without spaces between words: no word boundary applies to their terms.
_UNSPACED = ("CJK", "HIRAGANA", "KATAKANA", "THAI", "LAO", "KHMER", "MYANMAR", "TIBETAN")


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    """How one locale's terms and texts are folded; both sides always use the same options."""

    fold_accents: bool = True
    confusables: bool = True
    leet: bool = True


@dataclass(frozen=True, slots=True)
class View:
    """A derived text and, per character, the offset of the original character it came from.

    `offsets` is None when the view has the original's offsets (the common ASCII case), so that
    the fast path allocates nothing. `stretched` marks characters that stood for a run of three or
    more identical letters, and `ends` the original end of each run (dedup view only).
    """

    text: str
    offsets: list[int] | None = None
    stretched: frozenset[int] = frozenset()
    dedup: bool = False
    ends: dict[int, int] | None = None

    def origin(self, position: int) -> int:
        """The original offset of the character at `position` in this view."""
        return position if self.offsets is None else self.offsets[position]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span ``[start, end)`` that view characters ``[start, end)`` came from."""
        last = end - 1
        if self.ends is not None and last in self.ends:
            return self.origin(start), self.ends[last]
        return self.origin(start), self.origin(last) + 1


@lru_cache(maxsize=1)
def confusable_map() -> dict[str, str]:
    """Non-ASCII characters that Unicode lists as confusable with one ASCII letter or digit.

    Read once from the `confusable-homoglyphs` package's copy of Unicode's confusables.txt;
    pairs with more than one character on either side are left out (they change word lengths).
    """
    source = importlib.resources.files("confusable_homoglyphs").joinpath("confusables.json")
    groups: dict[str, list[dict[str, str]]] = json.loads(source.read_text(encoding="utf-8"))
    mapping: dict[str, str] = {}
    for char, homoglyphs in groups.items():
        if len(char) != 1 or char.isascii():
            continue
        ascii_twins = [h["c"] for h in homoglyphs if len(h["c"]) == 1 and h["c"].isascii()]
        letters = [c for c in ascii_twins if c.isalnum()]
        if letters:
            mapping[char] = letters[0]
    return mapping


class _Table(dict[int, str]):
    """A `str.translate` table filled on first sight of each character (C-speed afterwards)."""

    def __init__(self, options: NormalizeOptions) -> None:
        super().__init__()
        self.options = options
        self.irregular: set[str] = set()  # characters that fold to zero or several characters

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code), self.options)
        self[code] = folded
        if len(folded) != 1:
            self.irregular.add(chr(code))
        return folded


def fold_char(char: str, options: NormalizeOptions) -> str:
    """One character folded for matching: nothing for an invisible one, else its plain form."""
    if ord(char) in _INVISIBLE:
        return ""
    if char.isascii():
        return char.lower()
    text = unicodedata.normalize("NFKC", char)
    if options.confusables:
        table = confusable_map()
        text = "".join(table.get(c, c) for c in text)
    text = text.casefold()
    if options.fold_accents:
        decomposed = unicodedata.normalize("NFD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
        text = "".join(_LIGATURES.get(c, c) for c in text)
    if text in _APOSTROPHES:
        return "'"
    return text


class _WordsTable(dict[int, str]):
    """A `str.translate` table for the words view: separators become spaces, one for one."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        kept = is_word_char(char) or unicodedata.category(char) == "So"
        result = char if kept else " "
        self[code] = result
        return result


class Normalizer:
    """Folds texts for one set of options; holds the memo of characters already folded."""

    def __init__(self, options: NormalizeOptions = NormalizeOptions()) -> None:
        self.options = options
        self._table = _Table(options)
        self._words = _WordsTable()

    def fold(self, text: str) -> View:
        """Case, accents, confusables and invisible characters folded; punctuation kept."""
        if text.isascii():
            return View(text.lower())
        folded = text.translate(self._table)
        if len(folded) == len(text) and self._table.irregular.isdisjoint(text):
            return View(folded)
        pieces: list[str] = []
        offsets: list[int] = []
        for index, char in enumerate(text):
            piece = self._table[ord(char)]
            pieces.append(piece)
            offsets.extend([index] * len(piece))
        return View("".join(pieces), offsets)

    def skeleton(self, folded: View) -> View:
        """L33t inside words, look-alike letters merged; same length as `folded`."""
        text = folded.text
        if self.options.leet and _LEET_TRIGGER.search(text):
            text = _CHUNK.sub(_unleet_chunk, text)
        return View(text.translate(_SKELETON), folded.offsets)

    def views(self, text: str) -> tuple[View, list[View]]:
        """The folded view (for regex terms) and the views to scan for word terms."""
        folded = self.fold(text)
        skeleton = self.skeleton(folded)
        words = View(skeleton.text.translate(self._words), skeleton.offsets)
        scan = [words]
        squeezed = squeeze(skeleton)
        if squeezed.text != words.text:
            scan.append(squeezed)
        for view in list(scan):
            if _TRIPLE.search(view.text):
                scan.append(dedup(view))
        return folded, scan

    def term_key(self, term: str) -> str:
        """The form a term is stored under: the words view of the term, spaces squeezed."""
        skeleton = self.skeleton(self.fold(term))
        return " ".join(skeleton.text.translate(self._words).split())


def _unleet_chunk(match: re.Match[str]) -> str:
    """Read digits and symbols as letters, but only in a chunk that has letters ("10$" stays)."""
    chunk = match.group()
    if not any(c.isalpha() for c in chunk) or not _LEET_TRIGGER.search(chunk):
        return chunk
    chars = list(chunk.translate(_LEET_DIGITS))
    last = len(chars) - 1
    for i, char in enumerate(chars):
        if char in "@$€":
            chars[i] = {"@": "a", "$": "s", "€": "e"}[char]
        elif char in "!|+" and 0 < i < last and chars[i - 1].isalnum() and chars[i + 1].isalnum():
            chars[i] = "t" if char == "+" else "i"
    return "".join(chars)


def _edit(view: View, pattern: re.Pattern[str], replace: str | None) -> View:
    """Apply `pattern`: each match becomes `replace` (one char or nothing), or loses its
    non-word characters when `replace` is None; offsets follow the characters kept."""
    text = view.text
    pieces: list[str] = []
    kept: list[int] = []
    position = 0
    for match in pattern.finditer(text):
        start, end = match.span()
        pieces.append(text[position:start])
        kept.extend(range(position, start))
        if replace is None:
            for i in range(start, end):
                if text[i].isalnum():
                    pieces.append(text[i])
                    kept.append(i)
        elif replace:
            pieces.append(replace)
            kept.append(end if end < len(text) else start)
        position = end
    if position == 0 and not pieces:
        return view
    pieces.append(text[position:])
    kept.extend(range(position, len(text)))
    offsets = kept if view.offsets is None else [view.offsets[i] for i in kept]
    return View("".join(pieces), offsets)


def squeeze(skeleton: View) -> View:
    """View B: spaced-out letters joined, punctuation inside words removed, one space between."""
    view = _edit(skeleton, _SINGLES, None)
    view = _edit(view, _INNER_PUNCT, "")
    view = _edit(view, _SEPARATORS, " ")
    return view


def dedup(view: View) -> View:
    """Runs of one letter made one letter; remember which letters stood for three or more."""
    text = view.text
    pieces: list[str] = []
    kept: list[int] = []
    stretched: set[int] = set()
    ends: dict[int, int] = {}
    position = 0
    for match in _RUN.finditer(text):
        start, end = match.span()
        pieces.append(text[position : start + 1])
        kept.extend(range(position, start + 1))
        ends[len(kept) - 1] = view.origin(end - 1) + 1
        if end - start >= 3:
            stretched.add(len(kept) - 1)
        position = end
    pieces.append(text[position:])
    kept.extend(range(position, len(text)))
    offsets = kept if view.offsets is None else [view.offsets[i] for i in kept]
    return View("".join(pieces), offsets, frozenset(stretched), dedup=True, ends=ends)


def dedup_key(key: str) -> str:
    """A term key with runs of one letter made one letter (the key used on dedup views)."""
    return _RUN.sub(r"\1", key)


@lru_cache(maxsize=4096)
def needs_boundary(char: str) -> bool:
    """Whether a term ending in `char` must end at a word boundary (not in CJK, Thai, emoji…)."""
    if not char.isalnum():
        return False
    if char.isascii():
        return True
    return not unicodedata.name(char, "").startswith(_UNSPACED)


def is_word_char(char: str) -> bool:
    """Whether `char` continues a word (a letter, a digit, or a combining mark)."""
    return char.isalnum() or (not char.isascii() and unicodedata.category(char)[0] == "M")
