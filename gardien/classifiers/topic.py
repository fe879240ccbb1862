"""Off-topic: how far a post is from a community's topic profile, and how close to its no-go themes.

Posts and profile texts are compared in the fast tier's dense space (word vectors distilled from
multilingual-e5-small, aligned across English and French), so a French post can match an English
description. Off-limit themes named in a policy ("politics", "vaccins") are expanded with a small
bilingual glossary. The margins were set by hand; the Platt scalings that turn them into a
probability are fitted on the hand-labelled dev set `seeds/offtopic_dev.csv`
(`topic_calibration.py`, stored in `topic_calibration.json`); the result is measured on
`eval_sets/offtopic_eval.csv`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers.features import Features, char_grams
from gardien.classifiers.linear import Encoder, Matrix, _word_spans
from gardien.classifiers.text import canonical
from gardien.domain.community import Community
from gardien.domain.signals import Span

MODEL = "off-topic.v1"

#: Glossary lines per theme: each line (and the theme's name) becomes one prototype.
THEMES: dict[str, tuple[str, ...]] = {
    "politics": (
        "politics election government president minister parliament vote party",
        "left wing right wing democrats republicans campaign tax reform law",
        "politique élection gouvernement président ministre parlement vote parti",
        "gauche droite macron réforme retraites impôts loi manifestation",
    ),
    "vaccines": (
        "vaccine vaccination covid booster antivax pandemic mask lockdown",
        "vaccin vaccination covid rappel antivax pandémie masque confinement",
    ),
    "religion": (
        "religion god church mosque islam christian jewish muslim faith",
        "religion dieu église mosquée islam chrétien juif musulman foi",
    ),
    "immigration": (
        "immigration immigrants migrants refugees border deport",
        "immigration immigrés migrants réfugiés frontière expulsion",
    ),
    "war": ("war army invasion bombing soldiers", "guerre armée invasion bombardement soldats"),
}
ALIASES = {
    "politique": "politics", "political": "politics", "elections": "politics",
    "vaccins": "vaccines", "vaccin": "vaccines", "vaccine": "vaccines", "covid": "vaccines",
    "covid-19": "vaccines", "covid debates": "vaccines", "guerre": "war", "wars": "war",
    "religions": "religion", "immigrants": "immigration",
}  # fmt: skip

CALIBRATION_PATH = Path(__file__).with_name("topic_calibration.json")
#: Profile shapes, each with its own Platt scaling: the topic given by example posts as well as a
#: description (a policy's `topic:`) or by a description alone (a community's), with or without
#: off-limit themes. Example posts pull on-topic similarities up, so one scaling cannot fit both.
SHAPES = ("examples+themes", "examples", "description+themes", "description")


@dataclass(frozen=True, slots=True)
class Calibration:
    """How distances become P(off-topic); fitted on the dev set by `topic_calibration.fit`.

    Two reasons, each a margin that is positive past its threshold: unrelated,
    `unrelated_below - similarity to the topic`; on a theme, the larger of `similarity to a theme
    - similarity to the topic - off_limit_margin` and `share of a theme keyword's character
    n-grams in the post - keyword_coverage`. Both go through the profile shape's Platt scaling
    (`platt[shape]` = slope, intercept), so the score, the larger of the two, is calibrated.
    """

    unrelated_below: float
    off_limit_margin: float
    keyword_coverage: float
    platt: dict[str, tuple[float, float]]

    @classmethod
    def load(cls, path: Path = CALIBRATION_PATH) -> Calibration:
        data = json.loads(path.read_text(encoding="utf-8"))
        platt = {shape: (float(data["platt"][shape][0]), float(data["platt"][shape][1]))
                 for shape in SHAPES}  # fmt: skip
        return cls(
            float(data["unrelated_below"]),
            float(data["off_limit_margin"]),
            float(data["keyword_coverage"]),
            platt,
        )

    def save(self, path: Path = CALIBRATION_PATH, note: str = "") -> None:
        data = {
            "how": note,
            "unrelated_below": self.unrelated_below,
            "off_limit_margin": self.off_limit_margin,
            "keyword_coverage": self.keyword_coverage,
            "platt": {shape: [round(v, 6) for v in self.platt[shape]] for shape in SHAPES},
        }
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    def reasons(self, on: Matrix, off: Matrix, named: Matrix | None) -> tuple[Matrix, Matrix]:
        """The two reasons' margins from the raw measures (`TopicScorer.similarities`)."""
        far = self.unrelated_below - on
        themed = off - on - self.off_limit_margin
        if named is not None:
            themed = np.maximum(themed, named - self.keyword_coverage)
        return far, themed

    def probability(self, shape: str, margin: Matrix) -> Matrix:
        slope, intercept = self.platt[shape]
        return (1 / (1 + np.exp(-(slope * margin + intercept)))).astype(np.float32)


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The stored calibration, read once, on first use."""
    return Calibration.load()


@dataclass(frozen=True, slots=True)
class TopicProfile:
    """What a community is about: a description, example posts, and themes it refuses."""

    description: str = ""
    examples: tuple[str, ...] = ()
    off_limit_themes: tuple[str, ...] = ()

    @classmethod
    def from_community(cls, community: Community) -> TopicProfile:
        return cls(community.description, (), tuple(community.off_limit_themes))

    @classmethod
    def from_any(cls, source: Any) -> TopicProfile:
        """Accept a TopicProfile, a policy file's `Topic` (`off_limit`), or anything with the
        three attributes."""
        if isinstance(source, TopicProfile):
            return source
        themes = getattr(source, "off_limit_themes", None) or getattr(source, "off_limit", ())
        return cls(
            str(getattr(source, "description", "") or ""),
            tuple(getattr(source, "examples", ()) or ()),
            tuple(themes or ()),
        )

    @property
    def empty(self) -> bool:
        return not (self.description.strip() or self.examples or self.off_limit_themes)

    @property
    def shape(self) -> str:
        """Which of `SHAPES` this profile has (picks its calibration)."""
        given = "examples" if self.examples else "description"
        return given + ("+themes" if self.off_limit_themes else "")


#: Glossary words with an everyday sense in brand communities ("my parcel left", "face mask",
#: "rappel produit", "mon colis est parti", "oh mon dieu"): they shape the theme's prototypes but
#: do not name the theme on their own. A theme's own name always does.
EVERYDAY_WORDS = frozenset({
    "left", "right", "wing", "party", "campaign", "mask", "booster", "border",
    "gauche", "droite", "parti", "masque", "rappel", "dieu",
})  # fmt: skip


def theme_texts(theme: str) -> list[str]:
    key = ALIASES.get(theme.strip().lower(), theme.strip().lower())
    return [theme, *THEMES.get(key, ())]


def theme_keywords(theme: str) -> set[str]:
    """The words whose (fuzzy) presence names a theme."""
    name, *glossary = (set(re.findall(r"\w{4,}", text.lower())) for text in theme_texts(theme))
    return name | (set().union(*glossary) - EVERYDAY_WORDS)


class TopicScorer:
    """Scores posts against one profile; built once per profile and reused across batches."""

    def __init__(
        self, profile: TopicProfile, encoder: Encoder, calibration: Calibration | None = None
    ) -> None:
        self.profile = profile
        self.encoder = encoder
        self.calibration = calibration or shipped_calibration()
        sentences = [s for s in re.split(r"[.;:!?\n,]+", profile.description) if s.strip()]
        on = [profile.description, *sentences, *profile.examples]
        self.on = self._embed([t for t in on if t.strip()])
        off = [text for theme in profile.off_limit_themes for text in theme_texts(theme)]
        self.off = self._embed(off)
        self.keywords = sorted(set().union(*map(theme_keywords, profile.off_limit_themes)))
        self._keyword_cols, self._keyword_weights = self._keyword_grams(self.keywords)
        # feature id -> row of the keyword table (-1: not a keyword gram); a lookup, not a search
        self._keyword_row = np.full(encoder.featurizer.n_features, -1, dtype=np.int64)
        self._keyword_row[self._keyword_cols] = np.arange(len(self._keyword_cols))

    def _keyword_grams(self, words: list[str]) -> tuple[NDArray[np.int64], Matrix]:
        """Each keyword's character n-grams, idf-weighted to sum to 1, as a (grams × words) table."""
        featurizer = self.encoder.featurizer
        per_word = [
            {i for g in char_grams(canonical(w)) if (i := featurizer.chars.get(g)) is not None}
            for w in words
        ]
        cols = np.array(sorted(set().union(*per_word)) if per_word else [], dtype=np.int64)
        table = np.zeros((len(cols), len(words)), dtype=np.float32)
        for k, grams in enumerate(per_word):
            rows = np.searchsorted(cols, sorted(grams))
            table[rows, k] = featurizer.idf[sorted(grams)]
            table[:, k] /= max(float(table[:, k].sum()), 1e-6)
        return cols, table

    def keyword_coverage(self, features: Features) -> Matrix:
        """Per post, the best share of any theme keyword's n-grams it contains (fuzzy naming)."""
        out = np.zeros((features.n_docs, len(self.keywords)), dtype=np.float32)
        if len(self._keyword_cols):
            at = self._keyword_row[features.cols]
            hit = at >= 0
            np.add.at(out, features.rows[hit], self._keyword_weights[at[hit]])
        return out.max(axis=1) if out.shape[1] else np.zeros(features.n_docs, np.float32)

    def _embed(self, texts: list[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return self.encoder.dense(self.encoder.featurizer.transform(texts))

    def scores(self, dense: Matrix, features: Features | None = None) -> Matrix:
        """P(off-topic) per post: far from every topic prototype, or near an off-limit theme."""
        unrelated, off_limit = self.parts(dense, features)
        return np.maximum(unrelated, off_limit).astype(np.float32)

    def parts(self, dense: Matrix, features: Features | None = None) -> tuple[Matrix, Matrix]:
        """The two reasons, each as a probability: unrelated to the topic; on an off-limit theme."""
        far, themed = self.calibration.reasons(*self.similarities(dense, features))
        zeros = np.zeros(len(dense), dtype=np.float32)
        shape = self.profile.shape
        unrelated = self.calibration.probability(shape, far) if len(self.on) else zeros
        off_limit = self.calibration.probability(shape, themed) if len(self.off) else zeros
        return unrelated, off_limit

    def similarities(
        self, dense: Matrix, features: Features | None = None
    ) -> tuple[Matrix, Matrix, Matrix | None]:
        """Per post, the raw measures the reasons are made of: best similarity to the topic (1
        without topic texts), to an off-limit theme (0 without themes), and the keyword coverage
        (None without features)."""
        on = (dense @ self.on.T).max(axis=1) if len(self.on) else np.ones(len(dense), np.float32)
        off = (dense @ self.off.T).max(axis=1) if len(self.off) else np.zeros_like(on)
        named = self.keyword_coverage(features) if features is not None else None
        return on, off, named

    def explain(self, text: str, top: int = 3) -> tuple[Span, ...]:
        """The words that name or evoke an off-limit theme (none when the post is merely far
        from the topic: there is no word to point at then)."""
        if not len(self.off):
            return ()
        detail = self.encoder.detail(text)
        if not len(detail.cols):
            return ()
        amount = np.zeros(len(detail.cols), dtype=np.float64)
        rows = self.encoder.row_of[detail.cols]
        has = rows >= 0
        if has.any():
            vectors = self.encoder.vectors[rows[has]]
            vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
            amount[has] = np.maximum((vectors @ self.off.T).max(axis=1) - 0.3, 0)
        if len(self._keyword_cols):
            at = self._keyword_row[detail.cols]
            hit = at >= 0
            amount[hit] += self._keyword_weights[at[hit]].max(axis=1)
        return tuple(
            Span(s.start, s.end, "off_topic", s.weight)
            for s in _word_spans(detail, amount.astype(np.float32), "off_topic", top)
        )
