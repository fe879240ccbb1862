"""In a real browser, a care agent opens the inbox, opens Lena's complaint, takes the apology
draft in her language, edits it and sends it: the case shows the reply and its first response
time. Then assigns the case, routes it to a department and resolves it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from gardien.actions import accounts, care_setup
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.domain import Channel, Community, utcnow
from gardien.store.communities import ensure_channel, ensure_community
from tests.e2e.conftest import PASSWORD, shoot, sign_in
from tests.e2e.serving import serve
from tests.factories import jsonl, post

APOLOGY = {
    "en": "Hello {first_name}, I am sorry about this. I am looking into it now. {agent}, {brand}",
    "fr": "Bonjour {first_name}, désolée pour ce souci. Je regarde tout de suite. {agent}, {brand}",
}


def seed(runtime: Runtime) -> None:
    """Cara is a care agent of velo (manual assignment, a technical department, an apology
    template in English and French); Lena complained twenty minutes ago."""
    now = utcnow()
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr", "en")))
        ensure_channel(session, Channel(name="forum", kind="file", community="velo"))
        accounts.do_create_user(session, "cara", PASSWORD, actor="test", now=now)
        accounts.do_grant_role(session, "cara", "velo", "care_agent", actor="test", now=now)
        care_setup.do_set_care_settings(
            session, "velo", now, actor="test", assignment="manual", brand="Vélo Rouge"
        )
        care_setup.do_save_agent(session, "velo", "cara", now, actor="test", languages=["fr"])
        care_setup.do_save_department(session, "velo", "technical", now, actor="test")
        for language, text in APOLOGY.items():
            care_setup.do_save_template(
                session, "velo", "apology", language, text, now, actor="test"
            )
    runtime.refresh()
    lena = {"id": "lena", "handle": "@lena_rides", "name": "Lena Martin", "followers": 4200}
    complaint = post(
        "lena-1",
        "Mon vélo électrique est tombé en panne au bout de deux semaines, personne ne répond !",
        lena,
        created_at=(now - timedelta(minutes=20)).isoformat(),
        scores={"complaint": 0.93, "sentiment.negative": 0.9},
    )
    body = jsonl([complaint])
    ingest_and_triage(runtime, "forum", "e2e", webhook.parse_body(body, runtime.limits))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("care"), seed) as (url, _):
        yield url


def test_reply_to_a_case(page: Page, server: str) -> None:
    sign_in(page, server, "cara", then="/console/care")
    shoot(page, "care-inbox")
    page.get_by_role("link", name=re.compile("tombé en panne")).click()
    expect(page).to_have_url(re.compile(r"/console/care/cases/\d+$"))
    expect(page.locator("#first-response")).to_contain_text("No first response yet")
    page.get_by_role("button", name="Send reply").click()  # nothing written: refused in place
    expect(page.locator("#reply-error")).to_be_visible()

    page.get_by_label("Template").select_option("apology")
    page.get_by_role("button", name="Use this draft").click()
    reply = page.get_by_label("Reply text")
    expect(reply).to_have_value(re.compile(r"^Bonjour Lena, désolée"))
    expect(page.locator("#reply-error")).to_be_hidden()
    edited = reply.input_value() + "\nPouvez-vous m'envoyer votre numéro de commande ?"
    reply.fill(edited)
    shoot(page, "care-case-draft")
    page.get_by_role("button", name="Send reply").click()

    replies = page.locator("#replies > li")
    expect(replies).to_have_count(1)
    expect(replies.first).to_contain_text("numéro de commande")
    expect(replies.first).to_contain_text("cara")
    first = page.locator("#first-response")
    expect(first).to_contain_text(re.compile(r"First response after \d+ min"))
    expect(page.locator("#case-assignee")).to_have_text("cara")  # whoever answers takes it
    expect(page.get_by_role("button", name="Assign to me")).to_be_disabled()
    shoot(page, "care-case")

    page.get_by_label("Department", exact=True).select_option("technical")
    page.get_by_role("button", name="Route").click()
    expect(page.locator("#case-status")).to_have_text("waiting_department")
    page.get_by_label("Resolution note").fill("Battery replaced under warranty")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#case-status")).to_have_text("resolved")
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()
    page.get_by_label("Language").select_option("fr")  # the same page in French
    expect(page.get_by_role("heading", name=re.compile("^Dossier"))).to_be_visible()
    expect(page.get_by_role("button", name="Rouvrir")).to_be_visible()
    shoot(page, "care-case-fr")
