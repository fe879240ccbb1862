"""The care console pages render for a care agent, and the nav links to them."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from gardien.app.care import check_care
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from tests.care.conftest import as_, complaint, feed


def test_inbox_case_and_fires_pages(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    t0 = utcnow() - timedelta(minutes=40)
    post = complaint("lena", "My Rhône E7 battery caught fire", t0, "lena", followers=48_200)
    feed(care_runtime, [post])
    for minutes, likes in ((10, 30), (20, 150), (30, 500), (40, 1400)):
        at = (t0 + timedelta(minutes=minutes)).isoformat()
        feed(care_runtime, [dict(post, likes=likes, observed_at=at)], f"r{minutes}")
    check_care(care_runtime.database, utcnow())
    agent = as_(tokens["cara"])
    inbox = client.get("/console/care", headers=agent)
    assert inbox.status_code == 200
    assert 'href="/console/care"' in inbox.text and "velocity" in inbox.text
    (item,) = client.get("/api/v1/care/cases", headers=agent).json()["items"]
    case = client.get(f"/console/care/cases/{item['id']}", headers=agent)
    assert case.status_code == 200 and "caught fire" in case.text
    fires = client.get("/console/care/fires", headers=agent)
    assert f"case:{item['id']}" in fires.text
    assert client.get("/console/care/fires", headers=as_(tokens["tess"])).status_code == 403
