"""X (Twitter) API v2: recent-search results and exports of tweets, with authors from
`includes.users`; replies, hidden replies, deletions, mutes and blocks back.

Settings: `access_token` (an OAuth 2.0 user-context token: reading and acting),
`query` (the recent-search query, e.g. "@velorouge OR velorouge"), `user_id` (our account, for
mutes, blocks and finding our own replies after a lost answer), `base_url` (default https://api.x.com), `max_results` (10–100), `max_pages`,
`backfill_days` / `backfill_items` (how much history the first run reads, platforms.backfill).

Paging: `since_id=<newest id seen>` and the `next_token` of each page; the newest id moves only
once the whole gap is stored. X accepts no idempotency key: the dispatcher records deliveries."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import HttpClient, RemoteError
from gardien.channels.parse import Parsed
from gardien.channels.platforms.backfill import Backfill, parse_time, walk_back
from gardien.channels.platforms.bridge import receive_signed, responses
from gardien.channels.platforms.common import expect, newest, same_text, to_parsed
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow

TWEET_FIELDS = "created_at,author_id,conversation_id,referenced_tweets,public_metrics,lang,edit_history_tweet_ids"
USER_FIELDS = "username,name,created_at,verified,public_metrics"


def records(response: Mapping[str, Any]) -> list[Any]:
    """The tweets of one API v2 response, each paired with its author from includes.users."""
    users = {
        u.get("id"): u
        for u in (response.get("includes") or {}).get("users") or []
        if isinstance(u, dict)
    }
    return [
        (tweet, users.get(tweet.get("author_id")) if isinstance(tweet, dict) else None)
        for tweet in response.get("data") or []
    ]


def map_tweet(pair: tuple[dict[str, Any], dict[str, Any] | None]) -> dict[str, Any]:
    """A v2 Tweet object (with its expanded author) as an interchange record."""
    tweet, user = pair
    metrics = tweet.get("public_metrics") or {}
    user = user or {"id": tweet["author_id"]}
    replied_to = next(
        (
            ref["id"]
            for ref in tweet.get("referenced_tweets") or []
            if ref.get("type") == "replied_to"
        ),
        None,
    )
    handle = user.get("username")
    return {
        "id": str(tweet["id"]),
        "text": tweet["text"],
        "created_at": tweet["created_at"],
        "author": {
            "id": str(user["id"]),
            "handle": f"@{handle}" if handle else "",
            "name": user.get("name", ""),
            "followers": (user.get("public_metrics") or {}).get("followers_count", 0),
            "created_at": user.get("created_at"),
            "verified": bool(user.get("verified", False)),
        },
        "thread_id": tweet.get("conversation_id") or str(tweet["id"]),
        "parent_id": replied_to,
        "language": tweet.get("lang"),
        "likes": metrics.get("like_count"),
        "replies": metrics.get("reply_count"),
        "shares": (metrics.get("retweet_count") or 0) + (metrics.get("quote_count") or 0),
        "url": f"https://x.com/{handle or 'i'}/status/{tweet['id']}",
        "impressions": metrics.get("impression_count"),
    }


def parse_export(body: bytes, config: ChannelConfig) -> list[Parsed]:
    """API v2 responses (one, a list, or JSON lines) as saved by an export or a bridge."""
    pairs = [pair for response in responses(body) for pair in records(response)]
    return to_parsed(pairs, map_tweet, config.limits)


class TwitterAdapter:
    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        self.http = client or HttpClient(
            base_url=str(config.get("base_url") or "https://api.x.com").rstrip("/"),
            headers={"Authorization": f"Bearer {config.require('access_token')}"},
            secrets=config.secrets,
            options=config.http,
        )
        self.max_pages = int(config.get("max_pages", 10))

    def close(self) -> None:
        self.http.close()

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        since = cursor.get("since_id")
        plan = Backfill.of(self.config)
        if not since and plan is not None:
            yield from self._backfill(plan, cursor.get("backfill") or {})
            return
        params = self._params()
        if since:
            params["since_id"] = since
        newest_id = None
        token = None
        for number in range(1, (self.max_pages if since else 1) + 1):
            page_params = {**params, **({"next_token": token} if token else {})}
            data = self.http.get_json("/2/tweets/search/recent", params=page_params)
            meta = expect(data, "meta", dict, "/2/tweets/search/recent")
            newest_id = newest_id or meta.get("newest_id")
            token = meta.get("next_token")
            last = not token or number == self.max_pages or not since
            state = {"since_id": (newest_id or since) if last else since}
            yield Page(
                to_parsed(records(data), map_tweet, self.config.limits),
                {k: v for k, v in state.items() if v},
                f"x:{self.config.name}:since:{since or 'latest'}:{number}",
            )
            if last:
                return

    def _params(self) -> dict[str, Any]:
        return {
            "query": self.config.require("query"),
            "max_results": int(self.config.get("max_results", 100)),
            "tweet.fields": TWEET_FIELDS,
            "expansions": "author_id",
            "user.fields": USER_FIELDS,
        }

    def _backfill(self, plan: Backfill, saved: Cursor) -> Iterator[Page]:
        """The first run's walk back through recent search (`next_token`; X keeps 7 days)."""
        params = self._params()

        def fetch_page(token: str | None) -> tuple[list[Any], str | None]:
            query = {**params, **({"next_token": token} if token else {})}
            data = self.http.get_json("/2/tweets/search/recent", params=query)
            meta = expect(data, "meta", dict, "/2/tweets/search/recent")
            return records(data), meta.get("next_token")

        for step in walk_back(
            fetch_page,
            lambda pair: (
                parse_time(pair[0].get("created_at")) if isinstance(pair[0], dict) else None
            ),
            lambda pairs: newest(
                str(t["id"]) for t, _ in pairs if isinstance(t, dict) and "id" in t
            ),
            plan,
            saved,
            utcnow(),
        ):
            done = {"since_id": step.newest} if step.newest else {}
            yield Page(
                to_parsed(step.items, map_tweet, self.config.limits),
                {"backfill": step.progress} if step.progress else done,
                f"x:{self.config.name}:backfill:{step.token or 'latest'}",
            )

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        return receive_signed(self.config, headers, body, parse_export)

    def find_delivered(self, key: str, action: OutboundAction, since: datetime) -> str | None:
        """Our reply to the target tweet since `since`, with the text we sent, from our own
        timeline (needs `user_id`; X takes no idempotency key, see channels.dispatch)."""
        me = self.config.get("user_id")
        if action.kind != "reply" or not me:
            return None
        params = {
            "start_time": since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max_results": 100,
            "tweet.fields": "created_at,referenced_tweets",
        }
        data = self.http.get_json(f"/2/users/{me}/tweets", params=params)
        for tweet in (data.get("data") if isinstance(data, dict) else None) or []:
            answers = any(
                ref.get("type") == "replied_to" and str(ref.get("id")) == action.target
                for ref in tweet.get("referenced_tweets") or []
            )
            if answers and same_text(tweet.get("text"), str(action.payload["text"])):
                return str(tweet["id"])
        return None

    def deliver(self, key: str, action: OutboundAction) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        if kind == "reply":
            body = {"text": str(payload["text"]), "reply": {"in_reply_to_tweet_id": target}}
            created = self.http.json_of(self.http.request("POST", "/2/tweets", json=body))
            return str(created["data"]["id"])
        if kind in {"hide", "unhide", "restore"}:
            self.http.request("PUT", f"/2/tweets/{target}/hidden", json={"hidden": kind == "hide"})
            return target
        if kind == "remove":
            try:
                self.http.request("DELETE", f"/2/tweets/{target}", ok=(404,))
            except RemoteError as error:
                if error.status_code != 403:
                    raise
                # not our tweet: X lets the conversation's owner hide a reply, not delete it
                self.http.request("PUT", f"/2/tweets/{target}/hidden", json={"hidden": True})
            return target
        me = self.config.get("user_id")
        if kind in {"mute", "block", "ban", "suspend"} and me:
            verb = "muting" if kind == "mute" else "blocking"
            self.http.request("POST", f"/2/users/{me}/{verb}", json={"target_user_id": target})
            return target
        if kind in {"unmute", "unblock", "unban", "unsuspend"} and me:
            verb = "muting" if kind == "unmute" else "blocking"
            self.http.request("DELETE", f"/2/users/{me}/{verb}/{target}", ok=(404,))
            return target
        raise UnsupportedAction(f"X cannot {kind!r} (mutes and blocks need the user_id setting)")


def make_adapter(config: ChannelConfig) -> TwitterAdapter:
    return TwitterAdapter(config)
