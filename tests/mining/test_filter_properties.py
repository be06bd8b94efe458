"""Property tests: a filtered log is exactly the log of its kept cases.

Hypothesis draws small logs (a few cases, four activities, timestamps on a coarse grid so that ties
are common, events of cases interleaved in the file, attributes with missing values) and random
filters. The reference is independent of the SQL: the kept cases are chosen in pandas, and only
their events are ingested as a second log. Then, for the filtered log and the reference log:

* the case table (``get_cases``) is equal, except ``variant_id`` (numbered within each log);
* the DFG (``discover_dfg``): every edge's frequency, cases and durations, start and end activities,
  activity counts;
* the variants (``get_variants``): cases and durations per activity sequence.

Ingest costs about a second here, so examples are few and one in-memory store holds every log.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipelines.etl.loader import IngestOptions, ingest_log
from pipelines.mining.cases import get_cases
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.filters import (
    Activities,
    CaseAttribute,
    CaseDuration,
    DirectlyFollows,
    EndActivities,
    EventAttribute,
    Filter,
    StartActivities,
    TimeRange,
    Variants,
)
from pipelines.mining.variants import get_variants
from pipelines.store import Store

pytestmark = pytest.mark.slow

ACTIVITIES = ["Triage", "Work", "Wait", "x' or 1=1"]
RESOURCES = ["ann", "bob", "'; drop table events; --", None]
TEAMS = ["L1", "L2", None]
NOTES = ["n1", "n2", None]
PRIORITIES = ["P1", "P2", None]
VIPS = ["yes", "no", None]
ODD_KEY = 'k\'e"y'
ODD_VALUES = ["a", "b ✓", None]
BASE = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
STEP = dt.timedelta(minutes=30)
N_SLOTS = 10  # timestamps on a 30-minute grid: many ties
OPTIONS = IngestOptions(case_id="case_id", activity="activity", timestamp="timestamp", resource="resource",
                        team="team", priority="priority")
COLUMNS = ["case_id", "activity", "timestamp", "resource", "team", "priority", "note", "case:vip", f"case:{ODD_KEY}"]
# an anchor case whose notes differ keeps "note" an event attribute of every full log
ANCHOR = [("Triage", 0, "ann", "L1", "n1"), ("Work", 1, "bob", "L2", "n2")]

MAX_EXAMPLES = 30
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@dataclass(frozen=True)
class GenLog:
    events: pd.DataFrame  # source order; columns COLUMNS (timestamp as datetime)
    cases: pd.DataFrame  # one row per case (pandas reference summary)


# -- generating logs ----------------------------------------------------------------------------

@st.composite
def logs(draw) -> GenLog:
    n_cases = draw(st.integers(1, 5))
    case_attrs = [
        (draw(st.sampled_from(PRIORITIES)), draw(st.sampled_from(VIPS)), draw(st.sampled_from(ODD_VALUES)))
        for _ in range(n_cases)
    ]
    rows = []
    for act, slot, res, team, note in ANCHOR:
        rows.append(("C0", act, slot, res, team, note))
    n_events = draw(st.integers(1, 14))
    for _ in range(n_events):
        rows.append((
            f"C{draw(st.integers(1, n_cases))}",
            draw(st.sampled_from(ACTIVITIES)),
            draw(st.integers(0, N_SLOTS - 1)),
            draw(st.sampled_from(RESOURCES)),
            draw(st.sampled_from(TEAMS)),
            draw(st.sampled_from(NOTES)),
        ))
    order = draw(st.permutations(range(len(rows))))
    records = []
    for i in order:
        case, act, slot, res, team, note = rows[i]
        k = int(case[1:])
        prio, vip, odd = case_attrs[k - 1] if k else ("P1", "yes", "a")
        records.append({"case_id": case, "activity": act, "timestamp": BASE + slot * STEP, "resource": res,
                        "team": team, "priority": prio, "note": note, "case:vip": vip, f"case:{ODD_KEY}": odd})
    events = pd.DataFrame.from_records(records, columns=COLUMNS)
    return GenLog(events, summarise(events))


def summarise(events: pd.DataFrame) -> pd.DataFrame:
    """The pandas reference of each case: span, trace, endpoints, last team, attributes."""
    ev = events.assign(seq=range(len(events))).sort_values(["timestamp", "seq"], kind="stable")
    out = []
    for case, g in ev.groupby("case_id", sort=False):
        teams = g["team"].dropna()
        trace = tuple(g["activity"])
        out.append({
            "case_id": case, "first_seq": g["seq"].min(), "start": g["timestamp"].min(), "end": g["timestamp"].max(),
            "duration_s": (g["timestamp"].max() - g["timestamp"].min()).total_seconds(),
            "trace": trace, "first": trace[0], "last": trace[-1],
            "pairs": set(itertools.pairwise(trace)), "team": teams.iloc[-1] if len(teams) else None,
            "priority": g["priority"].iloc[0], "vip": g["case:vip"].iloc[0], ODD_KEY: g[f"case:{ODD_KEY}"].iloc[0],
            "event_values": {col: tuple(g[col]) for col in ("activity", "resource", "team", "note")},
        })
    return pd.DataFrame(out).sort_values("first_seq").set_index("case_id", drop=False)


# -- generating filters: (clause factory, pandas predicate on a case row) -------------------------

def _instant(slot: int) -> dt.datetime:
    return BASE + slot * STEP / 2  # 15-minute grid: bounds on and between event times


def bounds(values):
    """A (low, high) pair with low <= high, or one of them None (open), never both."""
    both = st.tuples(values, values).map(lambda t: tuple(sorted(t)))
    return st.one_of(both, values.map(lambda v: (v, None)), values.map(lambda v: (None, v)))


def time_ranges():
    mode = st.sampled_from(["contained", "intersecting", "started", "completed"])
    return st.builds(lambda b, m: TimeRange(b[0], b[1], m), bounds(st.integers(-1, 2 * N_SLOTS).map(_instant)), mode)


def case_attributes():
    domains = {"priority": PRIORITIES, "team": TEAMS, "vip": VIPS, ODD_KEY: ODD_VALUES,
               "case_id": ["C0", "C1", "C2", "C9"]}
    return st.sampled_from(sorted(domains)).flatmap(lambda name: st.builds(
        CaseAttribute, st.just(name), st.lists(st.sampled_from(domains[name]), min_size=1, max_size=2), st.booleans()))


def event_attributes():
    domains = {"resource": RESOURCES, "team": TEAMS, "activity": ACTIVITIES, "note": NOTES}
    return st.sampled_from(sorted(domains)).flatmap(lambda name: st.builds(
        EventAttribute, st.just(name), st.lists(st.sampled_from(domains[name]), min_size=1, max_size=2), st.booleans()))


def durations():
    return bounds(st.integers(0, 2 * N_SLOTS).map(lambda k: k * 900.0)).map(lambda b: CaseDuration(*b))


def activity_sets():
    return st.lists(st.sampled_from(ACTIVITIES + ["Never"]), min_size=1, max_size=3)


def clauses_for(log: GenLog):
    traces = sorted(set(log.cases["trace"]))
    return st.one_of(
        time_ranges(),
        case_attributes(),
        event_attributes(),
        st.builds(VariantsByTrace, st.lists(st.sampled_from(traces), min_size=1, max_size=2).map(tuple), st.booleans()),
        durations(),
        st.builds(Activities, activity_sets(), st.sampled_from(["any", "all", "none"])),
        st.builds(StartActivities, activity_sets(), st.booleans()),
        st.builds(EndActivities, activity_sets(), st.booleans()),
        st.builds(DirectlyFollows, st.sampled_from(ACTIVITIES), st.sampled_from(ACTIVITIES), st.booleans()),
    )


@dataclass(frozen=True)
class VariantsByTrace:
    """A variants clause chosen by activity sequences (their ids are known only after ingest)."""

    traces: tuple[tuple[str, ...], ...]
    exclude: bool

    def clause(self, ids: dict[tuple[str, ...], int]) -> Variants:
        return Variants([ids[t] for t in self.traces], self.exclude)


def keeps(spec, case) -> bool:
    """The pandas reference: does the clause keep this case (a row of ``summarise``)?"""
    if isinstance(spec, VariantsByTrace):
        return (case["trace"] in spec.traces) != spec.exclude
    if isinstance(spec, TimeRange):
        lo = spec.start or dt.datetime.min.replace(tzinfo=dt.UTC)
        hi = spec.end or dt.datetime.max.replace(tzinfo=dt.UTC)
        s, e = case["start"].to_pydatetime(), case["end"].to_pydatetime()
        return {"contained": lo <= s and e <= hi, "intersecting": s <= hi and e >= lo,
                "started": lo <= s <= hi, "completed": lo <= e <= hi}[spec.mode]
    if isinstance(spec, CaseAttribute):
        value = case[spec.name]
        return (_norm(value) in spec.values) != spec.exclude
    if isinstance(spec, EventAttribute):
        hit = any(_norm(v) in spec.values for v in case["event_values"][spec.name])
        return hit != spec.exclude
    if isinstance(spec, CaseDuration):
        d = case["duration_s"]
        return (spec.min_s is None or d >= spec.min_s) and (spec.max_s is None or d <= spec.max_s)
    if isinstance(spec, Activities):
        present = set(case["trace"])
        return {"any": bool(present & set(spec.activities)), "all": set(spec.activities) <= present,
                "none": not present & set(spec.activities)}[spec.mode]
    if isinstance(spec, StartActivities):
        return (case["first"] in spec.activities) != spec.exclude
    if isinstance(spec, EndActivities):
        return (case["last"] in spec.activities) != spec.exclude
    if isinstance(spec, DirectlyFollows):
        return ((spec.source, spec.target) in case["pairs"]) != spec.exclude
    raise AssertionError(spec)


def _norm(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


# -- the warehouse side ------------------------------------------------------------------------

_counter = itertools.count()


@pytest.fixture(scope="module")
def store() -> Store:
    return Store(":memory:")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("filter_props")


def ingest(store: Store, folder: Path, events: pd.DataFrame, prefix: str) -> str:
    name = f"{prefix}_{next(_counter)}"
    path = folder / f"{name}.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for row in events.itertuples(index=False):
            writer.writerow(["" if _norm(v) is None else (v.strftime("%Y-%m-%d %H:%M:%S") if isinstance(v, dt.datetime) else v)
                             for v in row])
    ingest_log(path, log=name, store=store, options=OPTIONS)
    return name


def variant_ids(log) -> dict[tuple[str, ...], int]:
    v = get_variants(log)
    return {tuple(a): int(i) for a, i in zip(v["activities"], v["variant_id"], strict=True)}


def build(specs, ids) -> Filter:
    return Filter(tuple(s.clause(ids) if isinstance(s, VariantsByTrace) else s for s in specs))


def reference_cases(log: GenLog, specs) -> list[str]:
    return [c for c, row in log.cases.iterrows() if all(keeps(s, row) for s in specs)]


# -- comparing metrics ---------------------------------------------------------------------------

def tidy_cases(frame: pd.DataFrame, case_keys: set[str]) -> list[dict]:
    out = []
    for rec in frame.drop(columns=["variant_id"]).to_dict("records"):
        rec = {k: _norm(v) for k, v in rec.items() if k != "attributes"} | {
            "attributes": {k: v for k, v in rec["attributes"].items() if k in case_keys}}
        out.append(rec)
    return out


def tidy_edges(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["source", "target"]).reset_index(drop=True)


def tidy_variants(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.assign(activities=frame["activities"].map(tuple)).drop(columns=["variant_id", "cumulative_share"])
    return frame.sort_values("activities").reset_index(drop=True)


def assert_same_metrics(filtered, reference, case_keys: set[str]) -> None:
    assert tidy_cases(get_cases(filtered), case_keys) == tidy_cases(get_cases(reference), case_keys)
    got, want = discover_dfg(filtered), discover_dfg(reference)
    assert got.n_cases == want.n_cases
    assert got.start_activities == want.start_activities
    assert got.end_activities == want.end_activities
    pd.testing.assert_frame_equal(got.activities, want.activities, check_dtype=False)
    pd.testing.assert_frame_equal(tidy_edges(got.edges), tidy_edges(want.edges), check_dtype=False, rtol=1e-9)
    pd.testing.assert_frame_equal(tidy_variants(get_variants(filtered)), tidy_variants(get_variants(reference)),
                                  check_dtype=False, rtol=1e-9)


def assert_empty(filtered) -> None:
    assert get_cases(filtered).empty
    dfg = discover_dfg(filtered)
    assert dfg.n_cases == 0 and dfg.edges.empty and dfg.start_activities == {} and dfg.end_activities == {}
    assert get_variants(filtered).empty


# -- the properties ------------------------------------------------------------------------------

@st.composite
def log_and_filter(draw):
    log = draw(logs())
    specs = draw(st.lists(clauses_for(log), min_size=1, max_size=2))
    return log, specs


@SETTINGS
@given(log_and_filter())
def test_filtered_log_equals_log_of_kept_cases(store, folder, example):
    gen, specs = example
    full = store.log(ingest(store, folder, gen.events, "full"))
    flt = build(specs, variant_ids(full))
    filtered = replace(full, filter=flt)
    expected = reference_cases(gen, specs)
    assert get_cases(filtered)["case_id"].tolist() == expected, flt.describe()
    event(f"kept {'none' if not expected else 'all' if len(expected) == len(gen.cases) else 'some'} of the cases")
    if not expected:
        assert_empty(filtered)
        return
    if len(expected) == len(gen.cases):
        reference = replace(full, filter=None)
    else:
        kept = gen.events[gen.events["case_id"].isin(expected)]
        reference = store.log(ingest(store, folder, kept, "kept"))
    case_keys = set(store.logs().set_index("log").loc[full.name, "case_attributes"])
    assert_same_metrics(filtered, reference, case_keys)


@settings(SETTINGS, max_examples=MAX_EXAMPLES // 2)
@given(logs(), st.data())
def test_selection_matches_pandas_for_many_filters(store, folder, gen, data):
    """Cheaper and wider: one ingest, many filters, the kept case ids against the pandas reference
    (also through the Filter's JSON round trip, and for the AND of two filters)."""
    full = store.log(ingest(store, folder, gen.events, "many"))
    ids = variant_ids(full)
    previous = None
    for _ in range(8):
        specs = data.draw(st.lists(clauses_for(gen), min_size=1, max_size=3))
        flt = build(specs, ids)
        expected = reference_cases(gen, specs)
        event(f"kept {len(expected)} of {len(gen.cases)} cases")
        assert get_cases(replace(full, filter=flt))["case_id"].tolist() == expected, flt.describe()
        assert Filter.from_dict(flt.to_dict()) == flt
        if previous is not None:
            both = reference_cases(gen, specs + previous[0])
            assert get_cases(replace(full, filter=flt & previous[1]))["case_id"].tolist() == both
        previous = (specs, flt)


def test_reference_summary_breaks_ties_by_source_order():
    events = pd.DataFrame.from_records([
        {"case_id": "C1", "activity": "Work", "timestamp": BASE + STEP, "team": "L2"},
        {"case_id": "C1", "activity": "Triage", "timestamp": BASE, "team": None},
        {"case_id": "C1", "activity": "Wait", "timestamp": BASE + STEP, "team": None},
    ]).assign(resource=None, priority="P1", note=None, **{"case:vip": None, f"case:{ODD_KEY}": None})
    row = summarise(events[COLUMNS]).loc["C1"]
    assert row["trace"] == ("Triage", "Work", "Wait")
    assert row["team"] == "L2" and row["duration_s"] == 1800.0
    assert keeps(DirectlyFollows("Work", "Wait"), row) and not keeps(DirectlyFollows("Wait", "Work"), row)

