"""Fakes of the big platforms' documented APIs (X API v2, Facebook Graph, YouTube Data v3,
Reddit), each serving its sample payload with the platform's own paging, error bodies and
moderation routes. `add(n)` publishes n newer items; `break_one()` corrupts one item."""

from __future__ import annotations

import copy
import re
from typing import Any

from gardien.domain import utcnow
from tests.adapters.fakes import Holdback, Reply, Request, bearer, payload

TOKEN = "platform-token-s3cret"
#: Who we are on each platform: our X user, Facebook page, YouTube channel, Reddit account.
ME_X, ME_PAGE, ME_YOUTUBE, ME_REDDIT = "999", "777", "UCvelorouge", "velorouge_team"


def _now(style: str = "iso") -> str:
    moment = utcnow()
    if style == "graph":
        return moment.strftime("%Y-%m-%dT%H:%M:%S+0000")
    return moment.isoformat().replace("+00:00", "Z")


class _Base:
    def __init__(self) -> None:
        self.token = TOKEN
        self.page_size = 20
        self.acted: list[tuple[str, str, Any]] = []
        #: Replies this fake made for us, as the platform would list them back.
        self.made: list[dict[str, Any]] = []
        self.holdback = Holdback()

    def route(self, request: Request, table: list[tuple[str, Any]]) -> Reply:
        for pattern, handler in table:
            match = re.fullmatch(pattern, f"{request.method} {request.path}")
            if match:
                return handler(request, *match.groups())  # type: ignore[no-any-return]
        return Reply(404, {"error": "not found"})


class FakeX(_Base):
    def __init__(self) -> None:
        super().__init__()
        data = payload("x_search_recent.json")
        self.tweets: list[dict[str, Any]] = data["data"]
        self.users = data["includes"]["users"]

    def __call__(self, request: Request) -> Reply:
        if bearer(request) != self.token:
            return Reply(
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
            )
        return self.route(
            request,
            [
                (r"GET /2/tweets/search/recent", self.search),
                (r"POST /2/tweets", self.post),
                (r"GET /2/users/(\d+)/tweets", self.timeline),
                (r"PUT /2/tweets/(\d+)/hidden", self.hide),
                (r"DELETE /2/tweets/(\d+)", self.delete),
            ],
        )

    def search(self, request: Request) -> Reply:
        since = request.arg("since_id")
        found = sorted(
            (t for t in self.tweets if not since or int(t["id"]) > int(since)),
            key=lambda t: -int(t["id"]),
        )
        start = int(request.arg("next_token") or 0)
        size = min(int(request.arg("max_results") or 10), self.page_size)
        chosen = found[start : start + size]
        if not chosen:
            return Reply(200, {"meta": {"result_count": 0}})
        meta = {
            "newest_id": chosen[0]["id"],
            "oldest_id": chosen[-1]["id"],
            "result_count": len(chosen),
        }
        if start + size < len(found):
            meta["next_token"] = str(start + size)
        authors = {t.get("author_id") for t in chosen}
        return Reply(
            200,
            {
                "data": chosen,
                "includes": {"users": [u for u in self.users if u["id"] in authors]},
                "meta": meta,
            },
        )

    def post(self, request: Request) -> Reply:
        body = request.json()
        self.acted.append(("reply", body["reply"]["in_reply_to_tweet_id"], body))
        tweet_id = str(1850000000000009999 - len(self.made))
        self.made.append(
            {
                "id": tweet_id,
                "text": body["text"],
                "created_at": _now(),
                "author_id": ME_X,
                "referenced_tweets": [
                    {"type": "replied_to", "id": body["reply"]["in_reply_to_tweet_id"]}
                ],
            }
        )
        self.holdback.after_acting()
        return Reply(
            201,
            {"data": {"id": tweet_id, "text": body["text"], "edit_history_tweet_ids": [tweet_id]}},
        )

    def timeline(self, request: Request, user_id: str) -> Reply:
        """GET /2/users/{id}/tweets: our own tweets, newest first."""
        mine = [t for t in reversed(self.made) if t["author_id"] == user_id]
        return Reply(
            200,
            {"data": mine, "meta": {"result_count": len(mine)}}
            if mine
            else {"meta": {"result_count": 0}},
        )

    def hide(self, request: Request, tweet_id: str) -> Reply:
        self.acted.append(("hide" if request.json()["hidden"] else "unhide", tweet_id, None))
        return Reply(200, {"data": {"hidden": request.json()["hidden"]}})

    def delete(self, request: Request, tweet_id: str) -> Reply:
        return Reply(
            403,
            {
                "title": "Forbidden",
                "detail": "You are not allowed to delete this Tweet.",
                "type": "about:blank",
                "status": 403,
            },
        )

    def add(self, count: int) -> None:
        for number in range(count):
            tweet = copy.deepcopy(self.tweets[-1])
            tweet.update(id=str(1850000000000000100 + number), text=f"@velorouge nouveau {number}")
            self.tweets.append(tweet)

    def break_one(self) -> None:
        del self.tweets[1]["created_at"]


