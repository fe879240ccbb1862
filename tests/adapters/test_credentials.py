"""Credentials never leak: a channel whose adapter fails with an error quoting its token (a
plugin's bug, a library's message) shows that error masked in its health, in the logs and in
the outbox — everywhere Gardien writes it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels.adapter import ChannelConfig, Cursor, Page
from gardien.channels.dispatch import Dispatcher
from gardien.domain import OutboundAction, utcnow
from gardien.store.tables import OutboxRow
from tests.adapters.conftest import add_channel, health_of

TOKEN = "plugin-token-9f8e7d6c"


class LeakyAdapter:
    """A third-party adapter with a bug: its errors repeat the token it was given."""

    def __init__(self, config: ChannelConfig) -> None:
        self.token = config.require("access_token")

    def fetch(self, cursor: Cursor) -> Iterator[Page]:
        raise ValueError(f"cannot page with token={self.token}")

    def deliver(self, key: str, action: OutboundAction) -> str:
        raise RuntimeError(f"POST https://forum.example/reply?access_token={self.token} failed")

    def close(self) -> None:
        return None


def leaky(config: ChannelConfig) -> Any:
    return LeakyAdapter(config)


def test_an_adapters_error_quoting_its_token_is_masked_in_health_logs_and_outbox(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    add_channel(runtime, "plugin", "discourse", access_token=TOKEN)  # its adapter: below
    listener = Listener(
        runtime, interval_seconds=0, channels=("plugin",), make=leaky, deliver=False, triage=False
    )
    with caplog.at_level(logging.DEBUG):
        report = listener.cycle()
    listener.close()
    assert report.polls[0].status == "failing"
    health = health_of(runtime, "plugin")
    assert "cannot page with token=***" in health.last_error and TOKEN not in health.last_error
    assert "Traceback" in caplog.text and "token=***" in caplog.text
    assert TOKEN not in caplog.text
    now = utcnow()
    with runtime.database.session() as session:
        outbox.enqueue(session, "k1", OutboundAction("plugin", "reply", "1", {"text": "hi"}), now)
    dispatcher = Dispatcher(runtime.database, leaky)
    assert outbox.deliver_due(runtime.database, dispatcher, now).retried == 1
    dispatcher.close()
    with runtime.database.session() as session:
        [row] = session.query(OutboxRow).all()
        assert "access_token=***" in row.last_error and TOKEN not in row.last_error
