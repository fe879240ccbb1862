"""Mastodon: mentions, hashtag and account timelines over the REST API; replies, deletions,
reports, blocks and (for an instance's admin token) limits and suspensions back.

Settings: `base_url`, `access_token`, `sources` (default ["notifications"]; also "tag:NAME",
"account:ID", "home", "public"), `resolve_threads` (true: ask /context for a reply's thread root),
`admin` (true: sanctions use the admin API), `page_limit` (≤ 40), `max_pages` per poll,
`stream_seconds` (after catching up over REST, follow the streaming API live this long: the
notifications, hashtag, home and local public streams; an account's timeline has none),
`backfill_days` / `backfill_items` (how much history the first run reads, platforms.backfill).

Paging follows the documented Link header: a cursor is the newest id seen per source, and
`min_id=<cursor>` walks forward through rel="prev" links until a page comes back empty.
Replies carry the outbox key as the `Idempotency-Key` header, so Mastodon itself answers a
repeated request with the status it already created."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import HttpClient, RemoteError
from gardien.channels.platforms.backfill import Backfill, parse_time, walk_back
from gardien.channels.platforms.common import expect, html_to_text, newest, same_text, to_parsed
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow

TIMELINES = {"home": "/api/v1/timelines/home", "public": "/api/v1/timelines/public"}
#: The streaming API's twin of each timeline (the public one local, as its REST reading).
STREAMS = {"home": "/api/v1/streaming/user", "public": "/api/v1/streaming/public/local"}


def map_status(status: dict[str, Any], thread_id: str | None = None) -> dict[str, Any]:
    """A Mastodon Status entity as an interchange record (a boost maps the boosted status)."""
    if status.get("reblog"):
        status = status["reblog"]
    account = status["account"]
    content = str(status.get("content") or "")
    text = html_to_text(content)
    if status.get("spoiler_text"):
        text = f"{status['spoiler_text']}\n\n{text}"
    return {
        "id": str(status["id"]),
        "text": text,
        "created_at": status["created_at"],
        "edited_at": status.get("edited_at"),
        "author": {
            "id": str(account["id"]),
            "handle": "@" + str(account.get("acct") or account.get("username", "")),
            "name": account.get("display_name") or account.get("username", ""),
            "followers": account.get("followers_count", 0),
            "created_at": account.get("created_at"),
            "bot": bool(account.get("bot", False)),
            "url": account.get("url"),
        },
        "thread_id": thread_id or status.get("in_reply_to_id") or str(status["id"]),
        "parent_id": status.get("in_reply_to_id"),
        "language": status.get("language"),
        "likes": status.get("favourites_count", 0),
        "replies": status.get("replies_count", 0),
        "shares": status.get("reblogs_count", 0),
        "visibility": "private" if status.get("visibility") == "direct" else "public",
        "url": status.get("url") or status.get("uri"),
        "content_html": content,
        "mastodon_visibility": status.get("visibility"),
    }


class MastodonAdapter:
    """Listens to a Mastodon account and acts as it."""

    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        token = config.require("access_token")
        self.http = client or HttpClient(
            base_url=config.require("base_url").rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            secrets=config.secrets,
            options=config.http,
        )
        self.limit = min(int(config.get("page_limit", 40)), 40)
        self.max_pages = int(config.get("max_pages", 20))
        self._roots: dict[str, str] = {}
        self._me: str | None = None

    def close(self) -> None:
        self.http.close()

    # listening -----------------------------------------------------------------------------

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        state = dict(cursor)
        sources = [str(source) for source in self.config.get("sources") or ["notifications"]]
        for source in sources:
            yield from self._walk(source, state)
        seconds = float(self.config.get("stream_seconds", 0))
        for source in sources if seconds > 0 else []:
            yield from self._stream(source, state, seconds / len(sources))

    def _stream(self, source: str, state: dict[str, Any], seconds: float) -> Iterator[Page]:
        """After catching up over REST, follow the streaming API live for `seconds`: each
        event is a page of one post, and moves the source's cursor past it."""
        if source == "notifications":
            path, params, wanted = "/api/v1/streaming/user/notification", {}, "notification"
        elif source.startswith("tag:"):
            path, params, wanted = "/api/v1/streaming/hashtag", {"tag": source[4:]}, "update"
        elif source in STREAMS:
            path, params, wanted = STREAMS[source], {}, "update"
        else:
            return  # an account's timeline has no stream: the next poll reads it
        for event, data in self.http.stream_events(path, seconds, params):
            if event != wanted:
                continue
            try:
                item = json.loads(data)
                item_id = str(item["id"])
            except (ValueError, KeyError, TypeError):
                item, item_id = data, None
            parsed = to_parsed([item], self._mapper(source), self.config.limits)
            if item_id:
                state[source] = newest([item_id], state.get(source))
            yield Page(
                parsed, dict(state), f"mastodon:{self.config.name}:{source}:stream:{item_id}"
            )

    def _endpoint(self, source: str) -> tuple[str, dict[str, Any]]:
        if source == "notifications":
            return "/api/v1/notifications", {"types[]": "mention"}
        if source.startswith("tag:"):
            return f"/api/v1/timelines/tag/{source[4:].lstrip('#')}", {}
        if source.startswith("account:"):
            return f"/api/v1/accounts/{source[8:]}/statuses", {}
        if source in TIMELINES:
            return TIMELINES[source], {"local": "true"} if source == "public" else {}
        raise UnsupportedAction(f"unknown Mastodon source {source!r}")

    def _walk(self, source: str, state: dict[str, Any]) -> Iterator[Page]:
        path, params = self._endpoint(source)
        min_id: str | None = state.get(source)
        plan = Backfill.of(self.config)
        if not min_id and plan is not None:
            yield from self._backfill(source, path, params, state, plan)
            return
        for _ in range(self.max_pages):
            query = {**params, "limit": self.limit}
            if min_id:
                query["min_id"] = min_id
            response = self.http.request("GET", path, params=query)
            items = expect({"items": self.http.json_of(response)}, "items", list, path)
            if not items:
                return
            ids = [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]
            parsed = to_parsed(items, self._mapper(source), self.config.limits)
            label = f"mastodon:{self.config.name}:{source}:{min_id or 'latest'}"
            state[source] = newest(ids, min_id)
            yield Page(parsed, dict(state), label)
            prev = response.links.get("prev", {}).get("url")
            following = parse_qs(urlsplit(prev).query).get("min_id", [None])[0] if prev else None
            if not min_id or not following:
                return  # first run without backfill settings: start from the newest page
            min_id = following

    def _backfill(
        self, source: str, path: str, params: dict[str, Any], state: dict[str, Any], plan: Backfill
    ) -> Iterator[Page]:
        """The first run's walk back through a source (Link rel="next", max_id): its progress
        is kept as `backfill:<source>` until it ends, then the source's cursor is set."""
        key = f"backfill:{source}"

        def fetch_page(max_id: str | None) -> tuple[list[Any], str | None]:
            query = {**params, "limit": self.limit, **({"max_id": max_id} if max_id else {})}
            response = self.http.request("GET", path, params=query)
            items = expect({"items": self.http.json_of(response)}, "items", list, path)
            older = response.links.get("next", {}).get("url")
            return items, parse_qs(urlsplit(older).query).get("max_id", [None])[
                0
            ] if older else None

        for step in walk_back(
            fetch_page,
            lambda item: parse_time(item.get("created_at")) if isinstance(item, dict) else None,
            lambda items: newest(str(i["id"]) for i in items if isinstance(i, dict) and "id" in i),
            plan,
            state.get(key) or {},
            utcnow(),
        ):
            step.save(state, key, source)
            yield Page(
                to_parsed(step.items, self._mapper(source), self.config.limits),
                dict(state),
                f"mastodon:{self.config.name}:{source}:backfill:{step.token or 'latest'}",
            )

    def _mapper(self, source: str) -> Any:
        def mapper(item: dict[str, Any]) -> dict[str, Any] | None:
            status = item
            if source == "notifications":
                if item.get("type") != "mention" or not item.get("status"):
                    return None
                status = item["status"]
            return map_status(status, self._root_of(status))

        return mapper

    def _root_of(self, status: dict[str, Any]) -> str | None:
        """The id of the thread's first status (one /context call per reply, cached)."""
        parent = status.get("in_reply_to_id")
        if not parent or not self.config.get("resolve_threads", True):
            return None
        if parent not in self._roots:
            try:
                context = self.http.get_json(f"/api/v1/statuses/{status['id']}/context")
                ancestors = context.get("ancestors") or []
                self._roots[parent] = str(ancestors[0]["id"]) if ancestors else str(parent)
            except RemoteError:
                self._roots[parent] = str(parent)
        return self._roots[parent]

    # acting --------------------------------------------------------------------------------

    def deliver(self, key: str, action: OutboundAction) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        admin = bool(self.config.get("admin", False))
        if kind == "reply":
            return self._post_status(key, str(payload["text"]), target, "public")
        if kind == "notify":
            account = self.http.get_json(f"/api/v1/accounts/{target}")
            text = f"@{account['acct']} {payload.get('subject', '')}\n\n{payload.get('body', '')}"
            return self._post_status(key, text.strip(), None, "direct")
        if kind == "remove":
            return self._remove(target, payload)
        if kind in {"hide", "report"}:
            return self._report(target, payload)
        if kind in {"mute", "suspend", "ban", "block"}:
            return self._restrict(kind, target, payload, admin)
        if kind in {"unmute", "unsuspend", "unban", "unblock"}:
            return self._lift(kind, target, admin)
        raise UnsupportedAction(f"Mastodon cannot {kind!r}")

    def find_delivered(self, key: str, action: OutboundAction, since: datetime) -> str | None:
        """Our reply among the target's descendants since `since`, with the text we sent.
        Mastodon honours an Idempotency-Key for an hour only; an attempt whose answer was lost
        and that is retried later than that would otherwise post again."""
        if action.kind != "reply":
            return None
        if self._me is None:
            self._me = str(self.http.get_json("/api/v1/accounts/verify_credentials")["id"])
        context = self.http.get_json(f"/api/v1/statuses/{action.target}/context")
        for status in (context.get("descendants") if isinstance(context, dict) else None) or []:
            made = parse_time(status.get("created_at"))
            if (
                str(status.get("in_reply_to_id")) == action.target
                and str((status.get("account") or {}).get("id")) == self._me
                and made is not None
                and made >= since
                and same_text(
                    html_to_text(str(status.get("content") or "")), str(action.payload["text"])
                )
            ):
                return str(status["id"])
        return None

    def _post_status(self, key: str, text: str, reply_to: str | None, visibility: str) -> str:
        body: dict[str, Any] = {"status": text, "visibility": visibility}
        if reply_to:
            body["in_reply_to_id"] = reply_to
        response = self.http.request(
            "POST",
            "/api/v1/statuses",
            json=body,
            headers={"Idempotency-Key": key},
            idempotent=True,  # Mastodon answers a repeated key with the status it made
        )
        return str(self.http.json_of(response)["id"])

    def _remove(self, status_id: str, payload: dict[str, Any]) -> str:
        """Delete our own status; someone else's (404 to DELETE, yet still there) is reported to
        the instance's moderators; a status already gone counts as removed."""
        response = self.http.request("DELETE", f"/api/v1/statuses/{status_id}", ok=(404,))
        if response.status_code != 404:
            return status_id
        still = self.http.request("GET", f"/api/v1/statuses/{status_id}", ok=(404,))
        if still.status_code == 404:
            return status_id
        return self._report(status_id, {**payload, "author_id": still.json()["account"]["id"]})

    def _report(self, status_id: str, payload: dict[str, Any]) -> str:
        """Mastodon has no way to hide someone else's status: report it to the instance's
        moderators (who act on it), with the rule as the comment."""
        account = payload.get("author_id")
        if not account:
            account = self.http.get_json(f"/api/v1/statuses/{status_id}")["account"]["id"]
        body = {
            "account_id": str(account),
            "status_ids": [status_id],
            "comment": str(payload.get("reason") or payload.get("rule") or "Gardien")[:1000],
            "category": "spam" if payload.get("category") == "spam" else "other",
            "forward": bool(payload.get("forward", False)),
        }
        report = self.http.json_of(self.http.request("POST", "/api/v1/reports", json=body))
        return str(report.get("id", ""))

    def _restrict(self, kind: str, account: str, payload: dict[str, Any], admin: bool) -> str:
        if admin:
            level = "silence" if kind == "mute" else "suspend"
            text = str(payload.get("rule") or payload.get("reason") or "")
            self.http.request(
                "POST",
                f"/api/v1/admin/accounts/{account}/action",
                json={"type": level, "text": text},
            )
            return account
        verb = "mute" if kind == "mute" else "block"
        self.http.request("POST", f"/api/v1/accounts/{account}/{verb}")
        return account

    def _lift(self, kind: str, account: str, admin: bool) -> str:
        if admin:
            verb = "unsilence" if kind == "unmute" else "unsuspend"
            self.http.request("POST", f"/api/v1/admin/accounts/{account}/{verb}")
        else:
            verb = "unmute" if kind == "unmute" else "unblock"
            self.http.request("POST", f"/api/v1/accounts/{account}/{verb}")
        return account


def make_adapter(config: ChannelConfig) -> MastodonAdapter:
    return MastodonAdapter(config)
