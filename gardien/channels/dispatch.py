"""Route each outbox action to its channel's adapter, and make one key act at most once.

`Dispatcher` is the `deliver` callable `outbox.deliver_due` expects. Before calling a platform
it looks the key up among the deliveries already made (the outbox is at-least-once: a crash
after the platform call but before the row is marked done redelivers the key); after a
successful call it records the platform's id for the result. Errors that retrying cannot fix
(an unsupported action, a post that no longer exists, a refused request) become
`PermanentFailure`, so the outbox stops retrying and keeps the reason."""

from __future__ import annotations

from collections.abc import Callable

from gardien.actions.outbox import PermanentFailure
from gardien.channels import state
from gardien.channels.adapter import Adapter, ChannelConfig, UnsupportedAction, make_adapter
from gardien.channels.http import MalformedPayload, RemoteError
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow
from gardien.errors import ConfigError, NotFoundError
from gardien.store.db import Database

#: HTTP statuses that mean "this request will never succeed as it is".
PERMANENT = {400, 403, 404, 405, 409, 410, 422}
#: A moderator's approval of a held post: on the platform, put the post back if it was hidden
#: there ("restore"); where the platform cannot hide, there is nothing to do.
NOTHING_TO_UNDO = {"approve"}


def _as_platform_action(action: OutboundAction) -> OutboundAction:
    if action.kind == "approve":
        return OutboundAction(action.channel, "restore", action.target, dict(action.payload))
    return action


class Dispatcher:
    """Delivers outbox actions through adapters, one adapter per channel, reused."""

    def __init__(
        self, database: Database, make: Callable[[ChannelConfig], Adapter] = make_adapter
    ) -> None:
        self.database = database
        self.make = make
        self.adapters: dict[str, Adapter] = {}
        self.calls = 0

    def __call__(self, key: str, action: OutboundAction) -> None:
        with self.database.session() as session:
            if state.delivered(session, key) is not None:
                return
            try:
                config = state.channel_config(session, action.channel)
            except NotFoundError as error:
                raise PermanentFailure(str(error)) from None
        adapter = self._adapter(config)
        self.calls += 1
        try:
            remote_id = adapter.deliver(key, _as_platform_action(action))
        except UnsupportedAction as error:
            if action.kind not in NOTHING_TO_UNDO:
                raise PermanentFailure(str(error)) from None
            remote_id = ""  # approving a post the platform never held: nothing to carry out
        except MalformedPayload as error:
            raise PermanentFailure(str(error)) from None
        except RemoteError as error:
            if error.status_code in PERMANENT:
                raise PermanentFailure(str(error)) from None
            raise
        except KeyError as error:
            raise PermanentFailure(
                f"{action.kind} needs {error.args[0]!r} in its payload"
            ) from None
        with self.database.session() as session:
            state.record_delivery(
                session, key, action.channel, action.kind, action.target, remote_id, utcnow()
            )

    def _adapter(self, config: ChannelConfig) -> Adapter:
        if config.name not in self.adapters:
            try:
                self.adapters[config.name] = self.make(config)
            except ConfigError as error:
                raise PermanentFailure(
                    f"channel {config.name!r} ({config.kind}) cannot carry out actions: {error}"
                ) from None
        return self.adapters[config.name]

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
        self.adapters.clear()
