"""Fixtures of the simulator tests: the committed sample pair and a fresh pair (other seeds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.simulate import before_after_configs, simulate_log
from pipelines.simulate.generate import sample_pair as _sample_pair

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_logs"


@pytest.fixture(scope="session")
def sample_pair():
    """The committed before/after pair, simulated in memory."""
    return _sample_pair()


@pytest.fixture(scope="session")
def fresh_pair():
    """Another before/after pair (seeds 11 and 12): the properties hold for any seed."""
    before, after = before_after_configs()
    return {"before": simulate_log(before, seed=11), "after": simulate_log(after, seed=12)}


@pytest.fixture(scope="session", params=["sample-before", "sample-after", "fresh-before", "fresh-after"])
def any_log(request, sample_pair, fresh_pair):
    which, side = request.param.split("-")
    return (sample_pair if which == "sample" else fresh_pair)[side]
