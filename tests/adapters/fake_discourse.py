"""A fake Discourse forum speaking its documented API: /posts.json (newest first, `before`
paging), posts, staff flags that hide, deletions, and the admin silence/suspend routes; a bad
Api-Key gets the documented 403 "invalid_access". Seeded from payloads/discourse_posts.json."""

from __future__ import annotations

import copy
import re
from typing import Any

from gardien.domain import utcnow
from tests.adapters.fakes import Holdback, Reply, Request, payload

API_KEY = "disc-api-key-0123456789"


class FakeDiscourse:
    def __init__(self, page_size: int = 20) -> None:
        self.posts: dict[int, dict[str, Any]] = {
            p["id"]: p for p in copy.deepcopy(payload("discourse_posts.json"))["latest_posts"]
        }
        self.api_key = API_KEY
        self.page_size = page_size
        self.flags: list[dict[str, Any]] = []
        self.admin_calls: list[tuple[str, str, Any]] = []
        self.holdback = Holdback()

    def __call__(self, request: Request) -> Reply:
        if request.headers.get("api-key") != self.api_key:
            return Reply(
                403,
                {
                    "errors": ["The API username or key is invalid."],
                    "error_type": "invalid_access",
                },
            )
        route = f"{request.method} {request.path}"
        for pattern, handler in [
            (r"GET /posts\.json", self.latest),
            (r"GET /posts/(\d+)\.json", self.get_post),
            (r"GET /posts/by_number/(\d+)/(\d+)\.json", self.by_number),
            (r"GET /posts/(\d+)/replies\.json", self.replies),
            (r"POST /posts\.json", self.create_post),
            (r"DELETE /posts/(\d+)\.json", self.delete_post),
            (r"POST /post_actions\.json", self.flag),
            (r"PUT /admin/users/(\d+)/(silence|suspend|unsilence|unsuspend)\.json", self.admin),
        ]:
            match = re.fullmatch(pattern, route)
            if match:
                return handler(request, *match.groups())
        return Reply(404, {"errors": ["The requested URL or resource could not be found."]})

    def latest(self, request: Request) -> Reply:
        before = int(request.arg("before") or 10**12)
        ids = sorted((i for i in self.posts if i < before), reverse=True)[: self.page_size]
        return Reply(200, {"latest_posts": [self.posts[i] for i in ids]})

    def get_post(self, request: Request, post_id: str) -> Reply:
        post = self.posts.get(int(post_id))
        return Reply(200, post) if post else Reply(404, {"errors": ["not found"]})

    def by_number(self, request: Request, topic: str, number: str) -> Reply:
        found = [
            p
            for p in self.posts.values()
            if p["topic_id"] == int(topic) and p["post_number"] == int(number)
        ]
        return Reply(200, found[0]) if found else Reply(404, {"errors": ["not found"]})

    def create_post(self, request: Request) -> Reply:
        body = request.json()
        new_id = max(self.posts) + 1
        topic = [p for p in self.posts.values() if p["topic_id"] == body.get("topic_id")]
        self.posts[new_id] = {
            **copy.deepcopy(next(iter(self.posts.values()))),
            "id": new_id,
            "raw": body["raw"],
            "cooked": f"<p>{body['raw']}</p>",
            "topic_id": body.get("topic_id", 900),
            "post_number": len(topic) + 1,
            "reply_to_post_number": body.get("reply_to_post_number"),
            "username": request.headers.get("api-username", "gardien"),
            "user_id": 1,
            "created_at": utcnow().isoformat().replace("+00:00", "Z"),
        }
        self.holdback.after_acting()
        return Reply(200, self.posts[new_id])

    def replies(self, request: Request, post_id: str) -> Reply:
        """The documented /posts/{id}/replies.json: the posts answering this one."""
        post = self.posts.get(int(post_id))
        if post is None:
            return Reply(404, {"errors": ["not found"]})
        return Reply(
            200,
            [
                p
                for p in self.posts.values()
                if p["topic_id"] == post["topic_id"]
                and p.get("reply_to_post_number") == post["post_number"]
            ],
        )

    def delete_post(self, request: Request, post_id: str) -> Reply:
        if self.posts.pop(int(post_id), None) is None:
            return Reply(404, {"errors": ["not found"]})
        return Reply(200, {})

    def flag(self, request: Request) -> Reply:
        body = request.json()
        self.flags.append(body)
        if body.get("take_action"):
            self.posts[int(body["id"])]["hidden"] = True
        return Reply(200, self.posts[int(body["id"])])

    def admin(self, request: Request, user_id: str, verb: str) -> Reply:
        self.admin_calls.append((verb, user_id, request.json() if request.body else None))
        return Reply(200, {"suspension": {}} if verb == "suspend" else {"silence": {}})

    def add_post(self, post_id: int, text: str, created_at: str | None = None) -> None:
        template = copy.deepcopy(self.posts[502])
        template.update(id=post_id, raw=text, cooked=f"<p>{text}</p>", post_number=post_id)
        if created_at is not None:
            template.update(created_at=created_at, updated_at=created_at)
        self.posts[post_id] = template
