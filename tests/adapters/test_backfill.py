"""A channel's first run reads as much history as its backfill settings ask (backfill_days,
backfill_items), paging back through each platform's fake, resuming an interrupted walk from
its cursor, and then listens on from the newest post without ever pulling older history."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from tests.adapters.conftest import add_channel, health_of, posts_of
from tests.adapters.fake_discourse import API_KEY, FakeDiscourse
from tests.adapters.fake_mastodon import TOKEN as MASTO_TOKEN
from tests.adapters.fake_mastodon import FakeMastodon
from tests.adapters.fake_platforms import TOKEN, FakeGraph, FakeReddit, FakeX, FakeYouTube
from tests.adapters.fakes import PAYLOADS, Reply, Request, serving


def forum_with_history(days: int) -> FakeDiscourse:
    """A forum whose posts 600… were written one a day, the newest (600 + days - 1) half a day
    ago; the sample posts of October are older still."""
    fake = FakeDiscourse(page_size=5)
    now = utcnow()
    for age in range(days):
        when = (now - timedelta(days=age + 0.5)).isoformat().replace("+00:00", "Z")
        fake.add_post(600 + days - 1 - age, f"jour {age}", created_at=when)
    return fake


class Limited:
    """Wraps a fake: the listing page asked with `before` = `refuse` answers a long 429."""

    def __init__(self, fake: FakeDiscourse) -> None:
        self.fake = fake
        self.refuse: str | None = None

    def __call__(self, request: Request) -> Reply:
        asked = request.arg("before")
        if request.path == "/posts.json" and asked is not None and asked == self.refuse:
            return Reply(429, {"errors": ["slow down"]}, {"Retry-After": "3600"})
        return self.fake(request)


def discourse(runtime: Runtime, url: str, **settings: Any) -> None:
    add_channel(
        runtime,
        "rouleurs",
        "discourse",
        base_url=url,
        api_key=API_KEY,
        api_username="gardien",
        **settings,
    )


def test_a_forum_backfills_its_window_resumes_after_a_rate_limit_and_listens_on(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    limited = Limited(forum_with_history(20))  # posts 600 … 619, one a day
    with serving(limited) as server:
        discourse(runtime, server.url, backfill_days=10)
        listening = listener("rouleurs")
        limited.refuse = "610"  # the third page
        first = listening.cycle().polls[0]
        assert (first.status, first.new) == ("rate_limited", 10)  # 615–619, 610–614
        assert health_of(runtime, "rouleurs").cursor["backfill"]["token"] == "610"
        limited.refuse = None
        later = utcnow() + timedelta(hours=2)  # the platform's reset has passed
        resumed = listening.cycle(later).polls[0]
        assert (resumed.status, resumed.new) == ("ok", 0)  # 605–609 are out of the window
        assert server.calls("GET /posts.json")[-1].arg("before") == "610"
        assert health_of(runtime, "rouleurs").cursor == {"last_id": "619"}
        assert set(posts_of(runtime, "rouleurs")) == {str(n) for n in range(610, 620)}
        limited.fake.add_post(620, "le lendemain", created_at=utcnow().isoformat())
        assert listening.cycle(later + timedelta(hours=1)).polls[0].new == 1


def test_a_forum_backfills_at_most_its_item_count(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    with serving(forum_with_history(20)) as server:
        discourse(runtime, server.url, backfill_items=7)
        report = listener("rouleurs").cycle().polls[0]
    assert (report.new, report.pages) == (7, 2)
    assert set(posts_of(runtime, "rouleurs")) == {str(n) for n in range(613, 620)}


def test_without_backfill_settings_the_first_run_reads_the_newest_page_only(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    with serving(forum_with_history(20)) as server:
        discourse(runtime, server.url)
        assert listener("rouleurs").cycle().polls[0].new == 5


def test_a_nonsense_backfill_setting_is_a_clear_configuration_error(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    with serving(forum_with_history(3)) as server:
        discourse(runtime, server.url, backfill_days="a week")
        poll = listener("rouleurs").cycle().polls[0]
    assert poll.status == "misconfigured" and "backfill_days" in poll.error


def reddit_comment(fake: FakeReddit, name: str, created: float) -> None:
    thing = copy.deepcopy(fake.listings["comments"][0])
    thing["data"].update(id=name[3:], name=name, created_utc=created, body=f"commentaire {name}")
    fake.listings["comments"].append(thing)


@dataclass(frozen=True)
class History:
    kind: str
    make: Callable[[], Any]
    settings: dict[str, Any]
    kept: set[str]  # what the first run stores
    publish: Callable[[Any], None]  # one newer post appears


X = "18500000000000000"
HISTORIES = [
    History(
        "mastodon",
        FakeMastodon,
        {"access_token": MASTO_TOKEN, "page_limit": 2, "backfill_items": 3},
        {"109400000000000106", "109400000000000105", "109400000000000103"},
        lambda fake: fake.add_mention("109400000000000300", "43", "@velorouge et alors ?"),
    ),
    History(
        "twitter",
        FakeX,
        {"access_token": TOKEN, "query": "velorouge", "backfill_items": 3},
        {f"{X}04", f"{X}03", f"{X}02"},
        lambda fake: fake.add(1),
    ),
    History(
        "youtube",
        FakeYouTube,
        {"access_token": TOKEN, "video_id": "dQw4w9WgXcQ", "backfill_items": 2},
        {"UgzC3", "UgzB2"},
        lambda fake: fake.add(1),
    ),
    History(
        "reddit",
        FakeReddit,
        {"access_token": TOKEN, "subreddit": "velorouge", "backfill_items": 2},
        {"t3_1g2b", "t3_1g2a", "t1_n2", "t1_n1"},
        lambda fake: reddit_comment(fake, "t1_later", 1791200000.0),
    ),
]


@pytest.mark.parametrize("history", HISTORIES, ids=[h.kind for h in HISTORIES])
def test_newest_first_platforms_backfill_their_items_by_paging_then_listen_on(
    runtime: Runtime, history: History, listener: Callable[..., Listener]
) -> None:
    fake = history.make()
    fake.page_size = 1 if history.kind in {"youtube", "reddit"} else 2
    if history.kind == "reddit":
        for number in range(3):
            reddit_comment(fake, f"t1_n{number}", 1791100000.0 + number)
    with serving(fake) as server:
        fake.base = server.url
        add_channel(runtime, history.kind, history.kind, base_url=server.url, **history.settings)
        listening = listener(history.kind)
        first = listening.cycle().polls[0]
        assert (first.status, first.pages >= 2) == ("ok", True)
        assert set(posts_of(runtime, history.kind)) == history.kept
        assert not any(
            key.startswith("backfill") for key in health_of(runtime, history.kind).cursor
        )
        assert listening.cycle().polls[0].new == 0  # older history never comes afterwards
        history.publish(fake)
        assert listening.cycle().polls[0].new == 1


def test_facebook_skips_comments_older_than_the_window_then_and_afterwards(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    fake = FakeGraph()
    recent = (utcnow() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S+0000")
    fake.comments[3]["created_time"] = recent  # Lucie's comment is from yesterday
    with serving(fake) as server:
        fake.base = server.url
        add_channel(
            runtime,
            "fb",
            "facebook",
            base_url=server.url,
            access_token=TOKEN,
            objects=["123"],
            backfill_days=3,
        )
        listening = listener("fb")
        assert listening.cycle().polls[0].new == 1
        assert set(posts_of(runtime, "fb")) == {"123_9004"}
        assert "backfill_since" in health_of(runtime, "fb").cursor
        fake.add(1)  # a new comment, dated like the last one
        assert listening.cycle().polls[0].new == 1


def test_a_feed_keeps_only_its_newest_entries_at_the_first_run(
    runtime: Runtime, listener: Callable[..., Listener]
) -> None:
    def feed(request: Request) -> Reply:
        return Reply(200, raw=(PAYLOADS / "reviews_rss.xml").read_bytes(), headers={})

    with serving(feed) as server:
        add_channel(runtime, "avis", "rss", url=f"{server.url}/reviews.rss", backfill_items=1)
        listening = listener("avis")
        assert listening.cycle().polls[0].new == 1
        assert listening.cycle().polls[0].new == 0  # no ETag: read again, still cut
    assert len(posts_of(runtime, "avis")) == 1
