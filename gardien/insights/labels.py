"""One post's labels for aggregation, read from the classifiers' stored scores.

Dashboards count labels, not probabilities: each post gets one sentiment, one intent and a
complaint flag, decided here once so every chart and report agrees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SENTIMENTS = ("positive", "neutral", "negative")
INTENTS = ("praise", "feature_request", "complaint", "question", "other")
#: What the product view calls "improvement": a request or a complaint.
IMPROVEMENT = frozenset({"feature_request", "complaint"})
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """How sure a classifier must be before its label counts (below: unknown / other)."""

    sentiment: float = 0.45
    intent: float = 0.4
    complaint: float = 0.5


@dataclass(frozen=True, slots=True)
class Labels:
    sentiment: str
    intent: str
    complaint: bool
    #: Positive minus negative probability, in [-1, 1]; 0 when unknown.
    polarity: float


def scores_of(signals: Mapping[str, Any]) -> dict[str, float]:
    """`{"scores": {name: {"value": v}}}` as stored in triage.signals → `{name: v}`."""
    scores = signals.get("scores") or {}
    return {name: float(score.get("value", 0.0)) for name, score in scores.items()}


def _best(scores: Mapping[str, float], prefix: str, labels: tuple[str, ...]) -> tuple[str, float]:
    found = [
        (scores[f"{prefix}.{label}"], label) for label in labels if f"{prefix}.{label}" in scores
    ]
    if not found:
        return UNKNOWN, 0.0
    value, label = max(found)
    return label, value


def label(scores: Mapping[str, float], thresholds: Thresholds = Thresholds()) -> Labels:
    """The labels of one post; a post no classifier scored is `unknown` everywhere."""
    sentiment, value = _best(scores, "sentiment", SENTIMENTS)
    if sentiment != UNKNOWN and value < thresholds.sentiment:
        sentiment = "neutral"
    intent, value = _best(scores, "intent", INTENTS)
    if intent != UNKNOWN and value < thresholds.intent:
        intent = "other"
    complaint = scores.get("complaint", 0.0) >= thresholds.complaint or intent == "complaint"
    polarity = scores.get("sentiment.positive", 0.0) - scores.get("sentiment.negative", 0.0)
    return Labels(sentiment, intent, complaint, round(polarity, 4))
