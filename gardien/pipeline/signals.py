"""Signal stages: each wraps one fast-tier classifier and writes calibrated scores with reasons.

All stages share one `FastTier`, whose encoder featurises a batch once; the later stages reuse it.
Stages read `post.text` (the original), so every explanation span points into the text as the
author wrote it. Posts in languages other than English and French are still scored (links,
emoji and many insults cross languages) but flagged `classifiers.language = unsupported`, so a
policy can prefer human review for them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from gardien.classifiers import groups
from gardien.classifiers.accurate import AccurateTier, Head, built_heads, head_paths, needs
from gardien.classifiers.features import Features
from gardien.classifiers.implied import IMPLIED_BY, NEEDS_GROUP
from gardien.classifiers.registry import FastTier, fast_tier
from gardien.classifiers.rescue import is_rescued
from gardien.classifiers.topic import MODEL as TOPIC_MODEL
from gardien.classifiers.topic import TopicProfile, TopicScorer
from gardien.domain.signals import Score
from gardien.errors import ConfigError
from gardien.pipeline.record import StageContext, TriageRecord

NEEDS = frozenset({"text.normalized", "language"})
#: Labels that are the absence of something: nothing to highlight for them.
_NOT_EXPLAINED = frozenset({"neutral", "other"})


def _flag_language(record: TriageRecord) -> None:
    language = record.signals.language
    if language is not None and language.code not in ("en", "fr"):
        record.signals.flags["classifiers.language"] = "unsupported"


def _code(record: TriageRecord) -> str:
    language = record.signals.language
    return language.code if language is not None else ""


class ClassifierStage:
    """Scores one task for a batch; binary tasks set `task`, multi-class ones `task.label`."""

    task: ClassVar[str] = ""
    labels: ClassVar[tuple[str, ...]] = ()
    #: Scores at or above this get spans; care signals (sentiment, intent) only when clear-cut.
    explain_default: ClassVar[float] = 0.5
    needs: frozenset[str] = NEEDS

    def __init__(self, tier: FastTier | None = None, explain_above: float | None = None) -> None:
        self.tier = tier
        self.explain_above = self.explain_default if explain_above is None else explain_above
        self.name = self.task
        self.sets = frozenset(f"score.{n}" for n in self.score_names())

    @classmethod
    def score_names(cls) -> list[str]:
        if len(cls.labels) == 1:
            return [cls.task]
        return [f"{cls.task}.{label}" for label in cls.labels]

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        tier = self.tier or fast_tier()
        texts = [record.post.text for record in batch]
        languages = [_code(record) for record in batch]
        probabilities, setters = tier.decided(self.task, texts, languages)
        names = self.score_names()
        for record, row, language, setter in zip(
            batch, probabilities, languages, setters, strict=True
        ):
            _flag_language(record)
            model = tier.model(self.task, language)
            label = model.name
            if setter is not None:  # a second opinion or hate set it: its words show why
                model, label = setter, f"{model.name}+{setter.name}"
            for k, name in enumerate(names):
                value = float(row[k])
                explain = (
                    value >= self.explain_above
                    and record.post.text.strip()
                    and model.labels[k] not in _NOT_EXPLAINED
                )
                spans = model.explain(tier.encoder, record.post.text, k) if explain else ()
                if explain and setter is not None and self._lifted_at_group(setter.meta):
                    repair = tier.encoder.featurizer.repair
                    spans = (*groups.spans(record.post.text, language, repair), *spans)
                record.signals.scores[name] = Score(round(value, 4), label, spans)

    def _lifted_at_group(self, setter_meta: dict[str, Any]) -> bool:
        """Whether the implying task set this score because a group was named: its words
        show beside the group's (`implied.py`)."""
        return self.task in NEEDS_GROUP and setter_meta.get("task") == IMPLIED_BY[self.task]


class OffensiveStage(ClassifierStage):
    """Insults, profanity, abuse aimed at anyone (EN + FR)."""

    task = "offensive"
    labels = ("offensive",)


class HateStage(ClassifierStage):
    """Attacks on people for what group they belong to (EN + FR)."""

    task = "hate"
    labels = ("hate",)


class SpamStage(ClassifierStage):
    """Promotion, scams and contact bait; links, handles and phone numbers are features."""

    task = "spam"
    labels = ("spam",)


class ComplaintStage(ClassifierStage):
    """A customer reporting a problem (local complaints_en model when built, else the seed one)."""

    task = "complaint"
    labels = ("complaint",)


class SentimentStage(ClassifierStage):
    """Negative / neutral / positive, as three probabilities summing to one."""

    task = "sentiment"
    labels = ("negative", "neutral", "positive")
    explain_default = 0.7


class IntentStage(ClassifierStage):
    """What the author wants: question, complaint, praise, feature request, or other."""

    task = "intent"
    labels = ("question", "complaint", "praise", "feature_request", "other")
    explain_default = 0.7


