"""Mark the spans that explain a decision inside the original text, safely escaped."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def spans_of(
    reasons: Iterable[Mapping[str, Any]], signals: Mapping[str, Any] | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, label) of every span named by the reasons and, if given, the signals."""
    spans = []
    for reason in reasons:
        span = reason.get("span")
        if span:
            label = reason.get("rule") or reason.get("term") or reason.get("signal") or ""
            spans.append((int(span["start"]), int(span["end"]), str(label)))
    for name, score in ((signals or {}).get("scores") or {}).items():
        for span in score.get("spans", [])[:5]:
            # the group an attack aims at (classifiers/groups.py) reads "hate: group"
            label = f"{name}: group" if span.get("label") == "group" else name
            spans.append((int(span["start"]), int(span["end"]), label))
    return spans


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> Markup:
    """`text` as HTML with each span wrapped in <mark title=label>; overlaps are merged."""
    ordered = sorted((max(0, s), min(len(text), e), label) for s, e, label in spans if e > s)
    merged: list[tuple[int, int, str]] = []
    for start, end, label in ordered:
        if merged and start < merged[-1][1]:
            last = merged[-1]
            labels = last[2] if label in last[2].split(", ") else f"{last[2]}, {label}"
            merged[-1] = (last[0], max(last[1], end), labels)
        else:
            merged.append((start, end, label))
    out, cursor = [], 0
    for start, end, label in merged:
        out.append(escape(text[cursor:start]))
        out.append(Markup('<mark title="{}">{}</mark>').format(label, text[start:end]))
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)
