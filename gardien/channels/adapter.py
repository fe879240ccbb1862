"""The adapter interface every channel implements, and the registry that finds an adapter by kind.

An adapter is small: `fetch(cursor)` yields pages of posts (mapped to the interchange format,
docs/FORMAT.md) each with the cursor to save once the page is stored; `deliver(key, action)`
carries out one outbound action and returns the platform's id for the result; push channels
also `receive(headers, body)` a webhook. Adapters never touch the store: the scheduler
(gardien.app.listen) stores pages through the idempotent ingest path and keeps the cursors, and
the dispatcher (gardien.channels.dispatch) records deliveries. See docs/CHANNELS.md."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

from gardien.channels.http import ChannelError, HttpOptions
from gardien.channels.parse import Limits, Parsed
from gardien.domain import OutboundAction
from gardien.errors import ConfigError

#: Setting names whose values are credentials (never logged, masked in API output): names
#: containing one of these, or with "key" as a whole word (api_key, key; not keywords).
SECRET_MARKERS = ("token", "secret", "password", "apikey")

Cursor = Mapping[str, Any]


class UnsupportedAction(ChannelError):
    """The platform has no way to carry out this kind of action (retrying cannot help)."""

    code = "channel_unsupported"


@dataclass(frozen=True, slots=True)
class ChannelConfig:
    """A channel as an adapter sees it: its name, kind, community and settings."""

    name: str
    kind: str
    community: str = ""
    settings: Mapping[str, Any] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def require(self, key: str) -> str:
        """A setting the adapter cannot work without, or a clear ConfigError."""
        value = self.settings.get(key)
        if value in (None, ""):
            raise ConfigError(
                f"channel {self.name!r} ({self.kind}) needs the setting {key!r}; "
                f"set it with: gardien channels configure {self.name} --set {key}=…"
            )
        return str(value)

    def get(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every credential value, for masking error messages."""
        return tuple(str(v) for k, v in self.settings.items() if is_secret(k) and v)

    @property
    def http(self) -> HttpOptions:
        return HttpOptions.from_settings(self.settings)


def is_secret(name: str) -> bool:
    lowered = name.lower()
    words = lowered.replace("-", "_").split("_")
    return "key" in words or any(marker in lowered for marker in SECRET_MARKERS)


def masked_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Settings fit for display: credential values replaced by '***'."""
    return {key: ("***" if is_secret(key) and value else value) for key, value in settings.items()}


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a fetch: its records (or reasons why not), the cursor to save once they are
    stored, and a stable `source` naming the page (so a replay does not duplicate its rejects)."""

    items: list[Parsed]
    cursor: dict[str, Any]
    source: str


class Adapter(Protocol):
    """What the scheduler and the dispatcher need from a channel."""

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        """Pages of posts newer than `cursor` (an empty mapping on the first run), oldest
        information first where the platform allows it. Raises ChannelError subclasses."""
        ...

    def deliver(self, key: str, action: OutboundAction) -> str:
        """Carry out `action` (idempotent under `key` where the platform allows it); return the
        platform's id for the result, or ''. Raises UnsupportedAction or ChannelError."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class PushAdapter(Protocol):
    """A channel that also receives webhooks in its platform's own format and signature."""

    def receive(self, headers: Mapping[str, str], body: bytes) -> list[Parsed]:
        """Verify the request (raise SignatureError) and map its posts."""
        ...


@runtime_checkable
class Reconciling(Protocol):
    """A channel that can tell whether an action whose answer was lost was carried out: needed
    where the platform takes no idempotency key and repeating the action would repeat its
    effect (a reply posted twice)."""

    def find_delivered(self, key: str, action: OutboundAction, since: datetime) -> str | None:
        """The platform's id for the result of `action` if it was carried out at or after
        `since` (our own reply to the target, with the text we sent), else None: then it is
        sent again. Actions that are harmless to repeat (hide, ban …) answer None."""
        ...


AdapterFactory = Callable[[ChannelConfig], Adapter]

BUILTIN: dict[str, str] = {
    "mastodon": "gardien.channels.platforms.mastodon",
    "discourse": "gardien.channels.platforms.discourse",
    "rss": "gardien.channels.platforms.rss",
    "atom": "gardien.channels.platforms.rss",
    "twitter": "gardien.channels.platforms.twitter",
    "x": "gardien.channels.platforms.twitter",
    "facebook": "gardien.channels.platforms.facebook",
    "instagram": "gardien.channels.platforms.facebook",
    "youtube": "gardien.channels.platforms.youtube",
    "reddit": "gardien.channels.platforms.reddit",
}

#: Entry-point group where other packages register adapter factories by kind.
ENTRY_POINT_GROUP = "gardien.channels"


def factory_for(kind: str) -> AdapterFactory | None:
    """The adapter factory for `kind` (built in, or from a plugin's entry point), or None for
    channels nobody polls (file, webhook)."""
    if kind in BUILTIN:
        import importlib

        module = importlib.import_module(BUILTIN[kind])
        made: AdapterFactory = module.make_adapter
        return made
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name == kind:
            loaded: AdapterFactory = point.load()
            return loaded
    return None


def make_adapter(config: ChannelConfig) -> Adapter:
    """The adapter for a configured channel, or ConfigError when its kind has none."""
    factory = factory_for(config.kind)
    if factory is None:
        raise ConfigError(f"channel {config.name!r}: no adapter for the kind {config.kind!r}")
    return factory(config)
