"""End to end on the bundled demo: the marketing lead's dashboard (API and console) and the
exported PDF show themes, praise vs improvement per product, the funnel and response times;
every number links to its posts."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gardien.actions import accounts
from gardien.app.runtime import Runtime
from gardien.cli.main import app as cli
from gardien.domain import utcnow
from gardien.web.app import create_app
from tests.insights.demo_judge import load_judged_demo

CATALOGUE = Path(__file__).parents[2] / "gardien/insights/catalogues/velo-rouge.yaml"
PERIOD = "since=2026-10-10&until=2026-11-20"


@pytest.fixture
def demo(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The judged demo, the catalogue loaded through the CLI, and Mara (marketing lead of
    'support') signed in by token."""
    url = runtime.database.engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("GARDIEN_DATABASE_URL", url)
    monkeypatch.setenv("GARDIEN_DATA_DIR", str(runtime.settings.data_dir))
    load_judged_demo(runtime)
    result = CliRunner().invoke(
        cli, ["report", "catalogue", "--community", "support", str(CATALOGUE)]
    )
    assert result.exit_code == 0, result.output
    assert "facts refreshed" in result.output
    with runtime.database.session() as session:
        now = utcnow()
        accounts.do_create_user(session, "mara", "correct horse battery", actor="test", now=now)
        accounts.do_grant_role(session, "mara", "support", "marketing_lead", actor="test", now=now)
        token = accounts.do_issue_token(session, "mara", "tests", actor="test", now=now)
    with TestClient(create_app(runtime), headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


def test_dashboard_api_shows_products_themes_funnel_and_response_times(demo: TestClient) -> None:
    body = demo.get(f"/api/v1/insights/support/dashboard?{PERIOD}").json()
    products = {p["name"]: p for p in body["products"]}
    assert products["VR Connect"]["complaints"] > products["VR Connect"]["praise"]
    assert any(p["praise"] > 0 for p in body["products"])
    assert len(body["themes"]) >= 3
    assert body["funnel"]["advocate"] > 0 and body["funnel"]["detractor"] > 0
    assert body["response"]["answered"] > 0 and body["response"]["median_minutes"] > 0
    assert demo.get(f"/api/v1/insights/les-rouleurs/dashboard?{PERIOD}").status_code == 404


def test_every_number_on_the_console_dashboard_links_to_its_posts(demo: TestClient) -> None:
    page = demo.get(f"/console/insights/support?{PERIOD}")
    assert page.status_code == 200
    for section in (
        "Praise vs improvement requests",
        "Themes",
        "Advocacy funnel",
        "Response times",
    ):
        assert section in page.text
    assert "<svg" in page.text and "Data table" in page.text
    link = re.search(
        r'href="(/console/insights/support/posts\?[^"]*product=VR\+Connect[^"]*)"', page.text
    )
    assert link is not None
    posts = demo.get(link.group(1).replace("&amp;", "&"))
    assert posts.status_code == 200 and "/console/posts/" in posts.text
    stage = demo.get("/console/insights/support/funnel?stage=detractor&until=2026-11-20")
    assert stage.status_code == 200 and "negative or complaint posts" in stage.text


def test_a_french_reader_gets_the_dashboard_in_french(demo: TestClient, runtime: Runtime) -> None:
    with runtime.database.session() as session:
        accounts.do_set_locale(session, "mara", "fr", actor="mara", now=utcnow())
    page = demo.get(f"/console/insights/support?{PERIOD}")
    assert page.status_code == 200
    for section in (
        "Éloges et demandes d",
        "Thèmes",
        "Parcours des ambassadeurs",
        "Temps de réponse",
    ):
        assert section in page.text
    assert "Tableau des données" in page.text and "Data table" not in page.text


def test_the_exported_pdf_shows_the_report(demo: TestClient, tmp_path: Path) -> None:
    assert shutil.which("pdftoppm"), "needs poppler-utils (`make test` installs it)"
    response = demo.get(f"/console/insights/support/report.pdf?{PERIOD}")
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for section in (
        "Praise vs improvement",
        "Themes",
        "Advocacy funnel",
        "Response times",
        "VR Connect",
    ):
        assert section in text
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 3 and all(page.stat().st_size > 5_000 for page in pages)
