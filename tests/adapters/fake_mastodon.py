"""A fake Mastodon instance speaking the documented REST API: notifications and timelines paged
with max_id/min_id/since_id and Link headers, statuses with Idempotency-Key, reports, blocks,
and the admin account actions. Seeded from payloads/mastodon.json."""

from __future__ import annotations

import copy
import re
from typing import Any

from gardien.domain import utcnow
from tests.adapters.fakes import Holdback, Reply, Request, bearer, payload

TOKEN = "masto-token-s3cret"


def _key(value: str) -> tuple[int, str]:
    return (len(value), value)


class FakeMastodon:
    def __init__(self) -> None:
        data = copy.deepcopy(payload("mastodon.json"))
        self.accounts: dict[str, dict[str, Any]] = {a["id"]: a for a in data["accounts"]}
        self.statuses: dict[str, dict[str, Any]] = {s["id"]: s for s in data["statuses"]}
        self.notifications: list[dict[str, Any]] = data["notifications"]
        self.token = TOKEN
        self.me = "1"
        self.reports: list[dict[str, Any]] = []
        self.account_actions: list[tuple[str, str]] = []
        self.idempotency: dict[str, str] = {}
        self.next_id = 109400000000000900
        self.base = ""
        #: Server-sent events the streaming API sends next: (event, data).
        self.live: list[tuple[str, str]] = []
        self.holdback = Holdback()

    def __call__(self, request: Request) -> Reply:
        if bearer(request) != self.token:
            return Reply(401, {"error": "The access token is invalid"})
        route = f"{request.method} {request.path}"
        for pattern, handler in self.routes():
            match = re.fullmatch(pattern, route)
            if match:
                return handler(request, *match.groups())
        return Reply(404, {"error": "Record not found"})

    def routes(self) -> list[tuple[str, Any]]:
        return [
            (r"GET /api/v1/notifications", self.list_notifications),
            (r"GET /api/v1/streaming/user/notification", self.stream),
            (r"GET /api/v1/streaming/(user|public/local)", self.stream),
            (r"GET /api/v1/timelines/tag/(\w+)", self.tag_timeline),
            (r"GET /api/v1/timelines/(home|public)", self.timeline),
            (r"GET /api/v1/statuses/(\d+)/context", self.context),
            (r"GET /api/v1/statuses/(\d+)", self.get_status),
            (r"POST /api/v1/statuses", self.post_status),
            (r"DELETE /api/v1/statuses/(\d+)", self.delete_status),
            (r"GET /api/v1/accounts/verify_credentials", self.verify_credentials),
            (r"GET /api/v1/accounts/(\d+)", self.get_account),
            (r"POST /api/v1/reports", self.report),
            (r"POST /api/v1/accounts/(\d+)/(block|mute|unblock|unmute)", self.relationship),
            (r"POST /api/v1/admin/accounts/(\d+)/action", self.admin_action),
        ]

    # paging as documented: newest first; Link next → max_id, prev → min_id ------------------

    def page(self, request: Request, items: list[dict[str, Any]], path: str) -> Reply:
        limit = min(int(request.arg("limit", "20") or 20), 40)
        ordered = sorted(items, key=lambda item: _key(item["id"]))
        max_id, since_id, min_id = (request.arg(n) for n in ("max_id", "since_id", "min_id"))
        if max_id:
            ordered = [i for i in ordered if _key(i["id"]) < _key(max_id)]
        if since_id:
            ordered = [i for i in ordered if _key(i["id"]) > _key(since_id)]
        if min_id:
            ordered = [i for i in ordered if _key(i["id"]) > _key(min_id)][:limit]
        else:
            ordered = ordered[-limit:]
        chosen = list(reversed(ordered))
        headers = {}
        if chosen:
            extra = "".join(f"&{k}={v[0]}" for k, v in request.query.items() if k.endswith("[]"))
            link = f"{self.base}{path}?limit={limit}{extra}"
            headers["Link"] = (
                f'<{link}&max_id={chosen[-1]["id"]}>; rel="next", '
                f'<{link}&min_id={chosen[0]["id"]}>; rel="prev"'
            )
        return Reply(200, chosen, headers)

    def list_notifications(self, request: Request) -> Reply:
        types = request.query.get("types[]")
        items = [n for n in self.notifications if not types or n["type"] in types]
        return self.page(request, items, request.path)

    def stream(self, request: Request, *_: str) -> Reply:
        """The documented SSE stream: heartbeat comments, then `event:`/`data:` blocks."""
        body = ":thump\n\n" + "".join(
            f"event: {event}\ndata: {data}\n\n" for event, data in self.live
        )
        self.live = []
        return Reply(200, raw=body.encode(), headers={"Content-Type": "text/event-stream"})

    def tag_timeline(self, request: Request, tag: str) -> Reply:
        items = [
            s
            for s in self.statuses.values()
            if tag in {t["name"] for t in s["tags"]} and s["visibility"] == "public"
        ]
        return self.page(request, items, request.path)

    def timeline(self, request: Request, name: str) -> Reply:
        items = [s for s in self.statuses.values() if name == "home" or s["visibility"] == "public"]
        return self.page(request, items, request.path)

    def context(self, request: Request, status_id: str) -> Reply:
        ancestors = []
        current = self.statuses[status_id]
        while current.get("in_reply_to_id") in self.statuses:
            current = self.statuses[current["in_reply_to_id"]]
            ancestors.insert(0, current)
        descendants = [s for s in self.statuses.values() if s.get("in_reply_to_id") == status_id]
        return Reply(200, {"ancestors": ancestors, "descendants": descendants})

    def verify_credentials(self, request: Request) -> Reply:
        return Reply(200, self.accounts[self.me])

    def get_status(self, request: Request, status_id: str) -> Reply:
        if status_id not in self.statuses:
            return Reply(404, {"error": "Record not found"})
        return Reply(200, self.statuses[status_id])

    def get_account(self, request: Request, account_id: str) -> Reply:
        return Reply(200, self.accounts[account_id])

    # acting -------------------------------------------------------------------------------

    def post_status(self, request: Request) -> Reply:
        key = request.headers.get("idempotency-key")
        if key and key in self.idempotency:
            return Reply(200, self.statuses[self.idempotency[key]])
        body = request.json()
        self.next_id += 1
        status = {
            **copy.deepcopy(next(iter(self.statuses.values()))),
            "id": str(self.next_id),
            "content": f"<p>{body['status']}</p>",
            "in_reply_to_id": body.get("in_reply_to_id"),
            "visibility": body.get("visibility", "public"),
            "account": self.accounts[self.me],
            "created_at": utcnow().isoformat().replace("+00:00", "Z"),
        }
        self.statuses[status["id"]] = status
        if key:
            self.idempotency[key] = status["id"]
        self.holdback.after_acting()
        return Reply(200, status)

    def delete_status(self, request: Request, status_id: str) -> Reply:
        status = self.statuses.get(status_id)
        if status is None or status["account"]["id"] != self.me:
            return Reply(404, {"error": "Record not found"})
        del self.statuses[status_id]
        return Reply(200, status)

    def report(self, request: Request) -> Reply:
        body = request.json()
        self.reports.append(body)
        return Reply(200, {"id": str(len(self.reports)), "action_taken": False, **body})

    def relationship(self, request: Request, account_id: str, verb: str) -> Reply:
        self.account_actions.append((verb, account_id))
        return Reply(200, {"id": account_id, "blocking": verb == "block", "muting": verb == "mute"})

    def admin_action(self, request: Request, account_id: str) -> Reply:
        self.account_actions.append((request.json()["type"], account_id))
        return Reply(200, {})

    def add_mention(self, status_id: str, account_id: str, text: str) -> None:
        """A new mention arrives on the instance (status and notification)."""
        template = copy.deepcopy(self.statuses["109400000000000101"])
        template.update(id=status_id, content=f"<p>{text}</p>", account=self.accounts[account_id])
        self.statuses[status_id] = template
        last = max((n["id"] for n in self.notifications), key=_key)
        self.notifications.append(
            {
                "id": str(int(last) + 1),
                "type": "mention",
                "created_at": template["created_at"],
                "account": template["account"],
                "status": template,
            }
        )
