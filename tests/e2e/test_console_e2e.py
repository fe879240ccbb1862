"""In a real browser: sign in, work the queue with the keyboard alone, open a post and see why it
was held, watch another moderator's claim arrive live, and screenshot every main page."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import HELD_POSTS, shoot, sign_in


def test_sign_in_page_refuses_a_wrong_password_then_lets_in(page: Page, server: str) -> None:
    page.goto(f"{server}/console")
    expect(page).to_have_url(re.compile(r"/login\?next=/console$"))
    shoot(page, "login")
    page.get_by_label("Username").fill("mo")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    sign_in(page, server, "mo")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.locator(".card")).to_have_count(1)  # velo only, not trail
    shoot(page, "overview")


def test_open_a_post_and_see_why_it_was_held(page: Page, server: str) -> None:
    sign_in(page, server, "mo", then="/console/queue")
    expect(page.locator("li.item.current")).to_have_count(1)
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(r"/console/posts/\d+$"))
    why = page.locator("section.why")
    expect(why).to_contain_text("moderation")
    expect(why).to_contain_text("watched word")
    expect(page.locator(".post-text mark").first).to_be_visible()
    shoot(page, "post")


def test_two_moderators_see_each_others_claims_live(browser: Browser, server: str) -> None:
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(2)]
    mo, lea = (context.new_page() for context in contexts)
    sign_in(mo, server, "mo", then="/console/queue")
    sign_in(lea, server, "lea", then="/console/queue")
    first = mo.locator("li.item.current")
    item_id = first.get_attribute("id")
    lea.wait_for_timeout(300)  # let lea's event stream connect
    mo.keyboard.press("c")
    expect(lea.locator(f"#{item_id} [data-claim]")).to_contain_text("held by mo", timeout=8000)
    shoot(lea, "queue-claimed")
    mo.keyboard.press("c")  # and give it back
    expect(lea.locator(f"#{item_id} [data-claim]")).to_have_text("", timeout=8000)
    for context in contexts:
        context.close()


def test_a_moderator_clears_fifty_items_with_the_keyboard_alone(page: Page, server: str) -> None:
    sign_in(page, server, "lea", then="/console/queue")
    shoot(page, "queue")
    remaining = page.locator("li.item:not(.done)")
    start = remaining.count()
    assert start >= 49
    page.keyboard.press("x")  # select the first item and the next: a bulk approval
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("#bulk")).to_be_visible()
    page.keyboard.press("a")
    expect(remaining).to_have_count(start - 2)
    cleared = 2
    while cleared < 50 and remaining.count():
        current = page.locator("li.item.current")
        item_id = current.get_attribute("id")
        page.keyboard.press("a")
        expect(page.locator(f"#{item_id}")).to_be_hidden()
        cleared += 1
    assert cleared == 50, f"cleared {cleared} of {HELD_POSTS}"
    expect(page.locator("#status")).to_contain_text("done")


def test_admin_pages_and_french(page: Page, server: str) -> None:
    sign_in(page, server, "ada", then="/console/users")
    expect(page.get_by_role("heading", name="Users and roles")).to_be_visible()
    shoot(page, "users")
    page.goto(f"{server}/console/audit?action=user.sign_in")
    expect(page.locator("table.log tbody tr").first).to_contain_text("user.sign_in")
    shoot(page, "audit")
    page.goto(f"{server}/console/posts")
    shoot(page, "posts")
    page.get_by_label("Language").select_option("fr")
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    page.goto(f"{server}/console")
    expect(page.get_by_role("heading", name="Vue d'ensemble")).to_be_visible()
    page.get_by_label("Langue").select_option("en")


def test_marketing_lead_sees_no_queue(page: Page, server: str) -> None:
    sign_in(page, server, "mara")
    expect(page.get_by_role("link", name="Moderation queue")).to_have_count(0)
    response = page.goto(f"{server}/console/queue")
    assert response is not None and response.status == 403


def test_the_queue_works_without_javascript(browser: Browser, server: str) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, server, "mo", then="/console/queue")
    item = page.locator("li.item").first
    item_id = item.get_attribute("id") or ""
    remove = item.get_by_role("button", name=re.compile("^Remove"))
    item.locator("select.rule").select_option("")
    remove.click()  # a plain form post: no rule chosen, so the reason comes back in place
    expect(page.locator(f"#error-{item_id[5:]}")).to_contain_text("choose the rule broken")
    item = page.locator(f"#{item_id}")
    item.locator("select.rule").select_option(index=1)
    item.get_by_role("button", name=re.compile("^Remove")).click()
    expect(page.locator(".flash")).to_contain_text("removed.")
    expect(page.locator(f"#{item_id}")).to_have_count(0)
    shoot(page, "queue-no-js")
    context.close()
