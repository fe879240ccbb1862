"""Helpers for adapter tests: a channel pointing at a fake platform, a listener, and reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels import state
from gardien.domain import Channel
from gardien.store import queries
from gardien.store.communities import ensure_channel
from tests.web.conftest import _cheap_password_hashing, cast, make_user  # noqa: F401  (fixtures)

#: Tiny waits so that backing off on a 429 takes milliseconds in tests.
FAST_HTTP = {"max_wait_seconds": 2.0, "retries": 2, "backoff_seconds": 0.01, "timeout": 5.0}


def add_channel(runtime: Runtime, name: str, kind: str, **settings: Any) -> None:
    """Create a channel of `kind` in the community 'velo' with `settings` (plus fast HTTP)."""
    with runtime.database.session() as session:
        row = ensure_channel(session, Channel(name=name, kind=kind, community="velo"))
        row.settings = {"http": FAST_HTTP, **settings}


def posts_of(runtime: Runtime, channel: str) -> dict[str, queries.PostView]:
    """The stored posts of `channel` by external id."""
    with runtime.database.session() as session:
        views = queries.list_posts(session, limit=1000)
    return {view.external_id: view for view in views if view.channel == channel}


def health_of(runtime: Runtime, channel: str) -> state.ChannelHealth:
    with runtime.database.session() as session:
        return state.health(session, channel)[0]


def rejects_of(runtime: Runtime, channel: str) -> list[queries.RejectView]:
    with runtime.database.session() as session:
        return queries.list_rejects(session, channel, 100)


@pytest.fixture
def listener(runtime: Runtime) -> Iterator[Callable[..., Listener]]:
    """A listener on the test runtime; polls are due at once, nothing is judged twice."""
    made: list[Listener] = []

    def make(*channels: str, deliver: bool = False, triage: bool = False) -> Listener:
        listening = Listener(
            runtime, interval_seconds=0.0, channels=channels, deliver=deliver, triage=triage
        )
        made.append(listening)
        return listening

    yield make
    for listening in made:
        listening.close()