class FakeGraph(_Base):
    """Facebook's Graph API; `FakeGraph("instagram_comments.json")` serves Instagram's shape."""

    def __init__(self, comments: str = "facebook_comments.json") -> None:
        super().__init__()
        self.comments: list[dict[str, Any]] = payload(comments)["data"]
        self.base = ""

    def __call__(self, request: Request) -> Reply:
        if request.arg("access_token") != self.token:
            return Reply(
                400,
                {
                    "error": {
                        "message": "Error validating access token: Session has expired on Friday, 02-Oct-26.",
                        "type": "OAuthException",
                        "code": 190,
                        "error_subcode": 463,
                        "fbtrace_id": "AbC1",
                    }
                },
            )
        return self.route(
            request,
            [
                (r"GET /(\d+)/comments", self.list_comments),
                (r"GET /(\d+_\d+)/comments", self.list_replies),
                (r"GET /(\d+)/replies", self.list_replies),
                (r"POST /([\d_]+)/(?:comments|replies)", self.reply),
                (r"POST /([\d_]+)", self.update),
                (r"DELETE /([\d_]+)", self.delete),
            ],
        )

    def list_comments(self, request: Request, post_id: str) -> Reply:
        start = int((request.arg("after") or "c0")[1:])
        size = min(int(request.arg("limit") or 25), self.page_size)
        chosen = self.comments[start : start + size]
        paging: dict[str, Any] = {}
        if chosen:
            paging["cursors"] = {"before": f"c{start}", "after": f"c{start + len(chosen)}"}
            if start + size < len(self.comments):
                paging["next"] = f"{self.base}/{post_id}/comments?after=c{start + size}"
        return Reply(200, {"data": chosen, "paging": paging})

    def reply(self, request: Request, comment_id: str) -> Reply:
        self.acted.append(("reply", comment_id, request.form()))
        made = f"{comment_id}_r{len(self.made) + 1}"
        self.made.append(
            {
                "id": made,
                "parent": comment_id,
                "message": request.form()["message"],
                "text": request.form()["message"],
                "created_time": _now("graph"),
                "timestamp": _now("graph"),
                "from": {"id": ME_PAGE, "name": "Vélo Rouge"},
            }
        )
        self.holdback.after_acting()
        return Reply(200, {"id": made})

    def list_replies(self, request: Request, comment_id: str) -> Reply:
        found = [c for c in reversed(self.made) if c["parent"] == comment_id]
        return Reply(200, {"data": found, "paging": {}})

    def update(self, request: Request, comment_id: str) -> Reply:
        form = request.form()
        self.acted.append(
            ("hide" if form.get("is_hidden") == "true" else "unhide", comment_id, form)
        )
        return Reply(200, {"success": True})

    def delete(self, request: Request, comment_id: str) -> Reply:
        self.acted.append(("remove", comment_id, None))
        return Reply(200, {"success": True})

    def add(self, count: int) -> None:
        for number in range(count):
            comment = copy.deepcopy(self.comments[-1])
            comment.update(id=f"123_99{number:02d}", message=f"nouveau {number}")
            self.comments.append(comment)

    def break_one(self) -> None:
        del self.comments[1]["from"]


