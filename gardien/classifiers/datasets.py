"""The labelled sets in `../shared/data`, read into train / validation / test splits per task.

Splits are the published ones where they exist and fixed-seed ones otherwise; any training or
validation text that also appears in a test set is dropped (tweeteval_hate repeats 232 test
tweets in train; umsab_sentiment_en's splits are subsets of tweeteval_sentiment's), so the test
scores mean what they say.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from gardien.errors import ConfigError

SEED = 13


@dataclass(slots=True)
class Split:
    """Texts and integer labels of one split, with the language of each text."""

    texts: list[str] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)

    def add(self, texts: Iterable[str], labels: Iterable[int], lang: str) -> None:
        for text, label in zip(texts, labels, strict=True):
            self.texts.append(text)
            self.labels.append(label)
            self.langs.append(lang)

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True, slots=True)
class TestSet:
    """One named test split, scored on its own in the evaluation report."""

    name: str
    lang: str
    metric: str
    split: Split


def read_rows(data: Path, folder: str, file: str) -> list[dict[str, str]]:
    path = data / folder / file
    if not path.is_file():
        raise ConfigError(f"missing {path}: pass --data pointing at the shared data folder")
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _split(rows: list[dict[str, str]], label: str = "label") -> Split:
    out = Split()
    out.texts = [r["text"] for r in rows]
    out.labels = [int(r[label]) for r in rows]
    return out


def _lang(split: Split, lang: str) -> Split:
    split.langs = [lang] * len(split.texts)
    return split


def seeded_split(n: int, test_share: float, seed: int = SEED) -> list[bool]:
    """A deterministic 'is held out' mask over n rows (random.Random(seed) shuffle)."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    held = set(order[: round(n * test_share)])
    return [i in held for i in range(n)]


#: The first everyday tweets of each language are the ordinary-posts guard's; never trained on.
GUARD_SIZE = 400


def everyday_tweets(data: Path, lang: str) -> list[str]:
    """Neutral and positive tweets from umsab's training split: everyday posts a harm signal
    should leave alone (the first GUARD_SIZE are kept apart to measure that)."""
    rows = read_rows(data, f"umsab_sentiment_{lang}", "train.csv")
    return [r["text"] for r in rows if r["label"] in ("1", "2")]


def merge(*splits: Split) -> Split:
    out = Split()
    for s in splits:
        out.texts += s.texts
        out.labels += s.labels
        out.langs += s.langs
    return out


def _drop(split: Split, banned: set[str]) -> Split:
    out = Split()
    for text, label, lang in zip(split.texts, split.labels, split.langs, strict=True):
        if text.strip() not in banned:
            out.texts.append(text)
            out.labels.append(label)
            out.langs.append(lang)
    return out


@dataclass(slots=True)
class Task:
    """A model's data: training and validation splits and the test sets it is reported on."""

    train: Split
    val: Split
    tests: list[TestSet]

    def clean(self) -> Task:
        banned = {t.strip() for test in self.tests for t in test.split.texts}
        val = _drop(self.val, banned)
        banned |= {t.strip() for t in val.texts}
        return Task(_drop(self.train, banned), val, self.tests)


def _mlma(data: Path) -> dict[str, list[dict[str, str]]]:
    rows = read_rows(data, "mlma_hate_fr", "mlma_fr.csv")
    return {s: [r for r in rows if r["split_seed13"] == s] for s in ("train", "dev", "test")}


_GROUP_TARGETS = {"origin", "religion", "gender", "sexual_orientation", "disability"}


def _mlma_hate(rows: list[dict[str, str]]) -> Split:
    """French 'hate' derived from MLMA: hostile AND aimed at a group attribute (not 'other')."""
    out = Split()
    for r in rows:
        out.add(
            [r["text"]], [int(r["toxic_binary"] == "1" and r["target"] in _GROUP_TARGETS)], "fr"
        )
    return out


