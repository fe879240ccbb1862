"""A real HTTP server on 127.0.0.1 for the fake platforms: each platform fake is a callable from
a Request to a Reply that speaks the platform's documented API; the server records every request.

Faults are injected the way platforms produce them: `server.fail(prefix, reply, times)` answers
the next matching requests with `reply` (a 429 with reset headers, a 401, a 500, a broken body)."""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

PAYLOADS = Path(__file__).parent / "payloads"


def payload(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, [default])[0]

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


def rate_limited(
    seconds: float = 0.05, header: str = "X-RateLimit-Reset", style: str = "iso"
) -> Reply:
    """A 429 whose `header` says when to come back, `seconds` from now, in the platform's form:
    an ISO 8601 instant (Mastodon), epoch seconds (X), or seconds to wait (Reddit, Retry-After)."""
    at = datetime.now(UTC) + timedelta(seconds=seconds)
    values = {
        "iso": at.isoformat().replace("+00:00", "Z"),
        "epoch": f"{at.timestamp():.3f}",
        "seconds": f"{seconds:.3f}",
    }
    return Reply(429, {"error": "Too many requests"}, {header: values[style]})


Handler = Callable[[Request], Reply]


class Holdback:
    """Lets a fake carry out a request and then hold its answer back: `seconds` long (the client
    gives up waiting: the answer is lost), or until `release` is set (the client is killed
    meanwhile: Gardien crashed after the platform acted). `acted` is set once it has acted,
    `answered` once the held answer has gone (the fake serves one request at a time)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.release: threading.Event | None = None
        self.acted = threading.Event()
        self.answered = threading.Event()

    def after_acting(self) -> None:
        self.acted.set()
        if self.release is not None:
            self.release.wait(60)
        elif self.seconds:
            time.sleep(self.seconds)
        self.answered.set()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up before its answer (see Holdback) is expected, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeServer:
    """Serves one platform fake on a free port; `url` is its base URL."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[Request] = []
        self.faults: list[tuple[str, Reply, list[int]]] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def fail(self, prefix: str, reply: Reply, times: int = 1) -> None:
        """Answer the next `times` requests whose "METHOD path" starts with `prefix` with `reply`."""
        self.faults.append((prefix, reply, [times]))

    def calls(self, prefix: str) -> list[Request]:
        return [r for r in self.requests if f"{r.method} {r.path}".startswith(prefix)]

    def _answer(self, request: Request) -> Reply:
        with self._lock:
            self.requests.append(request)
            for prefix, reply, left in self.faults:
                if left[0] > 0 and f"{request.method} {request.path}".startswith(prefix):
                    left[0] -= 1
                    return reply
            return self.handler(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                request = Request(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=self.rfile.read(length) if length else b"",
                )
                reply = server._answer(request)
                data = reply.raw
                if data is None:
                    data = b"" if reply.body is None else json.dumps(reply.body).encode()
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        return _Handler

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(handler: Handler) -> Iterator[FakeServer]:
    server = FakeServer(handler).start()
    try:
        yield server
    finally:
        server.stop()


def bearer(request: Request) -> str:
    return request.headers.get("authorization", "").removeprefix("Bearer ")
