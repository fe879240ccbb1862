"""Themes: posts grouped by what they talk about, labelled by their top terms.

TF-IDF over word 1–2-grams (French and English stop words removed) factorised with NMF: each
component is a theme, its heaviest terms are its label, and each post joins its strongest theme.
Deterministic (NNDSVD start), so the same posts always give the same themes."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from gardien.insights.trends import RisingRule, Trend, trend

_FRENCH = """au aux avec ce ces cet cette dans de des du elle en et eux il ils je la le les leur lui ma
    mais me meme même mes moi mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son
    sur ta te tes toi ton tu un une vos votre vous c d j l n s t y été être avoir ai as avons avez
    ont était est sont suis es fait faire plus moins très tres bien tout tous toute toutes aussi
    comme donc alors car si ça ca cela ceci là ici deja déjà encore quand quoi dont leurs ces
    chez sans sous entre vers depuis avant après apres peu trop rien jamais toujours fois
    bonjour merci salut hello thanks thank just really like get got one would also still https http www"""
FRENCH_STOP_WORDS = frozenset(_FRENCH.split())
STOP_WORDS = sorted(FRENCH_STOP_WORDS | ENGLISH_STOP_WORDS)
_NOISE = re.compile(r"https?://\S+|[@#]\w+")


@dataclass(frozen=True, slots=True)
class Doc:
    post_id: int
    text: str
    day: date


@dataclass(frozen=True, slots=True)
class Theme:
    id: int
    label: str
    terms: tuple[str, ...]
    #: The theme's posts, most typical first.
    post_ids: tuple[int, ...]
    trend: Trend

    @property
    def size(self) -> int:
        return len(self.post_ids)


def find_themes(
    docs: Sequence[Doc],
    weeks: Sequence[date],
    count: int = 8,
    min_posts: int = 3,
    rule: RisingRule = RisingRule(),
) -> list[Theme]:
    """Up to `count` themes over `docs`, largest first; themes under `min_posts` are dropped."""
    texts = [_NOISE.sub(" ", doc.text) for doc in docs]
    if len(texts) < max(min_posts, 2):
        return []
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.5,
        max_features=5000,
        stop_words=STOP_WORDS,
        token_pattern=r"(?u)\b[^\W\d_][\w'’-]{2,}\b",
        sublinear_tf=True,
        strip_accents=None,
    )
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # every term was a stop word or too rare: no themes to find
        return []
    components = max(1, min(count, matrix.shape[1], len(texts) // max(min_posts, 1)))
    model = NMF(n_components=components, init="nndsvd", max_iter=300, random_state=0)
    with warnings.catch_warnings():
        # An unconverged factorisation still groups posts usefully; themes are approximate.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    vocabulary = vectorizer.get_feature_names_out()
    best = weights.argmax(axis=1)
    strength = weights.max(axis=1)
    themes = []
    for component in range(components):
        members = np.flatnonzero((best == component) & (strength > 0))
        if len(members) < min_posts:
            continue
        ordered = members[np.argsort(-strength[members], kind="stable")]
        terms = _top_terms(model.components_[component], vocabulary)
        themes.append(
            Theme(
                id=component,
                label=" · ".join(terms[:3]),
                terms=terms,
                post_ids=tuple(docs[int(i)].post_id for i in ordered),
                trend=trend((docs[int(i)].day for i in members), weeks, rule),
            )
        )
    themes.sort(key=lambda theme: (-theme.size, theme.label))
    return themes


def _top_terms(weights: np.ndarray, vocabulary: np.ndarray, size: int = 6) -> tuple[str, ...]:
    """The heaviest terms, skipping a unigram already inside a chosen bigram (and vice versa)."""
    chosen: list[str] = []
    for index in np.argsort(-weights, kind="stable"):
        term = str(vocabulary[index])
        if weights[index] <= 0:
            break
        if any(term in kept.split() or kept in term.split() for kept in chosen):
            continue
        chosen.append(term)
        if len(chosen) == size:
            break
    return tuple(chosen)
