"""Sending posts to the workers. `BrokerRunner` is the `Runner` the web app and the listener use
in broker mode: instead of judging a batch here it sends it, partitioned by thread, as judge
messages, and returns no records (the workers save the judgements). The scheduler's sweep runs
the same path over every pending post, so a post whose message never left (broker down) or was
lost is sent again: the store, not the broker, is the record of what is left to judge."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import redis
from dramatiq import Message
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.errors import BrokerConnectionError
from sqlalchemy import bindparam, select

from gardien.ops.metrics import metrics
from gardien.pipeline.record import StageContext, TriageRecord
from gardien.settings import Settings
from gardien.store.db import Database
from gardien.store.tables_workers import DeadPostRow
from gardien.workers.broker import QueueNames, make_broker

log = logging.getLogger(__name__)
JUDGE_ACTOR = "judge_posts"


def partition(records: Sequence[TriageRecord], size: int) -> Iterator[list[int]]:
    """Post ids in messages of about `size`, a thread's posts together and in order (a thread
    larger than `size` spans several consecutive messages)."""
    threads: dict[tuple[str, str, str], list[int]] = {}
    for record in sorted(records, key=lambda r: r.post_id or 0):
        post = record.post
        key = (record.community, post.channel, post.thread_id or post.external_id)
        threads.setdefault(key, []).append(record.post_id or 0)
    message: list[int] = []
    for ids in threads.values():
        if message and len(message) + len(ids) > size:
            yield message
            message = []
        for post_id in ids:
            message.append(post_id)
            if len(message) >= size:
                yield message
                message = []
    if message:
        yield message


class SentMarks:
    """Which posts were sent recently (Redis keys with a time to live), so that a post still in
    flight is not sent again by every request; lost marks only cost a duplicate message."""

    def __init__(self, client: redis.Redis | None, prefix: str, seconds: int) -> None:
        self.client = client
        self.prefix = prefix
        self.seconds = seconds

    def claim(self, post_ids: Sequence[int]) -> list[int]:
        """The ids not sent within the time to live, now marked as sent."""
        if self.client is None or not post_ids:
            return list(post_ids)
        try:
            pipe = self.client.pipeline(transaction=False)
            for post_id in post_ids:
                pipe.set(f"{self.prefix}:sent:{post_id}", 1, nx=True, ex=self.seconds)
            claimed = pipe.execute()
        except redis.RedisError as error:
            log.warning("redis unavailable, sending without marks", extra={"error": str(error)})
            metrics().errors.labels("redis").inc()
            return list(post_ids)
        return [post_id for post_id, ok in zip(post_ids, claimed, strict=True) if ok]

    def release(self, post_ids: Sequence[int]) -> None:
        """Forget the marks (the message did not leave), so the next sweep sends them."""
        if self.client is None or not post_ids:
            return
        try:
            self.client.delete(*(f"{self.prefix}:sent:{post_id}" for post_id in post_ids))
        except redis.RedisError:
            metrics().errors.labels("redis").inc()


class BrokerRunner:
    """A Runner that sends instead of judging: returns [] (judged elsewhere)."""

    def __init__(
        self,
        broker: RabbitmqBroker,
        database: Database,
        names: QueueNames,
        marks: SentMarks,
        batch_size: int = 50,
    ) -> None:
        self.broker = broker
        self.database = database
        self.names = names
        self.marks = marks
        self.batch_size = batch_size
        self.sent = 0

    @classmethod
    def from_settings(cls, settings: Settings, database: Database) -> BrokerRunner:
        client = redis.Redis.from_url(
            settings.redis_url.get_secret_value(), socket_timeout=2, socket_connect_timeout=2
        )
        return cls(
            make_broker(settings),
            database,
            QueueNames(settings.queue_prefix),
            SentMarks(client, settings.queue_prefix, settings.redispatch_seconds),
            settings.worker_batch_size,
        )

    def judge(self, batch: Sequence[TriageRecord], context: StageContext) -> list[TriageRecord]:
        """Send the batch's posts (minus dead ones and ones in flight) to the workers."""
        dead = self._dead([record.post_id for record in batch if record.post_id is not None])
        fresh = set(
            self.marks.claim([r.post_id for r in batch if r.post_id and r.post_id not in dead])
        )
        for ids in partition([r for r in batch if r.post_id in fresh], self.batch_size):
            self.send(ids)
        return []

    def send(self, post_ids: list[int], options: dict[str, Any] | None = None) -> bool:
        """Publish one judge message (confirmed by the broker); False if it did not leave."""
        message: Message[Any] = Message(
            queue_name=self.names.judge,
            actor_name=JUDGE_ACTOR,
            args=(post_ids,),
            kwargs={},
            options=dict(options or {}),
        )
        try:
            self.broker.declare_queue(self.names.judge)
            self.broker.enqueue(message)
        except BrokerConnectionError as error:
            log.error("judge message not sent", extra={"posts": len(post_ids), "error": str(error)})
            metrics().errors.labels("broker").inc()
            self.marks.release(post_ids)
            return False
        self.sent += len(post_ids)
        return True

    def _dead(self, post_ids: list[int]) -> set[int]:
        if not post_ids:
            return set()
        with self.database.session() as session:
            rows = session.scalars(
                select(DeadPostRow.post_id).where(
                    DeadPostRow.post_id.in_(bindparam("ids", expanding=True))
                ),
                {"ids": post_ids},
            )
            return set(rows)

    def close(self) -> None:
        self.broker.close()
        if self.marks.client is not None:
            self.marks.client.close()
