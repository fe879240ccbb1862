"""A channel's first run: how much of the platform's history to read before listening on.

Without settings, a channel's first poll reads the newest page only. `backfill_days` and
`backfill_items` (per channel) ask for more. Listings that come newest first (Discourse, Mastodon,
X, YouTube, Reddit) are walked back until the posts are older than the window or that many items
were read; the walk keeps its place in the cursor, so a restart or a rate limit goes on from
there, and when it ends the cursor becomes the newest post seen as it began. Listings that come
oldest first (Facebook, Instagram) and feeds cannot be walked back: for them the first run fixes a
cutoff instant, kept in the cursor, and older items are skipped then and afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from gardien.channels.adapter import ChannelConfig
from gardien.domain.time import ensure_utc
from gardien.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Backfill:
    """At most `days` of history and at most `items` items (either may be None: no limit)."""

    days: float | None = None
    items: int | None = None

    @classmethod
    def of(cls, config: ChannelConfig) -> Backfill | None:
        """The channel's backfill settings, None when it asks for none (newest page only)."""
        days = _number(config, "backfill_days", float)
        items = _number(config, "backfill_items", int)
        return None if days is None and items is None else cls(days, items)

    def oldest(self, now: datetime) -> datetime | None:
        """The oldest creation time the window keeps, or None when it has no age limit."""
        return None if self.days is None else ensure_utc(now) - timedelta(days=self.days)


def _number(config: ChannelConfig, name: str, kind: type[float] | type[int]) -> Any:
    value = config.get(name)
    if value in (None, "", 0):
        return None
    try:
        number = kind(value)
    except (TypeError, ValueError):
        number = -1
    if number <= 0:
        raise ConfigError(
            f"channel {config.name!r}: {name} must be a positive number, not {value!r}; "
            f"set it with: gardien channels configure {config.name} --set {name}=…"
        )
    return number


@dataclass(frozen=True, slots=True)
class Step:
    """One page of a walk back: the items the plan keeps, the page token it was fetched with
    (for a stable page name), the progress to save (None once the walk is over) and the newest
    key seen when the walk began (the cursor to listen on from)."""

    items: list[Any]
    token: str | None
    progress: dict[str, Any] | None
    newest: Any

    def save(self, state: dict[str, Any], key: str, source: str) -> None:
        """Record this step in a cursor that keeps several sources: the walk's progress under
        `key` while it goes on, then the newest item under `source` to listen on from."""
        if self.progress is not None:
            state[key] = self.progress
            return
        state.pop(key, None)
        if self.newest:
            state[source] = self.newest


def walk_back(
    fetch: Callable[[str | None], tuple[list[Any], str | None]],
    created: Callable[[Any], datetime | None],
    newest: Callable[[list[Any]], Any],
    plan: Backfill,
    saved: Mapping[str, Any],
    now: datetime,
) -> Iterator[Step]:
    """Walk a newest-first listing (`fetch(token)` → items, next token) back into history as
    far as `plan` says, from `saved` progress (empty at the start). An item whose creation time
    cannot be read is kept (it becomes a reject with its reason, or a post)."""
    token: str | None = saved.get("token")
    top = saved.get("newest")
    read = int(saved.get("read") or 0)
    oldest = plan.oldest(now)
    while True:
        items, following = fetch(token)
        if top is None:
            top = newest(items)
        kept: list[Any] = []
        over = not items or not following
        for item in items:
            when = created(item)
            if oldest is not None and when is not None and when < oldest:
                over = True  # newest first: everything after this is older still
                continue
            if plan.items is not None and read >= plan.items:
                over = True
                break
            kept.append(item)
            read += 1
        if plan.items is not None and read >= plan.items:
            over = True
        progress = None if over else {"token": following, "newest": top, "read": read}
        yield Step(kept, token, progress, top)
        if over:
            return
        token = following


def cutoff(plan: Backfill | None, cursor: Mapping[str, Any], now: datetime) -> datetime | None:
    """For oldest-first listings and feeds: the instant before which items are skipped. The
    first run (an empty cursor) fixes it from the window; the cursor keeps it afterwards as
    `backfill_since`, so a channel listening already is never cut."""
    saved = cursor.get("backfill_since")
    if isinstance(saved, str) and saved:
        return ensure_utc(datetime.fromisoformat(saved))
    if cursor or plan is None:
        return None
    return plan.oldest(now)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time from a payload (with Z, or +0000 as Graph writes it), or None."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    if len(text) > 5 and text[-5] in "+-" and text[-3] != ":":
        text = f"{text[:-2]}:{text[-2:]}"
    try:
        return ensure_utc(datetime.fromisoformat(text))
    except ValueError:
        return None