class OffTopicStage:
    """P(off-topic) against the community's topic profile (description, examples, themes)."""

    name = "off_topic"
    needs: frozenset[str] = NEEDS
    sets = frozenset({"score.off_topic"})

    def __init__(self, tier: FastTier | None = None, explain_above: float = 0.5) -> None:
        self.tier = tier
        self.explain_above = explain_above
        self._scorers: dict[TopicProfile, TopicScorer] = {}  # lazily filled, one per profile

    def scorer(self, profile: TopicProfile) -> TopicScorer:
        if profile not in self._scorers:
            self._scorers[profile] = TopicScorer(profile, (self.tier or fast_tier()).encoder)
        return self._scorers[profile]

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        tier = self.tier or fast_tier()
        encoded = tier.encoder.encode([record.post.text for record in batch])
        groups: dict[TopicProfile, list[int]] = {}
        for i, record in enumerate(batch):
            profile = _profile(context, record.community)
            if profile is None or profile.empty:
                record.signals.scores["off_topic"] = Score(0.0, f"{TOPIC_MODEL} (no profile)")
            else:
                groups.setdefault(profile, []).append(i)
        for profile, index in groups.items():
            scorer = self.scorer(profile)
            unrelated, off_limit = scorer.parts(
                encoded.dense[index], _rows(encoded.features, index)
            )
            values = np.maximum(unrelated, off_limit)
            for i, value, themed in zip(index, values.tolist(), off_limit.tolist(), strict=True):
                # only a post on an off-limit theme has words to point at
                explain = themed >= self.explain_above
                spans = scorer.explain(batch[i].post.text) if explain else ()
                batch[i].signals.scores["off_topic"] = Score(round(value, 4), TOPIC_MODEL, spans)


def _rows(features: Features, index: list[int]) -> Features:
    """The rows `index` of a batch's features, renumbered 0..len(index)-1."""
    position = np.full(features.n_docs, -1, dtype=np.int64)
    position[index] = np.arange(len(index))
    keep = position[features.rows] >= 0
    return Features(
        position[features.rows[keep]],
        features.cols[keep],
        features.values[keep],
        len(index),
        features.n_features,
    )


def _profile(context: StageContext, slug: str) -> TopicProfile | None:
    """The policy's topic profile when it has one, else the community's description and themes."""
    config = context.config(slug)
    if config is None:
        return None
    # a CompiledPolicy keeps its file in `.policy`; accept a bare object with `.topic` too
    holder: Any = getattr(config.policy, "policy", config.policy)
    topic: Any = getattr(holder, "topic", None)
    if topic is not None:
        profile = TopicProfile.from_any(topic)
        if not profile.empty:
            return profile
    return TopicProfile.from_community(config.community)


STAGES: tuple[type[ClassifierStage], ...] = (
    OffensiveStage,
    HateStage,
    SpamStage,
    ComplaintStage,
    IntentStage,
    SentimentStage,
)


def signal_stages(tier: FastTier | None = None) -> list[ClassifierStage | OffTopicStage]:
    """Every fast-tier signal stage, sharing one tier (put after `normalise` and `language`)."""
    shared = tier or fast_tier()
    stages: list[ClassifierStage | OffTopicStage] = [stage(shared) for stage in STAGES]
    stages.append(OffTopicStage(shared))
    return stages


class AccurateStage:
    """Re-scores with the accurate tier (a small encoder) only the posts the fast tier is unsure of.

    Unsure means a binary score inside [low, high], or a multi-class top probability below
    `high`; by default the band the head chose on validation data (`Head.band`). Each post
    goes to the task's head for its language (`AccurateTier.head_for`). Spans stay those of
    the fast tier; the model name shows both tiers. A post the second opinion raised (hand-written
    lessons, `classifiers/rescue.py`) or hate (`classifiers/implied.py`) keeps its score: the
    heads learnt only from tweets.
    """

    def __init__(
        self,
        task: str,
        band: tuple[float, float] | None = None,
        accurate: AccurateTier | None = None,
        tier: FastTier | None = None,
    ) -> None:
        stage = {cls.task: cls for cls in STAGES}[task]
        self.task = task
        self.names = stage.score_names()
        self.band = band
        self.accurate = accurate or AccurateTier()
        self.tier = tier
        self.name = f"{task}.accurate"
        self.needs = frozenset(f"score.{n}" for n in self.names) | {"language"}
        self.sets = frozenset({f"accurate.{task}"})

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        if not self.accurate.has(self.task):
            return
        fast = np.array(
            [[record.signals.score(n) for n in self.names] for record in batch], dtype=np.float32
        )
        by_head: dict[str, tuple[Head, list[int]]] = {}
        for i, record in enumerate(batch):
            head = self.accurate.head_for(self.task, _code(record))
            score = record.signals.scores.get(self.names[0])
            if score is not None and is_rescued(score.model):
                continue  # the hand-written lessons were sure; the head reads tweets
            if head is not None and score is not None and not head.stacks_on(score.model):
                continue  # e.g. models/local's complaint model: the head stacked on another
            if head is not None and head.unsure(fast[i : i + 1], self.band)[0]:
                by_head.setdefault(head.name, (head, []))[1].append(i)
        for head, index in by_head.values():
            texts = [batch[i].post.text for i in index]
            probs = self.accurate.predict(head, texts, fast[index])
            for row, i in enumerate(index):
                scores = batch[i].signals.scores
                for k, name in enumerate(self.names):
                    old = scores[name]
                    scores[name] = Score(
                        round(float(probs[row, k]), 4), f"{old.model}+{head.name}", old.spans
                    )


def accurate_stages(
    tasks: Sequence[str], accurate: AccurateTier | None = None
) -> list[AccurateStage]:
    """One accurate-tier stage per task named, refused at start when it could not run."""
    shared = accurate or AccurateTier()
    known = {cls.task for cls in STAGES}
    stages = []
    for task in tasks:
        if task not in known or not head_paths(task, shared.models_dir):
            raise ConfigError(
                f"no accurate-tier head for {task!r} (built: {', '.join(built_heads(shared))})"
            )
        if not shared.runnable(task):
            wanted = sorted({needs(path) for path in head_paths(task, shared.models_dir)})
            raise ConfigError(
                f"the {task} head needs {' and '.join(wanted)}: pip install 'gardien[accurate]'"
            )
        stages.append(AccurateStage(task, accurate=shared))
    return stages
