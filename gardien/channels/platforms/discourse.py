"""Discourse: posts pushed by its webhooks (HMAC-signed) or pulled from /posts.json; replies,
hiding, deletion, silencing and suspension through its API.

Settings: `base_url`, `api_key`, `api_username` (a staff account for moderation),
`webhook_secret` (the secret set on the Discourse webhook), `max_pages` per poll,
`backfill_days` / `backfill_items` (how much history the first run reads, platforms.backfill).
User webhooks (created, updated, suspended, destroyed …) become person events
(platforms.discourse_people), recorded on the channel's authors and the community's members.

A Discourse topic is the thread: every post of topic 12 has thread id "topic-12", so the queue
shows a topic's posts together. Discourse names a reply's parent by its number within the topic
(`reply_to_post_number`; none means a reply to the topic, i.e. to its first post): the parent's
post id is taken from the same page when it is there, else asked once with
`/posts/by_number/{topic}/{number}.json` and remembered. The numbers stay in the extra fields.
Discourse accepts no idempotency key: hiding checks the post's state first, and the dispatcher
records every delivery so the same outbox key never posts twice."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx

from gardien.channels.adapter import ChannelConfig, Cursor, Page, UnsupportedAction
from gardien.channels.http import ChannelError, HttpClient, RemoteError, Unauthorized
from gardien.channels.parse import Parsed
from gardien.channels.people import PersonEvent
from gardien.channels.platforms.backfill import Backfill, parse_time, walk_back
from gardien.channels.platforms.common import (
    crawl_newest_first,
    expect,
    html_to_text,
    id_key,
    newest,
    same_text,
    to_parsed,
)
from gardien.channels.platforms.discourse_people import people_of
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow
from gardien.errors import ConfigError, IngestError, SignatureError

SIGNATURE_HEADER = "X-Discourse-Event-Signature"
EVENT_HEADER = "X-Discourse-Event"
SPAM, INAPPROPRIATE = 8, 4
FOREVER = "3000-01-01T00:00:00Z"
#: Parent post ids remembered per adapter, (topic id, post number) → post id; forgotten past this.
REMEMBERED_NUMBERS = 10_000


def map_post(post: dict[str, Any], parent_id: str | None = None) -> dict[str, Any]:
    """A Discourse post (API or webhook payload) as an interchange record; `parent_id` is the
    post id of the post it replies to (see `DiscourseAdapter.parents`)."""
    likes = post.get("like_count")
    if likes is None:
        likes = next(
            (a.get("count", 0) for a in post.get("actions_summary") or [] if a.get("id") == 2), 0
        )
    raw = post.get("raw")
    text = str(raw) if raw is not None else html_to_text(str(post["cooked"]))
    edited = post.get("updated_at") if int(post.get("version") or 1) > 1 else None
    return {
        "id": str(post["id"]),
        "text": text,
        "created_at": post["created_at"],
        "edited_at": edited,
        "author": {
            "id": str(post["user_id"]),
            "handle": str(post["username"]),
            "name": post.get("name") or "",
            "trust_level": post.get("trust_level"),
        },
        "thread_id": f"topic-{post['topic_id']}",
        "parent_id": parent_id,
        "likes": likes,
        "replies": post.get("reply_count", 0),
        "visibility": "private" if post.get("topic_archetype") == "private_message" else "public",
        "topic_id": post["topic_id"],
        "topic_title": post.get("topic_title"),
        "post_number": post.get("post_number"),
        "reply_to_post_number": post.get("reply_to_post_number"),
        "category_id": post.get("category_id"),
        "cooked": post.get("cooked"),
    }


def signature(secret: str, body: bytes) -> str:
    """The X-Discourse-Event-Signature value Discourse sends for `body`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _classify(response: httpx.Response) -> ChannelError | None:
    """Discourse answers a bad API key with 403 and error_type "invalid_access"."""
    if response.status_code == 403:
        try:
            body = response.json()
        except ValueError:
            return None
        if isinstance(body, dict) and body.get("error_type") == "invalid_access":
            return Unauthorized(
                f"{response.request.method} {response.request.url.path} → 403: "
                "Discourse refused the API key or username"
            )
    return None


