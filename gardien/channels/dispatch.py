"""Route each outbox action to its channel's adapter, and make one key act at most once.

`Dispatcher` is the `deliver` callable `outbox.deliver_due` expects. Before calling a platform
it looks the key up among the deliveries already made (the outbox is at-least-once: a crash
after the platform call but before the row is marked done redelivers the key). It then notes
the attempt, committed *before* the call, and removes the note once the delivery is recorded or
the platform clearly refused. A note found at the next try means the outcome is unknown — the
process died, or the answer was lost on the way — so an adapter that can (`Reconciling`) first
looks on the platform for the result made since the attempt began, and records it instead of
acting again. Errors that retrying cannot fix (an unsupported action, a post that no longer
exists, a refused request) become `PermanentFailure`, so the outbox stops retrying and keeps
the reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from gardien.actions.outbox import PermanentFailure
from gardien.channels import state
from gardien.channels.adapter import (
    Adapter,
    ChannelConfig,
    Reconciling,
    UnsupportedAction,
    make_adapter,
)
from gardien.channels.http import (
    ChannelError,
    MalformedPayload,
    RateLimited,
    RemoteError,
    Unauthorized,
    mask,
)
from gardien.domain import OutboundAction
from gardien.domain.time import utcnow
from gardien.errors import ConfigError, NotFoundError
from gardien.store.db import Database

#: HTTP statuses that mean "this request will never succeed as it is".
PERMANENT = {400, 403, 404, 405, 409, 410, 422}
#: A moderator's approval of a held post: on the platform, put the post back if it was hidden
#: there ("restore"); where the platform cannot hide, there is nothing to do.
NOTHING_TO_UNDO = {"approve"}
#: Platforms' clocks and ours disagree a little: look for results from a bit before we began.
CLOCK_SKEW = timedelta(minutes=2)


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
            unknown = state.unknown_since(session, key)
        adapter = self._adapter(config)
        platform_action = _as_platform_action(action)
        if unknown is not None and isinstance(adapter, Reconciling):
            found = self._look(adapter, key, platform_action, unknown - CLOCK_SKEW)
            if found is not None:
                self._record(key, action, found)
                return
        with self.database.session() as session:
            state.begin_attempt(session, key, action.channel, action.kind, action.target, utcnow())
        self.calls += 1
        try:
            remote_id = adapter.deliver(key, platform_action)
        except UnsupportedAction as error:
            if action.kind not in NOTHING_TO_UNDO:
                self._refused(key)
                raise PermanentFailure(str(error)) from None
            remote_id = ""  # approving a post the platform never held: nothing to carry out
        except MalformedPayload as error:  # an answer we cannot read: the outcome stays unknown
            raise PermanentFailure(str(error)) from None
        except (RemoteError, Unauthorized, RateLimited) as error:
            self._refused(key)  # the platform said no: nothing was done
            if isinstance(error, RemoteError) and error.status_code in PERMANENT:
                raise PermanentFailure(str(error)) from None
            raise
        except KeyError as error:
            self._refused(key)
            raise PermanentFailure(
                f"{action.kind} needs {error.args[0]!r} in its payload"
            ) from None
        except ChannelError:
            raise  # its message is masked already; the outcome stays unknown
        except Exception as error:  # a bug or a library's error may quote a credential
            raise ChannelError(mask(f"{type(error).__name__}: {error}", config.secrets)) from None
        self._record(key, action, remote_id)

    def _look(
        self, adapter: Reconciling, key: str, action: OutboundAction, since: datetime
    ) -> str | None:
        """The result of an earlier attempt, if the platform shows one. A target that is gone
        (or a payload the search cannot use) finds nothing, and the action is tried as usual;
        a platform that cannot be asked now makes the whole delivery wait for a retry."""
        try:
            return adapter.find_delivered(key, action, since)
        except RemoteError as error:
            if error.status_code in PERMANENT:
                return None
            raise
        except KeyError:
            return None

    def _record(self, key: str, action: OutboundAction, remote_id: str) -> None:
        with self.database.session() as session:
            state.record_delivery(
                session, key, action.channel, action.kind, action.target, remote_id, utcnow()
            )

    def _refused(self, key: str) -> None:
        with self.database.session() as session:
            state.end_attempt(session, key)

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
