"""The policy editor page: for the community's managers only, in their language, and usable
without JavaScript — an invalid file comes back with its line and nothing is saved."""

from __future__ import annotations

import html

from fastapi.testclient import TestClient

from tests.web.conftest import bearer, csrf_of, sign_in

PAGE = "/console/communities/velo/policy"
POLICY = """format: 1
community: velo
locale: fr
watched_words:
  lists:
    - name: insultes
      action: {action}
      terms: [connard]
"""


def test_only_the_communitys_managers_open_the_editor(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    page = app_client.get(PAGE, headers=bearer(cast["camille"]))
    assert page.status_code == 200
    assert 'id="policy-text"' in page.text and "shipped default" in page.text
    assert 'href="/console/policies"' in page.text
    assert app_client.get(PAGE, headers=bearer(cast["mo"])).status_code == 403
    assert app_client.get(PAGE, headers=bearer(cast["trina"])).status_code == 404
    listing = app_client.get("/console/policies", headers=bearer(cast["camille"]))
    assert listing.status_code == 200 and listing.url.path == PAGE


def test_without_javascript_an_invalid_file_comes_back_with_its_line(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    sign_in(app_client, "camille")
    token = csrf_of(app_client)
    bad = {"text": POLICY.format(action="explode"), "use": "live", "csrf_token": token}
    refused = app_client.post(PAGE, data=bad)
    assert refused.status_code == 422
    assert 'data-line="7"' in refused.text and "unknown action" in refused.text
    assert "explode" in refused.text  # the text is kept for fixing
    versions = app_client.get("/api/v1/communities/velo/policy/versions")
    assert versions.json() == []
    assert app_client.post(PAGE, data={**bad, "csrf_token": ""}).status_code == 403

    good = {**bad, "text": POLICY.format(action="hold"), "note": "hold insults"}
    checked = app_client.post(PAGE, data={**good, "use": "validate"})
    assert checked.status_code == 200 and "Valid: this file would be version velo@" in checked.text
    saved = app_client.post(PAGE, data=good, follow_redirects=False)
    assert saved.status_code == 303
    (live,) = app_client.get("/api/v1/communities/velo/policy/versions").json()
    assert live["live"] and live["note"] == "hold insults"
    assert saved.headers["location"] == f"{PAGE}?saved={live['version']}&use=live"


def test_the_editor_speaks_french(app_client: TestClient, cast: dict[str, str]) -> None:
    sign_in(app_client, "camille")
    app_client.post("/account/locale", data={"locale": "fr", "csrf_token": csrf_of(app_client)})
    page = app_client.get(PAGE)
    assert "Mettre en vigueur" in page.text and "Fichier de politique (YAML)" in page.text


def test_the_shipped_default_is_offered_as_the_communitys_own(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    sign_in(app_client, "camille")
    page = app_client.get(PAGE)
    text = page.text.split('id="policy-text"', 1)[1].split(">", 1)[1].split("</textarea>", 1)[0]
    assert "community: velo" in text
    form = {"text": html.unescape(text), "use": "validate"}
    checked = app_client.post(PAGE, data={**form, "csrf_token": csrf_of(app_client)})
    assert checked.status_code == 200, checked.text[:2000]


def test_a_version_saved_to_run_in_shadow_is_marked_and_can_be_stopped(
    app_client: TestClient, cast: dict[str, str]
) -> None:
    sign_in(app_client, "camille")
    form = {"use": "live", "csrf_token": csrf_of(app_client)}
    app_client.post(PAGE, data={**form, "text": POLICY.format(action="flag")})
    app_client.post(PAGE, data={**form, "text": POLICY.format(action="hold"), "use": "shadow"})
    page = app_client.get(PAGE)
    assert page.text.count('class="badge live"') == 1
    assert page.text.count('class="badge shadow"') == 1
    assert "0 posts judged in shadow, 0 as live." in page.text
    assert 'data-act="stop-shadow"' in page.text
    assert "action: flag" in page.text  # the editor shows the live text