class DiscourseAdapter:
    """Listens to a Discourse forum and moderates it as a staff account."""

    def __init__(self, config: ChannelConfig, client: HttpClient | None = None) -> None:
        self.config = config
        self.max_pages = int(config.get("max_pages", 10))
        self._http = client
        self.secret = str(config.get("webhook_secret") or "")
        self._numbers: dict[tuple[str, int], str | None] = {}

    @property
    def http(self) -> HttpClient:
        if self._http is None:
            self._http = HttpClient(
                base_url=self.config.require("base_url").rstrip("/"),
                headers={
                    "Api-Key": self.config.require("api_key"),
                    "Api-Username": self.config.require("api_username"),
                },
                secrets=self.config.secrets,
                options=self.config.http,
                classify=_classify,
            )
        return self._http

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # listening -----------------------------------------------------------------------------

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        last = cursor.get("last_id")
        plan = Backfill.of(self.config)
        if not last and plan is not None:
            yield from self._backfill(plan, cursor.get("backfill") or {})
            return
        newest_ids: list[str] = []

        def fetch_page(before: str | None) -> tuple[list[Any], str | None]:
            posts, older = self._latest(before)
            newest_ids.extend(_ids(posts)[:1])
            return posts, older

        def known(post: Any) -> bool:
            if not last or not isinstance(post, dict):
                return False
            return id_key(str(post.get("id"))) <= id_key(str(last))

        def page(posts: list[Any], done: bool) -> Page:
            state = {"last_id": newest_ids[0] if done and newest_ids else last}
            return Page(
                self._mapped(posts, lenient=False),
                {k: v for k, v in state.items() if v},
                f"discourse:{self.config.name}:after:{last or 'latest'}",
            )

        yield from crawl_newest_first(fetch_page, known, page, self.max_pages if last else 1)

    def _latest(self, before: str | None) -> tuple[list[Any], str | None]:
        """One page of /posts.json (newest first) and the `before` of the next, older one."""
        data = self.http.get_json("/posts.json", params={"before": before} if before else {})
        posts = expect(data, "latest_posts", list, "/posts.json")
        ids = _ids(posts)
        return posts, min(ids, key=id_key) if ids else None

    def _backfill(self, plan: Backfill, saved: Cursor) -> Iterator[Page]:
        """The first run's walk back into the forum's history (see platforms.backfill)."""
        for step in walk_back(
            self._latest,
            lambda post: parse_time(post.get("created_at")) if isinstance(post, dict) else None,
            lambda posts: newest(_ids(posts)),
            plan,
            saved,
            utcnow(),
        ):
            done = {"last_id": step.newest} if step.newest else {}
            yield Page(
                self._mapped(step.items, lenient=False),
                {"backfill": step.progress} if step.progress else done,
                f"discourse:{self.config.name}:backfill:{step.token or 'latest'}",
            )

    def _verified(self, headers: Mapping[str, str], body: bytes) -> str:
        """The event name of a webhook whose signature matches its body, or SignatureError."""
        lowered = {k.lower(): v for k, v in headers.items()}
        if not self.secret:
            raise SignatureError(f"channel {self.config.name!r} has no webhook_secret configured")
        sent = lowered.get(SIGNATURE_HEADER.lower(), "")
        if not hmac.compare_digest(signature(self.secret, body), sent.strip()):
            raise SignatureError(f"{SIGNATURE_HEADER} does not match the body")
        return lowered.get(EVENT_HEADER.lower(), "")

    def receive_people(self, headers: Mapping[str, str], body: bytes) -> list[PersonEvent]:
        """A Discourse user webhook (created, updated, suspended …) as person events; other
        events speak of no one. A body that is not JSON is reported by `receive`."""
        event = self._verified(headers, body)
        try:
            return people_of(event, body, utcnow())
        except IngestError as error:
            if "malformed JSON" in str(error):
                return []
            raise

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        """A Discourse webhook: check the signature, map the post of post events."""
        event = self._verified(headers, body)
        try:
            data = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return [
                Parsed(
                    1, error=f"malformed JSON: {error}", excerpt=body[:200].decode(errors="replace")
                )
            ]
        if not isinstance(data, dict) or "post" not in data or event in {"post_destroyed", "ping"}:
            return []
        return self._mapped([data["post"]], lenient=True)

    def _mapped(self, posts: list[Any], lenient: bool) -> list[Parsed]:
        parents = self.parents(posts, lenient)
        return to_parsed(
            posts,
            lambda post: map_post(post, parents.get(str(post.get("id")))),
            self.config.limits,
        )

    def parents(self, posts: list[Any], lenient: bool = False) -> dict[str, str]:
        """The parent post id of each reply among `posts`, by post id. The page itself holds
        many parents; the others are asked once each. A parent that is gone (or hidden from
        us) leaves the reply without one; `lenient` (webhooks) also shrugs off a forum that
        cannot be asked right now, where a poll would rather fail and be retried whole."""
        if len(self._numbers) > REMEMBERED_NUMBERS:
            self._numbers.clear()
        for post in posts:
            place = _place(post)
            if place is not None:
                self._numbers[place] = str(post["id"])
        found: dict[str, str] = {}
        for post in posts:
            place = _place(post)
            if place is None or place[1] <= 1:
                continue
            wanted = (place[0], _number(post.get("reply_to_post_number")) or 1)
            if wanted not in self._numbers:
                try:
                    self._numbers[wanted] = self._post_id_at(*wanted)
                except (ChannelError, ConfigError):
                    if not lenient:
                        raise
                    continue
            parent = self._numbers[wanted]
            if parent is not None:
                found[str(post["id"])] = parent
        return found

    def _post_id_at(self, topic: str, number: int) -> str | None:
        try:
            post = self.http.get_json(f"/posts/by_number/{topic}/{number}.json")
        except RemoteError:
            return None  # deleted, or in a category we cannot see
        return str(post["id"]) if isinstance(post, dict) and "id" in post else None

    # acting --------------------------------------------------------------------------------

    def deliver(self, key: str, action: OutboundAction) -> str:
        kind, target, payload = action.kind, action.target, action.payload
        if kind == "reply":
            return self._reply(target, str(payload["text"]))
        if kind == "hide":
            return self._hide(target, payload)
        if kind in {"unhide", "restore"}:
            self.http.request("PUT", f"/posts/{target}/unhide.json", ok=(403, 404, 422))
            self.http.request("PUT", f"/posts/{target}/recover.json", ok=(403, 404, 422))
            return target
        if kind == "remove":
            self.http.request("DELETE", f"/posts/{target}.json", ok=(404,))
            return target
        if kind == "mute":
            return self._admin(
                target,
                "silence",
                {"silenced_till": payload.get("until") or FOREVER, "reason": _reason(payload)},
            )
        if kind in {"suspend", "ban"}:
            until = payload.get("until") if kind == "suspend" else None
            return self._admin(
                target, "suspend", {"suspend_until": until or FOREVER, "reason": _reason(payload)}
            )
        if kind == "unmute":
            return self._admin(target, "unsilence", {})
        if kind in {"unsuspend", "unban"}:
            return self._admin(target, "unsuspend", {})
        if kind == "notify":
            user = self.http.get_json(f"/admin/users/{target}.json")
            body = {
                "title": str(payload.get("subject") or "Message from the moderators")[:200],
                "raw": str(payload.get("body", "")),
                "target_recipients": user["username"],
                "archetype": "private_message",
            }
            return str(self.http.json_of(self.http.request("POST", "/posts.json", json=body))["id"])
        raise UnsupportedAction(f"Discourse cannot {kind!r}")

    def find_delivered(self, key: str, action: OutboundAction, since: datetime) -> str | None:
        """Our reply to the target post made since `since`, with the text we sent (Discourse
        takes no idempotency key; see channels.dispatch)."""
        if action.kind != "reply":
            return None
        replies = self.http.get_json(f"/posts/{action.target}/replies.json")
        me = self.config.require("api_username").lower()
        for post in replies if isinstance(replies, list) else []:
            if not isinstance(post, dict) or str(post.get("username", "")).lower() != me:
                continue
            made = parse_time(post.get("created_at"))
            body = post.get("raw") or html_to_text(str(post.get("cooked") or ""))
            if made is not None and made >= since and same_text(body, str(action.payload["text"])):
                return str(post["id"])
        return None

    def _reply(self, post_id: str, text: str) -> str:
        post = self.http.get_json(f"/posts/{post_id}.json")
        body = {
            "topic_id": post["topic_id"],
            "raw": text,
            "reply_to_post_number": post["post_number"],
        }
        created = self.http.json_of(self.http.request("POST", "/posts.json", json=body))
        return str(created["id"])

    def _hide(self, post_id: str, payload: dict[str, Any]) -> str:
        """Staff flag with take_action hides the post at once; a hidden post is left alone."""
        post = self.http.get_json(f"/posts/{post_id}.json")
        if post.get("hidden"):
            return post_id
        flag = (
            SPAM
            if payload.get("category") == "spam" or payload.get("rule") == "spam"
            else INAPPROPRIATE
        )
        body = {
            "id": int(post_id),
            "post_action_type_id": flag,
            "flag_topic": False,
            "take_action": True,
        }
        self.http.request("POST", "/post_actions.json", json=body)
        return post_id

    def _admin(self, user_id: str, verb: str, body: dict[str, Any]) -> str:
        self.http.request("PUT", f"/admin/users/{user_id}/{verb}.json", json=body or None)
        return user_id


def _ids(posts: list[Any]) -> list[str]:
    return [str(p["id"]) for p in posts if isinstance(p, dict) and "id" in p]


def _number(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _place(post: Any) -> tuple[str, int] | None:
    """(topic id, post number) of a well-formed post, else None (it will be rejected)."""
    if not isinstance(post, dict) or "id" not in post or post.get("topic_id") is None:
        return None
    number = _number(post.get("post_number"))
    return (str(post["topic_id"]), number) if number is not None else None


def _reason(payload: dict[str, Any]) -> str:
    return str(payload.get("rule") or payload.get("reason") or "Community rules")[:300]


def make_adapter(config: ChannelConfig) -> DiscourseAdapter:
    return DiscourseAdapter(config)
