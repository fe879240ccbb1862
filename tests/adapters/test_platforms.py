"""X, Facebook, YouTube and Reddit, each against a local server speaking its documented API:
threads with authors and engagement, paging, backing off on 429, refused credentials,
malformed items, replays, and reply / hide / remove carried out exactly once."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels import state
from gardien.channels.dispatch import Dispatcher
from gardien.channels.exports import import_export
from gardien.domain import OutboundAction, utcnow
from tests.adapters.conftest import add_channel, health_of, posts_of
from tests.adapters.fake_platforms import TOKEN, FakeGraph, FakeReddit, FakeX, FakeYouTube
from tests.adapters.fakes import PAYLOADS, FakeServer, Reply, rate_limited, serving


@dataclass(frozen=True)
class Platform:
    kind: str
    fake: type
    settings: dict[str, Any]
    listing: str  # "METHOD path" prefix of the listing endpoint
    limit: Reply  # the platform's 429, with its own reset header
    ids: set[str]
    thread: tuple[str, str, str]  # post, its thread, its parent
    author: tuple[str, str, str, int]  # post, author id, handle, followers
    engagement: tuple[str, int, int, int]  # post, likes, replies, shares
    actions: dict[str, tuple[str, str]]  # kind → target; and what the platform saw


X = "18500000000000000"
PLATFORMS = [
    Platform(
        "twitter",
        FakeX,
        {"query": "@velorouge OR velorouge"},
        "GET /2/tweets/search/recent",
        rate_limited(0.05, "x-rate-limit-reset", "epoch"),
        {f"{X}01", f"{X}02", f"{X}03", f"{X}04"},
        (f"{X}03", f"{X}01", f"{X}02"),
        (f"{X}02", "783214", "@tom_rides", 52000),
        (f"{X}02", 420, 4, 65),
        {"reply": (f"{X}01", "reply"), "hide": (f"{X}03", "hide"), "remove": (f"{X}02", "hide")},
    ),
    Platform(
        "facebook",
        FakeGraph,
        {"objects": ["123"]},
        "GET /123/comments",
        rate_limited(0.05, "Retry-After", "seconds"),
        {"123_9001", "123_9002", "123_9003", "123_9004"},
        ("123_9002", "123", "123_9001"),
        ("123_9001", "5551", "", 0),
        ("123_9001", 14, 2, 0),
        {
            "reply": ("123_9001", "reply"),
            "hide": ("123_9003", "hide"),
            "remove": ("123_9003", "remove"),
        },
    ),
    Platform(
        "youtube",
        FakeYouTube,
        {"video_id": "dQw4w9WgXcQ"},
        "GET /youtube/v3/commentThreads",
        rate_limited(0.05, "Retry-After", "seconds"),
        {"UgzA1", "UgzA1.9R1", "UgzB2", "UgzC3"},
        ("UgzA1.9R1", "UgzA1", "UgzA1"),
        ("UgzA1", "UCmarie", "Marie", 0),
        ("UgzA1", 25, 1, 0),
        {"reply": ("UgzA1", "reply"), "hide": ("UgzC3", "hide"), "remove": ("UgzC3", "remove")},
    ),
    Platform(
        "reddit",
        FakeReddit,
        {"subreddit": "velorouge"},
        "GET /r/velorouge/new",
        rate_limited(0.05, "X-Ratelimit-Reset", "seconds"),
        {"t3_1g2a", "t3_1g2b", "t1_lq1", "t1_lq2"},
        ("t1_lq2", "t3_1g2a", "t1_lq1"),
        ("t1_lq1", "tom_r", "u/tom_r", 0),
        ("t3_1g2a", 57, 2, 0),
        {
            "reply": ("t3_1g2a", "reply"),
            "hide": ("t1_lq1", "remove"),
            "remove": ("t1_lq2", "remove"),
        },
    ),
]


@pytest.fixture(params=PLATFORMS, ids=[p.kind for p in PLATFORMS])
def platform(
    request: pytest.FixtureRequest, runtime: Runtime
) -> Iterator[tuple[Platform, Any, FakeServer]]:
    spec: Platform = request.param
    fake = spec.fake()
    with serving(fake) as server:
        fake.base = server.url
        add_channel(
            runtime, spec.kind, spec.kind, base_url=server.url, access_token=TOKEN, **spec.settings
        )
        yield spec, fake, server


def test_threads_arrive_with_authors_and_engagement_after_waiting_out_a_429(
    runtime: Runtime, platform: tuple[Platform, Any, FakeServer], listener: Callable[..., Listener]
) -> None:
    spec, _, server = platform
    server.fail(spec.listing, spec.limit)  # the platform's 429, with its own reset header
    report = listener(spec.kind).cycle()
    assert (report.polls[0].status, report.polls[0].new) == ("ok", len(spec.ids))
    assert len(server.calls(spec.listing)) >= 2  # asked again after the wait
    posts = posts_of(runtime, spec.kind)
    assert set(posts) == spec.ids
    post, thread, parent = spec.thread
    assert (posts[post].thread_id, posts[post].parent_id) == (thread, parent)
    post, author, handle, followers = spec.author
    assert (posts[post].author, posts[post].author_handle, posts[post].followers) == (
        author,
        handle,
        followers,
    )
    post, likes, replies, shares = spec.engagement
    assert (posts[post].likes, posts[post].replies, posts[post].shares) == (likes, replies, shares)


def test_new_items_are_paged_once_and_a_replay_adds_nothing(
    runtime: Runtime, platform: tuple[Platform, Any, FakeServer], listener: Callable[..., Listener]
) -> None:
    spec, fake, _ = platform
    fake.page_size = 2
    listening = listener(spec.kind)
    first = listening.cycle().polls[0].new
    fake.add(3)
    report = listening.cycle().polls[0]
    assert (report.status, report.new) == ("ok", 3) and report.pages >= 2
    assert listening.cycle().polls[0].new == 0
    with runtime.database.session() as session:  # the cursor is lost: everything comes again
        state.save_cursor(session, spec.kind, {}, 0)
    listening.cycle()
    assert len(posts_of(runtime, spec.kind)) == first + 3


def test_refused_credentials_show_in_the_health_and_not_the_token(
    runtime: Runtime, platform: tuple[Platform, Any, FakeServer], listener: Callable[..., Listener]
) -> None:
    spec, fake, _ = platform
    fake.token = "rotated"
    assert listener(spec.kind).cycle().polls[0].status == "unauthorized"
    health = health_of(runtime, spec.kind)
    assert health.status == "unauthorized" and TOKEN not in health.last_error
    assert health.settings["access_token"] == "***"


def test_a_malformed_item_is_rejected_and_the_others_land(
    runtime: Runtime, platform: tuple[Platform, Any, FakeServer], listener: Callable[..., Listener]
) -> None:
    spec, fake, _ = platform
    fake.break_one()
    report = listener(spec.kind).cycle().polls[0]
    assert report.rejected == 1 and report.new >= len(spec.ids) - 2


def test_reply_hide_and_remove_are_carried_out_once(
    runtime: Runtime, platform: tuple[Platform, Any, FakeServer]
) -> None:
    spec, fake, _ = platform
    now = utcnow()
    actions = {
        kind: OutboundAction(
            spec.kind, kind, target, {"text": "Merci, on regarde !"} if kind == "reply" else {}
        )
        for kind, (target, _) in spec.actions.items()
    }
    with runtime.database.session() as session:
        for kind, action in actions.items():
            outbox.enqueue(session, f"{spec.kind}:{kind}", action, now)
    dispatcher = Dispatcher(runtime.database)
    report = outbox.deliver_due(runtime.database, dispatcher, now)
    for kind, action in actions.items():
        dispatcher(f"{spec.kind}:{kind}", action)  # redelivered: nothing sent again
    dispatcher.close()
    assert (report.delivered, report.dead) == (3, 0)
    seen = [(verb, target) for verb, target, _ in fake.acted]
    assert seen == [(verb, target) for target, verb in spec.actions.values()]


def test_a_youtube_thread_with_more_replies_than_it_carries_is_read_whole(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    fake = FakeYouTube()
    fake.reply_page_size = 2
    marie = next(t for t in fake.threads if t["id"] == "UgzA1")
    carried = marie["replies"]["comments"][0]
    fake.more_replies["UgzA1"] = [carried]  # comments.list lists the carried one too
    for number in range(1, 4):
        reply = copy.deepcopy(carried)
        reply["id"] = f"UgzA1.more{number}"
        reply["snippet"]["textOriginal"] = f"moi aussi ({number})"
        fake.more_replies["UgzA1"].append(reply)
    marie["snippet"]["totalReplyCount"] = 4
    with serving(fake) as server:
        add_channel(runtime, "yt", "youtube", base_url=server.url, access_token=TOKEN, video_id="v")
        listener("yt").cycle()
        asked = server.calls("GET /youtube/v3/comments")
    posts = posts_of(runtime, "yt")
    assert {"UgzA1.more1", "UgzA1.more2", "UgzA1.more3", "UgzA1.9R1"} <= set(posts)
    assert {
        (posts[f"UgzA1.more{n}"].parent_id, posts[f"UgzA1.more{n}"].thread_id) for n in (1, 2, 3)
    } == {("UgzA1", "UgzA1")}
    assert [r.arg("pageToken") for r in asked] == [None, "2"]  # paged, asked for this thread only


def test_instagram_replies_are_asked_with_their_comments_and_point_at_them(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    fake = FakeGraph("instagram_comments.json")
    with serving(fake) as server:
        fake.base = server.url
        add_channel(
            runtime,
            "insta",
            "instagram",
            base_url=server.url,
            access_token=TOKEN,
            objects=["17895695668004550"],
        )
        assert listener("insta").cycle().polls[0].new == 2
        [listing] = server.calls("GET /17895695668004550/comments")
    assert "replies{" in (listing.arg("fields") or "")
    reply = posts_of(runtime, "insta")["17858893269000002"]
    assert (reply.thread_id, reply.parent_id) == ("17895695668004550", "17858893269000001")


def test_an_instagram_export_maps_comments_and_replies_and_imports_once(runtime: Runtime) -> None:
    add_channel(runtime, "insta", "instagram", objects=["17895695668004550"])
    export = PAYLOADS / "instagram_comments.json"
    first = import_export(runtime.database, "insta", export, runtime.limits)
    again = import_export(runtime.database, "insta", export, runtime.limits)
    assert (first.counts.new, again.counts.new, again.counts.unchanged) == (2, 0, 2)
    reply = posts_of(runtime, "insta")["17858893269000002"]
    assert (reply.thread_id, reply.parent_id) == ("17895695668004550", "17858893269000001")
    assert (reply.author_handle, reply.likes) == ("@tom.rides", 2)