class FakeYouTube(_Base):
    def __init__(self) -> None:
        super().__init__()
        self.threads: list[dict[str, Any]] = payload("youtube_comment_threads.json")["items"]
        #: Replies beyond those a thread carries (commentThreads brings up to five).
        self.more_replies: dict[str, list[dict[str, Any]]] = {}
        self.reply_page_size = 20

    def __call__(self, request: Request) -> Reply:
        if bearer(request) != self.token:
            return Reply(
                401,
                {
                    "error": {
                        "code": 401,
                        "message": "Request had invalid authentication credentials.",
                        "errors": [
                            {
                                "message": "Invalid Credentials",
                                "domain": "global",
                                "reason": "authError",
                            }
                        ],
                        "status": "UNAUTHENTICATED",
                    }
                },
            )
        return self.route(
            request,
            [
                (r"GET /youtube/v3/commentThreads", self.list_threads),
                (r"GET /youtube/v3/comments", self.list_replies),
                (r"GET /youtube/v3/channels", self.channels),
                (r"POST /youtube/v3/comments", self.insert),
                (r"POST /youtube/v3/comments/setModerationStatus", self.moderate),
            ],
        )

    def list_threads(self, request: Request) -> Reply:
        ordered = sorted(
            self.threads,
            key=lambda t: t["snippet"]["topLevelComment"]["snippet"].get("publishedAt", ""),
            reverse=True,
        )
        start = int(request.arg("pageToken") or 0)
        chosen = ordered[start : start + self.page_size]
        body: dict[str, Any] = {
            "kind": "youtube#commentThreadListResponse",
            "items": chosen,
            "pageInfo": {"totalResults": len(chosen), "resultsPerPage": self.page_size},
        }
        if start + self.page_size < len(ordered):
            body["nextPageToken"] = str(start + self.page_size)
        return Reply(200, body)

    def insert(self, request: Request) -> Reply:
        snippet = request.json()["snippet"]
        self.acted.append(("reply", snippet["parentId"], snippet))
        comment = {
            "kind": "youtube#comment",
            "id": f"{snippet['parentId']}.new{len(self.made)}",
            "snippet": {
                **snippet,
                "authorChannelId": {"value": ME_YOUTUBE},
                "publishedAt": _now(),
                "textDisplay": snippet["textOriginal"],
            },
        }
        self.made.append(comment)
        self.holdback.after_acting()
        return Reply(200, comment)

    def list_replies(self, request: Request) -> Reply:
        """comments.list(parentId): a top-level comment's replies, a page at a time."""
        parent = request.arg("parentId")
        every = self.more_replies.get(parent or "", []) + [
            c for c in self.made if c["snippet"]["parentId"] == parent
        ]
        start = int(request.arg("pageToken") or 0)
        body: dict[str, Any] = {
            "kind": "youtube#commentListResponse",
            "items": every[start : start + self.reply_page_size],
        }
        if start + self.reply_page_size < len(every):
            body["nextPageToken"] = str(start + self.reply_page_size)
        return Reply(200, body)

    def channels(self, request: Request) -> Reply:
        return Reply(200, {"kind": "youtube#channelListResponse", "items": [{"id": ME_YOUTUBE}]})

    def moderate(self, request: Request) -> Reply:
        names = {"heldForReview": "hide", "rejected": "remove", "published": "restore"}
        self.acted.append(
            (
                names[request.arg("moderationStatus") or ""],
                request.arg("id") or "",
                request.arg("banAuthor"),
            )
        )
        return Reply(204)

    def add(self, count: int) -> None:
        for number in range(count):
            thread = copy.deepcopy(self.threads[1])
            top = thread["snippet"]["topLevelComment"]
            top["id"] = thread["id"] = f"UgzN{number}"
            top["snippet"]["publishedAt"] = f"2026-10-03T0{number}:00:00Z"
            self.threads.append(thread)

    def break_one(self) -> None:
        del self.threads[1]["snippet"]["topLevelComment"]["snippet"]["publishedAt"]


