"""Fuzzing with Hypothesis, bounded: a fixed number of examples per property (more with
GARDIEN_FUZZ_EXAMPLES), no deadline per example (the machine may be loaded), no example database
written to the tree, and derandomised in CI so that a red build can be replayed."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "gardien",
    max_examples=int(os.environ.get("GARDIEN_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("gardien")
