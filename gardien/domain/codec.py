"""Plain-dict forms of signals and decisions, for storage, the API and worker messages."""

from __future__ import annotations

from typing import Any

from gardien.domain.decision import Action, Decision, Queue, Reason
from gardien.domain.signals import Language, Score, Signals, Span


def span_to_dict(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "label": span.label, "weight": span.weight}


def span_from_dict(data: dict[str, Any]) -> Span:
    return Span(
        int(data["start"]),
        int(data["end"]),
        str(data.get("label", "")),
        float(data.get("weight", 1.0)),
    )


def signals_to_dict(signals: Signals) -> dict[str, Any]:
    """Signals as JSON-ready data; spans keep their offsets into the original text."""
    language = signals.language
    return {
        "language": None
        if language is None
        else {
            "code": language.code,
            "confidence": round(language.confidence, 4),
            "raw_code": language.raw_code,
        },
        "scores": {
            name: {
                "value": round(score.value, 4),
                "model": score.model,
                "spans": [span_to_dict(span) for span in score.spans],
            }
            for name, score in signals.scores.items()
        },
        "matches": [span_to_dict(span) for span in signals.matches],
        "flags": dict(signals.flags),
        "counts": dict(signals.counts),
    }


def signals_from_dict(data: dict[str, Any]) -> Signals:
    language = data.get("language")
    return Signals(
        language=None
        if language is None
        else Language(
            language["code"], float(language["confidence"]), language.get("raw_code", "")
        ),
        scores={
            name: Score(
                float(score["value"]),
                score.get("model", ""),
                tuple(span_from_dict(span) for span in score.get("spans", [])),
            )
            for name, score in data.get("scores", {}).items()
        },
        matches=[span_from_dict(span) for span in data.get("matches", [])],
        flags=dict(data.get("flags", {})),
        counts={name: int(value) for name, value in data.get("counts", {}).items()},
    )


def reason_to_dict(reason: Reason) -> dict[str, Any]:
    return {
        "kind": reason.kind,
        "message": reason.message,
        "action": reason.action.value,
        "rule": reason.rule,
        "term": reason.term,
        "signal": reason.signal,
        "score": reason.score,
        "threshold": reason.threshold,
        "span": None if reason.span is None else span_to_dict(reason.span),
    }


def reason_from_dict(data: dict[str, Any]) -> Reason:
    span = data.get("span")
    return Reason(
        kind=data["kind"],
        message=data["message"],
        action=Action(data.get("action", "flag")),
        rule=data.get("rule", ""),
        term=data.get("term", ""),
        signal=data.get("signal", ""),
        score=data.get("score"),
        threshold=data.get("threshold"),
        span=None if span is None else span_from_dict(span),
    )


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    return {
        "action": decision.action.value,
        "queue": decision.queue.value,
        "reasons": [reason_to_dict(reason) for reason in decision.reasons],
        "policy_version": decision.policy_version,
        "tags": list(decision.tags),
        "department": decision.department,
    }


def decision_from_dict(data: dict[str, Any]) -> Decision:
    return Decision(
        action=Action(data["action"]),
        queue=Queue(data["queue"]),
        reasons=[reason_from_dict(reason) for reason in data.get("reasons", [])],
        policy_version=data.get("policy_version", ""),
        tags=list(data.get("tags", [])),
        department=data.get("department"),
    )
