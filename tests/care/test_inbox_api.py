"""The care inbox through the API: cases ordered by risk and SLA with the score's parts, a post
whose engagement accelerates overtaking older cases, and who may see what."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from gardien.app.care import check_care
from gardien.app.runtime import Runtime
from gardien.domain import utcnow
from tests.care.conftest import as_, complaint, feed

PARTS = ["reach", "velocity", "acceleration", "negativity", "severity", "echo"]


def test_inbox_orders_cases_by_risk_and_sla_and_shows_the_parts(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    now = utcnow()
    feed(
        care_runtime,
        [
            complaint("quiet", "My Urbaine 3 bell squeaks", now - timedelta(minutes=5), "quinn"),
            complaint("famous", "My Rhône E7 died, Case #58213", now, "lena", followers=48_200),
            complaint("dm", "Refund still missing", now, "dora", followers=48_200,
                      visibility="private"),
        ],
    )  # fmt: skip
    page = client.get("/api/v1/care/cases", headers=as_(tokens["cara"])).json()
    # A direct message cannot spread by itself: even from a big account it ranks below a
    # public grumble.
    assert [case["author"] for case in page["items"]] == ["lena", "quinn", "dora"]
    first = page["items"][0]
    assert [part["name"] for part in first["parts"]] == PARTS
    assert abs(first["risk"] - sum(part["points"] for part in first["parts"])) < 0.05
    assert first["product"] == "Rhône E7"
    assert first["sla_state"] == "ok" and first["sla_minutes_left"] > 0
    assert first["rank"] >= first["risk"]


def test_a_post_whose_engagement_accelerates_overtakes_older_cases(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    t0 = utcnow() - timedelta(minutes=115)
    older = [
        complaint("old1", "Delivery late again", t0 - timedelta(hours=1), "olga", 20_000),
        complaint("old2", "Still no refund", t0 - timedelta(minutes=30), "oscar", 12_000),
    ]
    rising = complaint("rising", "Rhône E7 battery died on the school run", t0, "rae", 5000)
    feed(care_runtime, [*older, rising])
    before = client.get("/api/v1/care/cases", headers=as_(tokens["cara"])).json()["items"]
    assert [case["author"] for case in before] == ["olga", "oscar", "rae"]
    # Readings of the rising post arrive: slow, then faster and faster (each re-import of the
    # same post with new counts appends a point to its engagement history).
    for minutes, likes, replies, shares in [(10, 3, 1, 0), (30, 12, 3, 4), (60, 60, 12, 25),
                                            (90, 210, 40, 95), (110, 420, 75, 190)]:  # fmt: skip
        reading = dict(rising, likes=likes, replies=replies, shares=shares,
                       observed_at=(t0 + timedelta(minutes=minutes)).isoformat())  # fmt: skip
        feed(care_runtime, [reading], source=f"reading-{minutes}")
    report = check_care(care_runtime.database, utcnow())
    after = client.get("/api/v1/care/cases", headers=as_(tokens["cara"])).json()["items"]
    assert after[0]["author"] == "rae"
    parts = {part["name"]: part for part in after[0]["parts"]}
    assert parts["velocity"]["measure"] > 10 and parts["acceleration"]["measure"] > 0
    assert after[0]["tier"] == "urgent"
    assert len(report.risk_alerts) == 1
    alerts = client.get("/api/v1/care/alerts", headers=as_(tokens["cara"])).json()["items"]
    assert [(a["kind"], a["case_id"]) for a in alerts] == [("risk", after[0]["id"])]


def test_complaints_on_the_same_topic_join_the_authors_open_case(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    now = utcnow()
    feed(care_runtime, [complaint("a1", "My delivery is late", now - timedelta(hours=1), "ann")])
    feed(care_runtime, [complaint("a2", "Delivery STILL not here", now, "ann"),
                        complaint("b1", "My app crashes", now, "ann")])  # fmt: skip
    items = client.get("/api/v1/care/cases", headers=as_(tokens["cara"])).json()["items"]
    assert sorted((case["topic"], case["posts"]) for case in items) == [("app", 1), ("delivery", 2)]
    delivery = next(case for case in items if case["topic"] == "delivery")
    detail = client.get(f"/api/v1/care/cases/{delivery['id']}", headers=as_(tokens["cara"])).json()
    assert [post["external_id"] for post in detail["posts"]] == ["a1", "a2"]
    assert any(item["text"] == "My app crashes" for item in detail["history"])
    assert [event["kind"] for event in detail["events"]] == ["open", "join"]


def test_care_routes_need_a_care_role(client: TestClient, tokens: dict[str, str]) -> None:
    assert client.get("/api/v1/care/cases").status_code == 401
    refused = client.get("/api/v1/care/cases", headers=as_(tokens["mo"]))
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert client.get("/api/v1/care/cases/999", headers=as_(tokens["cara"])).status_code == 404


def test_the_brands_own_reply_on_the_channel_is_the_first_response_not_a_case(
    care_runtime: Runtime, client: TestClient, tokens: dict[str, str]
) -> None:
    client.patch("/api/v1/care/communities/velo/settings", headers=as_(tokens["camille"]),
                 json={"brand_accounts": ["@VeloRouge"]})  # fmt: skip
    now = utcnow()
    feed(care_runtime, [complaint("c1", "My delivery is late", now - timedelta(minutes=30), "ann")])
    answer = complaint("b1", "@ann Sorry! Checking with the carrier now.", now, "velorouge",
                       score=0.6, parent_id="c1", thread_id="c1")  # fmt: skip
    feed(care_runtime, [answer])
    (case,) = client.get("/api/v1/care/cases", headers=as_(tokens["cara"])).json()["items"]
    detail = client.get(f"/api/v1/care/cases/{case['id']}", headers=as_(tokens["cara"])).json()
    assert detail["first_response_at"] is not None
    assert [event["kind"] for event in detail["events"]] == ["open", "brand_reply"]
    assert [post["external_id"] for post in detail["thread"]] == ["c1", "b1"]
