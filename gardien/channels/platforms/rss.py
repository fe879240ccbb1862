"""RSS and Atom feeds (blogs, review sites, news mentions), read with feedparser.

Settings: `url` (the feed), `keywords` (keep only entries mentioning one of them, ignoring case
and accents; empty keeps all), `max_pages` (RFC 5005 rel="next" archive pages followed),
`backfill_days` / `backfill_items` (at the first run, keep only entries of the window, or the
newest n; the cutoff instant is kept in the cursor, platforms.backfill).

The feed is fetched conditionally (ETag / Last-Modified kept in the cursor), so an unchanged
feed costs one 304. Feeds are read-only: every outbound action is refused as unsupported."""

from __future__ import annotations

import calendar
import hashlib
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import HttpClient, MalformedPayload
from gardien.channels.platforms.backfill import Backfill, cutoff
from gardien.channels.platforms.common import html_to_text, to_parsed
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow


def fold(text: str) -> str:
    """Lower case without accents, for keyword matching ("Vélo" matches "velo")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _when(entry: Any, feed: Any) -> datetime:
    # dict.get: feedparser's own get() warns when it maps one date field onto another
    for source, key in (
        (entry, "published_parsed"),
        (entry, "updated_parsed"),
        (feed, "updated_parsed"),
    ):
        parsed = dict.get(source, key)
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    return datetime.now(UTC)


def map_entry(entry: Any, feed: Any, feed_url: str) -> dict[str, Any]:
    """A feedparser entry as an interchange record; the feed's title stands in for a missing author."""
    title = str(entry.get("title") or "")
    body = ""
    if entry.get("content"):
        body = str(entry["content"][0].get("value") or "")
    body = body or str(entry.get("summary") or "")
    text = "\n\n".join(part for part in (title, html_to_text(body)) if part)
    link = entry.get("link")
    ident = entry.get("id") or link or hashlib.sha256(text.encode()).hexdigest()[:32]
    site = urlsplit(str(feed.get("link") or feed_url)).netloc or feed_url
    author = str(entry.get("author") or feed.get("title") or site)
    detail = entry.get("author_detail") or {}
    return {
        "id": str(ident)[:200],
        "text": text,
        "created_at": _when(entry, feed),
        "author": {
            "id": str(detail.get("email") or f"{site}:{author}")[:200],
            "name": author[:200],
            "handle": author[:200],
        },
        "url": link,
        "feed_title": feed.get("title"),
        "tags": [tag.get("term") for tag in entry.get("tags") or []],
    }


class FeedAdapter:
    """Polls one feed (and its archive pages) for entries mentioning the keywords."""

    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        self.url = config.require("url")
        self.keywords = [fold(str(k)) for k in config.get("keywords") or [] if str(k).strip()]
        self.max_pages = int(config.get("max_pages", 5))
        self.http = client or HttpClient(base_url="", secrets=config.secrets, options=config.http)

    def close(self) -> None:
        self.http.close()

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        headers = {}
        if cursor.get("etag"):
            headers["If-None-Match"] = str(cursor["etag"])
        if cursor.get("modified"):
            headers["If-Modified-Since"] = str(cursor["modified"])
        url: str | None = self.url
        fresh: dict[str, Any] = {}
        pages: list[tuple[list[Any], str]] = []
        for number in range(self.max_pages):
            if url is None:
                break
            response = self.http.request("GET", url, headers=headers if number == 0 else None)
            if response.status_code == 304:
                return
            if number == 0:
                fresh = {
                    "etag": response.headers.get("etag"),
                    "modified": response.headers.get("last-modified"),
                }
            parsed = feedparser.parse(response.content)
            if parsed.bozo and not parsed.entries:
                raise MalformedPayload(
                    f"{urlsplit(url).path or url}: not an RSS or Atom feed ({parsed.bozo_exception})"
                )
            records = [
                map_entry(entry, parsed.feed, self.url)
                for entry in parsed.entries
                if self._wanted(entry)
            ]
            pages.append((records, url))
            url = next(
                (
                    link.get("href")
                    for link in parsed.feed.get("links", [])
                    if link.get("rel") == "next"
                ),
                None,
            )
        since = self._cutoff(cursor, [record for records, _ in pages for record in records])
        keep = {"backfill_since": since.isoformat()} if since is not None else {}
        cursor_after = {**{k: v for k, v in fresh.items() if v}, **keep}
        for index, (records, page_url) in enumerate(pages):
            last = index == len(pages) - 1
            kept = [r for r in records if since is None or r["created_at"] >= since]
            yield Page(
                to_parsed(kept, lambda record: record, self.config.limits),
                cursor_after if last else {**cursor, **keep},
                f"feed:{self.config.name}:{page_url}#{fresh.get('etag') or fresh.get('modified') or ''}",
            )

    def _cutoff(self, cursor: Cursor, records: list[dict[str, Any]]) -> datetime | None:
        """Entries older than this are skipped: fixed at the first run from `backfill_days`
        and `backfill_items` (the n-th newest entry), kept in the cursor afterwards."""
        plan = Backfill.of(self.config)
        since = cutoff(plan, cursor, utcnow())
        if not cursor and plan is not None and plan.items is not None:
            times = sorted((record["created_at"] for record in records), reverse=True)
            if len(times) > plan.items:
                nth = times[plan.items - 1]
                since = nth if since is None else max(since, nth)
        return since

    def _wanted(self, entry: Any) -> bool:
        if not self.keywords:
            return True
        haystack = fold(" ".join(str(entry.get(k) or "") for k in ("title", "summary")))
        return any(keyword in haystack for keyword in self.keywords)

    def deliver(self, key: str, action: OutboundAction) -> str:
        raise UnsupportedAction(
            f"channel {self.config.name!r} is an RSS/Atom feed: it can be read, not acted on"
        )


def make_adapter(config: ChannelConfig) -> FeedAdapter:
    return FeedAdapter(config)
