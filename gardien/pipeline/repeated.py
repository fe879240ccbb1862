"""Stage: repeated text — the same, or nearly the same, text posted again and again.

Spammers and trolls flood (one author, one text, again and again within hours); campaigns paste
one text from many accounts. Each post is compared with what came *before* it in its community:
the earlier posts the store loaded with the record (`TriageRecord.earlier`, bounded by
`StageContext.history`) and the earlier posts of its own batch, since a flood often arrives in
one batch. Later posts never count, so a post gets the same answer whether it was judged alone,
in a batch of a thousand, or again after a replay.

Sets, for every post long enough to count (`pipeline/shape.py`; "thanks!" or "+1" never does):

- ``score.repeated``: similarity (0–1) to the closest earlier post of the same author in the
  window, 1.0 for the same words; its span names that post;
- ``count.repeated.copies``: how many earlier posts of the author in the window are near-copies
  (similarity ≥ `near`);
- ``count.repeated.authors``: how many authors posted this text (same fingerprint) in the
  window, this post's author included.

Short texts get ``score.repeated`` 0 and no counts, so a rule on the counts never fires on them.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from gardien.domain import Score, Span, ensure_utc
from gardien.pipeline.record import EarlierPost, HistoryBounds, StageContext, TriageRecord
from gardien.pipeline.shape import SHORT, TextShape, shapes, similarity

MODEL = "repeated-text.v1"
SCORE, COPIES, AUTHORS = "repeated", "repeated.copies", "repeated.authors"
#: Similarity at or above which an earlier post is a near-copy: a word changed or added in a
#: sentence of ten stays above it; two different posts about one subject stay below it.
NEAR = 0.85

#: Position in time: (created_at, post id, place in the batch), loaded posts before batch ones.
_Key = tuple[datetime, int, int]
_Event = tuple[_Key, EarlierPost | TriageRecord]


class RepeatedText:
    """Scores each post against the author's recent posts, and counts the authors of its text."""

    name = "repeated"
    needs = frozenset({"post"})
    sets = frozenset({f"score.{SCORE}", f"count.{COPIES}", f"count.{AUTHORS}"})

    def __init__(self, near: float = NEAR) -> None:
        self.near = near

    def __call__(self, batch: Sequence[TriageRecord], context: StageContext) -> None:
        missing = [record for record in batch if record.shape is None]
        for record, shape in zip(missing, shapes([r.post.text for r in missing]), strict=True):
            record.shape = shape
        authors: dict[tuple[str, str, str], list[_Event]] = {}
        texts: dict[tuple[str, str], list[_Event]] = {}
        for place, record in enumerate(batch, start=1):
            shape = record.shape or SHORT
            record.signals.scores[SCORE] = Score(0.0, MODEL)
            if not shape.counts:
                continue
            at = ensure_utc(record.post.created_at)
            event: _Event = ((at, record.post_id or 0, place), record)
            who = (record.community, record.post.channel, record.post.author)
            authors.setdefault(who, []).append(event)
            texts.setdefault((record.community, shape.fingerprint), []).append(event)
        for (_, channel, author), events in authors.items():
            loaded = [e for e in _loaded(events) if (e.channel, e.author) == (channel, author)]
            self._flood(_in_order(events, loaded), context.history)
        for (_, fingerprint), events in texts.items():
            loaded = [e for e in _loaded(events) if e.fingerprint == fingerprint]
            _campaign(_in_order(events, loaded), context.history.window)

    def _flood(self, events: list[_Event], bounds: HistoryBounds) -> None:
        """Walk one author's posts in time order, each compared with the ones before it."""
        recent: deque[tuple[datetime, int | None, TextShape]] = deque(maxlen=bounds.per_author)
        for (at, _, _), item in events:
            if isinstance(item, EarlierPost):
                recent.append((at, item.post_id, TextShape(item.fingerprint, item.sketch)))
                continue
            shape = item.shape or SHORT
            best, closest, copies = 0.0, None, 0
            since = at - bounds.window
            for then, post_id, other in recent:
                if then < since:
                    continue
                value = similarity(shape, other)
                copies += value >= self.near
                if value > best:
                    best, closest = value, post_id
            spans = _explain(item.post.text, closest, best) if copies else ()
            item.signals.scores[SCORE] = Score(round(best, 4), MODEL, spans)
            item.signals.counts[COPIES] = copies
            recent.append((at, item.post_id, shape))


def _campaign(events: list[_Event], window: timedelta) -> None:
    """Walk one text's posts in time order, counting the authors seen within the window."""
    inside: deque[tuple[datetime, tuple[str, str]]] = deque()
    per_author: Counter[tuple[str, str]] = Counter()
    for (at, _, _), item in events:
        while inside and inside[0][0] < at - window:
            _, gone = inside.popleft()
            per_author[gone] -= 1
            if not per_author[gone]:
                del per_author[gone]
        if isinstance(item, EarlierPost):
            who = (item.channel, item.author)
        else:
            who = (item.post.channel, item.post.author)
            item.signals.counts[AUTHORS] = len(per_author) + (who not in per_author)
        inside.append((at, who))
        per_author[who] += 1


def _loaded(events: Iterable[_Event]) -> Iterable[EarlierPost]:
    """The earlier posts loaded with these records, once each (the first copy: the author's
    posts come before the same text's, and carry the sketch)."""
    found: dict[int, EarlierPost] = {}
    for _, record in events:
        if isinstance(record, TriageRecord):
            for earlier in record.earlier:
                found.setdefault(earlier.post_id, earlier)
    return found.values()


def _in_order(events: list[_Event], loaded: Iterable[EarlierPost]) -> list[_Event]:
    earlier: list[_Event] = [
        ((ensure_utc(post.created_at), post.post_id, 0), post) for post in loaded
    ]
    return sorted(earlier + events, key=lambda event: event[0])


def _explain(text: str, closest: int | None, best: float) -> tuple[Span, ...]:
    """The whole text is the repeated part; the label names the closest earlier post."""
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    which = f"post {closest}" if closest else "an earlier post"
    return (Span(start, end, f"near-copy of {which}", round(best, 4)),)
