"""Helpers the platform modules share: HTML to text, record validation, id order, and the
newest-first crawl most platform listings need."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

from gardien.channels.adapter import Page
from gardien.channels.http import MalformedPayload
from gardien.channels.parse import Limits, Parsed, validate
from gardien.errors import IngestError

BLOCKS = {"p", "div", "li", "blockquote", "h1", "h2", "h3", "h4", "pre", "tr"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in BLOCKS and self.parts and not "".join(self.parts).endswith("\n\n"):
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(markup: str) -> str:
    """Readable text of an HTML fragment (paragraphs and line breaks kept); the pipeline reads
    text, and the original markup stays in the post's extra fields."""
    if "<" not in markup:
        return html.unescape(markup)
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip()


def same_text(found: Any, sent: str) -> bool:
    """Whether a text read back from a platform is the one we sent: spacing aside, and without
    the @mentions some platforms put in front of a reply."""
    if not isinstance(found, str):
        return False
    wanted = " ".join(sent.split())
    words = found.split()
    while words and " ".join(words) != wanted and words[0].startswith("@"):
        words = words[1:]
    return " ".join(words) == wanted


def epoch(seconds: float | int | str) -> datetime:
    return datetime.fromtimestamp(float(seconds), UTC)


def id_key(value: str) -> tuple[int, str]:
    """Order numeric ids (snowflakes, serials) by value, not as text."""
    return (len(value), value) if value.isdigit() else (0, value)


def newest(ids: Iterable[str], current: str | None = None) -> str | None:
    best = current
    for value in ids:
        if best is None or id_key(value) > id_key(best):
            best = value
    return best


def to_parsed(
    raw_items: Iterable[Any], mapper: Callable[[Any], dict[str, Any] | None], limits: Limits
) -> list[Parsed]:
    """Map and validate each item; an item that does not fit becomes a reject with its reason,
    and the others still land. A mapper returns None for items that are not posts."""
    out: list[Parsed] = []
    for index, item in enumerate(raw_items, start=1):
        try:
            record = mapper(item)
            if record is None:
                continue
            out.append(Parsed(index, post=validate(record, limits)))
        except (IngestError, KeyError, TypeError, ValueError, AttributeError) as error:
            reason = str(error) if isinstance(error, IngestError) else _reason(error)
            out.append(Parsed(index, error=reason, excerpt=_excerpt(item)))
    return out


def _reason(error: Exception) -> str:
    if isinstance(error, KeyError):
        return f"missing field {error.args[0]!r} in the platform's payload"
    return f"unexpected payload: {type(error).__name__}: {error}"


def _excerpt(item: Any) -> str:
    try:
        return json.dumps(item, ensure_ascii=False, default=str)[:200]
    except (TypeError, ValueError):
        return repr(item)[:200]


def expect(data: Any, key: str, kind: type, where: str) -> Any:
    """`data[key]` when it has the documented type, else MalformedPayload (nothing is stored
    from a page that does not have the documented shape)."""
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, kind):
        raise MalformedPayload(f"{where}: expected {key!r} as {kind.__name__} in the answer")
    return value


def crawl_newest_first(
    fetch: Callable[[str | None], tuple[list[Any], str | None]],
    is_known: Callable[[Any], bool],
    make_page: Callable[[list[Any], bool], Page],
    max_pages: int,
) -> Iterator[Page]:
    """Walk a newest-first listing page by page (`fetch(token)` → items, next token) until an
    item already known (older than the cursor) or the end. Every page is yielded as it comes,
    but only the last one carries the new cursor (`make_page(items, last=True)`): if the walk is
    interrupted, the next run walks the gap again, and ingest drops what it already has."""
    token: str | None = None
    for number in range(1, max_pages + 1):
        items, token = fetch(token)
        fresh = [item for item in items if not is_known(item)]
        done = len(fresh) < len(items) or not token or number == max_pages
        yield make_page(fresh, done)
        if done:
            return
