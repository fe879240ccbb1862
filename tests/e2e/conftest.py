"""Browser tests: the real app served by Uvicorn on 127.0.0.1 (SQLite, a small named cast and
60 held posts), driven by Playwright through Debian's Chromium (`make test` installs it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, sync_playwright

from gardien.actions import accounts
from gardien.app.ingest import ingest_and_triage
from gardien.app.runtime import Runtime
from gardien.channels import webhook
from gardien.domain import Channel, Community, utcnow
from gardien.settings import Settings
from gardien.store import migrate
from gardien.store.communities import ensure_channel, ensure_community
from gardien.web.app import create_app
from tests.factories import jsonl, post

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
SHOTS = Path(__file__).parent / "screenshots"
HELD_POSTS = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(runtime: Runtime) -> None:
    """Communities velo and trail; ada (admin), mo and lea (moderators of velo), mara (marketing);
    60 insulting posts the policy holds for review, and a few harmless ones."""
    with runtime.database.session() as session:
        ensure_community(session, Community(slug="velo", name="Vélo", locales=("fr", "en")))
        ensure_community(session, Community(slug="trail", name="Trail", locales=("en",)))
        ensure_channel(session, Channel(name="forum", kind="file", community="velo"))
        ensure_channel(session, Channel(name="trail-forum", kind="file", community="trail"))
        now = utcnow()
        for name, admin, roles in [
            ("ada", True, {}),
            ("mo", False, {"velo": "moderator"}),
            ("lea", False, {"velo": "moderator"}),
            ("mara", False, {"velo": "marketing_lead"}),
        ]:
            accounts.do_create_user(session, name, PASSWORD, actor="test", now=now, is_admin=admin)
            for slug, role in roles.items():
                accounts.do_grant_role(session, name, slug, role, actor="test", now=now)
    runtime.refresh()
    records = [
        post(f"bad-{i}", f"Tu es un connard fini n°{i}, ferme-la", author=f"troll{i}")
        for i in range(HELD_POSTS)
    ] + [
        post("nice-1", "Super balade ce matin, merci à tous !", author="alice"),
        post("nice-2", "Quel pneu pour la pluie ?", author="bob", thread_id="nice-1"),
    ]
    body = jsonl(records)
    ingest_and_triage(runtime, "forum", "e2e", webhook.parse_body(body, runtime.limits))
    trail = jsonl([post("t-1", "Trail talk: new routes", author="tim")])
    ingest_and_triage(
        runtime, "trail-forum", "e2e-trail", webhook.parse_body(trail, runtime.limits)
    )


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The console on a free port of 127.0.0.1, in a thread; its base URL."""
    patch = pytest.MonkeyPatch()  # cheap hashing, as in tests/web (same code path)
    patch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    data = tmp_path_factory.mktemp("e2e")
    runtime = Runtime.start(Settings(data_dir=data, session_secret="e2e-secret"))
    migrate.upgrade(runtime.database)
    seed(runtime)
    port = free_port()
    config = uvicorn.Config(
        create_app(runtime), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
    )
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    runtime.database.dispose()
    patch.undo()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: `make test` installs it (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def sign_in(page: Page, server: str, username: str, then: str = "/console") -> None:
    page.goto(f"{server}/login?next={then}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server}{then}")


def shoot(page: Page, name: str) -> None:
    """Screenshots at desktop width and at a 390 px phone width."""
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"))
    size = page.viewport_size or {"width": 1280, "height": 900}
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / f"{name}-390.png"))
    page.set_viewport_size(size)
