"""Discourse's user webhooks, signed as Discourse signs them, posted to the channel's events
route: Karim joins the forum, changes his name, is suspended and unsuspended there, silenced,
and deletes his account; Gardien keeps its author and member in step, once per event."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gardien.actions.audit import AuditFilter, search
from gardien.actions.members import Who, do_sanction
from gardien.app.runtime import Runtime
from gardien.channels.platforms.discourse import signature
from gardien.domain import utcnow
from gardien.pipeline.watched_words import policy_for
from gardien.store.tables import AuthorRow, OutboxRow
from gardien.store.tables_members import NoticeRow
from gardien.web.app import create_app
from tests.adapters.conftest import add_channel, posts_of
from tests.adapters.fakes import PAYLOADS
from tests.web.conftest import bearer

SECRET = "hook-secret-xyz"
KARIM = json.loads((PAYLOADS / "discourse_webhook_user.json").read_text())["user"]


@pytest.fixture
def client(runtime: Runtime) -> Iterator[TestClient]:
    add_channel(
        runtime,
        "rouleurs",
        "discourse",
        base_url="http://127.0.0.1:9",
        api_key="k-0123456789",
        api_username="gardien",
        webhook_secret=SECRET,
    )
    with TestClient(create_app(runtime)) as test_client:
        yield test_client


def send(client: TestClient, event: str, secret: str = SECRET, **changes: Any) -> Any:
    """Post Karim's user event as Discourse does: `{"user": …}`, signed with the secret."""
    user = {**copy.deepcopy(KARIM), **changes}
    body = json.dumps({"user": {k: v for k, v in user.items() if v is not ...}}).encode()
    answer = client.post(
        "/api/v1/channels/rouleurs/events",
        content=body,
        headers={
            "X-Discourse-Event-Type": "user",
            "X-Discourse-Event": event,
            "X-Discourse-Event-Signature": signature(secret, body),
        },
    )
    return answer


def changes_of(answer: Any) -> list[str]:
    assert answer.status_code == 200, answer.text
    [person] = answer.json()["people"]
    return list(person["changes"])


def member_file(client: TestClient, cast: dict[str, str], member_id: int) -> Any:
    answer = client.get(f"/api/v1/members/{member_id}", headers=bearer(cast["mo"]))
    assert answer.status_code == 200, answer.text
    return answer.json()


def platform_entries(runtime: Runtime) -> list[Any]:
    with runtime.database.session() as session:
        return [entry for _, entry in search(session, AuditFilter(action="member.platform"))]


