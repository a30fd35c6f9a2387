"""Test-wide settings: a fixed hypothesis profile and a colour-capable environment."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

os.environ.pop("NO_COLOR", None)

settings.register_profile(
    "playground",
    deadline=None,
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("playground")
