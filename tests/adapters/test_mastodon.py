"""Mastodon, against a local server speaking its REST API: Marie complains to @velorouge, Tom
joins the thread; Gardien listens to the mentions, pages, backs off, and acts back once."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels.adapter import ChannelConfig
from gardien.channels.dispatch import Dispatcher
from gardien.channels.platforms.mastodon import MastodonAdapter
from gardien.domain import OutboundAction, utcnow
from tests.adapters.conftest import add_channel, health_of, posts_of, rejects_of
from tests.adapters.fake_mastodon import TOKEN, FakeMastodon
from tests.adapters.fakes import FakeServer, Reply, rate_limited, serving

MARIE_FIRST, BRAND_REPLY, MARIE_AGAIN = (
    "109400000000000101",
    "109400000000000102",
    "109400000000000103",
)
TOM_REPLY, TOM_DM = "109400000000000105", "109400000000000106"


@pytest.fixture
def mastodon(runtime: Runtime) -> Iterator[tuple[FakeMastodon, FakeServer]]:
    fake = FakeMastodon()
    with serving(fake) as server:
        fake.base = server.url
        add_channel(runtime, "masto", "mastodon", base_url=server.url, access_token=TOKEN)
        yield fake, server


def test_mentions_arrive_as_threads_with_authors_and_engagement(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    report = listener("masto").cycle()
    assert [(poll.channel, poll.status, poll.new) for poll in report.polls] == [("masto", "ok", 4)]
    posts = posts_of(runtime, "masto")
    assert sorted(posts) == [MARIE_FIRST, MARIE_AGAIN, TOM_REPLY, TOM_DM]
    first, again = posts[MARIE_FIRST], posts[MARIE_AGAIN]
    assert first.text == "@velorouge ma commande n'est toujours pas arrivée… trois semaines !"
    assert (first.author_handle, first.followers) == ("@marie@mastodon.example", 1200)
    assert (first.likes, first.replies, first.shares) == (11, 2, 4)
    assert (again.thread_id, again.parent_id) == (MARIE_FIRST, BRAND_REPLY)
    assert again.text == "@velorouge toujours rien.\nNuméro 4411."
    assert posts[TOM_DM].visibility == "private"
    assert health_of(runtime, "masto").status == "ok"


def test_new_mentions_are_paged_forward_from_the_cursor_without_duplicates(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, server = mastodon
    add_channel(runtime, "masto", "mastodon", base_url=server.url, access_token=TOKEN, page_limit=2)
    listening = listener("masto")
    listening.cycle()  # first run: the newest page only
    for number in range(1, 6):
        fake.add_mention(f"1094000000000002{number:02d}", "43", f"@velorouge message {number}")
    report = listening.cycle()
    assert (report.polls[0].new, report.polls[0].pages) == (5, 3)
    assert len(server.calls("GET /api/v1/notifications")) == 1 + 4  # 3 full pages, 1 empty
    again = listening.cycle()
    assert again.polls[0].new == 0
    assert len(posts_of(runtime, "masto")) == 2 + 5


def test_a_429_is_waited_out_and_listening_resumes(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    _fake, server = mastodon
    server.fail("GET /api/v1/notifications", rate_limited(0.05, "X-RateLimit-Reset", "iso"))
    report = listener("masto").cycle()
    assert (report.polls[0].status, report.polls[0].new) == ("ok", 4)
    assert len(server.calls("GET /api/v1/notifications")) == 2


def test_a_long_rate_limit_rests_the_channel_until_the_reset(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    _fake, server = mastodon
    server.fail("GET /api/v1/notifications", rate_limited(600, "X-RateLimit-Reset", "iso"), 5)
    listening = listener("masto")
    now = utcnow()
    report = listening.cycle(now)
    health = health_of(runtime, "masto")
    assert (report.polls[0].status, health.status) == ("rate_limited", "rate_limited")
    assert health.next_poll_at is not None and health.next_poll_at > now + timedelta(minutes=9)
    assert listening.cycle(now + timedelta(minutes=1)).polls == []  # resting: not polled
    server.faults.clear()
    resumed = listening.cycle(now + timedelta(minutes=11))
    assert (resumed.polls[0].status, resumed.polls[0].new) == ("ok", 4)


def test_an_expired_token_shows_in_the_channel_health_without_leaking_it(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, _ = mastodon
    fake.token = "rotated"
    report = listener("masto").cycle()
    health = health_of(runtime, "masto")
    assert (report.polls[0].status, health.status) == ("unauthorized", "unauthorized")
    assert "refused the credentials" in health.last_error
    assert TOKEN not in health.last_error and health.settings["access_token"] == "***"


def test_a_malformed_item_is_rejected_and_the_rest_lands(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, _ = mastodon
    del fake.notifications[2]["status"]["account"]
    report = listener("masto").cycle()
    assert (report.polls[0].new, report.polls[0].rejected) == (3, 1)
    assert (
        rejects_of(runtime, "masto")[0].reason
        == "missing field 'account' in the platform's payload"
    )
    listener("masto").cycle()
    assert len(rejects_of(runtime, "masto")) == 1


def test_a_broken_answer_stores_nothing_and_keeps_the_cursor(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    _, server = mastodon
    server.fail("GET /api/v1/notifications", Reply(200, raw=b"<html>maintenance</html>"))
    report = listener("masto").cycle()
    assert report.polls[0].status == "failing"
    assert "not JSON" in health_of(runtime, "masto").last_error
    assert posts_of(runtime, "masto") == {}


def test_reply_report_and_remove_are_carried_out_once(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer]
) -> None:
    fake, server = mastodon
    now = utcnow()
    actions = {
        "reply:1": OutboundAction("masto", "reply", MARIE_FIRST, {"text": "On s'en occupe !"}),
        "hide:1": OutboundAction("masto", "hide", TOM_REPLY, {"rule": "spam", "author_id": "43"}),
        "remove:1": OutboundAction("masto", "remove", BRAND_REPLY, {}),
    }
    with runtime.database.session() as session:
        for key, action in actions.items():
            outbox.enqueue(session, key, action, now)
            outbox.enqueue(session, key, action, now)  # queued twice: still once
    dispatcher = Dispatcher(runtime.database)
    first = outbox.deliver_due(runtime.database, dispatcher, now)
    for key, action in actions.items():  # the outbox redelivers after a crash: no second call
        dispatcher(key, action)
    dispatcher.close()
    assert (first.delivered, first.dead) == (3, 0)
    posted = server.calls("POST /api/v1/statuses")
    assert len(posted) == 1 and posted[0].headers["idempotency-key"] == "reply:1"
    assert posted[0].json()["in_reply_to_id"] == MARIE_FIRST
    assert [r["status_ids"] for r in fake.reports] == [[TOM_REPLY]]
    assert BRAND_REPLY not in fake.statuses and len(server.calls("DELETE")) == 1


def test_the_idempotency_key_keeps_a_lost_acknowledgement_from_posting_twice(
    mastodon: tuple[FakeMastodon, FakeServer],
) -> None:
    fake, server = mastodon
    before = len(fake.statuses)
    config = ChannelConfig(
        "masto", "mastodon", settings={"base_url": server.url, "access_token": TOKEN}
    )
    adapter = MastodonAdapter(config)
    reply = OutboundAction("masto", "reply", MARIE_FIRST, {"text": "Merci !"})
    # the first answer is lost (a crash before the outbox marks it done): the same key again
    first, second = adapter.deliver("reply:9", reply), adapter.deliver("reply:9", reply)
    adapter.close()
    assert first == second and len(fake.statuses) == before + 1


def test_after_catching_up_the_streaming_api_is_followed_live(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, server = mastodon
    add_channel(
        runtime, "masto", "mastodon", base_url=server.url, access_token=TOKEN, stream_seconds=0.5
    )
    fake.add_mention("109400000000000400", "42", "@velorouge en direct")
    live = fake.notifications.pop()  # published on the stream, after the REST catch-up
    fake.live = [
        ("notification", json.dumps(live)),
        ("delete", "109400000000000102"),
        ("notification", '{"id": "9999", "type": "mention", "status": {"id": "1"}}'),
    ]
    report = listener("masto").cycle().polls[0]
    assert (report.status, report.new, report.rejected) == ("ok", 5, 1)
    assert "109400000000000400" in posts_of(runtime, "masto")
    assert health_of(runtime, "masto").cursor["notifications"] == "9999"
    assert len(server.calls("GET /api/v1/streaming/user/notification")) == 1


def test_the_home_and_local_public_timelines_are_followed_on_their_streams(
    runtime: Runtime, mastodon: tuple[FakeMastodon, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, server = mastodon
    add_channel(
        runtime,
        "masto",
        "mastodon",
        base_url=server.url,
        access_token=TOKEN,
        sources=["home", "public"],
        stream_seconds=1.0,
    )
    status = fake.statuses[MARIE_FIRST]
    fake.live = [
        ("update", json.dumps({**status, "id": "109400000000000500"})),
        ("notification", json.dumps({"id": "1", "type": "follow"})),  # not the timeline's
    ]
    listener("masto").cycle()
    assert "109400000000000500" in posts_of(runtime, "masto")
    assert [len(server.calls(f"GET /api/v1/streaming/{name}")) for name in ("user", "public")] == [
        1,
        1,
    ]
