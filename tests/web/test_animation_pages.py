"""Events and giveaways from the console: the community manager creates an event, records RSVPs
and attendance, runs a giveaway from draft to draw with plain forms; the marketing lead reads;
another community's manager gets "not found". The draw verifies from its public document."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from gardien.app.runtime import Runtime
from gardien.insights.giveaway import verify
from tests.insights.cast import forum_week
from tests.web.conftest import bearer, csrf_of, sign_in

SOON = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
LATER = (datetime.now(UTC) + timedelta(days=3, hours=2)).strftime("%Y-%m-%dT%H:%M")


def send(client: TestClient, path: str, **fields: Any) -> Any:
    data = {"csrf_token": csrf_of(client), **fields}
    return client.post(path, data=data, follow_redirects=False)


def test_a_manager_runs_an_event_from_the_console(
    runtime: Runtime, app_client: TestClient, cast: dict[str, str]
) -> None:
    forum_week(runtime)  # @ana, @bruno, @chloe … are members of velo
    sign_in(app_client, "camille")
    base = "/console/insights/velo"
    page = app_client.get(f"{base}/animation")
    assert page.status_code == 200 and f'action="{base}/events"' in page.text
    wrong = send(app_client, f"{base}/events", title="Sortie", starts_at="demain", ends_at=LATER)
    assert wrong.status_code == 400 and "write a date and time" in wrong.text
    assert 'value="Sortie"' in wrong.text  # what was typed comes back
    made = send(
        app_client,
        f"{base}/events",
        title="Sortie nocturne",
        starts_at=SOON,
        ends_at=LATER,
        channel="forum",
    )
    assert made.status_code == 303
    event = made.headers["location"]
    assert "Event created." in app_client.get(event).text
    assert send(app_client, f"{event}/rsvps", handle="@ana", status="going").status_code == 303
    send(app_client, f"{event}/rsvps", handle="@bruno", status="maybe")
    assert send(app_client, f"{event}/attendance", handle="@chloe").status_code == 303
    unknown = send(app_client, f"{event}/rsvps", handle="@nobody", status="going")
    assert unknown.status_code == 400 and "no member" in unknown.text

    event_id = int(event.rsplit("/", 1)[1])
    twin = app_client.get(f"/api/v1/insights/events/{event_id}", headers=bearer(cast["mara"]))
    body = twin.json()
    assert (body["going"], body["maybe"], body["attended"]) == (2, 1, 1)  # chloé came unasked
    assert {r["handle"]: r["status"] for r in body["rsvps"]} == {
        "@ana": "going",
        "@bruno": "maybe",
        "@chloe": "going",
    }
    listed = app_client.get("/api/v1/insights/velo/events", headers=bearer(cast["mara"])).json()
    assert [e["title"] for e in listed] == ["Sortie nocturne"]

    # The marketing lead reads, without forms; acting is the manager's.
    read = app_client.get(event, headers=bearer(cast["mara"]))
    assert read.status_code == 200 and "@bruno" in read.text and "/rsvps" not in read.text
    assert (
        app_client.post(
            f"{event}/rsvps", data={"handle": "@ana"}, headers=bearer(cast["mara"])
        ).status_code
        == 403
    )
    # Another community's manager: not found, for the page and the form.
    assert app_client.get(event, headers=bearer(cast["trina"])).status_code == 404
    assert (
        app_client.post(
            f"{event}/attendance", data={"handle": "@ana"}, headers=bearer(cast["trina"])
        ).status_code
        == 404
    )


def test_a_manager_runs_a_giveaway_from_draft_to_draw(
    runtime: Runtime, app_client: TestClient, cast: dict[str, str]
) -> None:
    forum_week(runtime)
    sign_in(app_client, "camille")
    base = "/console/insights/velo"
    past = send(app_client, f"{base}/giveaways", title="Selle", closes_at="2020-01-01T10:00")
    assert past.status_code == 400 and "entries must close in the future" in past.text
    made = send(
        app_client,
        f"{base}/giveaways",
        title="Une selle à gagner",
        prize="Selle Brooks",
        closes_at=SOON,
        winners="1",
        exclude_sanctioned="yes",
    )
    assert made.status_code == 303
    page = made.headers["location"]
    assert "commit its seed next" in app_client.get(page).text
    early = send(app_client, f"{page}/entries", handle="@ana")
    assert early.status_code == 400 and "entries are not open" in early.text
    assert send(app_client, f"{page}/commit", channel="forum").status_code == 303
    for handle in ("@ana", "@bruno"):
        assert send(app_client, f"{page}/entries", handle=handle).status_code == 303
    twice = send(app_client, f"{page}/entries", handle="@ana")
    assert twice.status_code == 409 and "already entered" in twice.text
    assert send(app_client, f"{page}/close", channel="forum").status_code == 303
    drawn = send(app_client, f"{page}/draw", channel="forum")
    assert drawn.status_code == 303
    shown = app_client.get(page).text
    assert "the winners named" in shown and "Revealed seed" in shown

    giveaway_id = int(page.rsplit("/", 1)[1])
    document = app_client.get(
        f"/api/v1/insights/giveaways/{giveaway_id}", headers=bearer(cast["mara"])
    ).json()
    assert document["status"] == "drawn" and len(document["entries"]) == 2
    assert verify(document).ok
    assert document["winner_handles"][0] in shown
    listed = app_client.get("/api/v1/insights/velo/giveaways", headers=bearer(cast["mara"]))
    assert [g["id"] for g in listed.json()] == [giveaway_id]
    assert app_client.get(page, headers=bearer(cast["trina"])).status_code == 404


def test_the_animation_pages_speak_french(app_client: TestClient, cast: dict[str, str]) -> None:
    sign_in(app_client, "camille")
    app_client.post("/account/locale", data={"locale": "fr", "csrf_token": csrf_of(app_client)})
    page = app_client.get("/console/insights/velo/animation").text
    assert "Nouvel événement" in page and "Nouveau jeu concours" in page
