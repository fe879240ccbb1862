"""YouTube Data API v3 comment threads: top-level comments and their replies; replies,
holding for review, rejecting and banning authors back (comments.setModerationStatus).

Settings: `access_token` (OAuth, for reading and moderating) or `api_key` (reading only),
`video_id` or `channel_id` (allThreadsRelatedToChannelId), `base_url` (default
https://www.googleapis.com), `max_pages`, `backfill_days` / `backfill_items` (how much history the
first run reads, in threads; platforms.backfill).

Threads come newest first (order=time) and are paged with nextPageToken back to the newest
comment time already seen. A thread brings at most five of its replies; the others are asked
with comments.list(parentId) when its totalReplyCount says there are more. Quota and rate errors arrive as 403 with reason quotaExceeded or
rateLimitExceeded, and are treated as rate limits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import ChannelError, HttpClient, RateLimited
from gardien.channels.parse import Parsed
from gardien.channels.platforms.backfill import Backfill, parse_time, walk_back
from gardien.channels.platforms.bridge import receive_signed, responses
from gardien.channels.platforms.common import crawl_newest_first, expect, same_text, to_parsed
from gardien.domain.time import utcnow


def flatten(thread: Any) -> list[Any]:
    """A commentThread as (comment, thread id, reply count) items: the top-level comment first,
    then the replies included in the thread."""
    if not isinstance(thread, dict) or not isinstance(thread.get("snippet"), dict):
        return [(thread, "", 0)]
    snippet = thread["snippet"]
    top = snippet.get("topLevelComment") or {}
    thread_id = str(thread.get("id") or top.get("id") or "")
    items = [(top, thread_id, snippet.get("totalReplyCount", 0))]
    items.extend(
        (reply, thread_id, None) for reply in (thread.get("replies") or {}).get("comments") or []
    )
    return items


def map_comment(item: tuple[dict[str, Any], str, int | None]) -> dict[str, Any]:
    """A youtube#comment (top-level or reply) as an interchange record."""
    comment, thread_id, reply_count = item
    snippet = comment["snippet"]
    author = (snippet.get("authorChannelId") or {}).get("value") or snippet["authorDisplayName"]
    return {
        "id": str(comment["id"]),
        "text": snippet.get("textOriginal") or snippet["textDisplay"],
        "created_at": snippet["publishedAt"],
        "edited_at": snippet["updatedAt"]
        if snippet.get("updatedAt") not in (None, snippet["publishedAt"])
        else None,
        "author": {
            "id": str(author),
            "handle": snippet.get("authorDisplayName", ""),
            "name": snippet.get("authorDisplayName", ""),
        },
        "thread_id": thread_id or str(comment["id"]),
        "parent_id": snippet.get("parentId"),
        "likes": snippet.get("likeCount"),
        "replies": reply_count,
        "url": f"https://www.youtube.com/watch?v={snippet['videoId']}&lc={comment['id']}"
        if snippet.get("videoId")
        else None,
        "video_id": snippet.get("videoId"),
    }


def parse_export(body: bytes, config: ChannelConfig) -> list[Parsed]:
    """commentThreads.list responses (one, a list, or JSON lines)."""
    items = [
        item
        for response in responses(body)
        for thread in (response.get("items") or [])
        for item in flatten(thread)
    ]
    return to_parsed(items, map_comment, config.limits)


