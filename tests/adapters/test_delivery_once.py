"""A reply reaches its platform once even when Gardien never hears the platform's answer: the
process dies while the platform is answering (a real kill of `gardien channels deliver`), or
the answer is lost on the way (a timeout). The next try finds our reply on the platform and
records it instead of posting again, on every platform that takes no idempotency key (and on
Mastodon once its key has expired)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gardien.actions import outbox
from gardien.app.runtime import Runtime
from gardien.channels import state
from gardien.channels.dispatch import Dispatcher
from gardien.domain import OutboundAction, utcnow
from gardien.store.db import Database
from tests.adapters.conftest import FAST_HTTP, add_channel
from tests.adapters.fake_discourse import API_KEY, FakeDiscourse
from tests.adapters.fake_mastodon import TOKEN as MASTO_TOKEN
from tests.adapters.fake_mastodon import FakeMastodon
from tests.adapters.fake_platforms import (
    ME_PAGE,
    ME_X,
    TOKEN,
    FakeGraph,
    FakeReddit,
    FakeX,
    FakeYouTube,
)
from tests.adapters.fakes import serving

TEXT = "Bonjour Marie, on regarde votre commande tout de suite."
GARDIEN = Path(sys.executable).with_name("gardien")


def forum_replies(fake: FakeDiscourse) -> list[str]:
    return [str(p["id"]) for p in fake.posts.values() if p.get("raw") == TEXT]


def test_a_reply_is_posted_once_when_gardien_is_killed_before_it_records_it(
    runtime: Runtime, database: Database, tmp_path: Path
) -> None:
    fake = FakeDiscourse()
    fake.holdback.release = threading.Event()  # the forum posts, then holds its answer
    with serving(fake) as server:
        add_channel(
            runtime,
            "rouleurs",
            "discourse",
            base_url=server.url,
            api_key=API_KEY,
            api_username="gardien",
        )
        now = utcnow()
        with database.session() as session:
            action = OutboundAction("rouleurs", "reply", "501", {"text": TEXT})
            outbox.enqueue(session, "case:7:reply", action, now)
        env = {
            **os.environ,
            "GARDIEN_DATABASE_URL": database.engine.url.render_as_string(hide_password=False),
            "GARDIEN_DATA_DIR": str(tmp_path),
        }
        worker = subprocess.Popen(
            [str(GARDIEN), "channels", "deliver"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            assert fake.holdback.acted.wait(120), "the delivering process never reached the forum"
        finally:
            worker.kill()  # Gardien dies after the forum posted, before anything was recorded
            worker.wait()
            fake.holdback.release.set()
        assert len(forum_replies(fake)) == 1
        dispatcher = Dispatcher(database)
        report = outbox.deliver_due(database, dispatcher, now + timedelta(minutes=10))
        dispatcher.close()
    assert report.delivered == 1
    [reply] = forum_replies(fake)  # found on the forum, not posted again
    assert len(server.calls("POST /posts.json")) == 1
    with database.session() as session:
        done = state.delivered(session, "case:7:reply")
        assert done is not None and done.remote_id == reply
        assert state.unknown_since(session, "case:7:reply") is None


@dataclass(frozen=True)
class Replying:
    kind: str
    make: Callable[[], Any]
    settings: dict[str, Any]
    target: str
    posted: Callable[[Any], list[str]]  # ids of our replies with TEXT, as the platform has them
    expire: Callable[[Any], None] = lambda fake: None  # what the time before the retry changes
    http: dict[str, Any] | None = None


def masto_replies(fake: FakeMastodon) -> list[str]:
    return [
        s["id"]
        for s in fake.statuses.values()
        if s.get("in_reply_to_id") == "109400000000000101" and TEXT in s["content"]
    ]


PLATFORMS = [
    Replying(
        "discourse",
        FakeDiscourse,
        {"api_key": API_KEY, "api_username": "gardien"},
        "501",
        forum_replies,
    ),
    Replying(
        "mastodon",
        FakeMastodon,
        {"access_token": MASTO_TOKEN},
        "109400000000000101",
        masto_replies,
        expire=lambda fake: fake.idempotency.clear(),  # Mastodon keeps a key for an hour
        http={"retries": 0},  # with the key, the client could have asked again at once
    ),
    Replying(
        "twitter",
        FakeX,
        {"access_token": TOKEN, "query": "velorouge", "user_id": ME_X},
        "1850000000000000001",
        lambda fake: [t["id"] for t in fake.made],
    ),
    Replying(
        "facebook",
        FakeGraph,
        {"access_token": TOKEN, "objects": ["123"], "page_id": ME_PAGE},
        "123_9001",
        lambda fake: [c["id"] for c in fake.made],
    ),
    Replying(
        "youtube",
        FakeYouTube,
        {"access_token": TOKEN, "video_id": "dQw4w9WgXcQ"},
        "UgzA1",
        lambda fake: [c["id"] for c in fake.made],
    ),
    Replying(
        "reddit",
        FakeReddit,
        {"access_token": TOKEN, "subreddit": "velorouge"},
        "t3_1g2a",
        lambda fake: [t["data"]["name"] for t in fake.made],
    ),
]


@pytest.mark.parametrize("platform", PLATFORMS, ids=[p.kind for p in PLATFORMS])
def test_a_reply_whose_answer_was_lost_is_found_on_the_platform_not_posted_again(
    runtime: Runtime, platform: Replying
) -> None:
    fake = platform.make()
    fake.holdback.seconds = 1.5  # the platform acts, then answers after we stopped waiting
    with serving(fake) as server:
        fake.base = server.url
        add_channel(
            runtime,
            platform.kind,
            platform.kind,
            base_url=server.url,
            http={**FAST_HTTP, "timeout": 0.5, **(platform.http or {})},
            **platform.settings,
        )
        now = utcnow()
        with runtime.database.session() as session:
            action = OutboundAction(platform.kind, "reply", platform.target, {"text": TEXT})
            outbox.enqueue(session, "case:9:reply", action, now)
        dispatcher = Dispatcher(runtime.database)
        lost = outbox.deliver_due(runtime.database, dispatcher, now)
        assert (lost.delivered, lost.retried) == (0, 1)  # no answer: the outcome is unknown
        assert len(platform.posted(fake)) == 1  # and the client did not post again itself
        assert fake.holdback.answered.wait(10)
        fake.holdback.seconds = 0
        platform.expire(fake)
        retry = outbox.deliver_due(runtime.database, dispatcher, now + timedelta(minutes=10))
        dispatcher.close()
    assert retry.delivered == 1
    [reply] = platform.posted(fake)
    with runtime.database.session() as session:
        done = state.delivered(session, "case:9:reply")
        assert done is not None and done.remote_id == reply


def test_a_reply_the_platform_refused_leaves_no_unknown_outcome_behind(
    runtime: Runtime,
) -> None:
    fake = FakeDiscourse()
    with serving(fake) as server:
        add_channel(
            runtime,
            "rouleurs",
            "discourse",
            base_url=server.url,
            api_key=API_KEY,
            api_username="gardien",
        )
        now = utcnow()
        with runtime.database.session() as session:
            gone = OutboundAction("rouleurs", "reply", "999", {"text": TEXT})  # no such post
            outbox.enqueue(session, "case:10:reply", gone, now)
        dispatcher = Dispatcher(runtime.database)
        report = outbox.deliver_due(runtime.database, dispatcher, now)
        dispatcher.close()
    assert report.dead == 1
    with runtime.database.session() as session:
        assert state.unknown_since(session, "case:10:reply") is None
