"""A second opinion for the harm signals, learnt from the hand-written posts alone.

The hate and offensive models learn from tweets labelled by other people for other purposes
(HatEval, OffensEval, MLMA). On posts written apart from every training row (the functional dev
and held-out sets) they missed plain attacks ("I hate women." scored 0.42 for hate, under its
threshold, until session 11's templates). A model of the same kind trained on our hand-written
rows (templates, group seeds, counter-speech, customers' posts, swearing), with everyday tweets
and the public sets' not-harm rows as harm 0, ranks those sets better, yet ranks HatEval's
validation poorly: it has learnt the lessons, not the tweets. So it never decides alone and
never lowers a score. Where it is at least its language's gate sure, the post's score becomes
the higher of the two, unless the sentiment model finds the post kind (`KIND`); the Score names
both models and its spans are the second model's.

The gates (`choose_gates`): validation keeps those not surely costing over TOLERANCE, and
since it can hardly tell them apart, the functional dev set chooses among them
(docs/CLASSIFIERS.md).
Validation cannot say what the lessons are worth, only what they cost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import choices, datasets
from gardien.classifiers.datasets import Split
from gardien.classifiers.features import Features
from gardien.classifiers.implied import IMPLIED_BY
from gardien.classifiers.linear import Encoded, Encoder, LinearModel
from gardien.classifiers.metrics import macro_f1
from gardien.classifiers.registry import ModelSpec
from gardien.classifiers.registry import spec as registry_spec

if TYPE_CHECKING:
    from gardien.classifiers.training_data import Data

#: Tasks that get a second opinion, and the gates a language may choose from.
TASKS = ("hate", "offensive")
GATES = (0.5, 0.6, 0.7, 0.8, 0.9)
#: What the second opinion may cost on a language's validation macro-F1 (one post ≈ 0.001 on
#: English validation; the same tolerance as the thresholds' plateau).
TOLERANCE = 0.005
#: A cost above TOLERANCE vetoes a gate only where it is no accident of which posts validation
#: holds: the gate scores below none in at least SURE of RESAMPLES paired bootstrap resamples
#: (session 19). French validation is 401 MLMA tweets, 80 % hostile: one post of its minority
#: class moves macro-F1 by about 0.004, so a lift was vetoed on one or two noisily labelled
#: tweets, and retraining anything could flip it (sessions 12 and 19, docs/CLASSIFIERS.md).
RESAMPLES, SURE = 1000, 0.95
SUFFIX = "-seeds.v1"
#: How sure the sentiment model must be that a post is positive for the second opinion to leave
#: it alone. The second opinion learnt attacks from templates, and their frames ("every one of
#: them", "deserve") also carry kind posts about a group: "Immigrants built this country and
#: keep it running. Grateful for every one of them." read hate 0.94. Sentiment, learnt from
#: tens of thousands of tweets, knows kindness better; validation did not move at any of 0.5 to
#: 0.8 and the functional dev set chose 0.6 (docs/CLASSIFIERS.md, session 14).
KIND = 0.6
#: The functional set that breaks validation's ties (eval_sets/README.md).
DEV_SET = "functional_dev"
#: (C, dense scale) tried by 5-fold cross-validation on the rows themselves. The mean of word
#: vectors can tell hand-written sentences from tweets, and every attack here is hand-written.
CV_GRID = tuple((c, s) for c in (1.0, 4.0, 16.0) for s in (0.25, 1.0, 4.0))
#: The task's public training split (its not-harm rows only: news, debate and chatter about the
#: same groups, which keep the second opinion from reading any mention of a group as an attack).
TRAINING_SETS: dict[str, Callable[[Path], datasets.Task]] = {
    "hate": datasets.hate,
    "offensive": datasets.offensive,
}
SOURCES = [
    {"dataset": "gardien hand-written seeds and templates (this repo)", "licence": "AGPL-3.0"},
    {"dataset": "umsab_sentiment_en/fr neutral and positive tweets (as harm 0)",
     "licence": "Apache-2.0 (repo)"},
]  # fmt: skip

Log = Callable[[str], None]
_WORD = re.compile(r"\w+")


def seeds_spec(task: str) -> ModelSpec:
    return ModelSpec(f"{task}{SUFFIX}", task, (task,), tuple(SOURCES))


def is_rescued(model_name: str) -> bool:
    """Whether a Score's model string says a second opinion set it ("a+hate-seeds.v1"), or
    the task that implies it ("offensive-en-fr.v1+hate-en-fr.v1", `implied.py`)."""
    if "+" not in model_name:
        return False  # the task's own model
    setter = model_name.rsplit("+", 1)[-1]
    implying = {registry_spec(task).name for task in IMPLIED_BY.values()}
    return setter.endswith(SUFFIX) or setter in implying


def seeds_split(task: str, data: Path) -> Split:
    """The second opinion's training rows: every hand-written row labelled for `task`; the
    customers' posts, with and without swearing (never hate; offensive by their own column,
    the plain ones never); as harm 0, everyday tweets of both languages (the guard's first
    GUARD_SIZE stay out) and the not-harm rows of the task's public training split. No public
    attack is learnt."""
    from gardien.classifiers.identity_seeds import identity_split, read_seeds
    from gardien.classifiers.training_data import seeds, swearing_seeds

    split = identity_split(task)
    plain = read_seeds("plain_customer_seeds.csv")  # the customers' anger without swearing
    for row in [*seeds(), *swearing_seeds(), *plain]:
        split.add([row["text"]], [0 if task == "hate" else int(row["offensive"])], row["lang"])
    for lang in ("en", "fr"):
        everyday = datasets.everyday_tweets(data, lang)[datasets.GUARD_SIZE :]
        split.add(everyday, [0] * len(everyday), lang)
    public = TRAINING_SETS[task](data).train
    for text, label, lang in zip(public.texts, public.labels, public.langs, strict=True):
        if label == 0:
            split.add([text], [0], lang)
    return split


def template_groups(split: Split) -> list[str]:
    """Each row's cross-validation group: its template for the filled identity templates (the
    first rows of `seeds_split`), the row itself for every other."""
    from gardien.classifiers.identity_seeds import identity_rows

    rows = identity_rows()
    assert split.texts[: len(rows)] == [row["text"] for row in rows]
    return [*(row["template"] for row in rows), *(f"row {i}" for i in range(len(rows), len(split)))]


def lift(
    main: NDArray[np.float32],
    second: NDArray[np.float32],
    gates: NDArray[np.float32],
    kind: NDArray[np.bool_] | None = None,
) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """Scores (n,) after the second opinion, and which rows it raised: where `second` is at
    least the row's gate and above the main score, it replaces it, unless the row is `kind`
    (`kind_rows`)."""
    rescued = (second >= gates) & (second > main)
    if kind is not None:
        rescued &= ~kind
    return np.where(rescued, second, main).astype(np.float32), rescued


def kind_rows(sentiment: LinearModel, probabilities: NDArray[np.float32]) -> NDArray[np.bool_]:
    """The posts `sentiment`'s `probabilities` read as positive at least KIND sure: the second
    opinion leaves them to the main model."""
    return probabilities[:, sentiment.labels.index("positive")] >= KIND


@dataclass(frozen=True, slots=True)
class Scored:
    """One set's posts as both models score them."""

    main: NDArray[np.float32]
    second: NDArray[np.float32]
    labels: NDArray[np.int64]
    langs: NDArray[np.str_]
    #: The posts the second opinion may not raise (`kind_rows`), when it applies.
    kind: NDArray[np.bool_] | None = None

    def f1(self, lang: str, threshold: float, gate: float | None) -> float:
        return macro_f1(self.labels[self.langs == lang], self.decisions(lang, threshold, gate))

    def costly(self, lang: str, threshold: float, gate: float) -> bool:
        """Whether the gate costs the language's macro-F1 more than TOLERANCE, surely (SURE)."""
        if self.f1(lang, threshold, gate) >= self.f1(lang, threshold, None) - TOLERANCE:
            return False
        labels = self.labels[self.langs == lang]
        rng = np.random.default_rng(13)
        weights = rng.multinomial(len(labels), np.full(len(labels), 1 / len(labels)), RESAMPLES)
        alone = _resampled_f1(weights, labels, self.decisions(lang, threshold, None))
        lifted = _resampled_f1(weights, labels, self.decisions(lang, threshold, gate))
        return float(np.mean(lifted < alone)) >= SURE

    def rate(self, lang: str, threshold: float, gate: float | None) -> float:
        """The share of the language's posts decided positive."""
        return float(self.decisions(lang, threshold, gate).mean())

    def decisions(self, lang: str, threshold: float, gate: float | None) -> NDArray[np.int64]:
        rows = self.langs == lang
        main = self.main[rows]
        if gate is not None:
            gates = np.full(len(main), gate, dtype=np.float32)
            kind = None if self.kind is None else self.kind[rows]
            main, _ = lift(main, self.second[rows], gates, kind)
        return (main >= threshold).astype(np.int64)


