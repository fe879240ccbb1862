"""One HTTP client for every platform adapter: timeouts, rate limits honoured, errors typed.

A platform that says "slow down" (429, or 503 with Retry-After) is waited for when the wait is
short, and otherwise reported as RateLimited with the time it asked for, so the scheduler can put
the channel aside and resume from its cursor later. Credentials travel in headers or query
parameters but never appear in an error message: every message goes through `mask`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from gardien.domain.time import utcnow
from gardien.errors import GardienError

#: Header names platforms use to say when their rate-limit window resets.
RESET_HEADERS = ("retry-after", "x-ratelimit-reset", "x-rate-limit-reset")
#: Methods whose repetition may repeat their effect (a second reply).
UNSAFE = {"POST", "PATCH"}


class ChannelError(GardienError):
    """A channel could not be read or acted on; the message is safe to show (no credentials)."""

    code = "channel"
    #: What the channel's health shows when this error stops a poll.
    status = "failing"


class Unauthorized(ChannelError):
    """The platform refused our credentials (expired or revoked token, wrong key)."""

    code = "channel_unauthorized"
    status = "unauthorized"


class RateLimited(ChannelError):
    """The platform asked us to wait until `retry_at` before asking again."""

    code = "channel_rate_limited"
    status = "rate_limited"

    def __init__(self, message: str, retry_at: datetime) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class RemoteError(ChannelError):
    """The platform answered with an error we cannot retry away (4xx other than 401/429)."""

    def __init__(self, message: str, status_code: int, body: Any = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body


class Unavailable(ChannelError):
    """The platform could not be reached, or failed on its side (5xx, timeouts)."""


class MalformedPayload(ChannelError):
    """The platform answered with something that is not what its API documents."""


def mask(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value replaced by '***' (secrets shorter than 4 are left alone,
    so that masking never garbles ordinary words)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text


def retry_at(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """When the platform says we may try again: Retry-After (seconds or HTTP date), or a
    rate-limit reset header as an ISO 8601 instant (Mastodon), epoch seconds (X) or seconds
    from now (Reddit)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in RESET_HEADERS:
        value = lowered.get(name, "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            number = None
        if number is not None:
            if number > 1_000_000_000:
                return datetime.fromtimestamp(number, UTC)
            return now + timedelta(seconds=max(number, 0.0))
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """How patient to be with a platform; tests use tiny waits."""

    timeout: float = 15.0
    #: Wait in-process for a rate-limit reset at most this long; beyond, give up until later.
    max_wait_seconds: float = 30.0
    #: Retries of one request after 429/5xx/connection errors before giving up.
    retries: int = 3
    #: First pause between retries of a failed (not rate-limited) request, doubled each time.
    backoff_seconds: float = 1.0
    user_agent: str = "Gardien/0.1 (+https://github.com/gardien)"

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> HttpOptions:
        """Options from a channel's settings (`http: {timeout, max_wait_seconds, …}`)."""
        given = dict(settings.get("http") or {})
        known = {name: given[name] for name in cls.__dataclass_fields__ if name in given}
        return cls(**known)


@dataclass(slots=True)
class HttpClient:
    """An httpx client bound to one platform's base URL and credentials."""

    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    params: Mapping[str, str] = field(default_factory=dict)
    secrets: tuple[str, ...] = ()
    options: HttpOptions = field(default_factory=HttpOptions)
    sleep: Callable[[float], None] = time.sleep
    #: Called with each response, so an adapter can read platform-specific error bodies.
    classify: Callable[[httpx.Response], ChannelError | None] | None = None
    _client: httpx.Client | None = None

    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(
                base_url=self.base_url,
                headers={"User-Agent": self.options.user_agent, **self.headers},
                timeout=self.options.timeout,
                follow_redirects=True,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        ok: Iterable[int] = (),
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one request, waiting out short rate limits and retrying transient failures.
        Statuses in `ok` (besides 2xx/304) are returned instead of raised.

        A request that is not idempotent (POST, PATCH; unless `idempotent=True`, e.g. when the
        platform takes an idempotency key) is repeated only when the platform cannot have acted
        on it: the connection was never made, or it answered 429. A timeout or a 5xx after it was
        sent leaves its outcome unknown: that is raised (Unavailable) for the dispatcher, which
        looks on the platform before trying again, instead of posting twice here."""
        merged = {**self.params, **(params or {})}
        accepted = set(ok)
        safe = idempotent if idempotent is not None else method.upper() not in UNSAFE
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http().request(
                    method, url, params=merged or None, json=json, data=data, headers=headers
                )
            except httpx.HTTPError as error:
                unsent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                if attempt > self.options.retries or not (safe or unsent):
                    raise Unavailable(self._say(f"{method} {url}: {error}")) from None
                self.sleep(self.options.backoff_seconds * 2 ** (attempt - 1))
                continue
            if response.is_success or response.status_code in accepted | {304}:
                return response
            problem = self._problem(method, url, response)
            retryable = isinstance(problem, RateLimited) or (
                isinstance(problem, Unavailable) and safe
            )
            if retryable and attempt <= self.options.retries:
                wait = self._wait_for(problem, attempt)
                if wait is not None:
                    self.sleep(wait)
                    continue
            raise problem

    def stream_events(
        self, url: str, seconds: float, params: Mapping[str, Any] | None = None
    ) -> Iterator[tuple[str, str]]:
        """Server-sent events (event name, data) from `url` for at most `seconds`; the stream
        ending or going quiet until then ends the iteration quietly."""
        deadline = time.monotonic() + seconds
        timeout = httpx.Timeout(self.options.timeout, read=max(seconds, 0.01))
        merged = {**self.params, **(params or {})}
        event, data = "message", []
        try:
            with self._http().stream(
                "GET", url, params=merged or None, timeout=timeout
            ) as response:
                if not response.is_success:
                    response.read()
                    raise self._problem("GET", url, response)
                for line in response.iter_lines():
                    if line.startswith(":"):
                        pass  # a heartbeat comment
                    elif line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:"):
                        data.append(line[5:].strip())
                    elif not line and data:
                        yield event, "\n".join(data)
                        event, data = "message", []
                    if time.monotonic() >= deadline:
                        return
        except (httpx.ReadTimeout, httpx.RemoteProtocolError):
            return
        except httpx.HTTPError as error:
            raise Unavailable(self._say(f"GET {url} (stream): {error}")) from None

    def get_json(self, url: str, **kwargs: Any) -> Any:
        """GET and decode JSON; a body that is not JSON is a MalformedPayload."""
        return self.json_of(self.request("GET", url, **kwargs))

    def json_of(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise MalformedPayload(
                self._say(f"{response.request.url.path}: the answer is not JSON")
            ) from None

    def _wait_for(self, problem: ChannelError, attempt: int) -> float | None:
        if isinstance(problem, RateLimited):
            seconds = (problem.retry_at - utcnow()).total_seconds()
            return max(seconds, 0.0) if seconds <= self.options.max_wait_seconds else None
        return self.options.backoff_seconds * 2 ** (attempt - 1)

    def _problem(self, method: str, url: str, response: httpx.Response) -> ChannelError:
        if self.classify is not None:
            special = self.classify(response)
            if special is not None:
                return special
        code = response.status_code
        where = f"{method} {response.request.url.path} → {code}"
        detail = self._say(_short_body(response))
        if code == 429 or (code == 503 and retry_at(response.headers, utcnow())):
            until = retry_at(response.headers, utcnow()) or utcnow() + timedelta(seconds=60)
            return RateLimited(f"{where}: rate limited until {until.isoformat()}", until)
        if code == 401:
            return Unauthorized(f"{where}: the platform refused the credentials ({detail})")
        if code >= 500:
            return Unavailable(f"{where}: {detail}")
        return RemoteError(f"{where}: {detail}", code, _body(response))

    def _say(self, text: str) -> str:
        return mask(text, self.secrets)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


def _short_body(response: httpx.Response) -> str:
    body = _body(response)
    if isinstance(body, dict):
        for key in ("error_description", "error", "errors", "message", "detail"):
            if key in body:
                return str(body[key])[:300]
    return str(body)[:300]
