"""In a real browser, a community manager edits the policy: an unknown action is refused in place
with its line, nothing is saved; fixed, the dry run shows what it would change, and once saved
the versions list shows the new live version."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from gardien.actions import accounts
from gardien.actions.policies import do_save_policy
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.domain import Channel, Community, utcnow
from gardien.store.communities import ensure_channel, ensure_community
from tests.e2e.conftest import PASSWORD, shoot, sign_in
from tests.e2e.serving import serve
from tests.factories import jsonl, post

POLICY = """format: 1
community: velo
name: Vélo
locale: fr

watched_words:
  lists:
    - name: insultes
      locale: fr
      action: flag
      terms: [connard, abruti]
"""


def seed(runtime: Runtime) -> None:
    """Camille manages velo, whose live policy only flags two insults; three posts are stored."""
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr",)))
        ensure_channel(session, Channel(name="forum", kind="file", community="velo"))
        now = utcnow()
        accounts.do_create_user(session, "camille", PASSWORD, actor="test", now=now)
        accounts.do_grant_role(
            session, "camille", "velo", "community_manager", actor="test", now=now
        )
        do_save_policy(session, "velo", POLICY, "user:camille", now, "live", "first rules")
    runtime.refresh()
    records = [
        post(
            "p-1",
            "Quel connard ce livreur, il a encore laissé mon colis sous la pluie",
            author="ana",
        ),
        post("p-2", "Espèce d'abruti, lis donc la notice avant de répondre", author="ben"),
        post("p-3", "Belle sortie dimanche matin avec le club, merci à tous !", author="cleo"),
    ]
    ingest_and_triage(runtime, "forum", "e2e", webhook.parse_body(jsonl(records), runtime.limits))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("policy"), seed) as (url, _):
        yield url


def test_edit_a_policy_and_see_a_validation_error(page: Page, server: str) -> None:
    sign_in(page, server, "camille", then="/console/communities/velo/policy")
    expect(page.get_by_role("heading", name=re.compile("Policy · velo"))).to_be_visible()
    versions = page.locator("#versions li")
    expect(versions).to_have_count(1)
    expect(versions.first.locator(".badge.live")).to_be_visible()
    editor = page.get_by_label("Policy file (YAML)")
    editor.fill(POLICY.replace("action: flag", "action: explode"))
    page.get_by_role("button", name="Validate").click()
    error = page.locator("#policy-error")
    expect(error).to_contain_text("unknown action 'explode'")
    expect(error.get_by_role("link", name="Line 10")).to_be_visible()
    expect(page.locator("#policy-gutter .bad")).to_have_text("10")
    shoot(page, "policy-error")
    page.get_by_role("button", name="Save as live").click()  # refused too: nothing changes
    expect(error).to_contain_text("unknown action 'explode'")
    expect(versions).to_have_count(1)
    error.get_by_role("link", name="Line 10").click()
    assert page.evaluate("document.activeElement.id") == "policy-text"

    editor.fill(POLICY.replace("action: flag", "action: hold"))
    page.get_by_role("button", name="Validate").click()
    expect(page.locator("#policy-ok")).to_contain_text("Valid")
    expect(error).to_be_hidden()
    page.get_by_role("button", name="Dry run").click()
    report = page.locator("#dry-run")
    expect(report).to_be_visible()
    expect(page.locator("#blocked-count")).to_have_text("(2)")
    expect(page.locator("#dry-run-blocked")).to_contain_text("abruti")
    expect(page.locator("#dry-run-counts")).to_contain_text("hold")
    report.scroll_into_view_if_needed()
    shoot(page, "policy-dry-run")

    page.get_by_label("Note (why this change)").fill("hold insults")
    page.get_by_role("button", name="Save as live").click()
    expect(page.locator("p.policy-ok")).to_contain_text("Saved version")
    expect(versions).to_have_count(2)
    newest = versions.first
    expect(newest.locator(".badge.live")).to_be_visible()
    expect(newest).to_contain_text("hold insults")
    expect(versions.nth(1).locator(".badge")).to_have_count(0)
    expect(editor).to_have_value(re.compile("action: hold"))
    shoot(page, "policy")

    editor.fill(POLICY.replace("action: flag", "action: block"))
    page.get_by_role("button", name="Run in shadow").click()
    expect(versions).to_have_count(3)
    expect(versions.first.locator(".badge.shadow")).to_be_visible()
    expect(page.locator("p.policy-ok")).to_contain_text("runs in shadow")
    expect(page.locator(".shadow-run")).to_contain_text("posts judged in shadow")
    expect(editor).to_have_value(re.compile("action: hold"))  # the live text, still
    shoot(page, "policy-shadow")
    page.get_by_role("button", name="Stop the shadow run").click()
    expect(page.locator(".shadow-run")).to_have_count(0)
    expect(page.locator("#versions .badge.shadow")).to_have_count(0)
