"""Word and character n-gram features over canonical text, shared by every fast-tier model.

One featurisation per post feeds all the linear models (offensive, hate, spam, sentiment …),
which is what keeps the full signal set fast. The vocabulary is a fixed list of strings saved as
a plain .npz (no pickles), so run time needs only numpy; training builds the same matrices.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.text import canonical, canonical_with_offsets

#: Word tokens (letters/digits) and single symbols or emoji, which carry tone ("?", "!", "😡").
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORDLIKE = re.compile(r"\w+")
#: A doubled letter: what the canonical form leaves of a stretched one ("stuuupid" → "stuupid").
_DOUBLE = re.compile(r"([^\W\d_])\1")
#: Words long enough for a one-letter typo to be read back safely ("wmoen", "wmen", "womne").
_TYPO_WORD = re.compile(r"[^\W\d_]{4,}")

CHAR_MIN, CHAR_MAX = 2, 5


@dataclass(frozen=True, slots=True)
class Features:
    """A batch as a sparse matrix in coordinate form, rows sorted: tf-idf, each group l2-normed."""

    rows: NDArray[np.int64]
    cols: NDArray[np.int64]
    values: NDArray[np.float32]
    n_docs: int
    n_features: int
    #: Which documents a repair changed (`Featurizer.repair`): the only ones a reading of the
    #: words as written featurises differently (`with_rows`).
    repaired: NDArray[np.bool_] | None = None

    def with_rows(self, index: NDArray[np.int64], new: Features) -> Features:
        """These features with the documents `index` replaced by `new`'s, in order."""
        keep = ~np.isin(self.rows, index)
        rows = np.concatenate([self.rows[keep], index[new.rows]])
        cols = np.concatenate([self.cols[keep], new.cols])
        order = np.lexsort((cols, rows))
        values = np.concatenate([self.values[keep], new.values])[order]
        return Features(rows[order], cols[order], values, self.n_docs, self.n_features)

    def only_rows(self, index: NDArray[np.int64]) -> Features:
        """The documents `index` (sorted, unique) alone, renumbered in that order."""
        keep = np.isin(self.rows, index)
        rows = np.searchsorted(index, self.rows[keep])
        return Features(rows, self.cols[keep], self.values[keep], len(index), self.n_features)


