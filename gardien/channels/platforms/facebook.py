"""Facebook and Instagram comments through the Graph API; replies, hiding, deletion and page
bans back. The channel's kind ("facebook" or "instagram") picks the field names and routes.

Settings: `access_token` (a page token), `objects` (ids of the posts or media whose comments to
read), `page_id` (the page, or Instagram account, we act as: for bans and to find our replies), `base_url` (default https://graph.facebook.com/v19.0), `limit`,
`backfill_days` (at the first run, comments older than this are skipped; platforms.backfill).

Comments are read in chronological order and paged with `paging.cursors.after`, which is also
the cursor kept per object: the next poll asks for what came after it. Facebook's
`filter=stream` lists replies among the comments, each naming its `parent`; Instagram lists
top-level comments only, so their replies are asked for in the same request (`replies{…}`) and
come after the comment they answer. Graph errors come in its own shape: code 190 is an expired
or revoked token, codes 4/17/32/613 are rate limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import ChannelError, HttpClient, RateLimited, Unauthorized
from gardien.channels.parse import Parsed
from gardien.channels.platforms.backfill import Backfill, cutoff, parse_time
from gardien.channels.platforms.bridge import receive_signed, responses
from gardien.channels.platforms.common import expect, same_text, to_parsed
from gardien.domain.time import utcnow

FB_FIELDS = "id,message,created_time,from{id,name},like_count,comment_count,parent{id},permalink_url,is_hidden"
IG_COMMENT = "id,text,timestamp,username,from{id,username},like_count,parent_id,hidden"
IG_FIELDS = f"{IG_COMMENT},replies{{{IG_COMMENT}}}"
RATE_CODES = {4, 17, 32, 613, 80001, 80004}


def map_comment(item: tuple[dict[str, Any], str]) -> dict[str, Any]:
    """A Graph API comment (Facebook or Instagram shape) as an interchange record; the object
    it was made on is the thread."""
    comment, thread = item
    if "message" in comment or "created_time" in comment:  # Facebook
        author = comment["from"]
        parent = (comment.get("parent") or {}).get("id")
        return {
            "id": str(comment["id"]),
            "text": comment["message"],
            "created_at": comment["created_time"],
            "author": {"id": str(author["id"]), "name": author.get("name", "")},
            "thread_id": thread,
            "parent_id": parent or thread,
            "likes": comment.get("like_count"),
            "replies": comment.get("comment_count"),
            "url": comment.get("permalink_url"),
            "is_hidden": comment.get("is_hidden"),
        }
    author = comment.get("from") or {"id": comment["username"], "username": comment["username"]}
    return {  # Instagram
        "id": str(comment["id"]),
        "text": comment["text"],
        "created_at": comment["timestamp"],
        "author": {"id": str(author["id"]), "handle": "@" + str(author.get("username", ""))},
        "thread_id": thread,
        "parent_id": comment.get("parent_id") or thread,
        "likes": comment.get("like_count"),
        "is_hidden": comment.get("hidden"),
    }


def with_replies(comments: list[Any], thread: str) -> list[tuple[Any, str]]:
    """Each comment (paired with its thread), followed by the replies nested in it
    (Instagram's `replies.data`), which answer that comment."""
    items: list[tuple[Any, str]] = []
    for comment in comments:
        items.append((comment, thread))
        nested = comment.get("replies") if isinstance(comment, dict) else None
        replies = nested.get("data") if isinstance(nested, dict) else None
        for reply in replies if isinstance(replies, list) else []:
            if isinstance(reply, dict):
                reply = {"parent_id": comment.get("id"), **reply}
            items.append((reply, thread))
    return items


def parse_export(body: bytes, config: ChannelConfig) -> list[Parsed]:
    """Graph API comment responses ({"data": [...], "paging": …}); an object id given as
    `"object_id"` beside `data` (or the channel's first object) names the thread."""
    items: list[tuple[Any, str]] = []
    default = str((config.get("objects") or [""])[0])
    for response in responses(body):
        thread = (
            str(response.get("object_id") or default) if isinstance(response, dict) else default
        )
        data = response.get("data") if isinstance(response, dict) else None
        items.extend(with_replies(list(data or []), thread))
    return to_parsed(items, map_comment, config.limits)


def _classify(response: httpx.Response) -> ChannelError | None:
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        return None
    if not isinstance(error, dict):
        return None
    where = f"{response.request.method} {response.request.url.path} → {response.status_code}"
    code = error.get("code")
    if code == 190 or response.status_code == 401:
        return Unauthorized(f"{where}: the Graph API refused the token (OAuthException {code})")
    if code in RATE_CODES:  # a plain 429 goes to the shared client, which reads its headers
        return RateLimited(
            f"{where}: Graph API rate limit (code {code})", utcnow() + timedelta(minutes=5)
        )
    return None


class GraphAdapter:
    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        self.instagram = config.kind == "instagram"
        self.http = client or HttpClient(
            base_url=str(config.get("base_url") or "https://graph.facebook.com/v19.0").rstrip("/"),
            params={"access_token": config.require("access_token")},
            secrets=config.secrets,
            options=config.http,
            classify=_classify,
        )
        self.max_pages = int(config.get("max_pages", 10))

    def close(self) -> None:
        self.http.close()

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        state = dict(cursor)
        since = cutoff(Backfill.of(self.config), cursor, utcnow())
        if since is not None:
            state["backfill_since"] = since.isoformat()
        for obj in self.config.get("objects") or []:
            obj = str(obj)
            for _ in range(self.max_pages):
                params: dict[str, Any] = {
                    "fields": IG_FIELDS if self.instagram else FB_FIELDS,
                    "limit": int(self.config.get("limit", 100)),
                }
                if not self.instagram:
                    params.update(order="chronological", filter="stream")
                if state.get(obj):
                    params["after"] = state[obj]
                data = self.http.get_json(f"/{obj}/comments", params=params)
                comments = expect(data, "data", list, f"/{obj}/comments")
                paging = data.get("paging") or {}
                after = (paging.get("cursors") or {}).get("after")
                source = f"graph:{self.config.name}:{obj}:{state.get(obj) or 'start'}"
                if after:
                    state[obj] = after
                items = [item for item in with_replies(comments, obj) if not _before(item, since)]
                yield Page(
                    to_parsed(items, map_comment, self.config.limits),
                    dict(state),
                    source,
                )
                if not comments or not paging.get("next"):
                    break

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        return receive_signed(self.config, headers, body, parse_export)

    def find_delivered(self, key: str, action: Any, since: datetime) -> str | None:
        """The page's (or Instagram account's, `page_id`) reply to the target comment since
        `since`, with the text we sent (Graph takes no idempotency key, see channels.dispatch)."""
        me = self.config.get("page_id")
        if action.kind != "reply" or not me:
            return None
        if self.instagram:
            route, params = f"/{action.target}/replies", {"fields": IG_COMMENT}
        else:
            route = f"/{action.target}/comments"
            params = {"fields": FB_FIELDS, "filter": "stream", "order": "reverse_chronological"}
        data = self.http.get_json(route, params={**params, "limit": 100})
        for comment in (data.get("data") if isinstance(data, dict) else None) or []:
            made = parse_time(comment.get("created_time") or comment.get("timestamp"))
            body = comment.get("text" if self.instagram else "message")
            if (
                str((comment.get("from") or {}).get("id")) == str(me)
                and made is not None
                and made >= since
                and same_text(body, str(action.payload["text"]))
            ):
                return str(comment["id"])
        return None

    def deliver(self, key: str, action: Any) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        if kind == "reply":
            route = f"/{target}/replies" if self.instagram else f"/{target}/comments"
            created = self.http.json_of(
                self.http.request("POST", route, data={"message": str(payload["text"])})
            )
            return str(created["id"])
        if kind in {"hide", "unhide", "restore"}:
            hidden = "true" if kind == "hide" else "false"
            field = "hide" if self.instagram else "is_hidden"
            self.http.request("POST", f"/{target}", data={field: hidden})
            return target
        if kind == "remove":
            self.http.request("DELETE", f"/{target}", ok=(404,))
            return target
        page = self.config.get("page_id")
        if kind in {"ban", "block", "suspend"} and page and not self.instagram:
            self.http.request("POST", f"/{page}/blocked", data={"user": target})
            return target
        if kind in {"unban", "unblock", "unsuspend"} and page and not self.instagram:
            self.http.request("DELETE", f"/{page}/blocked", data={"user": target})
            return target
        raise UnsupportedAction(f"{self.config.kind} cannot {kind!r} through the Graph API")


def _before(item: tuple[Any, str], since: datetime | None) -> bool:
    """Whether a comment was made before the first run's backfill window (then skipped)."""
    comment = item[0]
    if since is None or not isinstance(comment, dict):
        return False
    made = parse_time(comment.get("created_time") or comment.get("timestamp"))
    return made is not None and made < since


def make_adapter(config: ChannelConfig) -> GraphAdapter:
    return GraphAdapter(config)
