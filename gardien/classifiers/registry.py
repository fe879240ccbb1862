"""Which fast-tier models exist, where their artefacts live, and loading them once, lazily."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from gardien.classifiers import strong_words
from gardien.classifiers.implied import IMPLIED_BY, NEEDS_GROUP, carried
from gardien.classifiers.implied import row_gates as implied_row_gates
from gardien.classifiers.linear import REPAIRED, WRITTEN, Encoder, LinearModel, load_model
from gardien.errors import ConfigError

PACKAGE_DIR = Path(__file__).parent
MODELS_DIR = PACKAGE_DIR / "models"
ENCODER_DIR = MODELS_DIR / "encoder.v1"
#: Models built from data we may not ship (complaints_en): made by `gardien train`, git-ignored.
LOCAL_DIR = MODELS_DIR / "local"
SEEDS_DIR = PACKAGE_DIR / "seeds"
EVAL_SETS_DIR = PACKAGE_DIR / "eval_sets"

TWEETEVAL = "TweetEval (no restrictions; OLID/HatEval/SemEval and Twitter terms apply)"


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A model's registered name (with version), task and output labels."""

    name: str
    task: str
    labels: tuple[str, ...]
    sources: tuple[dict[str, str], ...] = ()
    #: A binary model read from a softmax over these classes (its label is one of them): the
    #: other classes teach what the label is not (a question to support is not a complaint).
    softmax_over: tuple[str, ...] = ()
    #: How the model may read words (`linear.REPAIRED`, `linear.WRITTEN`): with several, training
    #: fits each and keeps the one validation prefers.
    readings: tuple[str, ...] = (REPAIRED,)
    #: The one language this model serves, beside the task's main model for the others ("").
    language: str = ""

    @property
    def version(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    @property
    def binary(self) -> bool:
        return len(self.labels) == 1


INTENTS = ("question", "complaint", "praise", "feature_request", "other")
MLMA = {"dataset": "mlma_hate_fr (MLMA, Ousidhoum et al. 2019)", "licence": "MIT"}
SPECS: tuple[ModelSpec, ...] = (  # sentiment first: the harm models' second opinions read it
    ModelSpec("sentiment-en-fr.v1", "sentiment", ("negative", "neutral", "positive"),
              ({"dataset": "tweeteval_sentiment val", "licence": TWEETEVAL},
               {"dataset": "umsab_sentiment_en, umsab_sentiment_fr", "licence": "Apache-2.0 (repo)"})),
    ModelSpec("offensive-en-fr.v1", "offensive", ("offensive",),
              ({"dataset": "tweeteval_offensive", "licence": TWEETEVAL}, MLMA)),
    ModelSpec("hate-en-fr.v1", "hate", ("hate",),
              ({"dataset": "tweeteval_hate", "licence": TWEETEVAL}, MLMA)),
    ModelSpec("spam-en.v1", "spam", ("spam",),
              ({"dataset": "sms_spam", "licence": "CC BY 4.0 (UCI)"},
               {"dataset": "youtube_spam", "licence": "CC BY 4.0 (UCI)"}),
              readings=(REPAIRED, WRITTEN)),
    ModelSpec("spam-fr.v1", "spam", ("spam",),
              ({"dataset": "youtube_spam", "licence": "CC BY 4.0 (UCI)"},),
              readings=(REPAIRED, WRITTEN), language="fr"),
    ModelSpec("complaint-en-fr.v2", "complaint", ("complaint",), softmax_over=INTENTS),
    ModelSpec("intent-en-fr.v1", "intent", INTENTS),
)  # fmt: skip
LOCAL_COMPLAINT = ModelSpec("complaint-en.local", "complaint", ("complaint",))


def model_path(name: str) -> Path:
    return MODELS_DIR / name / "model.npz"


def language_spec(task: str, language: str) -> ModelSpec | None:
    """The task's model for one language (French spam), when it has one."""
    found = (s for s in SPECS if s.task == task and language and s.language == language)
    return next(found, None)


def spec(task: str) -> ModelSpec:
    """The task's main model (the one serving every language without its own)."""
    for candidate in SPECS:
        if candidate.task == task and not candidate.language:
            return candidate
    raise ConfigError(f"no fast-tier model for task {task!r}")


class FastTier:
    """The shared encoder and every model, each loaded on first use."""

    def __init__(self, models_dir: Path = MODELS_DIR, use_local: bool = True) -> None:
        self.models_dir = models_dir
        self.use_local = use_local
        self._encoder: Encoder | None = None
        self._models: dict[str, LinearModel] = {}
        self._second: dict[str, LinearModel | None] = {}

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            encoder_dir = self.models_dir / ENCODER_DIR.name
            if not (encoder_dir / "features.npz").is_file():
                raise ConfigError(f"no models in {self.models_dir}: run `gardien train`")
            encoder = Encoder.load(encoder_dir / "features.npz", encoder_dir / "vectors.npz")
            encoder.featurizer.use_strong_words(strong_words.load(encoder_dir / strong_words.FILE))
            self._encoder = encoder
        return self._encoder

    def model(self, task: str, language: str = "") -> LinearModel:
        """The model for a task in a language. English complaints use the local complaints_en
        model when it was built here (it is English-only and never shipped); a language with
        its own shipped model (French spam) uses it; everything else the task's main model."""
        key = self._key(task, language)
        if key not in self._models:
            if key == "complaint.local":
                self._models[key] = load_model(self._local_complaints_path)
            else:
                self._models[key] = load_model(self.models_dir / key / "model.npz")
        return self._models[key]

    def _key(self, task: str, language: str) -> str:
        if task == "complaint" and language in ("", "en") and self._local_complaints():
            return "complaint.local"
        own = language_spec(task, language)
        if own is not None and (own.name in self._models or self._built(own.name)):
            return own.name
        return spec(task).name

    def _built(self, name: str) -> bool:
        return (self.models_dir / name / "model.npz").is_file()

    @property
    def _local_complaints_path(self) -> Path:
        return self.models_dir / LOCAL_DIR.name / f"{LOCAL_COMPLAINT.name}.npz"

    def _local_complaints(self) -> bool:
        if not self.use_local:
            return False
        return "complaint.local" in self._models or self._local_complaints_path.is_file()

    def second_opinion(self, task: str) -> LinearModel | None:
        """The task's model learnt from the hand-written posts alone (`rescue.py`), when built."""
        from gardien.classifiers.rescue import SUFFIX

        if task not in self._second:
            path = self.models_dir / f"{task}{SUFFIX}" / "model.npz"
            self._second[task] = load_model(path) if path.is_file() else None
        return self._second[task]

    def predict(
        self, task: str, texts: list[str], languages: list[str] | None = None, rescue: bool = True
    ) -> NDArray[np.float32]:
        """Calibrated probabilities for a batch: (n, 1) for binary tasks, (n, labels) otherwise;
        with `rescue`, after the task's second opinion (see `scored`)."""
        return self.scored(task, texts, languages, rescue)[0]

    def scored(
        self, task: str, texts: list[str], languages: list[str] | None = None, rescue: bool = True
    ) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
        """Probabilities, and which posts a model other than the task's own raised (see
        `decided`)."""
        out, setters = self.decided(task, texts, languages, rescue)
        return out, np.array([s is not None for s in setters], dtype=np.bool_)

    def decided(
        self, task: str, texts: list[str], languages: list[str] | None = None, rescue: bool = True
    ) -> tuple[NDArray[np.float32], list[LinearModel | None]]:
        """Probabilities, and for each post the model that set its score when not the task's
        own: the second opinion (hate and offensive: the model of the hand-written posts, where
        it is sure past its language's gate), or for offensive, hate where it is sure past its
        own gate, and for hate, offensive where a protected group is named (`implied.py`). Without
        `rescue`, the task's own model alone."""
        from gardien.classifiers.rescue import lift

        if not rescue:
            return self._own(task, texts, languages), [None] * len(texts)
        out, setters = self.rescued(task, texts, languages)
        if task not in IMPLIED_BY or languages is None or not len(texts):
            return out, setters
        gates = implied_row_gates(self.model(task), languages)
        if np.isfinite(gates).any():  # else (e.g. English only: no gate) hate is not read twice
            source, source_setters = self.rescued(IMPLIED_BY[task], texts, languages)
            implied = carried(self, task, source[:, 0], languages, texts, floor=gates)
            kind = None  # an attack on a group is not kind: hate's lift spares kind posts
            if task in NEEDS_GROUP and ((implied >= gates) & (implied > out[:, 0])).any():
                kind = self.kind_posts(texts, languages)
            lifted, raised = lift(out[:, 0], implied, gates, kind)
            source_model = self.model(IMPLIED_BY[task])
            setters = [
                (source_setters[i] or source_model) if r else setters[i]
                for i, r in enumerate(raised)
            ]
            out = lifted[:, None]
        return out, setters

    def rescued(
        self, task: str, texts: list[str], languages: list[str] | None = None
    ) -> tuple[NDArray[np.float32], list[LinearModel | None]]:
        """The task's own probabilities after its second opinion, and the posts it set."""
        from gardien.classifiers.rescue import lift, row_gates

        out = self._own(task, texts, languages)
        second = self.second_opinion(task)
        if second is None or not len(texts):
            return out, [None] * len(texts)
        gates = row_gates(second, languages, len(texts))
        opinion = self.read(second, texts)[:, 0]
        kind = None
        if ((opinion >= gates) & (opinion > out[:, 0])).any():  # would raise: is the post kind?
            kind = self.kind_posts(texts, languages)
        lifted, raised = lift(out[:, 0], opinion, gates, kind)
        return lifted[:, None], [second if r else None for r in raised]

    def kind_posts(self, texts: list[str], languages: list[str] | None) -> NDArray[np.bool_]:
        """The posts sentiment reads as kind (`rescue.kind_rows`): no lift raises them."""
        from gardien.classifiers.rescue import kind_rows

        return kind_rows(self.model("sentiment"), self._own("sentiment", texts, languages))

    def _own(self, task: str, texts: list[str], languages: list[str] | None) -> NDArray[np.float32]:
        if languages is None:
            return self.read(self.model(task), texts)
        keys = {lang: self._key(task, lang) for lang in set(languages)}  # once per language
        rows: dict[str, list[int]] = {}
        for i, lang in enumerate(languages):
            rows.setdefault(keys[lang], []).append(i)
        if len(rows) <= 1:  # one model for the whole batch (the usual case)
            return self.read(self.model(task, languages[0] if languages else ""), texts)
        out: NDArray[np.float32] | None = None
        for index in rows.values():
            scores = self.read(self.model(task, languages[index[0]]), texts)
            out = scores if out is None else out
            out[index] = scores[index]
        assert out is not None
        return out

    def read(self, model: LinearModel, texts: list[str]) -> NDArray[np.float32]:
        """One model's probabilities, the batch featurised as the model reads words."""
        return model.probabilities(self.encoder.reading(model.reading).encode(texts))


@lru_cache(maxsize=1)
def fast_tier() -> FastTier:
    """The process-wide fast tier over the shipped models (loaded lazily, shared by stages)."""
    return FastTier()