def offensive(data: Path) -> Task:
    te = {s: _lang(_split(read_rows(data, "tweeteval_offensive", f"{s}.csv")), "en")
          for s in ("train", "val", "test")}  # fmt: skip
    ml = {s: _lang(_split(rows, "toxic_binary"), "fr") for s, rows in _mlma(data).items()}
    return Task(
        merge(te["train"], ml["train"]),
        merge(te["val"], ml["dev"]),
        [
            TestSet("tweeteval_offensive", "en", "macro_f1", te["test"]),
            TestSet("mlma_hate_fr", "fr", "macro_f1", ml["test"]),
        ],
    ).clean()


def hate(data: Path) -> Task:
    def read(s: str) -> Split:
        rows = read_rows(data, "tweeteval_hate", f"{s}.csv")
        return _lang(_split([r for r in rows if r["text"].strip()]), "en")

    ml = {s: _mlma_hate(rows) for s, rows in _mlma(data).items()}
    return Task(
        merge(read("train"), ml["train"]),
        merge(read("val"), ml["dev"]),
        [
            TestSet("tweeteval_hate", "en", "macro_f1", read("test")),
            TestSet("mlma_hate_fr.group_hate", "fr", "macro_f1", ml["test"]),
        ],
    ).clean()


def sentiment(data: Path) -> Task:
    """EN trains on tweeteval val + umsab_en train; umsab_en val (inside tweeteval val) validates."""
    en = {s: _lang(_split(read_rows(data, "umsab_sentiment_en", f"{s}.csv")), "en")
          for s in ("train", "val", "test")}  # fmt: skip
    fr = {s: _lang(_split(read_rows(data, "umsab_sentiment_fr", f"{s}.csv")), "fr")
          for s in ("train", "val", "test")}  # fmt: skip
    tweeteval_val = _lang(_split(read_rows(data, "tweeteval_sentiment", "val.csv")), "en")
    tweeteval_test = _lang(_split(read_rows(data, "tweeteval_sentiment", "test.csv")), "en")
    held = {t.strip() for t in en["val"].texts}
    task = Task(
        merge(en["train"], _drop(tweeteval_val, held), fr["train"]),
        merge(en["val"], fr["val"]),
        [
            TestSet("tweeteval_sentiment", "en", "macro_recall", tweeteval_test),
            TestSet("umsab_sentiment_en", "en", "macro_f1", en["test"]),
            TestSet("umsab_sentiment_fr", "fr", "macro_f1", fr["test"]),
        ],
    ).clean()
    task.train = _dedupe(task.train)
    return task


def spam(data: Path) -> Task:
    """SMS keeps its seeded split; YouTube comments get one (20 % test, random.Random(13))."""
    sms = read_rows(data, "sms_spam", "sms_spam.csv")
    sms_train = [r for r in sms if r["split_seed13"] == "train"]
    sms_test = _lang(_split([r for r in sms if r["split_seed13"] == "test"]), "en")
    yt = read_rows(data, "youtube_spam", "youtube_spam.csv")
    yt_held = seeded_split(len(yt), 0.2)
    yt_test = _lang(_split([r for r, h in zip(yt, yt_held, strict=True) if h]), "en")
    pool = merge(
        _lang(_split(sms_train), "en"),
        _lang(_split([r for r, h in zip(yt, yt_held, strict=True) if not h]), "en"),
    )
    val_mask = seeded_split(len(pool), 0.1, SEED + 1)
    train, val = Split(), Split()
    for text, label, is_val in zip(pool.texts, pool.labels, val_mask, strict=True):
        (val if is_val else train).add([text], [label], "en")
    return Task(
        train,
        val,
        [
            TestSet("sms_spam", "en", "macro_f1", sms_test),
            TestSet("youtube_spam", "en", "macro_f1", yt_test),
        ],
    ).clean()


def complaints(data: Path) -> Split:
    """complaints_en (no licence: internal use only, never shipped) for cross-validation."""
    return _lang(_split(read_rows(data, "complaints_en", "train.csv")), "en")


def _dedupe(split: Split) -> Split:
    seen: set[str] = set()
    out = Split()
    for text, label, lang in zip(split.texts, split.labels, split.langs, strict=True):
        if text.strip() not in seen:
            seen.add(text.strip())
            out.add([text], [label], lang)
    return out
