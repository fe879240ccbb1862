"""Fires: spike detection on the volume of negative posts per key (product, topic or channel)
against the key's own seasonal baseline — a tested method, not a fixed threshold.

Method (docs/CARE.md): count the negative posts of the last `window`; the expected count λ is the
mean count in the *same time-of-day window* on each of the previous `baseline_days` days, shrunk
towards the key's overall mean per window (so a window that was empty by chance does not make
every post look like a spike). The window is a spike when all three hold: the Poisson tail
P(X ≥ n | λ) is below `alpha`, n ≥ `min_count`, and n ≥ `min_ratio` × λ.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SpikeSettings:
    window: timedelta = timedelta(minutes=60)
    baseline_days: int = 14
    alpha: float = 0.001
    min_count: int = 6
    min_ratio: float = 3.0
    shrink: float = 2.0
    floor: float = 0.2
    #: An open alert closes after this long without a spike; a new spike then alerts again.
    cooldown: timedelta = timedelta(hours=3)


@dataclass(frozen=True, slots=True)
class SpikeCheck:
    """One key's window judged against its baseline."""

    key: str
    observed: int
    expected: float
    p_value: float
    spike: bool
    started_at: datetime | None
    window_start: datetime
    window_end: datetime


def poisson_tail(count: int, mean: float) -> float:
    """P(X ≥ count) for X ~ Poisson(mean), computed stably for small and large counts."""
    if count <= 0:
        return 1.0
    term = math.exp(-mean)
    below = 0.0
    for k in range(count):
        below += term
        term *= mean / (k + 1)
    tail = 1.0 - below
    if tail > 1e-12:
        return max(tail, 0.0)
    # The difference lost its precision: sum the upper terms instead.
    log_term = count * math.log(mean) - mean - math.lgamma(count + 1) if mean > 0 else -math.inf
    total, term_value, k = 0.0, math.exp(log_term), count
    while term_value > 1e-300 and k < count + 10_000:
        total += term_value
        k += 1
        term_value *= mean / k
    return total


def _count(times: Sequence[datetime], start: datetime, end: datetime) -> int:
    """Events in (start, end] of the sorted `times`."""
    return bisect_right(times, end) - bisect_right(times, start)


def expected_count(times: Sequence[datetime], now: datetime, settings: SpikeSettings) -> float:
    """λ for the window ending at `now`: the same window on previous days, shrunk to the mean."""
    days = settings.baseline_days
    same_window = [
        _count(times, now - timedelta(days=d) - settings.window, now - timedelta(days=d))
        for d in range(1, days + 1)
    ]
    history = _count(times, now - timedelta(days=days), now - settings.window)
    windows = (timedelta(days=days) - settings.window) / settings.window
    overall = history / windows if windows > 0 else 0.0
    shrunk = (sum(same_window) + settings.shrink * overall) / (days + settings.shrink)
    return max(shrunk, settings.floor)


def check(
    key: str, times: Sequence[datetime], now: datetime, settings: SpikeSettings
) -> SpikeCheck:
    """Judge the window ending at `now` for `key`; `times` sorted, covering the baseline."""
    start = now - settings.window
    observed = _count(times, start, now)
    expected = expected_count(times, now, settings)
    p_value = poisson_tail(observed, expected)
    spike = (
        p_value < settings.alpha
        and observed >= settings.min_count
        and observed >= settings.min_ratio * expected
    )
    started_at = change_point(times, start, now, expected) if spike else None
    return SpikeCheck(key, observed, round(expected, 4), p_value, spike, started_at, start, now)


def change_point(
    times: Sequence[datetime], start: datetime, now: datetime, expected: float
) -> datetime | None:
    """When the surge began: the post from which the rest of the window is least likely under
    the baseline rate (the maximum Poisson log-likelihood ratio over candidate starts)."""
    inside = times[bisect_right(times, start) : bisect_right(times, now)]
    minutes = max((now - start).total_seconds() / 60, 1e-9)
    base_rate = max(expected, 1e-9) / minutes
    best: tuple[float, datetime] | None = None
    for i, at in enumerate(inside):
        count = len(inside) - i
        span = max((now - at).total_seconds() / 60, 1.0)
        rate = count / span
        ratio = count * math.log(rate / base_rate) - (rate - base_rate) * span
        if best is None or ratio > best[0]:
            best = (ratio, at)
    return best[1] if best else None


def keys_for(channel: str, product: str | None, topic: str | None) -> list[str]:
    """The keys a negative post counts under."""
    keys = [f"channel:{channel}"]
    if product:
        keys.append(f"product:{product}")
    if topic:
        keys.append(f"topic:{topic}")
    return keys