class FakeReddit(_Base):
    def __init__(self) -> None:
        super().__init__()
        data = payload("reddit_listings.json")
        self.listings = {name: data[name]["data"]["children"] for name in ("new", "comments")}

    def __call__(self, request: Request) -> Reply:
        if bearer(request) != self.token:
            return Reply(401, {"message": "Unauthorized", "error": 401})
        return self.route(
            request,
            [
                (r"GET /r/velorouge/(new|comments)", self.listing),
                (r"POST /api/comment", self.comment),
                (r"GET /api/v1/me", self.me),
                (r"GET /user/(\w+)/comments", self.user_comments),
                (r"POST /api/(remove|approve)", self.moderate),
                (r"POST /r/velorouge/api/(friend|unfriend)", self.friend),
            ],
        )

    def listing(self, request: Request, name: str) -> Reply:
        ordered = sorted(self.listings[name], key=lambda t: -t["data"].get("created_utc", 0))
        after = request.arg("after")
        start = next((i + 1 for i, t in enumerate(ordered) if t["data"]["name"] == after), 0)
        size = min(int(request.arg("limit") or 25), self.page_size)
        chosen = ordered[start : start + size]
        more = chosen[-1]["data"]["name"] if chosen and start + size < len(ordered) else None
        return Reply(
            200,
            {
                "kind": "Listing",
                "data": {
                    "after": more,
                    "dist": len(chosen),
                    "modhash": "",
                    "before": None,
                    "children": chosen,
                },
            },
            {"X-Ratelimit-Remaining": "99.0", "X-Ratelimit-Used": "1", "X-Ratelimit-Reset": "400"},
        )

    def comment(self, request: Request) -> Reply:
        form = request.form()
        self.acted.append(("reply", form["thing_id"], form))
        name = f"t1_new{len(self.made) + 1}"
        thing = {
            "kind": "t1",
            "data": {
                "name": name,
                "body": form["text"],
                "parent_id": form["thing_id"],
                "author": ME_REDDIT,
                "created_utc": utcnow().timestamp(),
            },
        }
        self.made.append(thing)
        self.holdback.after_acting()
        return Reply(200, {"json": {"errors": [], "data": {"things": [thing]}}})

    def me(self, request: Request) -> Reply:
        return Reply(200, {"name": ME_REDDIT, "id": "abc1"})

    def user_comments(self, request: Request, name: str) -> Reply:
        mine = [t for t in reversed(self.made) if t["data"]["author"] == name]
        return Reply(200, {"kind": "Listing", "data": {"after": None, "children": mine}})

    def moderate(self, request: Request, verb: str) -> Reply:
        self.acted.append(
            ("remove" if verb == "remove" else "restore", request.form()["id"], request.form())
        )
        return Reply(200, {})

    def friend(self, request: Request, verb: str) -> Reply:
        self.acted.append((verb, request.form()["name"], request.form()))
        return Reply(200, {"json": {"errors": []}})

    def add(self, count: int) -> None:
        for number in range(count):
            thing = copy.deepcopy(self.listings["comments"][0])
            thing["data"].update(
                id=f"n{number}",
                name=f"t1_n{number}",
                created_utc=1791100000.0 + number,
                body=f"nouveau {number}",
            )
            self.listings["comments"].append(thing)

    def break_one(self) -> None:
        del self.listings["comments"][1]["data"]["body"]