def word_grams(tokens: Sequence[str]) -> list[str]:
    """Unigrams and bigrams of tokens (bigrams joined by a space)."""
    return list(tokens) + [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


def char_grams(canon: str) -> list[str]:
    """Character 2- to 5-grams inside each word, padded with spaces at its edges."""
    grams: list[str] = []
    for word in _WORDLIKE.findall(canon):
        grams.extend(_word_char_grams(word))
    return grams


def _word_char_grams(word: str) -> list[str]:
    padded = f" {word} "
    size = len(padded)
    return [padded[i : i + n] for n in range(CHAR_MIN, CHAR_MAX + 1) for i in range(size - n + 1)]


class Featurizer:
    """Maps texts to tf-idf vectors over a fixed vocabulary of word and char n-grams."""

    def __init__(self, words: Sequence[str], chars: Sequence[str], idf: NDArray[np.float32]):
        self.words = {gram: i for i, gram in enumerate(words)}
        self.n_word = len(self.words)
        self.chars = {gram: self.n_word + i for i, gram in enumerate(chars)}
        self.idf = idf.astype(np.float32)
        self.n_features = self.n_word + len(self.chars)
        self.names = [*words, *chars]
        self._repairs: dict[str, str] = {}
        self._deletions: dict[str, str] | None = None
        #: One-letter deletions of the harm models' strongest words (`strong_words.py`), each
        #: under its word; read back without the 4-gram gate (`use_strong_words`).
        self._strong: dict[str, str] = {}
        #: False in the sibling that reads words as written (`as_written`).
        self.repairs = True

    # -- building and storing -------------------------------------------------------------

    @classmethod
    def build(
        cls, texts: Iterable[str], max_words: int, max_chars: int, min_df: int = 2
    ) -> Featurizer:
        """Choose the vocabulary (most frequent n-grams by document frequency) and idf weights."""
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        n_docs = 0
        for text in texts:
            canon = canonical(text)
            word_df.update(set(word_grams(_TOKEN.findall(canon))))
            char_df.update(set(char_grams(canon)))
            n_docs += 1
        words = _top(word_df, max_words, min_df)
        chars = _top(char_df, max_chars, min_df)
        df = np.array([word_df[g] for g in words] + [char_df[g] for g in chars], dtype=np.float64)
        idf = (np.log((1 + n_docs) / (1 + df)) + 1).astype(np.float32)
        return cls(words, chars, idf)

    def save(self, path: Path) -> None:
        names = list(self.names)
        np.savez_compressed(
            path,
            words=np.array(names[: self.n_word], dtype=np.str_),
            chars=np.array(names[self.n_word :], dtype=np.str_),
            idf=self.idf.astype(np.float16),
        )

    @classmethod
    def load(cls, path: Path) -> Featurizer:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                data["words"].tolist(), data["chars"].tolist(), data["idf"].astype(np.float32)
            )

    # -- run time -----------------------------------------------------------------------------

    def as_written(self) -> Featurizer:
        """The same vocabulary (shared, not copied) reading every word as written: for a model
        whose validation prefers the letters as typed (spam: "txt", "FreeMsg" are its signal)."""
        sibling = copy.copy(self)
        sibling.repairs = False
        return sibling

    def use_strong_words(self, words: Iterable[str]) -> None:
        """Read an unknown word one letter short of one of `words` as that word, gate or no
        gate ("conard" → "connard", "btch" → "bitch"): dropping a letter is how an insult dodges a
        filter, and the 4-gram gate, which spares the real words the vocabulary lacks, lets
        most such forms through. Only the harm models' strongest words are restored, so an
        ordinary word the vocabulary lacks rarely becomes one of them."""
        known = sorted(
            (w for w in words if w in self.words), key=lambda w: (self.idf[self.words[w]], w)
        )
        index: dict[str, str] = {}
        for word in known:
            for shorter in _deletions(word):
                if shorter not in self.words:
                    index.setdefault(shorter, word)
        self._strong = index
        self._repairs.clear()

    def repair(self, token: str) -> str:
        """A word the vocabulary lacks because a letter was stretched ("stupidd", "fuuck",
        "assholee") or mistyped ("wmoen", "wmen", "womenn", "scumm"): the first form with one
        doubled letter made single (then all of them) that the vocabulary knows, else the
        commonest known word one typo away (two neighbours swapped, a letter missing or one
        too many); else the word as it is. Known words never change, and no word does when
        `repairs` is off."""
        if not self.repairs or token in self.words:
            return token
        if (known := self._repairs.get(token)) is not None:
            return known
        if len(self._repairs) > 100_000:  # hostile input: every word new and misspelt
            self._repairs.clear()
        runs = [m.start() for m in _DOUBLE.finditer(token)]
        variants = [token[:i] + token[i + 1 :] for i in runs] + [_DOUBLE.sub(r"\1", token)]
        stretched = next((v for v in variants if v in self.words), None) if runs else None
        self._repairs[token] = stretched or self._typo(token) or self._split(token) or token
        return self._repairs[token]

    def _typo(self, token: str) -> str | None:
        """The commonest known word one typo away: two neighbours swapped ("fmemes" → "femmes",
        not the commoner "memes": a swap keeps every letter typed), else, when the token holds a
        4-gram of letters no known word has ("wmen", "muslms"), a letter missing or one too
        many. The gate keeps most real words the vocabulary lacks ("volent", "louer") as
        they are: validation scores move by at most 0.002 with it, up to 0.012 without. Last,
        a strong word one letter longer (`use_strong_words`), gate or no gate."""
        if not _TYPO_WORD.fullmatch(token):  # too short for a typo, or not all letters
            return self._strong.get(token)  # "cnt": a 4-letter strong word lost a letter
        found = [w for w in _swaps(token) if w in self.words]
        if not found and self._malformed(token):
            if len(token) > 4:
                found += [w for w in _deletions(token) if w in self.words]
            if (missing := self._typo_index().get(token)) is not None:
                found.append(missing)
        if found:
            return min(found, key=lambda w: self.idf[self.words[w]])
        return self._strong.get(token)

    def _split(self, token: str) -> str | None:
        """Two known words run together ("blackpeople", "sontnuls"), as "black people", when
        the token looks malformed (the same 4-gram gate as typos); the commonest pair wins."""
        if len(token) < 6 or not _TYPO_WORD.fullmatch(token) or not self._malformed(token):
            return None
        pairs = [(token[:i], token[i:]) for i in range(3, len(token) - 2)]
        known = [(a, b) for a, b in pairs if a in self.words and b in self.words]
        if not known:
            return None
        a, b = min(known, key=lambda p: self.idf[self.words[p[0]]] + self.idf[self.words[p[1]]])
        return f"{a} {b}"

    def _malformed(self, token: str) -> bool:
        padded = f" {token} "
        return any(padded[i : i + 4] not in self.chars for i in range(len(padded) - 3))

    def _typo_index(self) -> dict[str, str]:
        """Each known word of 5+ letters under each of its one-letter deletions ("wmen" →
        "women"), the commoner word kept where two collide; built on first use (~80,000 keys)."""
        if self._deletions is None:
            words = [w for w in self.words if len(w) > 4 and _TYPO_WORD.fullmatch(w)]
            index: dict[str, str] = {}
            for word in sorted(words, key=lambda w: (self.idf[self.words[w]], w)):
                for shorter in _deletions(word):
                    index.setdefault(shorter, word)
            self._deletions = index
        return self._deletions

    def ids(self, canon: str) -> list[int]:
        """Feature ids of one canonical text (repeated when a gram repeats)."""
        return self._ids(canon)[0]

    def _ids(self, canon: str) -> tuple[list[int], bool]:
        """Feature ids, and whether a repair changed a word."""
        wget = self.words.get
        cget = self.chars.get
        written = _TOKEN.findall(canon)
        tokens = [piece for t in written for piece in self.repair(t).split(" ")]
        found = [i for g in word_grams(tokens) if (i := wget(g)) is not None]
        for word in tokens:  # a symbol token is one character that is not a word character
            if len(word) > 1 or _WORDLIKE.match(word):
                found.extend(i for g in _word_char_grams(word) if (i := cget(g)) is not None)
        return found, tokens != written

    def transform(self, texts: Sequence[str]) -> Features:
        """Tf-idf (sublinear tf) of a batch, the word and char groups each normalised to length 1."""
        both = [self._ids(canonical(text)) for text in texts]
        per_doc = [ids for ids, _ in both]
        lengths = np.fromiter((len(ids) for ids in per_doc), dtype=np.int64, count=len(per_doc))
        flat = np.fromiter(
            (i for ids in per_doc for i in ids), dtype=np.int64, count=int(lengths.sum())
        )
        docs = np.repeat(np.arange(len(per_doc), dtype=np.int64), lengths)
        keys, counts = np.unique(docs * self.n_features + flat, return_counts=True)
        rows = keys // self.n_features
        cols = keys % self.n_features
        values = (1.0 + np.log(counts)).astype(np.float32) * self.idf[cols]
        group = rows * 2 + (cols >= self.n_word)
        norms = np.sqrt(np.bincount(group, weights=values * values, minlength=2 * len(texts)))
        values = (values / norms[group]).astype(np.float32)
        repaired = np.fromiter((changed for _, changed in both), dtype=np.bool_, count=len(both))
        return Features(rows, cols, values, len(texts), self.n_features, repaired)

    def occurrences(
        self, text: str
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
        """Where each feature of `text` occurs: ids, starts and ends in the ORIGINAL text.

        A character n-gram is placed on its whole word: explanations add contributions up per
        word anyway, and this keeps explaining a post about as cheap as featurising it.
        """
        canon, offsets = canonical_with_offsets(text)
        cols: list[int] = []
        starts: list[int] = []
        ends: list[int] = []
        wget, cget = self.words.get, self.chars.get
        tokens = [
            (piece, m.start(), m.end())
            for m in _TOKEN.finditer(canon)
            for piece in self.repair(m.group(0)).split(" ")
        ]
        for k, (token, start, end) in enumerate(tokens):
            grams = [(token, end)]
            if k + 1 < len(tokens):
                grams.append((f"{token} {tokens[k + 1][0]}", tokens[k + 1][2]))
            for gram, stop in grams:
                if (i := wget(gram)) is not None:
                    cols.append(i)
                    starts.append(start)
                    ends.append(stop)
        for match in _WORDLIKE.finditer(canon):
            words = self.repair(match.group(0)).split(" ")
            pieces = [gram for word in words for gram in _word_char_grams(word)]
            ids = [i for g in pieces if (i := cget(g)) is not None]
            cols.extend(ids)
            starts.extend([match.start()] * len(ids))
            ends.extend([match.end()] * len(ids))
        at = np.asarray(offsets, dtype=np.int64)
        begin = np.asarray(starts, dtype=np.int64)
        finish = np.asarray(ends, dtype=np.int64)
        if not len(begin):
            return begin, begin, begin
        return np.asarray(cols, dtype=np.int64), at[begin], at[finish - 1] + 1


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def _top(df: Counter[str], limit: int, min_df: int) -> list[str]:
    ranked = sorted((g for g, n in df.items() if n >= min_df), key=lambda g: (-df[g], g))
    return ranked[:limit]
