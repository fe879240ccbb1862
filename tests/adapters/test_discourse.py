"""Discourse, against a local server speaking its API: Lucie's squeaky brakes thread, Karim's
advice, and a spam bot; pulled from /posts.json, pushed by a signed webhook, moderated back."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels.adapter import ChannelConfig
from gardien.channels.dispatch import Dispatcher
from gardien.channels.platforms.discourse import DiscourseAdapter, signature
from gardien.domain import OutboundAction, utcnow
from gardien.errors import SignatureError
from tests.adapters.conftest import FAST_HTTP as FAST
from tests.adapters.conftest import add_channel, health_of, posts_of, rejects_of
from tests.adapters.fake_discourse import API_KEY, FakeDiscourse
from tests.adapters.fakes import PAYLOADS, FakeServer, Reply, rate_limited, serving

SECRET = "hook-secret-xyz"


@pytest.fixture
def forum(runtime: Runtime) -> Iterator[tuple[FakeDiscourse, FakeServer]]:
    fake = FakeDiscourse()
    with serving(fake) as server:
        add_channel(
            runtime,
            "rouleurs",
            "discourse",
            base_url=server.url,
            api_key=API_KEY,
            api_username="gardien",
            webhook_secret=SECRET,
        )
        yield fake, server


def test_forum_posts_arrive_with_topics_authors_likes_and_edits(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    report = listener("rouleurs").cycle()
    assert (report.polls[0].status, report.polls[0].new) == ("ok", 4)
    posts = posts_of(runtime, "rouleurs")
    lucie, karim = posts["501"], posts["502"]
    assert lucie.text == "Mes freins à disque grincent depuis la révision.\n\nUne idée ?"
    assert (lucie.author_handle, lucie.likes, lucie.replies) == ("lucie", 3, 2)
    assert (karim.thread_id, karim.likes) == ("topic-77", 5)
    assert posts["504"].thread_id == "topic-78"


def test_replies_point_at_their_parent_post_found_in_the_page_or_asked_once(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, server = forum
    fake.page_size = 2  # the first page holds 504 and 503; 503 answers post 2 of topic 77
    listening = listener("rouleurs")
    listening.cycle()
    assert posts_of(runtime, "rouleurs")["503"].parent_id == "502"
    assert [r.path for r in server.calls("GET /posts/by_number")] == ["/posts/by_number/77/2.json"]
    for number in (505, 506):
        fake.add_post(number, f"réponse {number}")  # replies to the topic: its first post
    listening.cycle()
    posts = posts_of(runtime, "rouleurs")
    assert (posts["505"].parent_id, posts["506"].parent_id) == ("501", "501")
    assert len(server.calls("GET /posts/by_number/77/1.json")) == 1  # remembered
    assert posts["504"].parent_id is None  # a topic's first post replies to nothing


def test_a_webhook_reply_gets_its_parent_and_a_forum_out_of_reach_only_loses_the_parent(
    forum: tuple[FakeDiscourse, FakeServer],
) -> None:
    _, server = forum
    body = (PAYLOADS / "discourse_webhook_post_created.json").read_bytes()  # post 4, replies to 3
    headers = {
        "X-Discourse-Event": "post_created",
        "X-Discourse-Event-Signature": signature(SECRET, body),
    }
    settings = {"base_url": server.url, "api_key": API_KEY, "api_username": "gardien"}
    adapter = DiscourseAdapter(
        ChannelConfig("rouleurs", "discourse", settings={**settings, "webhook_secret": SECRET})
    )
    [parsed] = adapter.receive(headers, body)
    assert parsed.post is not None and parsed.post.parent_id == "503"
    server.fail("GET /posts/by_number", Reply(500, {"errors": ["down"]}), times=10)
    cold = DiscourseAdapter(
        ChannelConfig(
            "rouleurs", "discourse", settings={**settings, "webhook_secret": SECRET, "http": FAST}
        )
    )
    [parsed] = cold.receive(headers, body)
    assert parsed.post is not None and (parsed.post.id, parsed.post.parent_id) == ("505", None)
    assert parsed.post.extra["reply_to_post_number"] == 3
    adapter.close()
    cold.close()


def test_new_posts_are_paged_back_to_the_cursor_once(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, _server = forum
    fake.page_size = 2
    listening = listener("rouleurs")
    assert listening.cycle().polls[0].new == 2  # first run: the newest page
    for number in range(505, 510):
        fake.add_post(number, f"réponse {number}")
    report = listening.cycle()
    assert (report.polls[0].new, report.polls[0].pages) == (5, 3)
    assert listening.cycle().polls[0].new == 0
    assert health_of(runtime, "rouleurs").cursor == {"last_id": "509"}


def test_a_429_with_retry_after_is_waited_out(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    _, server = forum
    server.fail("GET /posts.json", rate_limited(0.05, "Retry-After", "seconds"))
    report = listener("rouleurs").cycle()
    assert (report.polls[0].status, report.polls[0].new) == ("ok", 4)
    assert len(server.calls("GET /posts.json")) == 2


def test_a_revoked_api_key_marks_the_channel_unauthorized(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    forum[0].api_key = "rotated"
    assert listener("rouleurs").cycle().polls[0].status == "unauthorized"
    health = health_of(runtime, "rouleurs")
    assert "refused the API key" in health.last_error and API_KEY not in health.last_error


def test_a_malformed_post_is_rejected_and_the_others_land(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer], listener: Callable[..., Listener]
) -> None:
    del forum[0].posts[503]["user_id"]
    report = listener("rouleurs").cycle()
    assert (report.polls[0].new, report.polls[0].rejected) == (3, 1)
    assert "user_id" in rejects_of(runtime, "rouleurs")[0].reason


def test_a_signed_webhook_is_mapped_and_a_forged_one_refused() -> None:
    adapter = DiscourseAdapter(
        ChannelConfig("rouleurs", "discourse", settings={"webhook_secret": SECRET})
    )
    body = (PAYLOADS / "discourse_webhook_post_created.json").read_bytes()
    headers = {
        "X-Discourse-Event-Type": "post",
        "X-Discourse-Event": "post_created",
        "X-Discourse-Event-Signature": signature(SECRET, body),
    }
    [parsed] = adapter.receive(headers, body)
    assert parsed.post is not None
    assert (parsed.post.id, parsed.post.thread_id, parsed.post.likes) == ("505", "topic-77", 1)
    with pytest.raises(SignatureError):
        adapter.receive({**headers, "X-Discourse-Event-Signature": signature("guess", body)}, body)
    ping = json.dumps({"ping": "OK"}).encode()
    assert (
        adapter.receive(
            {
                **headers,
                "X-Discourse-Event": "ping",
                "X-Discourse-Event-Signature": signature(SECRET, ping),
            },
            ping,
        )
        == []
    )


def test_reply_hide_remove_silence_and_ban_are_carried_out_once(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer]
) -> None:
    fake, server = forum
    now = utcnow()
    actions = {
        "reply": OutboundAction("rouleurs", "reply", "501", {"text": "Passez en boutique !"}),
        "hide": OutboundAction("rouleurs", "hide", "504", {"rule": "spam"}),
        "hide-again": OutboundAction("rouleurs", "hide", "504", {"rule": "spam"}),
        "remove": OutboundAction("rouleurs", "remove", "503", {}),
        "mute": OutboundAction(
            "rouleurs", "mute", "14", {"until": "2026-10-10T00:00:00Z", "rule": "spam"}
        ),
        "ban": OutboundAction("rouleurs", "ban", "14", {"rule": "spam"}),
    }
    with runtime.database.session() as session:
        for key, action in actions.items():
            outbox.enqueue(session, key, action, now)
    dispatcher = Dispatcher(runtime.database)
    report = outbox.deliver_due(runtime.database, dispatcher, now)
    for key, action in actions.items():
        dispatcher(key, action)  # redelivered after a crash: nothing is sent again
    dispatcher.close()
    assert (report.delivered, report.dead) == (6, 0)
    [reply] = server.calls("POST /posts.json")
    assert reply.json() == {
        "topic_id": 77,
        "raw": "Passez en boutique !",
        "reply_to_post_number": 1,
    }
    assert [(f["id"], f["post_action_type_id"], f["take_action"]) for f in fake.flags] == [
        (504, 8, True)
    ]
    assert 503 not in fake.posts and len(server.calls("DELETE")) == 1
    assert [(verb, user) for verb, user, _ in fake.admin_calls] == [
        ("silence", "14"),
        ("suspend", "14"),
    ]
    assert fake.admin_calls[0][2]["silenced_till"] == "2026-10-10T00:00:00Z"


def test_an_approval_puts_a_hidden_post_back_and_is_a_no_op_where_nothing_was_hidden(
    runtime: Runtime, forum: tuple[FakeDiscourse, FakeServer]
) -> None:
    _, server = forum
    add_channel(runtime, "avis", "rss", url="http://127.0.0.1:9/feed")
    now = utcnow()
    with runtime.database.session() as session:
        outbox.enqueue(session, "ok:504", OutboundAction("rouleurs", "approve", "504"), now)
        outbox.enqueue(session, "ok:feed", OutboundAction("avis", "approve", "avis-1"), now)
    dispatcher = Dispatcher(runtime.database)
    report = outbox.deliver_due(runtime.database, dispatcher, now)
    dispatcher.close()
    assert (report.delivered, report.dead) == (2, 0)
    assert [r.path for r in server.calls("PUT")] == [
        "/posts/504/unhide.json",
        "/posts/504/recover.json",
    ]
