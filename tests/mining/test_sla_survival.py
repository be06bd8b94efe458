"""Kaplan-Meier by hand and against scipy, and resolution times on the hand-made log.

Resolution times on tests/data/sla/tiny.csv (see test_sla_clock.py for the per-case clocks), as of
the log end Mon 31 Mar 10:00 UTC; open T5 and T6 are censored there.

====  =========  ========  ========  ========  ===
case  calendar   business  sla       resolved  FCR
====  =========  ========  ========  ========  ===
T1       86,400    28,800    21,600  yes       no (Request information)
T2      259,200    57,600    57,600  yes       no (Reopen ticket)
T3       46,800    46,800    46,800  yes       no (Reopen ticket; yes with the thank-you rule on)
T4       36,000    36,000    32,400  yes       no (Request information)
T5       10,800    10,800     3,600  no        -
T6      352,800    68,400    68,400  no        -
T7      225,900     2,700     2,700  yes       yes
T8        3,600         -         -  yes       yes (no target: calendar time only)
====  =========  ========  ========  ========  ===

Calendar KM (n = 8): S = 7/8 at 3,600; T5 censored at 10,800; x 5/6 at 36,000 (0.729); x 4/5 at
46,800 (0.583); x 3/4 at 86,400 (0.4375 <= 0.5: median 86,400); x 2/3 at 225,900; x 1/2 at 259,200
(0.146); T6 censored: the curve never reaches 0.1, so the KM p90 is NaN. Naive (6 resolved, numpy
linear): median (46,800 + 86,400) / 2 = 66,600, p90 225,900 + 0.5 x 33,300 = 242,550.
Business (T8 has no target, n = 7): 6/7 at 2,700; T5 censored; x 4/5 at 28,800; x 3/4 at 36,000
(0.514); x 2/3 at 46,800 (0.343: median 46,800). Naive of 2,700 28,800 36,000 46,800 57,600:
median 36,000, p90 46,800 + 0.6 x 10,800 = 53,280. SLA: the same steps at 2,700 21,600 32,400
46,800 (median 46,800); naive median 32,400, p90 53,280.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.policy import ReopenRule, read_policy
from pipelines.mining.sla import get_resolution_times, kaplan_meier, km_quantiles
from pipelines.mining.sla_survival import SUMMARY_COLUMNS
from pipelines.store import Store
from tests.conftest import TEST_DATA

NAN = float("nan")


# -- Kaplan-Meier ---------------------------------------------------------------------------

def test_km_small_example_by_hand():
    table = kaplan_meier([1, 2, 2, 3], [True, True, False, True])
    assert table["time"].tolist() == [1, 2, 3]
    assert table["at_risk"].tolist() == [4, 3, 1]
    assert table["events"].tolist() == [1, 1, 1]
    assert table["censored"].tolist() == [0, 1, 0]
    assert table["survival"].tolist() == [0.75, 0.5, 0.0]
    assert km_quantiles([1, 2, 2, 3], [True, True, False, True], (0.25, 0.5, 0.9)).tolist() == [1, 2, 3]


GEHAN_6MP = (  # Gehan's leukaemia data, 6-MP arm (weeks of remission; False = censored)
    [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35],
    [True, True, True, False, True, False, True, False, False, True, True, False, False, False,
     True, True, False, False, False, False, False],
)


def test_km_textbook_example_with_exact_fractions():
    """S(6) = 18/21, S(7) = x 16/17, S(10) = x 14/15, S(13) = x 11/12, S(16) = x 10/11,
    S(22) = x 6/7, S(23) = x 5/6 = 0.448: median 23; p25 13 (S(10) = 0.753 > 0.75);
    p90 not reached (NaN)."""
    table = kaplan_meier(*GEHAN_6MP)
    steps = table[table["events"] > 0]
    assert steps["time"].tolist() == [6, 7, 10, 13, 16, 22, 23]
    factors = [Fraction(18, 21), Fraction(16, 17), Fraction(14, 15), Fraction(11, 12), Fraction(10, 11),
               Fraction(6, 7), Fraction(5, 6)]
    expected = np.cumprod([float(f) for f in factors])
    exact = [float(np.prod(factors[: i + 1])) for i in range(len(factors))]
    assert steps["survival"].to_numpy() == pytest.approx(exact, abs=1e-15)
    assert steps["survival"].to_numpy() == pytest.approx(expected, abs=1e-15)
    assert steps["at_risk"].tolist() == [21, 17, 15, 12, 11, 7, 6]
    assert table["censored"].sum() == 12 and table["events"].sum() == 9
    q = km_quantiles(*GEHAN_6MP, (0.25, 0.5, 0.9))
    assert q[0] == 13 and q[1] == 23 and np.isnan(q[2])


def test_km_without_censoring_is_the_inverted_cdf_quantile():
    rng = np.random.default_rng(7)
    for _ in range(20):
        x = rng.integers(0, 50, size=rng.integers(1, 40)).astype(float)  # many ties
        for q in (0.1, 0.25, 0.5, 0.9):
            assert km_quantiles(x, np.ones(x.size, bool), (q,))[0] == np.quantile(x, q, method="inverted_cdf")
    assert km_quantiles([1, 2, 3, 4], [True] * 4, (0.5,))[0] == 2  # S drops to exactly 0.5 at 2


def test_km_all_censored_or_empty():
    assert np.isnan(km_quantiles([5, 6], [False, False], (0.5,))[0])
    assert kaplan_meier([], []).empty
    assert np.isnan(km_quantiles([], [], (0.5,))[0])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_km_equals_scipy_ecdf_on_censored_data(seed):
    rng = np.random.default_rng(seed)
    t = rng.integers(1, 30, size=300).astype(float)  # ties between events and censorings
    observed = rng.random(300) < 0.7
    ours = kaplan_meier(t, observed)
    ref = stats.ecdf(stats.CensoredData(uncensored=t[observed], right=t[~observed]))
    assert np.array_equal(ref.sf.quantiles, ours["time"].to_numpy())
    assert np.abs(ref.sf.probabilities - ours["survival"].to_numpy()).max() < 1e-14
    # the quantile read off scipy's curve with the same rule
    sf = ref.sf.probabilities
    for q in (0.25, 0.5, 0.75):
        hit = np.flatnonzero(sf <= 1 - q + 1e-12)
        want = ref.sf.quantiles[hit[0]] if hit.size else np.nan
        assert km_quantiles(t, observed, (q,))[0] == pytest.approx(want, nan_ok=True)


def test_km_bad_input():
    with pytest.raises(ValueError, match="same length"):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError, match="finite and >= 0"):
        kaplan_meier([1, -2], [True, True])
    with pytest.raises(ValueError, match="finite and >= 0"):
        kaplan_meier([1, NAN], [True, True])
    with pytest.raises(ValueError, match="observed must be booleans"):
        kaplan_meier([1, 2], [0.5, 1])
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        km_quantiles([1], [True], (1.0,))


# -- resolution times on the hand-made log ----------------------------------------------------

@pytest.fixture(scope="module")
def tiny():
    store = Store(":memory:")
    ingest_log(TEST_DATA / "sla" / "tiny.csv", log="tiny", store=store)
    return store.log("tiny")


@pytest.fixture(scope="module")
def policy():
    return read_policy(TEST_DATA / "sla" / "tiny_policy.toml")


def test_per_case_durations_by_hand(tiny, policy):
    res = get_resolution_times(tiny, policy)
    c = res.cases.set_index("case_id")
    assert c["calendar_s"].tolist() == [86400, 259200, 46800, 36000, 10800, 352800, 225900, 3600]
    np.testing.assert_array_equal(c["business_s"], [28800, 57600, 46800, 36000, 10800, 68400, 2700, NAN])
    np.testing.assert_array_equal(c["sla_s"], [21600, 57600, 46800, 32400, 3600, 68400, 2700, NAN])
    assert c["resolved"].tolist() == [True, True, True, True, False, False, True, True]
    fcr = c["first_contact_resolution"]
    assert fcr.isna().tolist() == [False] * 4 + [True, True] + [False, False]
    assert fcr.dropna().astype(bool).tolist() == [False, False, False, False, True, True]
    assert res.fcr_rate == pytest.approx(1 / 3, abs=1e-15)
    assert res.fcr_breakers == ("Reopen ticket", "Request information")
    assert res.as_of == pd.Timestamp("2025-03-31T10:00Z") and res.timezone == "Europe/Rome"


def test_summary_naive_and_km_by_hand(tiny, policy):
    s = get_resolution_times(tiny, policy).summary
    assert tuple(s.columns) == SUMMARY_COLUMNS
    expected = pd.DataFrame([
        ("calendar", 8, 6, 2, 66600.0, 242550.0, 86400.0, NAN, 1 / 3),
        ("business", 7, 5, 2, 36000.0, 53280.0, 46800.0, NAN, 1 / 3),
        ("sla", 7, 5, 2, 32400.0, 53280.0, 46800.0, NAN, 1 / 3),
    ], columns=list(SUMMARY_COLUMNS))
    pd.testing.assert_frame_equal(s, expected, check_dtype=False, rtol=0, atol=1e-9)


def test_trend_by_week_and_month(tiny, policy):
    res = get_resolution_times(tiny, policy)
    week = res.by_week[res.by_week["measure"] == "calendar"].set_index("week")
    assert week.index.tolist() == ["2025-03-17", "2025-03-24", "2025-03-31"]
    assert week["cases"].tolist() == [2, 5, 1]
    first = week.loc["2025-03-17"]  # T1 86,400 and T2 259,200: S = 1/2 after 86,400
    assert (first["naive_median_s"], first["km_median_s"]) == (172800, 86400)
    assert (first["naive_p90_s"], first["km_p90_s"]) == (86400 + 0.9 * 172800, 259200)
    last = week.loc["2025-03-31"]  # T5 only, still open
    assert (last["resolved"], last["censored"]) == (0, 1)
    assert np.isnan(last["naive_median_s"]) and np.isnan(last["km_median_s"])
    assert np.isnan(last["first_contact_resolution_rate"])
    month = res.by_month.drop(columns="month")
    pd.testing.assert_frame_equal(month, res.summary)


def test_thank_you_rule_on_counts_t3_as_first_contact(tiny, policy):
    on = dataclasses.replace(policy, reopen=ReopenRule(True, 7200))
    res = get_resolution_times(tiny, on)
    assert res.fcr_rate == 0.5
    assert res.cases.set_index("case_id").loc["T3", "calendar_s"] == 7200


def test_custom_fcr_breakers(tiny, policy):
    res = get_resolution_times(tiny, policy, fcr_breakers=["Customer reply"])
    fcr = res.cases.set_index("case_id")["first_contact_resolution"]
    # T4 (Request information no longer counts; Customer reply does), T2/T3 still reopened
    assert fcr.dropna().astype(bool).to_dict() == {"T1": False, "T2": False, "T3": False, "T4": False,
                                                   "T7": True, "T8": True}
    res = get_resolution_times(tiny, policy, fcr_breakers=[])
    assert res.cases.set_index("case_id")["first_contact_resolution"].dropna().astype(bool).to_dict() == {
        "T1": True, "T2": False, "T3": False, "T4": True, "T7": True, "T8": True}  # reopens always count


def test_without_a_policy_the_activities_recognised_by_name_resolve(tiny):
    """Without a policy the milestones are recognised by name (definitions.py): Resolve ticket and
    Close ticket resolve, Reopen ticket reopens, so a case is resolved at its first resolution after
    its last reopen, as with the policy (the thank-you rule is off either way): T1 at its Resolve
    ticket (1 day), not at its Close ticket 7 days later. FCR breakers: Reopen ticket and Request
    information ("request info")."""
    res = get_resolution_times(tiny)
    c = res.cases.set_index("case_id")
    assert c["calendar_s"].tolist() == [86400, 259200, 46800, 36000, 10800, 352800, 225900, 3600]
    assert c["resolved"].tolist() == [True, True, True, True, False, False, True, True]
    assert c[["business_s", "sla_s"]].isna().all().all() and c["target"].isna().all()
    assert res.summary["measure"].tolist() == ["calendar"]
    assert res.fcr_breakers == ("Reopen ticket", "Request information")
    assert res.fcr_rate == pytest.approx(1 / 3, abs=1e-15)
    assert res.timezone == "UTC"
    res = get_resolution_times(tiny, fcr_breakers=[])  # reopens always count
    assert res.cases.set_index("case_id")["first_contact_resolution"].dropna().astype(bool).to_dict() == {
        "T1": True, "T2": False, "T3": False, "T4": True, "T7": True, "T8": True}
    early = get_resolution_times(tiny, as_of="2025-03-20T00:00Z").cases
    assert early["case_id"].tolist() == ["T1", "T2"] and early["resolved"].tolist() == [True, False]


def test_without_any_resolving_activity_closed_cases_end_at_their_last_event(write_csv):
    """No activity is recognised as resolving: a case the ingest marked closed (its last activity
    is the --end-activity) is resolved at its last event, unless events come after as_of."""
    path = write_csv("l.csv", "case,activity,timestamp\n"
                              "A,Submit,2025-01-01T09:00:00Z\nA,Archive,2025-01-01T11:00:00Z\n"
                              "B,Submit,2025-01-02T09:00:00Z\nB,Check,2025-01-02T10:00:00Z\n")
    store = Store(":memory:")
    ingest_log(path, log="l", store=store, options=IngestOptions(end_activities=("Archive",)))
    c = get_resolution_times(store.log("l")).cases.set_index("case_id")
    assert c["resolved"].tolist() == [True, False]
    assert c["calendar_s"].tolist() == [7200.0, 3600.0]  # B censored at the log end
    early = get_resolution_times(store.log("l"), as_of="2025-01-01T10:00Z").cases
    assert early["resolved"].tolist() == [False]  # A's closing event is after as_of
