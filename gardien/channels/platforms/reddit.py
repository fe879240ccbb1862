"""Reddit listings: a subreddit's new submissions (t3) and comments (t1); replies, removals,
approvals, bans and mutes back, as a moderator of the subreddit.

Settings: `access_token` (OAuth), `subreddit`, `sources` (default ["new", "comments"]),
`base_url` (default https://oauth.reddit.com), `user_agent` (Reddit asks for a descriptive one),
`max_pages`, `backfill_days` / `backfill_items` (how much history the first run reads,
platforms.backfill).

Listings come newest first and are paged with `after` back to the newest `created_utc` already
seen. Reddit's X-Ratelimit-Reset counts seconds from now; the shared client reads it so."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import HttpClient, RemoteError
from gardien.channels.parse import Parsed
from gardien.channels.platforms.backfill import Backfill, walk_back
from gardien.channels.platforms.bridge import receive_signed, responses
from gardien.channels.platforms.common import (
    crawl_newest_first,
    epoch,
    expect,
    same_text,
    to_parsed,
)
from gardien.domain.time import utcnow

ROUTES = {"new": "/r/{sub}/new", "comments": "/r/{sub}/comments"}


def map_thing(thing: dict[str, Any]) -> dict[str, Any] | None:
    """A listing child (kind t1 comment or t3 link) as an interchange record; other kinds
    (more, t2 …) are not posts."""
    kind, data = thing["kind"], thing["data"]
    if kind not in {"t1", "t3"}:
        return None
    author = {
        "id": str(data["author"]),
        "handle": f"u/{data['author']}",
        "fullname": data.get("author_fullname"),
    }
    common = {
        "id": str(data["name"]),
        "created_at": epoch(data["created_utc"]),
        "edited_at": epoch(data["edited"]) if data.get("edited") not in (None, False) else None,
        "author": author,
        "likes": max(int(data.get("score") or 0), 0),
        "url": f"https://www.reddit.com{data['permalink']}" if data.get("permalink") else None,
        "subreddit": data.get("subreddit"),
    }
    if kind == "t3":
        text = "\n\n".join(p for p in (data["title"], data.get("selftext") or "") if p)
        return {
            **common,
            "text": text,
            "thread_id": data["name"],
            "replies": data.get("num_comments"),
        }
    return {
        **common,
        "text": data["body"],
        "thread_id": data["link_id"],
        "parent_id": data["parent_id"],
    }


def children(listing: Any) -> list[Any]:
    return (
        list(((listing or {}).get("data") or {}).get("children") or [])
        if isinstance(listing, dict)
        else []
    )


def parse_export(body: bytes, config: ChannelConfig) -> list[Parsed]:
    """Listing JSON (one, a list such as a comments page [link listing, comment listing], or JSON lines)."""
    things = [thing for listing in responses(body) for thing in children(listing)]
    return to_parsed(things, map_thing, config.limits)


class RedditAdapter:
    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        self.sub = config.require("subreddit")
        agent = config.get("user_agent")
        self.http = client or HttpClient(
            base_url=str(config.get("base_url") or "https://oauth.reddit.com").rstrip("/"),
            headers={
                "Authorization": f"Bearer {config.require('access_token')}",
                **({"User-Agent": str(agent)} if agent else {}),
            },
            secrets=config.secrets,
            options=config.http,
        )
        self.max_pages = int(config.get("max_pages", 10))
        self._me: str | None = None

    def close(self) -> None:
        self.http.close()

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        state = dict(cursor)
        for source in self.config.get("sources") or ["new", "comments"]:
            yield from self._walk(str(source), state)

    def _listing(self, path: str, after: str | None) -> tuple[list[Any], str | None]:
        """One page of a listing, newest first, and the `after` of the next, older one."""
        params = {"limit": 100, "raw_json": 1, **({"after": after} if after else {})}
        listing = self.http.get_json(path, params=params)
        data = expect(listing, "data", dict, path)
        things = expect(data, "children", list, path)
        return things, data.get("after")

    def _backfill(self, source: str, state: dict[str, Any], plan: Backfill) -> Iterator[Page]:
        """The first run's walk back through a listing; its progress is kept as
        `backfill:<source>` until it ends, then the source's cursor is set."""
        key = f"backfill:{source}"
        path = ROUTES[source].format(sub=self.sub)
        for step in walk_back(
            lambda after: self._listing(path, after),
            lambda thing: epoch(_created(thing)) if _created(thing) else None,
            lambda things: _created(things[0]) if things and _created(things[0]) else None,
            plan,
            state.get(key) or {},
            utcnow(),
        ):
            step.save(state, key, source)
            yield Page(
                to_parsed(step.items, map_thing, self.config.limits),
                dict(state),
                f"reddit:{self.config.name}:{source}:backfill:{step.token or 'latest'}",
            )

    def _walk(self, source: str, state: dict[str, Any]) -> Iterator[Page]:
        path = ROUTES[source].format(sub=self.sub)
        last = state.get(source)
        plan = Backfill.of(self.config)
        if not last and plan is not None:
            yield from self._backfill(source, state, plan)
            return
        newest: list[float] = []

        def fetch_page(after: str | None) -> tuple[list[Any], str | None]:
            things, following = self._listing(path, after)
            newest.extend(_created(t) for t in things[:1] if _created(t))
            return things, following

        def known(thing: Any) -> bool:
            created = _created(thing)
            return bool(last and created and created < float(last))

        def page(things: list[Any], done: bool) -> Page:
            if done and newest:
                state[source] = max(newest[0], float(last or 0))
            return Page(
                to_parsed(things, map_thing, self.config.limits),
                dict(state),
                f"reddit:{self.config.name}:{source}:{last or 'latest'}",
            )

        yield from crawl_newest_first(fetch_page, known, page, self.max_pages if last else 1)

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        return receive_signed(self.config, headers, body, parse_export)

    def find_delivered(self, key: str, action: Any, since: datetime) -> str | None:
        """Our comment answering the target since `since`, with the text we sent, from our own
        newest comments (Reddit takes no idempotency key, see channels.dispatch)."""
        if action.kind != "reply":
            return None
        if self._me is None:
            self._me = str(self.http.get_json("/api/v1/me")["name"])
        listing = self.http.get_json(
            f"/user/{self._me}/comments", params={"sort": "new", "limit": 100, "raw_json": 1}
        )
        for thing in children(listing):
            data = thing.get("data") if isinstance(thing, dict) else None
            if not isinstance(data, dict) or data.get("parent_id") != action.target:
                continue
            made = _created(thing)
            if (
                made
                and epoch(made) >= since
                and same_text(data.get("body"), str(action.payload["text"]))
            ):
                return str(data["name"])
        return None

    def deliver(self, key: str, action: Any) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        if kind == "reply":
            answer = self.http.json_of(
                self.http.request(
                    "POST",
                    "/api/comment",
                    data={"thing_id": target, "text": str(payload["text"]), "api_type": "json"},
                )
            )
            errors = answer["json"].get("errors") or []
            if errors:
                raise RemoteError(f"POST /api/comment: {errors}", 422, answer)
            return str(answer["json"]["data"]["things"][0]["data"]["name"])
        if kind in {"hide", "remove"}:
            spam = "true" if payload.get("category") == "spam" else "false"
            self.http.request("POST", "/api/remove", data={"id": target, "spam": spam})
            return target
        if kind in {"restore", "unhide"}:
            self.http.request("POST", "/api/approve", data={"id": target})
            return target
        kinds = {"ban": "banned", "suspend": "banned", "mute": "muted"}
        if kind in kinds:
            form = {
                "name": target,
                "type": kinds[kind],
                "ban_reason": str(payload.get("rule") or "")[:100],
                "api_type": "json",
            }
            if payload.get("days"):
                form["duration"] = str(payload["days"])
            self.http.request("POST", f"/r/{self.sub}/api/friend", data=form)
            return target
        lifted = {"unban": "banned", "unsuspend": "banned", "unmute": "muted"}
        if kind in lifted:
            self.http.request(
                "POST", f"/r/{self.sub}/api/unfriend", data={"name": target, "type": lifted[kind]}
            )
            return target
        raise UnsupportedAction(f"Reddit cannot {kind!r}")


def _created(thing: Any) -> float:
    try:
        return float(thing["data"]["created_utc"])
    except (KeyError, TypeError, ValueError):
        return 0.0


def make_adapter(config: ChannelConfig) -> RedditAdapter:
    return RedditAdapter(config)
