"""What the judgement stages say about a post: language and scores, each able to explain itself."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of the *original* text (Python string offsets) that pushed a score or matched a term."""

    start: int
    end: int
    label: str = ""
    weight: float = 1.0


@dataclass(frozen=True, slots=True)
class Language:
    """Identified language: a short code ('en', 'fr' or 'other') and the identifier's confidence."""

    code: str
    confidence: float
    raw_code: str = ""


@dataclass(frozen=True, slots=True)
class Score:
    """A calibrated probability from a classifier, with the spans that explain it and its model."""

    value: float
    model: str = ""
    spans: tuple[Span, ...] = ()


@dataclass(slots=True)
class Signals:
    """All signals of one post, filled in by the stages that set them."""

    language: Language | None = None
    scores: dict[str, Score] = field(default_factory=dict)
    matches: list[Span] = field(default_factory=list)
    flags: dict[str, str] = field(default_factory=dict)
    #: Whole numbers a stage counted about the post (``repeated.copies``, ``repeated.authors``),
    #: kept apart from scores, which are probabilities; rules read them as ``count.<name>``.
    counts: dict[str, int] = field(default_factory=dict)

    def score(self, name: str, default: float = 0.0) -> float:
        """The value of score `name`, or `default` when no stage set it."""
        found = self.scores.get(name)
        return found.value if found is not None else default
