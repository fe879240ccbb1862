"""Virality risk on recorded engagement curves: the score's parts, and a post whose engagement
accelerates overtaking steadier, older complaints."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from gardien.care.virality import (
    EngagementPoint,
    RiskInputs,
    reach_level,
    velocities,
    virality_risk,
)

T0 = datetime(2026, 11, 10, 7, 42, tzinfo=UTC)

#: Readings of a complaint going viral: (minutes after posting, likes, replies, shares),
#: shaped like @lena_rides' in the demo — slow at first, then faster and faster.
VIRAL = [(0, 0, 0, 0), (10, 4, 1, 1), (20, 9, 2, 3), (30, 17, 3, 6), (45, 36, 6, 13),
         (60, 70, 10, 25), (75, 121, 15, 44), (90, 190, 22, 70)]  # fmt: skip
#: A steady grumble: the same slow pace all along.
STEADY = [(m, m // 5, m // 30, 0) for m in range(0, 181, 15)]


def curve(readings: list[tuple[int, int, int, int]], start: datetime = T0) -> list[EngagementPoint]:
    return [EngagementPoint(start + timedelta(minutes=m), lk, rp, sh) for m, lk, rp, sh in readings]


def test_every_part_is_shown_and_the_parts_add_up_to_the_score() -> None:
    risk = virality_risk(
        RiskInputs(followers=48_200, curve=curve(VIRAL), negativity=0.92, echoes=4, posted_at=T0)
    )
    names = [part.name for part in risk.parts]
    assert names == ["reach", "velocity", "acceleration", "negativity", "severity", "echo"]
    assert risk.score == pytest.approx(sum(part.points for part in risk.parts), abs=0.01)
    assert risk.part("reach").measure == 48_200
    assert risk.part("velocity").unit == "interactions/min"
    assert risk.part("acceleration").measure > 0
    assert risk.score > 60


def test_reach_is_logarithmic_from_a_hundred_followers_to_a_million() -> None:
    assert reach_level(50) == 0
    assert reach_level(10_000) == pytest.approx(0.5, abs=0.01)
    assert reach_level(5_000_000) == 1


def test_velocity_is_measured_over_the_last_window_and_compared_with_the_one_before() -> None:
    current, previous = velocities(curve(VIRAL))
    assert current > previous > 0
    flat_now, flat_before = velocities(curve(STEADY))
    assert flat_now == pytest.approx(flat_before)


def test_a_private_message_scores_lower_than_the_same_post_in_public() -> None:
    inputs = dict(followers=5_000, curve=curve(VIRAL), negativity=0.9, posted_at=T0)
    public = virality_risk(RiskInputs(**inputs, public=True))  # type: ignore[arg-type]
    private = virality_risk(RiskInputs(**inputs, public=False))  # type: ignore[arg-type]
    assert private.score == pytest.approx(public.score * 0.35, abs=0.02)


def test_readings_after_now_are_not_used() -> None:
    early = virality_risk(
        RiskInputs(800, curve(VIRAL), 0.9, posted_at=T0, now=T0 + timedelta(minutes=20))
    )
    late = virality_risk(RiskInputs(800, curve(VIRAL), 0.9, posted_at=T0))
    assert early.score < late.score


def test_an_accelerating_post_overtakes_older_steadier_complaints() -> None:
    """Two older complaints from bigger accounts lead at first; an hour and a half later the
    accelerating one from a smaller account has passed them both."""
    older = [
        RiskInputs(12_000, curve(STEADY, T0 - timedelta(hours=2)), negativity=0.95),
        RiskInputs(20_000, curve(STEADY, T0 - timedelta(hours=3)), negativity=0.9),
    ]
    newcomer = RiskInputs(3_000, curve(VIRAL), negativity=0.8, posted_at=T0)

    def ranking(now: datetime) -> list[int]:
        scores = [virality_risk(replace(inputs, now=now)) for inputs in [*older, newcomer]]
        return sorted(range(3), key=lambda i: -scores[i].score)

    assert ranking(T0 + timedelta(minutes=10))[-1] == 2
    assert ranking(T0 + timedelta(minutes=90))[0] == 2
