"""The review queue: claims keep two moderators off one item (also under real concurrency, on
SQLite and PostgreSQL), bulk verdicts, the author's similar posts, and the outbox across a crash."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from gardien.actions import outbox
from gardien.actions.members import Who
from gardien.actions.moderation import do_claim
from gardien.domain import OutboundAction, utcnow
from gardien.errors import ConflictError
from gardien.store.tables import OutboxRow
from tests.members.conftest import World, publish_code, rude


def test_the_queue_is_ordered_by_severity_then_age_with_the_authors_history(world: World) -> None:
    world.push(
        rude("mild", author="marie"),
        rude("worse", author="paul", text="Espèce de connard, va te faire foutre"),
        rude("held", author="zoe", text="Sale arabe, dégage"),
    )
    items = world.items()
    assert items[-1]["post"]["external_id"] == "mild"
    assert items == sorted(items, key=lambda i: (-i["severity"], i["id"]))
    detail = world.as_("ana").get(f"/api/v1/moderation/items/{world.item_of('held')['id']}")
    assert detail["post"]["reasons"][0]["action"] == "hold"
    assert detail["thread"][0]["text"] == "Sale arabe, dégage"
    assert detail["author"]["trust_name"] == "new" and detail["author"]["standing"] == "good"
    assert [p["text"] for p in detail["author"]["recent_posts"]] == ["Sale arabe, dégage"]


def test_a_claimed_item_answers_409_to_the_other_moderator(world: World) -> None:
    publish_code(world)
    world.push(rude("x1"))
    item = world.item_of("x1")["id"]
    ana, bruno = world.as_("ana"), world.as_("bruno")
    claim = ana.post(f"/api/v1/moderation/items/{item}/claim")
    assert claim["claimed_by"] == "user:ana"
    taken = bruno.post(f"/api/v1/moderation/items/{item}/claim", expect=409)
    assert taken["error"]["code"] == "conflict"
    assert taken["error"]["message"].startswith(f"item {item} is being handled by user:ana")
    bruno.post(f"/api/v1/moderation/items/{item}/actions", {"action": "approve"}, expect=409)
    ana.post(f"/api/v1/moderation/items/{item}/actions", {"action": "hide", "rule": "respect"})
    late = bruno.post(f"/api/v1/moderation/items/{item}/actions", {"action": "approve"}, expect=409)
    assert "already handled by user:ana (hidden)" in late["error"]["message"]


def test_two_concurrent_transactions_claim_one_item_and_one_wins(world: World) -> None:
    """Ana's transaction claims and has not committed when Bruno's starts: Bruno's UPDATE waits
    for the row, then finds it claimed (PostgreSQL row lock; SQLite's writer lock)."""
    world.push(rude("race"))
    item = world.item_of("race")["id"]
    database = world.runtime.database
    outcome: list[object] = []

    def bruno() -> None:
        try:
            with database.session() as session:
                do_claim(session, Who("user:bruno", utcnow()), item)
            outcome.append("claimed")
        except ConflictError as error:
            outcome.append(error)

    with database.session() as session:
        do_claim(session, Who("user:ana", utcnow()), item)
        other = threading.Thread(target=bruno)
        other.start()
        time.sleep(0.5)
        assert other.is_alive(), "Bruno's transaction should wait for Ana's"
    other.join(timeout=30)
    assert len(outcome) == 1 and isinstance(outcome[0], ConflictError)
    assert "being handled by user:ana" in str(outcome[0])
    assert world.item_of("race")["claimed_by"] == "user:ana"


def test_an_expired_claim_can_be_taken_over(world: World) -> None:
    world.push(rude("old"))
    item = world.item_of("old")["id"]
    with world.runtime.database.session() as session:
        do_claim(session, Who("user:ana", utcnow() - timedelta(minutes=30)), item)
    claim = world.as_("bruno").post(f"/api/v1/moderation/items/{item}/claim")
    assert claim["claimed_by"] == "user:bruno"


def test_bulk_verdicts_report_what_someone_else_holds(world: World) -> None:
    publish_code(world)
    world.push(rude("s1", author="spam1"), rude("s2", author="spam2"), rude("s3", author="spam3"))
    ids = [world.item_of(f"s{n}")["id"] for n in (1, 2, 3)]
    world.as_("bruno").post(f"/api/v1/moderation/items/{ids[1]}/claim")
    report = world.as_("ana").post(
        "/api/v1/moderation/bulk",
        {"community": "velo", "items": [*ids, 999], "action": "remove", "rule": "spam"},
    )
    assert [d["item"] for d in report["done"]] == [ids[0], ids[2]]
    assert [r["id"] for r in report["refused"]] == [ids[1], 999]
    assert "user:bruno" in report["refused"][0]["message"]


def test_a_decision_applies_to_the_authors_similar_posts_with_one_strike(world: World) -> None:
    publish_code(world)
    flood = "Espèce de connard, achetez mes vélos pas chers sur mon site, promo incroyable"
    world.push(
        rude("f1", text=flood),
        rude("f2", text=flood + " !"),
        rude("f3", text="Espèce de connard, rien à voir avec le reste de ce que je dis"),
    )
    first = world.item_of("f1")["id"]
    outcome = world.as_("ana").post(
        f"/api/v1/moderation/items/{first}/actions",
        {"action": "remove", "also": ["warn"], "rule": "spam", "similar": True},
    )
    removed = world.as_("ana").get("/api/v1/moderation/items", community="velo", status="removed")
    assert outcome["similar"] == [i["id"] for i in removed["items"] if i["id"] != first]
    assert [i["post"]["external_id"] for i in world.items()] == ["f3"]
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]
    assert member["strikes"] == 1


def test_a_crash_between_decision_and_delivery_loses_nothing(world: World) -> None:
    """The verdict commits with its outbound actions; the process dies while delivering; after
    the restart (the lease expired) each action is delivered exactly once."""
    publish_code(world)
    world.push(rude("k1"))
    item = world.item_of("k1")["id"]
    world.as_("ana").post(
        f"/api/v1/moderation/items/{item}/actions",
        {"action": "remove", "also": ["warn"], "rule": "respect"},
    )
    database, now = world.runtime.database, utcnow()

    def dies(key: str, action: OutboundAction) -> None:
        raise KeyboardInterrupt  # the process is killed mid-delivery

    with pytest.raises(KeyboardInterrupt):
        outbox.deliver_due(database, dies, now)
    delivered: list[tuple[str, str]] = []

    def record(key: str, action: OutboundAction) -> None:
        delivered.append((action.kind, action.target))

    later = now + outbox.LEASE + timedelta(seconds=1)
    first = outbox.deliver_due(database, record, later)
    again = outbox.deliver_due(database, record, later + timedelta(minutes=10))
    assert (first.delivered, again.delivered) == (3, 0)
    assert sorted(delivered) == [("notify", "troll"), ("notify", "troll"), ("remove", "k1")]
    with database.session() as session:
        assert set(session.scalars(select(OutboxRow.status))) == {"done"}


def test_moderators_of_another_community_see_nothing(world: World) -> None:
    world.push(rude("v1"))
    item = world.item_of("v1")["id"]
    assert world.as_("tess").get("/api/v1/moderation/items")["items"] == []
    world.as_("tess").get(f"/api/v1/moderation/items/{item}", expect=404)
    world.as_("tess").post(f"/api/v1/moderation/items/{item}/claim", expect=404)
    world.as_(None).get("/api/v1/moderation/items", expect=401)
