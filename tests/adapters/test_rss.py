"""RSS/Atom, against a local server: a review site's RSS filtered by keywords, a news site's
Atom feed with an archive page, fetched conditionally; feeds refuse outbound actions."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from gardien.actions import outbox
from gardien.app.listen import Listener
from gardien.app.runtime import Runtime
from gardien.channels.dispatch import Dispatcher
from gardien.domain import OutboundAction, utcnow
from tests.adapters.conftest import add_channel, health_of, posts_of
from tests.adapters.fakes import PAYLOADS, FakeServer, Reply, Request, rate_limited, serving


class FakeFeeds:
    """Serves the feeds with an ETag and answers 304 when the reader already has it."""

    def __init__(self) -> None:
        self.etag = '"v1"'
        self.base = ""

    def __call__(self, request: Request) -> Reply:
        files = {
            "/reviews.rss": "reviews_rss.xml",
            "/news.atom": "news_atom_page1.xml",
            "/news-2.atom": "news_atom_page2.xml",
        }
        if request.path not in files:
            return Reply(404, {"error": "not found"})
        if request.headers.get("if-none-match") == self.etag:
            return Reply(304, headers={"ETag": self.etag})
        text = (PAYLOADS / files[request.path]).read_text().replace("{base}", self.base)
        return Reply(
            200,
            raw=text.encode(),
            headers={"Content-Type": "application/rss+xml", "ETag": self.etag},
        )


@pytest.fixture
def feeds(runtime: Runtime) -> Iterator[tuple[FakeFeeds, FakeServer]]:
    fake = FakeFeeds()
    with serving(fake) as server:
        fake.base = server.url
        add_channel(
            runtime, "avis", "rss", url=f"{server.url}/reviews.rss", keywords=["vélo rouge"]
        )
        add_channel(runtime, "actu", "atom", url=f"{server.url}/news.atom")
        yield fake, server


def test_review_entries_mentioning_the_brand_arrive_with_their_authors(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer], listener: Callable[..., Listener]
) -> None:
    report = listener("avis").cycle()
    assert (report.polls[0].status, report.polls[0].new) == ("ok", 2)
    posts = posts_of(runtime, "avis")
    assert sorted(posts) == ["avis-1001", "avis-1003"]  # "VELO ROUGE" matches "vélo rouge"
    cargo = posts["avis-1001"]
    assert (
        cargo.text == "Vélo Rouge Cargo : 4/5\n\nTrès bon vélo cargo, mais la béquille est fragile."
    )
    assert cargo.author_handle == "Jeanne D."
    assert posts["avis-1003"].author_handle == "Avis Cyclistes"  # no author: the feed's title


def test_an_unchanged_feed_costs_one_304_and_a_replay_adds_nothing(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer], listener: Callable[..., Listener]
) -> None:
    fake, server = feeds
    listening = listener("avis")
    listening.cycle()
    assert listening.cycle().polls[0].new == 0
    assert server.calls("GET /reviews.rss")[-1].headers["if-none-match"] == '"v1"'
    fake.etag = '"v2"'  # the feed is served again in full: the same entries
    assert listening.cycle().polls[0].new == 0
    assert len(posts_of(runtime, "avis")) == 2


def test_atom_archive_pages_are_followed(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer], listener: Callable[..., Listener]
) -> None:
    report = listener("actu").cycle()
    assert (report.polls[0].new, report.polls[0].pages) == (2, 2)
    recall = next(p for p in posts_of(runtime, "actu").values() if "Rappel" in p.text)
    assert recall.author == "redac@news.example"
    assert health_of(runtime, "actu").cursor == {"etag": '"v1"'}


def test_a_429_is_waited_out_and_a_broken_feed_stores_nothing(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer], listener: Callable[..., Listener]
) -> None:
    _, server = feeds
    server.fail("GET /reviews.rss", rate_limited(0.05, "Retry-After", "seconds"))
    assert listener("avis").cycle().polls[0].new == 2
    server.fail("GET /news.atom", Reply(200, raw=b"\x00\x01 not a feed <<<"))
    broken = listener("actu").cycle().polls[0]
    assert broken.status == "failing" and "not an RSS or Atom feed" in broken.error
    assert posts_of(runtime, "actu") == {}


def test_a_feed_refuses_actions_for_good(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer]
) -> None:
    now = utcnow()
    with runtime.database.session() as session:
        outbox.enqueue(session, "hide:avis", OutboundAction("avis", "hide", "avis-1003"), now)
    dispatcher = Dispatcher(runtime.database)
    assert outbox.deliver_due(runtime.database, dispatcher, now).dead == 1
    dispatcher.close()


def test_keywords_are_settings_not_credentials(
    runtime: Runtime, feeds: tuple[FakeFeeds, FakeServer]
) -> None:
    shown = health_of(runtime, "avis").settings
    assert shown["keywords"] == ["vélo rouge"] and shown["url"].endswith("/reviews.rss")