def test_a_new_forum_user_becomes_a_member_once_and_a_renaming_follows(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    created = send(client, "user_created")
    assert changes_of(created) == ["new member"]
    member_id = created.json()["people"][0]["member_id"]
    assert changes_of(send(client, "user_created")) == []  # delivered again: nothing new
    file = member_file(client, cast, member_id)
    assert file["identities"] == [
        {"member_id": member_id, "channel": "rouleurs", "external_id": "13", "handle": "karim"}
    ]
    renamed = send(client, "user_updated", username="karim_v", name="Karim V.")
    assert changes_of(renamed) == ["handle 'karim' → 'karim_v'", "name changed"]
    assert member_file(client, cast, member_id)["identities"][0]["handle"] == "karim_v"
    with runtime.database.session() as session:
        author = session.query(AuthorRow).filter_by(external_id="13").one()
        assert (author.display_name, author.extra["trust_level"]) == ("Karim V.", 1)
        assert author.extra["email"] == "karim@example.org" and "verified" not in author.extra
    confirmed = send(client, "user_confirmed_email", username="karim_v", name="Karim V.")
    assert changes_of(confirmed) == ["profile: verified"]
    entries = platform_entries(runtime)
    assert [e.detail["event"] for e in entries] == [
        "user_confirmed_email",
        "user_updated",
        "user_created",
    ]
    assert {e.actor for e in entries} == {"channel:rouleurs"}


def test_a_suspension_on_the_forum_shows_in_the_standing_without_echo_and_lifts_with_it(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    send(client, "user_created")
    until = (utcnow() + timedelta(days=30)).replace(microsecond=0)
    stamp = until.isoformat().replace("+00:00", "Z")
    suspended = send(client, "user_suspended", suspended_till=stamp, suspend_reason="Spam répété")
    [change] = changes_of(suspended)
    assert change.startswith("suspend ") and "on the platform" in change
    member_id = suspended.json()["people"][0]["member_id"]
    file = member_file(client, cast, member_id)
    assert (file["standing"], file["active_strikes"]) == ("suspended", 0)
    [sanction] = file["sanctions"]
    assert (sanction["created_by"], sanction["rule"], sanction["note"]) == (
        "channel:rouleurs",
        "platform",
        "Spam répété",
    )
    assert sanction["strike"] is False and sanction["ends_at"].startswith(stamp[:19])
    with runtime.database.session() as session:  # nothing sent back, no notice: the forum did it
        assert session.query(OutboxRow).count() == 0
        assert session.query(NoticeRow).count() == 0
    assert changes_of(send(client, "user_suspended", suspended_till=stamp)) == []
    assert changes_of(send(client, "user_updated", suspended_till=stamp)) == []
    lifted = send(client, "user_unsuspended")
    assert changes_of(lifted) == [f"suspend {sanction['id']} lifted"]
    assert member_file(client, cast, member_id)["standing"] == "good"
    assert changes_of(send(client, "user_unsuspended")) == []
    assert len(platform_entries(runtime)) == 3  # created, suspended, lifted


def test_a_suspension_for_good_is_a_ban(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    answer = send(client, "user_suspended", suspended_till="3025-12-04T10:00:00.000Z")
    [new, change] = changes_of(answer)  # a user first heard of when suspended
    assert new == "new member"
    assert change.startswith("ban ")
    file = member_file(client, cast, answer.json()["people"][0]["member_id"])
    assert (file["standing"], file["sanctions"][0]["ends_at"]) == ("banned", None)


def test_the_forums_echo_of_a_gardien_suspension_changes_nothing_and_gardiens_outlives_a_lift(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    member_id = send(client, "user_created").json()["people"][0]["member_id"]
    now = utcnow()
    policy = policy_for(runtime.context(), "velo")
    with runtime.database.session() as session:
        mine = do_sanction(
            session, Who("user:mo", now), policy, member_id, "suspend", "spam", cited=False
        )
        mine_id = mine.id
    until = (now + timedelta(days=7)).isoformat().replace("+00:00", "Z")
    assert changes_of(send(client, "user_suspended", suspended_till=until)) == []  # the echo
    assert [s["id"] for s in member_file(client, cast, member_id)["sanctions"]] == [mine_id]
    lifted = changes_of(send(client, "user_unsuspended"))  # a forum admin lifted it by hand
    assert lifted == [f"lifted on the platform; Gardien's {mine_id} stays"]
    assert member_file(client, cast, member_id)["standing"] == "suspended"
    assert changes_of(send(client, "user_unsuspended")) == []
    [entry, *_] = platform_entries(runtime)
    assert entry.detail["gardien_sanctions_still_active"] == [mine_id]


def test_a_silence_read_from_the_user_payload_mutes_and_its_end_lifts(
    runtime: Runtime, client: TestClient, cast: dict[str, str]
) -> None:
    send(client, "user_created")
    until = (utcnow() + timedelta(days=2)).isoformat().replace("+00:00", "Z")
    silenced = send(client, "user_updated", silenced_till=until, silence_reason="Ton agressif")
    [change] = changes_of(silenced)
    member_id = silenced.json()["people"][0]["member_id"]
    assert change.startswith("mute ")
    assert member_file(client, cast, member_id)["standing"] == "muted"
    assert changes_of(send(client, "user_updated", silenced_till=until)) == []
    assert changes_of(send(client, "user_updated")) == []  # no silenced_till: nothing said
    assert member_file(client, cast, member_id)["standing"] == "muted"
    [lift] = changes_of(send(client, "user_updated", silenced_till=None))
    assert lift.startswith("mute ") and lift.endswith("lifted")
    assert member_file(client, cast, member_id)["standing"] == "good"


def test_a_deleted_forum_account_is_marked_and_its_posts_are_kept(
    runtime: Runtime, client: TestClient
) -> None:
    body = (PAYLOADS / "discourse_webhook_post_created.json").read_bytes()  # Karim's post
    client.post(
        "/api/v1/channels/rouleurs/events",
        content=body,
        headers={
            "X-Discourse-Event": "post_created",
            "X-Discourse-Event-Signature": signature(SECRET, body),
        },
    )
    assert "deleted on the platform" in changes_of(send(client, "user_destroyed"))
    assert changes_of(send(client, "user_destroyed")) == []
    with runtime.database.session() as session:
        author = session.query(AuthorRow).filter_by(external_id="13").one()
        assert "deleted_on_platform_at" in author.extra
    assert set(posts_of(runtime, "rouleurs")) == {"505"}


def test_forged_and_malformed_user_events_are_refused_and_change_nothing(
    runtime: Runtime, client: TestClient
) -> None:
    forged = send(client, "user_suspended", secret="guess", suspended_till="3025-01-01T00:00:00Z")
    assert forged.status_code == 401
    nameless = send(client, "user_created", id=...)
    assert nameless.status_code == 422 and "user with an id" in nameless.text
    other = send(client, "user_badge_granted")  # not a user event Gardien records
    assert other.status_code == 200 and other.json()["people"] == []
    with runtime.database.session() as session:
        assert session.query(AuthorRow).filter_by(external_id="13").count() == 0
