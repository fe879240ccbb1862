"""The pages without an account: an applicant fills in the form, a sanctioned member reads why
and appeals; a moderator reads a member's file."""

from __future__ import annotations

from tests.members.conftest import World, publish_code, rude


def test_an_applicant_uses_the_public_form(world: World) -> None:
    publish_code(world)
    world.as_("camille").put(
        "/api/v1/communities/velo/application-form",
        {"questions": [{"id": "why", "label": {"fr": "Pourquoi ?", "en": "Why?"}}]},
    )
    page = world.client.get("/join/velo?language=fr")
    assert (
        page.status_code == 200
        and "Pourquoi ?" in page.text
        and "Respectez les autres" in page.text
    )
    form = {
        "handle": "ines",
        "email": "ines@example.org",
        "language": "fr",
        "version": "1",
        "answer_why": "Je roule tous les jours",
    }
    refused = world.client.post("/join/velo", data=form)
    assert refused.status_code == 400 and "accept the code of conduct" in refused.text
    done = world.client.post("/join/velo", data=form | {"accept": "yes"})
    assert done.status_code == 200 and "your application was received" in done.text
    queued = world.as_("camille").get("/api/v1/applications", community="velo")["items"]
    assert [(a["handle"], a["language"], a["answers"]) for a in queued] == [
        ("ines", "fr", {"why": "Je roule tous les jours"})
    ]


def test_a_sanctioned_member_reads_why_and_appeals_then_a_moderator_reads_the_file(
    world: World,
) -> None:
    publish_code(world)
    world.push(rude("p1"))
    world.as_("ana").post(
        f"/api/v1/moderation/items/{world.item_of('p1')['id']}/actions",
        {"action": "hide", "rule": "respect"},
    )
    member = world.as_("ana").get("/api/v1/members", community="velo")["items"][0]["id"]
    notice = world.as_("ana").get(f"/api/v1/members/{member}")["notices"][0]
    token = notice["body"].split("/appeal/", 1)[1].split()[0]
    page = world.client.get(f"/appeal/{token}")
    assert page.status_code == 200 and "Espèce de connard" in page.text and "respect" in page.text
    sent = world.client.post(f"/appeal/{token}", data={"text": "Je regrette, c'était un jeu"})
    assert sent.status_code == 200 and "another moderator will decide" in sent.text
    again = world.client.post(f"/appeal/{token}", data={"text": "encore"})
    assert again.status_code == 400 and "already been appealed" in again.text
    assert world.client.get("/appeal/not-a-real-token").status_code == 404

    file = world.client.get(
        f"/console/members/{member}", headers={"Authorization": f"Bearer {world.as_('ana').token}"}
    )
    assert file.status_code == 200 and "hide" in file.text and "Je regrette" in file.text
    other = world.client.get(
        f"/console/members/{member}", headers={"Authorization": f"Bearer {world.as_('tess').token}"}
    )
    assert other.status_code == 404
