"""The listener: poll every enabled channel on its schedule, store what arrives, judge it, and
deliver the outbox's due actions. A channel that fails is set aside (its error kept as its
health) and the others go on; every stored page moves that channel's cursor, so a restart
resumes where listening stopped, and ingest drops whatever it has already seen."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from gardien.actions import outbox
from gardien.app.care import AlertTransport, care_deliverer
from gardien.app.runtime import Runtime
from gardien.app.triage import triage_pending
from gardien.channels import state
from gardien.channels.adapter import Adapter, ChannelConfig, factory_for, make_adapter
from gardien.channels.dispatch import Dispatcher
from gardien.channels.file_import import ingest_stream
from gardien.channels.http import ChannelError, RateLimited, mask
from gardien.domain.time import utcnow
from gardien.errors import GardienError

log = logging.getLogger(__name__)


@dataclass(slots=True)
class PollResult:
    """One channel's poll: pages and posts stored, or why it stopped."""

    channel: str
    pages: int = 0
    new: int = 0
    rejected: int = 0
    status: str = "ok"
    error: str = ""


@dataclass(slots=True)
class CycleReport:
    polls: list[PollResult] = field(default_factory=list)
    triaged: int = 0
    delivered: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)


@dataclass
class Listener:
    """Holds the adapters between cycles (connections are reused) and runs the cycles."""

    runtime: Runtime
    interval_seconds: float = 60.0
    channels: tuple[str, ...] = ()
    make: Callable[[ChannelConfig], Adapter] = make_adapter
    deliver: bool = True
    triage: bool = True
    adapters: dict[str, Adapter] = field(default_factory=dict)
    dispatcher: Dispatcher | None = None

    def listened(self) -> list[ChannelConfig]:
        """Enabled channels with a polling adapter (file and webhook channels only receive, and
        so do channels set to `pull: false`, fed by their platform's webhooks alone)."""
        with self.runtime.database.session() as session:
            configs = state.channel_configs(session, self.runtime.limits)
        return [
            config
            for config in configs
            if (not self.channels or config.name in self.channels)
            and config.settings.get("enabled", True)
            and config.settings.get("pull", True)
            and factory_for(config.kind) is not None
        ]

    def cycle(self, now: datetime | None = None) -> CycleReport:
        """Poll each due channel once, judge what arrived, deliver due actions."""
        now = now or utcnow()
        report = CycleReport()
        for config in self.listened():
            with self.runtime.database.session() as session:
                if not state.due(session, config.name, now):
                    continue
            report.polls.append(self.poll(config, now))
        if self.triage and any(poll.new for poll in report.polls):
            rt = self.runtime
            report.triaged = triage_pending(
                rt.database, rt.runner, rt.context(), rt.settings.triage_batch_size
            ).judged
        if self.deliver:
            if self.dispatcher is None:
                self.dispatcher = Dispatcher(self.runtime.database, self.make)
            # alerts (care's webhooks and e-mails) go their own way; the rest to the adapters
            deliver = care_deliverer(AlertTransport(), self.dispatcher)
            report.delivered = outbox.deliver_due(self.runtime.database, deliver, now)
        return report

    def poll(self, config: ChannelConfig, now: datetime) -> PollResult:
        """Fetch one channel from its cursor, page by page, each page stored then its cursor
        saved; a failure keeps everything stored before it."""
        result = PollResult(config.name)
        database = self.runtime.database
        try:
            adapter = self._adapter(config)
            with database.session() as session:
                cursor = state.cursor_of(session, config.name)
            for page in adapter.fetch(cursor):
                stored = ingest_stream(database, config.name, page.source, iter(page.items))
                with database.session() as session:
                    state.save_cursor(session, config.name, page.cursor, len(page.items))
                result.pages += 1
                result.new += stored.counts.new
                result.rejected += stored.counts.rejected
        except Exception as error:  # one channel's trouble, of any kind, must not stop the others
            return self._failed(config, result, error, now)
        period = float(config.settings.get("poll_seconds", self.interval_seconds))
        with database.session() as session:
            state.record_success(session, config.name, now, now + timedelta(seconds=period))
        return result

    def _failed(
        self, config: ChannelConfig, result: PollResult, error: BaseException, now: datetime
    ) -> PollResult:
        if isinstance(error, ChannelError):
            result.status, result.error = error.status, str(error)
        elif isinstance(error, GardienError):
            result.status, result.error = "misconfigured", str(error)
        else:  # a bug, or a library's own error: its message may quote a credential
            result.status = "failing"
            result.error = mask(f"internal error: {type(error).__name__}: {error}", config.secrets)
            trace = "".join(traceback.format_exception(error))
            log.error("channel %s: unexpected error\n%s", config.name, mask(trace, config.secrets))
        base = float(config.settings.get("retry_seconds", self.interval_seconds))
        with self.runtime.database.session() as session:
            failures = state.failures_of(session, config.name)
            retry = now + state.failure_backoff(failures, base)
            if isinstance(error, RateLimited):
                retry = max(error.retry_at, now)
            state.record_failure(session, config.name, result.status, result.error, now, retry)
        broken = self.adapters.pop(config.name, None)
        if broken is not None:
            broken.close()
        log.warning("channel %s: %s", config.name, result.error)
        return result

    def _adapter(self, config: ChannelConfig) -> Adapter:
        known = self.adapters.get(config.name)
        if known is None:
            known = self.adapters[config.name] = self.make(config)
        return known

    def run(
        self,
        stop: Callable[[], bool],
        sleep: Callable[[float], None],
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        """Cycle until `stop()` says so, resting `interval_seconds` between cycles."""
        try:
            while not stop():
                report = self.cycle()
                if on_cycle is not None:
                    on_cycle(report)
                if stop():
                    return
                sleep(self.interval_seconds)
        finally:
            self.close()

    def close(self) -> None:
        for adapter in self.adapters.values():
            adapter.close()
        self.adapters.clear()
        if self.dispatcher is not None:
            self.dispatcher.close()