def _resampled_f1(
    weights: NDArray[np.int64], labels: NDArray[np.int64], decided: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Binary macro-F1 of `decided` in each resample (a row of `weights`: how often each post
    was drawn)."""
    scores = []
    for c in (0, 1):
        hit = weights @ ((decided == c) & (labels == c)).astype(np.float64)
        total = weights @ ((decided == c).astype(np.float64) + (labels == c))
        scores.append(np.divide(2 * hit, total, out=np.zeros_like(hit), where=total > 0))
    return (scores[0] + scores[1]) / 2


#: A language's options: the dev set's macro-F1 for none (None) and each gate that validation
#: (and the guard) keep.
Options = dict[float | None, float]


def gate_options(
    val: Scored,
    dev: Scored,
    thresholds: dict[str, float],
    guard: Scored | None = None,
    guard_points: float = 0.0,
) -> dict[str, Options]:
    """Per language, the gates (at or above the language's threshold) that do not surely cost
    validation more than TOLERANCE (`Scored.costly`) and, with `guard` (posts that must stay
    negative), flag at most `guard_points` more of the language's guard posts than none; each
    with its dev F1."""
    out: dict[str, Options] = {}
    for lang, threshold in sorted(thresholds.items()):
        kept = [
            g
            for g in GATES
            if g >= threshold
            and not val.costly(lang, threshold, g)
            and (
                guard is None
                or guard.rate(lang, threshold, g)
                <= guard.rate(lang, threshold, None) + guard_points + 1e-9
            )
        ]
        out[lang] = {gate: dev.f1(lang, threshold, gate) for gate in [None, *kept]}
    return out


def most_cautious(options: dict[Any, float]) -> Any:
    """Of the options within TOLERANCE of the best, the most cautious: None (no lift) before any
    other, then the greatest (options sort from least to most cautious)."""
    best = max(options.values())
    near = [option for option, score in options.items() if score >= best - TOLERANCE]
    return None if None in near else max(option for option in near if option is not None)


def render_options(options: Options) -> str:
    return f"keep {[g for g in options if g is not None]}; dev F1 " + ", ".join(
        f"{g}: {score:.3f}" for g, score in options.items()
    )


def choose_gates(
    val: Scored,
    dev: Scored,
    thresholds: dict[str, float],
    log: Log = lambda _: None,
    guard: Scored | None = None,
    guard_points: float = 0.0,
) -> dict[str, float | None]:
    """Each language's gate, or None (that language keeps the main model's scores).

    Validation keeps the gates not surely costing over TOLERANCE (`gate_options`); it barely
    tells them apart, since its posts are tweets the second opinion rarely feels sure about. The
    functional dev set, written apart from every training row, chooses among them and "none":
    the `most_cautious` of those within TOLERANCE of its best."""
    out: dict[str, float | None] = {}
    for lang, options in gate_options(val, dev, thresholds, guard, guard_points).items():
        out[lang] = most_cautious(options)
        who = "validation and the guard" if guard else "validation"
        log(f"    {lang}: {who} {render_options(options)} → {out[lang]}")
    return out


def row_gates(model: LinearModel, languages: Sequence[str] | None, n: int) -> NDArray[np.float32]:
    """The gate of each row's language; none (inf) for a language validation gave no gate,
    for one it never saw (the second opinion learnt English and French only) and when the
    caller does not say."""
    gates: dict[str, float | None] = model.meta.get("gates", {})
    if languages is None:
        return np.full(n, np.inf, dtype=np.float32)
    own = {lang: np.inf if gate is None else gate for lang, gate in gates.items()}
    return np.array([own.get(lang, np.inf) for lang in languages], dtype=np.float32)


class WordsOnly:
    """The shared encoder with every word n-gram that holds punctuation or an emoji left out.
    The second opinion's attacks are all hand-written and most of its not-harm rows are tweets:
    commas and full stops would tell the two apart (offensive's first build read "Me too, order
    #188166 stuck." as 0.79, its comma weighing most). Trained without them, its weights there
    are zero, so at run time it reads the full encoding the same way."""

    def __init__(self, encoder: Encoder) -> None:
        featurizer = encoder.featurizer
        words = featurizer.names[: featurizer.n_word]
        self.encoder = encoder
        self.featurizer = featurizer  # what `fit_linear` reads besides `encode`
        self.drop = np.zeros(featurizer.n_features, dtype=np.bool_)
        self.drop[: featurizer.n_word] = [
            not all(_WORD.fullmatch(token) for token in gram.split(" ")) for gram in words
        ]

    def encode(self, texts: list[str]) -> Encoded:
        encoded = self.encoder.encode(texts)
        f = encoded.features
        keep = ~self.drop[f.cols]
        kept = Features(f.rows[keep], f.cols[keep], f.values[keep], f.n_docs, f.n_features)
        return Encoded(kept, encoded.dense)


def fit_second_opinion(
    task: str,
    data: Path,
    encoder: Encoder,
    main: LinearModel,
    val: Split,
    log: Log,
    sentiment: LinearModel,
) -> LinearModel:
    """Train the task's second opinion (5-fold CV on its own rows picks C and the weight of the
    word vectors, and calibrates), then choose its gates against `main`, leaving the posts
    `sentiment` finds kind to `main` as at run time."""
    from gardien.classifiers.functional import functional_cases
    from gardien.classifiers.training import fit_linear

    spec = seeds_spec(task)
    rows = seeds_data(task, data)
    log(f"training {spec.name} on {len(rows.train)} hand-written posts and not-harm tweets")
    words_only = WordsOnly(encoder)
    model = fit_linear(spec, words_only, rows, log, CV_GRID)  # type: ignore[arg-type]
    model.sparse[words_only.drop] = 0.0
    dev = Split()
    for row in functional_cases(DEV_SET):
        dev.add([row["text"]], [int(row[task])], row["lang"])
    gates_key = gates_key_of(model.meta, main.meta, sentiment.meta, dev)
    if choices.kept(model.meta, "gates", gates_key):
        log(f"  {spec.name}: keeps its gates {model.meta['gates']} (nothing they rest on changed)")
        return model
    thresholds = {lang: main.threshold_for(lang) for lang in sorted(set(val.langs))}
    gates = choose_gates(
        _scored(encoder, main, model, val, sentiment),
        _scored(encoder, main, model, dev, sentiment),
        thresholds,
        log,
    )
    log(f"  {spec.name}: gates {gates}")
    model.meta.update(
        gates=gates, gates_key=gates_key, second_opinion_for=main.name, tolerance=TOLERANCE
    )
    return model


def seeds_data(task: str, data: Path) -> Data:
    """The second opinion's rows (`seeds_split`), its sources and cross-validation groups."""
    from gardien.classifiers.training_data import Data

    split = seeds_split(task, data)
    public = [
        dict(source, dataset=f"{source['dataset']}: its not-harm training rows")
        for source in registry_spec(task).sources
    ]
    return Data(split, Split(), [*SOURCES, *public], groups=template_groups(split))


def gates_key_of(
    meta: dict[str, Any], main: dict[str, Any], sentiment: dict[str, Any], dev: Split
) -> str:
    """What a second opinion's gates rest on (`choices.kept`): its rows and choices, the main
    model's and sentiment's, the dev set and the rule's constants (validation is in `main`)."""
    models = [choices.of_model(m) for m in (meta, main, sentiment)]
    rule = (GATES, TOLERANCE, KIND, RESAMPLES, SURE)
    return choices.key(models, dev.texts, dev.labels, dev.langs, rule)


def _scored(
    encoder: Encoder, main: LinearModel, second: LinearModel, split: Split, sentiment: LinearModel
) -> Scored:
    encoded = encoder.encode(split.texts)
    return Scored(
        main.probabilities(encoded)[:, 0],
        second.probabilities(encoded)[:, 0],
        np.asarray(split.labels, dtype=np.int64),
        np.asarray(split.langs),
        kind_rows(sentiment, sentiment.probabilities(encoded)),
    )
