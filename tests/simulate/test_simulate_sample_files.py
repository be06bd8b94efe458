"""The committed sample_logs/ files are exactly what the simulator regenerates, and documented."""

from __future__ import annotations

import gzip
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines.simulate import default_policy, policy_from_toml, sample_files
from pipelines.simulate.generate import csv_bytes_fast, csv_text
from pipelines.simulate.report import population_report, sample_report
from pipelines.simulate.truth import KPIS, population_kpis, segments

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_logs"

GENERATED = ("sla_policy.toml", "before.csv.gz", "before_truth.csv.gz", "after.csv.gz", "after_truth.csv.gz")


@pytest.fixture(scope="module")
def regenerated(sample_pair) -> dict[str, bytes]:
    return sample_files(sample_pair)


def test_folder_holds_exactly_the_documented_files():
    names = {p.name for p in SAMPLE_DIR.iterdir()}
    assert names == set(GENERATED) | {"README.md", "population_truth.csv"}


@pytest.mark.parametrize("name", GENERATED)
def test_regenerated_files_are_byte_identical(regenerated, name):
    committed = (SAMPLE_DIR / name).read_bytes()
    if name.endswith(".gz"):  # content first, for a readable failure
        assert gzip.decompress(regenerated[name]) == gzip.decompress(committed)
    assert regenerated[name] == committed
    assert len(committed) < 2_000_000


def test_committed_csv_reads_back_to_the_frame(sample_pair):
    raw = pd.read_csv(SAMPLE_DIR / "before.csv.gz", dtype=str, keep_default_na=False)
    ev = sample_pair["before"].events
    assert list(raw.columns) == list(ev.columns)
    assert len(raw) == len(ev)
    assert raw["Timestamp"].tolist()[:3] == [t.isoformat() for t in ev["Timestamp"][:3]]
    assert (raw["Agent"] == "").sum() == ev["Agent"].isna().sum()
    parsed = pd.to_datetime(raw["Timestamp"], utc=True)
    assert (parsed == ev["Timestamp"].dt.tz_convert("UTC")).all()


def test_fast_csv_writer_matches(sample_pair):
    ev = sample_pair["after"].events.head(5000)
    text = csv_text(ev, "Europe/Rome")
    assert csv_bytes_fast(ev, "Europe/Rome").decode() == text.split("\n", 1)[1]


def test_policy_file_round_trips():
    with open(SAMPLE_DIR / "sla_policy.toml", "rb") as fh:
        doc = tomllib.load(fh)
    assert policy_from_toml(doc) == default_policy()
    assert doc["calendars"]["office"]["mon"] == ["09:00-13:00", "14:00-18:00"]
    assert "sat" not in doc["calendars"]["office"]
    assert doc["milestones"]["pause"] == ["Request information"]
    assert [t["name"] for t in doc["targets"]] == ["P1", "P2", "P3", "default"]
    assert "when" not in doc["targets"][-1]


def test_readme_states_the_current_truth_numbers(sample_pair):
    readme = (SAMPLE_DIR / "README.md").read_text()
    assert sample_report(sample_pair) in readme
    pop = pd.read_csv(SAMPLE_DIR / "population_truth.csv")
    assert population_report(pop) in readme


def test_population_file_shape_and_flags():
    pop = pd.read_csv(SAMPLE_DIR / "population_truth.csv")
    probe = pd.DataFrame({"category": ["lost card"], "channel": ["phone"]})
    n_segments = len(segments(probe))
    assert len(pop) == n_segments * len(KPIS)
    assert set(pop["kpi"]) == set(KPIS)
    unaffected = pop[pop["segment_type"] == "no injected effect"]
    assert not unaffected["injected_effect"].any()
    assert not pop.loc[pop["kpi"] == "cases_per_week", "injected_effect"].any()
    overall = pop[pop["segment_type"] == "overall"].set_index("kpi")
    assert overall.loc["cases_per_week", "before"] == pytest.approx(4000 / 13)
    assert overall.loc["no_human_touch_share", "before"] == 0


def test_population_file_agrees_with_a_smaller_fresh_estimate():
    """The committed 200k-case estimates still describe the current simulator."""
    small = population_kpis(20_000, seeds={"before": 5, "after": 6}).set_index(["segment", "kpi"])
    big = pd.read_csv(SAMPLE_DIR / "population_truth.csv").set_index(["segment", "kpi"])
    for kpi in ("events_per_case", "handoffs_per_case", "reopen_rate", "first_contact_resolution_rate",
                "resolution_breach_rate", "first_response_breach_rate", "no_human_touch_share",
                "resolution_business_median_h"):
        for side in ("before", "after"):
            s, b = small.loc[("all", kpi)], big.loc[("all", kpi)]
            se = np.hypot(s[f"{side}_se"], b[f"{side}_se"])
            assert abs(s[side] - b[side]) <= 5 * se + 1e-9, (kpi, side, s[side], b[side])

