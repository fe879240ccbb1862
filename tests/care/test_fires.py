"""Fires: replayed days of posts. A normal day raises no alert; a day with an injected surge of
complaints about one product raises exactly one, within ALERT_WITHIN of the surge's start."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gardien.app.care import check_care
from gardien.app.runtime import Runtime
from gardien.care.spikes import SpikeSettings, check, poisson_tail
from gardien.store.care_fires import list_alerts
from tests.care.conftest import PRODUCTS, complaint, feed

NORMAL_DAY = datetime(2026, 11, 11, tzinfo=UTC)
DAY = NORMAL_DAY + timedelta(days=1)
SURGE_START = DAY + timedelta(hours=14, minutes=3)
#: The configured promise: an alert within this long of a surge's start.
ALERT_WITHIN = timedelta(minutes=30)
STEP = timedelta(minutes=10)
#: Negative posts per hour of the day across the community: quiet at night, busy at lunch.
HOURLY = [0.1, 0.05, 0.05, 0.05, 0.1, 0.2, 0.5, 0.9, 1.2, 1.4, 1.5, 1.6,
          1.8, 1.6, 1.4, 1.3, 1.3, 1.4, 1.5, 1.4, 1.1, 0.8, 0.5, 0.2]  # fmt: skip
GRUMBLES = [
    "my {p} is broken again",
    "still waiting for the {p} delivery",
    "the {p} app lost my ride",
]


def ordinary_day(rng: random.Random, day: datetime, tag: str) -> list[dict[str, Any]]:
    """One day of ordinary grumbles (negative posts), spread over products, following the
    hourly profile."""
    records = []
    for hour, rate in enumerate(HOURLY):
        for n in range(_poisson(rng, rate)):
            at = day + timedelta(hours=hour, minutes=rng.randrange(60))
            text = rng.choice(GRUMBLES).format(p=rng.choice(PRODUCTS))
            author = f"u{rng.randrange(400)}"
            records.append(complaint(f"{tag}-{hour}-{n}", text, at, author, care=False))
    return records


def _poisson(rng: random.Random, rate: float) -> int:
    count, limit, product = 0, pow(2.718281828, -rate), rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def surge() -> list[dict[str, Any]]:
    """Fourteen people complaining about the Rhône E7's battery, one every three minutes."""
    return [
        complaint(
            f"surge-{n}",
            f"Rhône E7 battery dead after a week, number {n} in our club",
            SURGE_START + timedelta(minutes=3 * n),
            author=f"rider{n}",
        )
        for n in range(14)
    ]


def replay(runtime: Runtime, day: datetime, records: list[dict[str, Any]]) -> None:
    """Feed the day step by step, as it happened, and run the periodic check after each step."""
    records = sorted(records, key=lambda r: r["created_at"])
    now = day
    while now < day + timedelta(days=1):
        now += STEP
        due = [r for r in records if datetime.fromisoformat(r["created_at"]) <= now]
        records = records[len(due) :]
        if due:
            feed(runtime, due, source=f"replay-{now.isoformat()}")
        check_care(runtime.database, now)


@pytest.fixture
def history(care_runtime: Runtime) -> Runtime:
    """Two weeks of ordinary days before the replayed ones (the seasonal baseline)."""
    rng = random.Random(7)
    records = []
    for back in range(14, 0, -1):
        records += ordinary_day(rng, NORMAL_DAY - timedelta(days=back), f"h{back}")
    feed(care_runtime, records, source="history")
    return care_runtime


def test_no_alert_on_a_normal_day_then_exactly_one_soon_after_a_surge_starts(
    history: Runtime,
) -> None:
    replay(history, NORMAL_DAY, ordinary_day(random.Random(11), NORMAL_DAY, "n"))
    with history.database.session() as session:
        assert list_alerts(session, None) == []

    replay(history, DAY, ordinary_day(random.Random(12), DAY, "d") + surge())
    with history.database.session() as session:
        alerts = list_alerts(session, None)
    assert [alert.kind for alert in alerts] == ["spike"]
    fire = alerts[0]
    assert fire.key == "product:Rhône E7"
    assert SURGE_START <= fire.raised_at <= SURGE_START + ALERT_WITHIN
    assert fire.started_at is not None and fire.started_at >= SURGE_START
    assert fire.observed >= 6 and fire.expected < 1
    assert len(fire.detail["posts"]) >= 6
    assert "channel:forum" in fire.detail["keys"]  # the same surge, seen on its channel too


def test_the_baseline_is_seasonal_so_a_busy_hour_is_not_a_spike() -> None:
    """Twelve posts at noon is normal for a key that always has ten then; at 3 a.m. it is not."""
    settings = SpikeSettings()
    times = []
    for back in range(1, 15):
        noon = DAY - timedelta(days=back) + timedelta(hours=12)
        times += [noon - timedelta(minutes=5 * k) for k in range(10)]
    noon_today = [DAY + timedelta(hours=12) - timedelta(minutes=4 * k) for k in range(12)]
    night = [DAY + timedelta(hours=3) - timedelta(minutes=4 * k) for k in range(12)]
    assert not check("k", sorted(times + noon_today), DAY + timedelta(hours=12), settings).spike
    assert check("k", sorted(times + night), DAY + timedelta(hours=3), settings).spike


def test_poisson_tail() -> None:
    assert poisson_tail(0, 3.0) == 1.0
    assert poisson_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2.0)
    assert 0 < poisson_tail(80, 0.5) < 1e-100