def _classify(response: httpx.Response) -> ChannelError | None:
    if response.status_code != 403:
        return None
    try:
        reasons = {e.get("reason") for e in response.json()["error"]["errors"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    where = f"{response.request.method} {response.request.url.path} → 403"
    if "quotaExceeded" in reasons:
        return RateLimited(f"{where}: YouTube quota exceeded", utcnow() + timedelta(hours=1))
    if "rateLimitExceeded" in reasons:
        return RateLimited(f"{where}: YouTube rate limit", utcnow() + timedelta(minutes=1))
    return None


class YouTubeAdapter:
    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        token, key = config.get("access_token"), config.get("api_key")
        if not token and not key:
            config.require("access_token")
        self.http = client or HttpClient(
            base_url=str(config.get("base_url") or "https://www.googleapis.com").rstrip("/"),
            headers={"Authorization": f"Bearer {token}"} if token else {},
            params={} if token else {"key": str(key)},
            secrets=config.secrets,
            options=config.http,
            classify=_classify,
        )
        self.max_pages = int(config.get("max_pages", 10))
        self._mine: str | None = None

    def close(self) -> None:
        self.http.close()

    def _threads(self, token: str | None) -> tuple[list[Any], str | None]:
        """One page of comment threads, newest first, and the token of the next, older one."""
        scope = (
            {"videoId": self.config.get("video_id")}
            if self.config.get("video_id")
            else {"allThreadsRelatedToChannelId": self.config.require("channel_id")}
        )
        params = {
            "part": "snippet,replies",
            "order": "time",
            "maxResults": 100,
            "textFormat": "plainText",
            **scope,
        }
        if token:
            params["pageToken"] = token
        data = self.http.get_json("/youtube/v3/commentThreads", params=params)
        threads = expect(data, "items", list, "/youtube/v3/commentThreads")
        return threads, data.get("nextPageToken")

    def _whole(self, thread: Any) -> list[Any]:
        """A thread's comments with all its replies: commentThreads carries a few of them
        (up to five); when `totalReplyCount` says there are more, the rest are asked with
        comments.list(parentId), page by page."""
        items = flatten(thread)
        top, thread_id = items[0][0], items[0][1]
        if not _more_replies(thread, len(items) - 1) or not top.get("id"):
            return items
        seen = {str(item[0].get("id")) for item in items if isinstance(item[0], dict)}
        token: str | None = None
        for _ in range(self.max_pages):
            params = {"part": "snippet", "parentId": top["id"], "maxResults": 100}
            params |= {"textFormat": "plainText", **({"pageToken": token} if token else {})}
            data = self.http.get_json("/youtube/v3/comments", params=params)
            for reply in expect(data, "items", list, "/youtube/v3/comments"):
                if isinstance(reply, dict) and str(reply.get("id")) not in seen:
                    seen.add(str(reply.get("id")))
                    items.append((reply, thread_id, None))
            token = data.get("nextPageToken")
            if not token:
                break
        return items

    def _backfill(self, plan: Backfill, saved: Cursor) -> Iterator[Page]:
        """The first run's walk back through the threads (see platforms.backfill)."""
        for step in walk_back(
            self._threads,
            lambda thread: parse_time(_published(thread)),
            lambda threads: _published(threads[0]) if threads else None,
            plan,
            saved,
            utcnow(),
        ):
            done = {"published": step.newest} if step.newest else {}
            yield Page(
                to_parsed(
                    [item for thread in step.items for item in self._whole(thread)],
                    map_comment,
                    self.config.limits,
                ),
                {"backfill": step.progress} if step.progress else done,
                f"youtube:{self.config.name}:backfill:{step.token or 'latest'}",
            )

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        last = cursor.get("published")
        plan = Backfill.of(self.config)
        if not last and plan is not None:
            yield from self._backfill(plan, cursor.get("backfill") or {})
            return
        newest: list[str] = []

        def fetch_page(token: str | None) -> tuple[list[Any], str | None]:
            threads, following = self._threads(token)
            newest.extend(_published(t) for t in threads[:1] if _published(t))
            return threads, following

        def known(thread: Any) -> bool:
            published = _published(thread)
            return bool(last and published and published < last)

        def page(threads: list[Any], done: bool) -> Page:
            state = {"published": newest[0] if done and newest else last}
            items = [item for thread in threads for item in self._whole(thread)]
            return Page(
                to_parsed(items, map_comment, self.config.limits),
                {k: v for k, v in state.items() if v},
                f"youtube:{self.config.name}:after:{last or 'latest'}",
            )

        yield from crawl_newest_first(fetch_page, known, page, self.max_pages if last else 1)

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        return receive_signed(self.config, headers, body, parse_export)

    def find_delivered(self, key: str, action: Any, since: datetime) -> str | None:
        """Our reply to the target comment since `since`, with the text we sent (YouTube takes
        no idempotency key, see channels.dispatch); "our" is the token's own channel."""
        if action.kind != "reply":
            return None
        if self._mine is None:
            found = self.http.get_json(
                "/youtube/v3/channels", params={"part": "id", "mine": "true"}
            )
            self._mine = str(((found.get("items") or [{}])[0]).get("id") or "")
        params = {"part": "snippet", "parentId": action.target, "maxResults": 100}
        data = self.http.get_json(
            "/youtube/v3/comments", params={**params, "textFormat": "plainText"}
        )
        for comment in (data.get("items") if isinstance(data, dict) else None) or []:
            snippet = comment.get("snippet") or {}
            made = parse_time(snippet.get("publishedAt"))
            if (
                (snippet.get("authorChannelId") or {}).get("value") == self._mine
                and made is not None
                and made >= since
                and same_text(
                    snippet.get("textOriginal") or snippet.get("textDisplay"),
                    str(action.payload["text"]),
                )
            ):
                return str(comment["id"])
        return None

    def deliver(self, key: str, action: Any) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        if kind == "reply":
            body = {"snippet": {"parentId": target, "textOriginal": str(payload["text"])}}
            created = self.http.request(
                "POST", "/youtube/v3/comments", params={"part": "snippet"}, json=body
            )
            return str(self.http.json_of(created)["id"])
        statuses = {
            "hide": "heldForReview",
            "remove": "rejected",
            "restore": "published",
            "unhide": "published",
        }
        comment = target if kind in statuses else payload.get("comment_id")
        if kind in statuses or (kind == "ban" and comment):
            params = {"id": comment, "moderationStatus": statuses.get(kind, "rejected")}
            if kind == "ban":
                params["banAuthor"] = "true"
            self.http.request("POST", "/youtube/v3/comments/setModerationStatus", params=params)
            return str(comment)
        raise UnsupportedAction(
            f"YouTube cannot {kind!r} (a ban needs the comment_id in its payload)"
        )


def _more_replies(thread: Any, included: int) -> bool:
    """Whether the thread has replies beyond the `included` ones it came with."""
    try:
        return int(thread["snippet"].get("totalReplyCount") or 0) > included
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _published(thread: Any) -> str:
    try:
        return str(thread["snippet"]["topLevelComment"]["snippet"]["publishedAt"])
    except (KeyError, TypeError):
        return ""


def make_adapter(config: ChannelConfig) -> YouTubeAdapter:
    return YouTubeAdapter(config)
