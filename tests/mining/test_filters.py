"""Filters on a hand-made 5-case log: every clause kind and mode, combinations, exclusions, odd
attribute keys, injection attempts, validation messages, the dict round trip and the CLI flags.

The log (UTC; case order is (timestamp, source order)):

====  ===============================================  ===========  ========  =====  =========
case  trace (resources)                                span         duration  prio   last team
====  ===============================================  ===========  ========  =====  =========
C1    Open(ann) Assign(bob) Solve(bob)                 03-01 09-12  3h        P1     L2
C2    Open(ann) Solve(ann)                             03-02 09-09:30  30m    P2     L1
C3    Open(cid) Assign(bob) [same instant] Wait(bob)   03-03 08:00  2d 12h    -      L3
      Assign(bob) Solve(dan)                           -03-05 20:00
C4    Open(ann) Assign(eve) Wait(eve)  [Assign listed  03-02 10-13  3h        P1     L2
      before Open in the file, one hour later]
C5    Solve(fay)                                       03-06 09:00  0         P3     L3
====  ===============================================  ===========  ========  =====  =========

A second log ``other`` in the same warehouse reuses case id C1 (same case_idx 0) with other
activities, resources and attributes, so any predicate not tied to its log would show up.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from pipelines.cli_filters import (
    add_filter_arguments,
    filter_from_args,
    parse_duration,
    parse_key_values,
)
from pipelines.etl.loader import ingest_log
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
    apply_filter,
    compile_filter,
    filter_activities,
    filter_case_attribute,
    filter_case_duration,
    filter_directly_follows,
    filter_end_activities,
    filter_event_attribute,
    filter_start_activities,
    filter_time_range,
    filter_variants,
    format_seconds,
)
from pipelines.mining.variants import get_variants
from pipelines.store import Store

ODD_KEY = "x' or 1=1 --"
UNICODE_KEY = "Ärger ✓"
TINY = f'''case_id,activity,timestamp,resource,team,lifecycle,priority,channel,note,case:vip,"case:{ODD_KEY}",case:{UNICODE_KEY},case:$log
C1,Open,2024-03-01 09:00:00,ann,L1,complete,P1,email,a,yes,""" or """"=""",,k1
C1,Assign,2024-03-01 10:00:00,bob,L1,complete,P1,email,b,yes,""" or """"=""",,k1
C1,Solve,2024-03-01 12:00:00,bob,L2,complete,P1,email,a,yes,""" or """"=""",,k1
C2,Open,2024-03-02 09:00:00,ann,L1,complete,P2,phone,c,no,,ja ✓,
C2,Solve,2024-03-02 09:30:00,ann,L1,complete,P2,phone,c,no,,ja ✓,
C3,Open,2024-03-03 08:00:00,cid,L1,complete,,email,,,,,
C3,Assign,2024-03-03 08:00:00,bob,L2,complete,,email,,,,,
C3,Wait,2024-03-04 08:00:00,bob,L2,suspend,,email,,,,,
C3,Assign,2024-03-05 08:00:00,bob,L2,complete,,email,,,,,
C3,Solve,2024-03-05 20:00:00,dan,L3,complete,,email,,,,,
C4,Assign,2024-03-02 11:00:00,eve,L2,complete,P1,chat,,yes,,nein,
C4,Open,2024-03-02 10:00:00,ann,L1,complete,P1,chat,,yes,,nein,
C4,Wait,2024-03-02 13:00:00,eve,L2,complete,P1,chat,,yes,,nein,
C5,Solve,2024-03-06 09:00:00,fay,L3,complete,P3,phone,,no,'; drop table events; --,,
'''
OTHER = """case_id,activity,timestamp,resource,priority,note,case:vip
C1,Wait,2024-03-01 09:00:00,zed,P2,c,no
C1,Assign,2024-03-01 09:10:00,zed,P2,z,no
C9,Open,2024-03-01 09:00:00,zed,P9,c,yes
"""
ALL = ["C1", "C2", "C3", "C4", "C5"]
TABLES = ("events", "cases", "variants", "logs", "rejects", "meta")


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("filters")
    (folder / "tiny.csv").write_text(TINY, encoding="utf-8")
    (folder / "other.csv").write_text(OTHER, encoding="utf-8")
    st = Store(":memory:")
    ingest_log(folder / "tiny.csv", log="tiny", store=st)
    ingest_log(folder / "other.csv", log="other", store=st)
    return st


@pytest.fixture
def log(store):
    return store.log("tiny")


def ids(log) -> list[str]:
    return get_cases(log)["case_id"].tolist()


def row_counts(store: Store) -> dict[str, int]:
    with store.cursor() as cur:
        return {t: cur.execute(f"select count(*) from {t}").fetchone()[0] for t in TABLES}


def with_filter(log, *clauses):
    """Bypass the attribute-name check (apply_filter's) to test the SQL alone."""
    return dataclasses.replace(log, filter=Filter(clauses))


# -- time windows ---------------------------------------------------------------------------

@pytest.mark.parametrize(("mode", "expected"), [
    ("contained", ["C4"]),
    ("intersecting", ["C2", "C3", "C4"]),  # C3 starts exactly at the window's end
    ("started", ["C3", "C4"]),
    ("completed", ["C2", "C4"]),
])
def test_time_range_modes(log, mode, expected):
    assert ids(filter_time_range(log, "2024-03-02 09:15", "2024-03-03T08:00:00", mode=mode)) == expected


@pytest.mark.parametrize("start", [
    "2024-03-02T10:15:00+01:00",
    pd.Timestamp("2024-03-02 09:15:00.000000999", tz="UTC"),  # nanoseconds: floored to DuckDB's microseconds
    np.datetime64("2024-03-02T09:15"),
    dt.datetime(2024, 3, 2, 9, 15),  # naive = UTC
    dt.datetime(2024, 3, 2, 4, 15, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
])
def test_time_range_zones_are_instants(log, start):
    clause = TimeRange(start, "2024-03-03 08:00", "intersecting")
    assert clause.start == dt.datetime(2024, 3, 2, 9, 15, tzinfo=dt.UTC)
    assert ids(apply_filter(log, clause)) == ["C2", "C3", "C4"]


def test_time_range_open_bounds_are_inclusive(log):
    assert ids(filter_time_range(log, "2024-03-05T20:00:00Z", None, mode="completed")) == ["C3", "C5"]
    assert ids(filter_time_range(log, None, "2024-03-01 12:00", mode="contained")) == ["C1"]
    assert ids(filter_time_range(log, dt.date(2024, 3, 6), None, mode="started")) == ["C5"]


def test_time_range_default_mode_is_intersecting(log):
    assert ids(filter_time_range(log, "2024-03-01 11:00", "2024-03-01 11:30")) == ["C1"]


# -- case attributes --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "values", "exclude", "expected"), [
    ("priority", ["P1"], False, ["C1", "C4"]),
    ("priority", ["P2", "P1"], False, ["C1", "C2", "C4"]),
    ("priority", ["P1"], True, ["C2", "C3", "C5"]),  # missing priority (C3) is not P1
    ("priority", ["P1", None], True, ["C2", "C5"]),
    ("priority", [None], False, ["C3"]),
    ("team", ["L2"], False, ["C1", "C4"]),  # the case's last team
    ("channel", "email", False, ["C1", "C3"]),  # a bare string is one value
    ("case_id", ["C2", "C5", "C7"], False, ["C2", "C5"]),
    ("vip", ["yes"], False, ["C1", "C4"]),
    ("vip", ["yes"], True, ["C2", "C3", "C5"]),
    ("vip", [None], False, ["C3"]),
    (ODD_KEY, ["'; drop table events; --"], False, ["C5"]),
    (ODD_KEY, ['" or ""="'], False, ["C1"]),
    (ODD_KEY, ['" or ""="'], True, ["C2", "C3", "C4", "C5"]),
    (UNICODE_KEY, ["ja ✓"], False, ["C2"]),
    ("$log", ["k1"], False, ["C1"]),
    ("$log", ["tiny"], False, []),
])
def test_case_attribute(log, name, values, exclude, expected):
    assert ids(filter_case_attribute(log, name, values, exclude=exclude)) == expected


def test_unknown_or_unmapped_case_attribute_fails_fast(log):
    with pytest.raises(ValueError, match=r"log 'tiny' has no customer \(no column was mapped to it at ingest\)"):
        filter_case_attribute(log, "customer", ["acme"])
    with pytest.raises(ValueError, match=r"no case attribute 'note' \('note' is an event attribute\); case attributes: 'case_id', 'priority'"):
        filter_case_attribute(log, "note", ["a"])
    with pytest.raises(ValueError, match=r"no event attribute 'vip' \('vip' is a case attribute\)"):
        filter_event_attribute(log, "vip", ["yes"])
    with pytest.raises(ValueError, match="no case attribute 'colour'"):
        apply_filter(log, Filter((CaseAttribute("colour", ["red"]),)))


# -- event attributes -------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "values", "exclude", "expected"), [
    ("resource", ["bob"], False, ["C1", "C3"]),
    ("resource", ["bob"], True, ["C2", "C4", "C5"]),
    ("resource", ["fay", "dan"], False, ["C3", "C5"]),
    ("team", ["L2"], False, ["C1", "C3", "C4"]),  # any event, not the last team
    ("lifecycle", ["suspend"], False, ["C3"]),
    ("activity", ["Wait"], False, ["C3", "C4"]),
    ("note", ["a"], False, ["C1"]),
    ("note", ["c"], False, ["C2"]),  # log "other" has note c too, in its own C1
    ("note", [None], False, ["C3", "C4", "C5"]),  # some event without a note
    ("note", [None], True, ["C1", "C2"]),
])
def test_event_attribute(log, name, values, exclude, expected):
    assert ids(filter_event_attribute(log, name, values, exclude=exclude)) == expected


# -- variants, durations, activities ----------------------------------------------------------

def test_variants(log):
    vid = {tuple(a): v for a, v in zip(get_variants(log)["activities"], get_variants(log)["variant_id"], strict=True)}
    c1, c3 = vid[("Open", "Assign", "Solve")], vid[("Open", "Assign", "Wait", "Assign", "Solve")]
    assert ids(filter_variants(log, [c1])) == ["C1"]
    assert ids(filter_variants(log, [c3, c1])) == ["C1", "C3"]
    assert ids(filter_variants(log, [c1], exclude=True)) == ["C2", "C3", "C4", "C5"]
    assert ids(filter_variants(log, [99])) == []


@pytest.mark.parametrize(("min_s", "max_s", "expected"), [
    (10800, None, ["C1", "C3", "C4"]),  # inclusive
    (None, 1800, ["C2", "C5"]),
    (1800, 10800, ["C1", "C2", "C4"]),
    (0, 0, ["C5"]),
    (10800.5, 216000, ["C3"]),
])
def test_case_duration(log, min_s, max_s, expected):
    assert ids(filter_case_duration(log, min_s=min_s, max_s=max_s)) == expected


@pytest.mark.parametrize(("activities", "mode", "expected"), [
    (["Wait"], "any", ["C3", "C4"]),
    (["Wait", "Close"], "any", ["C3", "C4"]),
    (["Assign", "Solve"], "all", ["C1", "C3"]),
    (["Assign", "Nope"], "all", []),
    (["Assign"], "none", ["C2", "C5"]),
    (["Assign", "Wait"], "none", ["C2", "C5"]),
    ("Solve", "none", ["C4"]),
])
def test_activities(log, activities, mode, expected):
    assert ids(filter_activities(log, activities, mode=mode)) == expected


def test_start_and_end_activities(log):
    assert ids(filter_start_activities(log, ["Open"])) == ["C1", "C2", "C3", "C4"]  # C4's Open is earlier
    assert ids(filter_start_activities(log, ["Solve"])) == ["C5"]
    assert ids(filter_start_activities(log, ["Open"], exclude=True)) == ["C5"]
    assert ids(filter_end_activities(log, ["Solve"])) == ["C1", "C2", "C3", "C5"]
    assert ids(filter_end_activities(log, ["Wait", "Assign"])) == ["C4"]
    assert ids(filter_end_activities(log, ["Solve"], exclude=True)) == ["C4"]


@pytest.mark.parametrize(("source", "target", "exclude", "expected"), [
    ("Open", "Assign", False, ["C1", "C3", "C4"]),  # C3: tie broken by source order; C4: by time
    ("Assign", "Open", False, []),
    ("Assign", "Open", True, ALL),
    ("Assign", "Solve", False, ["C1", "C3"]),
    ("Wait", "Assign", False, ["C3"]),  # log "other" has Wait -> Assign in its C1
    ("Open", "Assign", True, ["C2", "C5"]),
    ("Open", "Solve", False, ["C2"]),
])
def test_directly_follows(log, source, target, exclude, expected):
    assert ids(filter_directly_follows(log, source, target, exclude=exclude)) == expected


# -- combinations --------------------------------------------------------------------------

def test_functions_and_the_existing_filter_combine_with_and(log):
    narrowed = filter_case_attribute(log, "priority", ["P1"])
    assert ids(narrowed) == ["C1", "C4"]
    both = filter_end_activities(narrowed, ["Solve"])
    assert ids(both) == ["C1"]
    assert both.filter == Filter((CaseAttribute("priority", ["P1"]), EndActivities(["Solve"])))
    assert ids(filter_activities(narrowed, ["Wait"])) == ["C4"]
    assert ids(filter_event_attribute(filter_case_duration(log, min_s=3600), "resource", ["bob"], exclude=True)) == ["C4"]
    none = filter_directly_follows(filter_start_activities(log, ["Solve"]), "Open", "Solve")
    assert ids(none) == []
    assert discover_dfg(none).n_cases == 0


def test_two_clauses_of_one_kind_get_their_own_parameters(log):
    f = Filter((CaseAttribute("priority", ["P1", "P2"]), CaseAttribute("channel", ["email"]),
                EventAttribute("resource", ["bob"]), EventAttribute("resource", ["ann"])))
    sql, params = compile_filter(f)
    assert set(params) == {"f0_values", "f0_missing", "f1_values", "f1_missing",
                           "f2_values", "f2_missing", "f3_values", "f3_missing"}
    assert "f2_e" in sql and "f3_e" in sql
    assert ids(apply_filter(log, f)) == ["C1"]


def test_filtered_metrics_follow_the_cases(log):
    dfg = discover_dfg(filter_case_attribute(log, "priority", ["P1"]))
    assert dfg.n_cases == 2
    assert dfg.start_activities == {"Open": 2}
    assert dfg.end_activities == {"Solve": 1, "Wait": 1}
    got = {(r.source, r.target): (r.frequency, r.cases) for r in dfg.edges.itertuples()}
    assert got == {("Open", "Assign"): (2, 2), ("Assign", "Solve"): (1, 1), ("Assign", "Wait"): (1, 1)}
    variants = get_variants(filter_case_duration(log, min_s=10800))
    assert variants["cases"].tolist() == [1, 1, 1]
    assert variants["share"].tolist() == pytest.approx([1 / 3] * 3)


def test_empty_filter_and_none_keep_everything(log):
    assert compile_filter(None) == ("true", {})
    assert compile_filter(Filter()) == ("true", {})
    assert apply_filter(log, None) is log
    assert ids(dataclasses.replace(log, filter=Filter())) == ALL


def test_another_prefix_composes_two_filters(log):
    a, pa = compile_filter(CaseAttribute("priority", ["P1"]))
    b, pb = compile_filter(Filter((CaseAttribute("priority", ["P2"]), EndActivities(["Solve"]))), prefix="g")
    assert set(pa) == {"f0_values", "f0_missing"}
    assert set(pb) == {"g0_values", "g0_missing", "g1_activities"}
    with log.store.cursor() as cur:
        rows = cur.execute(f"select c.case_id, {a} as in_a, {b} as in_b from cases c where c.log = $log order by c.case_idx",
                           {"log": "tiny", **pa, **pb}).fetchall()
    assert rows == [("C1", True, False), ("C2", False, True), ("C3", False, False), ("C4", True, False),
                    ("C5", False, False)]
    with pytest.raises(ValueError, match="prefix must be lowercase letters and digits"):
        compile_filter(Filter(), prefix="f; drop")


def test_a_bare_clause_is_accepted_as_a_log_filter(log):
    assert ids(dataclasses.replace(log, filter=StartActivities(["Solve"]))) == ["C5"]
    assert ids(filter_end_activities(dataclasses.replace(log, filter=Activities(["Wait"])), ["Solve"])) == ["C3"]


# -- injection -------------------------------------------------------------------------------

NASTY = [
    "x' or 1=1 --",
    "'; drop table events; --",
    '" or ""="',
    "'); delete from cases; select ('",
    "$log",
    "{{cases_where}}",
    "P_values",
    "Ω≈ç√ 中文 🎫",
    "a]b[c",
]


@pytest.mark.parametrize("nasty", NASTY)
def test_injection_values_are_only_values(store, log, nasty):
    before = row_counts(store)
    clauses = [
        CaseAttribute("priority", [nasty]), CaseAttribute("vip", [nasty]), CaseAttribute(nasty, ["yes"]),
        EventAttribute("resource", [nasty]), EventAttribute(nasty, ["a"]), Activities([nasty]),
        StartActivities([nasty]), EndActivities([nasty]), DirectlyFollows(nasty, "Assign"),
        DirectlyFollows("Open", nasty),
    ]
    for clause in clauses:
        sql, params = compile_filter(clause)
        assert nasty not in sql
        bound = [x for v in params.values() for x in (v if isinstance(v, list) else [v])]
        assert nasty in bound
        assert ids(with_filter(log, clause)) == []
        excluded = dataclasses.replace(clause, exclude=True) if hasattr(clause, "exclude") else Activities([nasty], "none")
        assert ids(with_filter(log, excluded)) == ALL
    assert ids(with_filter(log, TimeRange("2024-03-01", None), CaseAttribute(nasty, [nasty], exclude=True))) == ALL
    assert row_counts(store) == before


def test_injection_keys_that_exist_match_exactly(store, log):
    before = row_counts(store)
    assert ids(filter_case_attribute(log, ODD_KEY, ["'; drop table events; --", '" or ""="'])) == ["C1", "C5"]
    assert ids(filter_case_attribute(log, ODD_KEY, ["x' or 1=1 --"])) == []
    assert ids(filter_case_attribute(log, "priority", ["P1' or '1'='1"])) == []
    assert row_counts(store) == before
    assert ids(log) == ALL
    assert store.log_names() == ["other", "tiny"]


def test_identifiers_come_from_a_fixed_list():
    for name in ("priority", "channel", "category", "team", "customer", "case_id"):
        assert f'c."{name}"' in compile_filter(CaseAttribute(name, ["v"]))[0]
    sql, params = compile_filter(CaseAttribute('pri"ority', ["v"]))
    assert 'pri"ority' not in sql and params["f0_key"] == 'pri"ority'
    for name in ("activity", "resource", "team", "lifecycle"):
        assert f'f0_e."{name}"' in compile_filter(EventAttribute(name, ["v"]))[0]


# -- validation ------------------------------------------------------------------------------

@pytest.mark.parametrize(("make", "message"), [
    (lambda: CaseAttribute("priority", []), r"values of 'priority' must not be empty"),
    (lambda: EventAttribute("resource", ()), r"values of 'resource' must not be empty"),
    (lambda: CaseAttribute("", ["x"]), r"case attribute name must be a non-empty string"),
    (lambda: CaseAttribute("priority", [1]), r"values of 'priority' must be strings or None \(missing\); got 1"),
    (lambda: CaseAttribute("priority", ["P1"], exclude="yes"), r"exclude must be True or False"),
    (lambda: Activities([], "any"), r"activities must not be empty"),
    (lambda: Activities(["A", None]), r"activities must be strings; got None"),
    (lambda: Activities(["A"], "some"), r"mode must be one of 'any', 'all', 'none'; got 'some'"),
    (lambda: TimeRange("2024-01-01", "2024-02-01", "overlapping"),
     r"mode must be one of 'contained', 'intersecting', 'started', 'completed'; got 'overlapping'"),
    (lambda: TimeRange(None, None), r"a time range needs a start, an end or both"),
    (lambda: TimeRange("2024-02-01", "2024-01-01"), r"start \(2024-02-01T00:00:00\+00:00\) is after end"),
    (lambda: TimeRange("yesterday", None), r"start: cannot read 'yesterday' as an ISO 8601 time"),
    (lambda: TimeRange(12, None), r"start must be a time"),
    (lambda: CaseDuration(), r"needs min_s, max_s or both"),
    (lambda: CaseDuration(100, 10), r"min_s \(100\) is greater than max_s \(10\)"),
    (lambda: CaseDuration(-1, None), r"min_s must not be negative"),
    (lambda: CaseDuration(None, float("nan")), r"max_s must be a finite number of seconds"),
    (lambda: CaseDuration(True, None), r"min_s must be a finite number of seconds"),
    (lambda: Variants([]), r"variant_ids must not be empty"),
    (lambda: Variants([0]), r"variant_ids must be positive integers"),
    (lambda: Variants([True]), r"variant_ids must be positive integers"),
    (lambda: Variants(["1"]), r"variant_ids must be positive integers"),
    (lambda: DirectlyFollows("A", ""), r"target activity must be a non-empty string"),
    (lambda: Filter(("priority",)), r"not a filter clause: 'priority'"),
])
def test_bad_input_fails_fast(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_function_arguments_are_validated(log):
    with pytest.raises(ValueError, match="mode must be one of 'any', 'all', 'none'"):
        filter_activities(log, ["Open"], mode="every")
    with pytest.raises(ValueError, match=r"min_s \(5\) is greater than max_s \(1\)"):
        filter_case_duration(log, min_s=5, max_s=1)
    with pytest.raises(TypeError, match="takes 1 positional argument"):
        filter_case_duration(log, 5, 10)  # options are keyword-only
    with pytest.raises(TypeError, match=r"expected a Filter, a filter clause or None; got dict"):
        compile_filter({"clauses": []})


# -- identity, JSON, describe ----------------------------------------------------------------

EVERY_KIND = Filter((
    TimeRange("2024-03-02T10:15:00+01:00", None, "started"),
    CaseAttribute("priority", ["P2", None, "P1"], exclude=True),
    CaseAttribute(ODD_KEY, ["'; drop table events; --"]),
    EventAttribute("resource", ["bob"]),
    Variants([3, 1]),
    CaseDuration(min_s=90),
    Activities(["Wait", "Assign"], "all"),
    StartActivities(["Open"]),
    EndActivities(["Solve", "Wait"], exclude=True),
    DirectlyFollows("Open", "Assign", exclude=True),
))


def test_to_dict_from_dict_round_trip_through_json():
    data = json.loads(json.dumps(EVERY_KIND.to_dict()))
    assert data["version"] == 1
    assert data["clauses"][0] == {"kind": "time_range", "start": "2024-03-02T09:15:00+00:00", "end": None, "mode": "started"}
    assert data["clauses"][1] == {"kind": "case_attribute", "name": "priority", "values": ["P1", "P2", None], "exclude": True}
    back = Filter.from_dict(data)
    assert back == EVERY_KIND
    assert hash(back) == hash(EVERY_KIND)
    assert back.digest() == EVERY_KIND.digest()
    assert compile_filter(back) == compile_filter(EVERY_KIND)


def test_equal_meaning_is_equal_and_hashable(store):
    a = CaseAttribute("priority", ["P2", "P1", "P1"])
    b = CaseAttribute("priority", ("P1", "P2"))
    assert a == b and hash(a) == hash(b)
    assert TimeRange("2024-03-01T10:00:00+01:00", None) == TimeRange(dt.datetime(2024, 3, 1, 9), None)
    assert CaseDuration(60) == CaseDuration(60.0)
    assert Variants(2) == Variants([2, 2])
    f = a & StartActivities(["Open"])
    assert f == Filter((b, StartActivities("Open")))
    assert f & a == f  # repeated clauses are kept once
    assert (f & Filter((CaseDuration(max_s=1),))).clauses[-1] == CaseDuration(max_s=1)
    assert f != Filter((StartActivities(["Open"]), a))  # order is kept (it is what describe shows)
    assert len({f, Filter((b, StartActivities("Open")))}) == 1
    assert CaseAttribute("priority", ["P1"]) != CaseAttribute("priority", ["P1"], exclude=True)
    assert EventAttribute("team", ["L1"]) != CaseAttribute("team", ["L1"])
    log1 = filter_case_attribute(store.log("tiny"), "priority", ["P1", "P2"])
    log2 = filter_case_attribute(store.log("tiny"), "priority", ["P2", "P1"])
    assert log1 == log2 and hash(log1) == hash(log2)
    assert {log1: 1}[log2] == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"clauses": [{"kind": "colour", "values": ["red"]}]}, r"clause kind must be one of 'time_range'"),
    ({"clauses": [{"kind": "variants", "variant_ids": [1], "negate": True}]},
     r"unknown keys \['negate'\] for a variants clause; allowed: variant_ids, exclude"),
    ({"clauses": [{"kind": "case_attribute", "values": ["x"]}]}, r"bad case_attribute clause"),
    ({"version": 2, "clauses": []}, r"filter version 2 is not supported"),
    ({"clauses": {}}, r"'clauses' must be a list"),
    ({"clause": []}, r"unknown filter keys \['clause'\]"),
    ([], r"a filter must be a dict"),
    ({"clauses": [{"kind": "time_range", "start": "soon", "end": None, "mode": "started"}]}, r"cannot read 'soon'"),
])
def test_from_dict_rejects_bad_state(data, message):
    with pytest.raises(ValueError, match=message):
        Filter.from_dict(data)


def test_describe():
    assert EVERY_KIND.describe() == [
        "case starts at or after 2024-03-02 09:15 UTC",
        "priority is none of P1, P2 and (missing)",
        "x' or 1=1 -- is '; drop table events; --",
        "some event has resource bob",
        "variant is 1 or 3",
        "duration is at least 1m 30s",
        "has activities Assign and Wait",
        "starts with Open",
        "does not end with Solve or Wait",
        "Open is never directly followed by Assign",
    ]
    assert CaseAttribute("priority", ["P1", "P2"]).describe() == "priority is P1 or P2"
    assert CaseAttribute("priority", ["P1"], exclude=True).describe() == "priority is not P1"
    assert TimeRange("2024-03-01", "2024-03-31T23:59:59", "contained").describe() == (
        "case starts and ends between 2024-03-01 00:00 UTC and 2024-03-31 23:59:59 UTC")
    assert TimeRange(None, "2024-03-01", "intersecting").describe() == "case is open at some time at or before 2024-03-01 00:00 UTC"
    assert TimeRange("2024-03-01", "2024-03-02", "completed").describe() == (
        "case ends between 2024-03-01 00:00 UTC and 2024-03-02 00:00 UTC")
    assert CaseDuration(1800, 4 * 3600).describe() == "duration is between 30m and 4h"
    assert CaseDuration(max_s=2 * 86400 + 0.5).describe() == "duration is at most 2d 0.5s"
    assert EventAttribute("resource", ["ann", "bob", "eve"], exclude=True).describe() == "no event has resource ann, bob or eve"
    assert Activities(["Wait"], "none").describe() == "has no activity Wait"
    assert Activities(["Wait", "Assign"]).describe() == "has activity Assign or Wait"
    assert Variants([4], exclude=True).describe() == "variant is not 4"
    assert DirectlyFollows("A", "B").describe() == "A is directly followed by B"
    assert Filter().describe() == []
    assert format_seconds(0) == "0s" and format_seconds(93784) == "1d 2h 3m 4s"


# -- CLI flags -------------------------------------------------------------------------------

def parse(*argv: str):
    parser = argparse.ArgumentParser(prog="deskmine")
    add_filter_arguments(parser)
    return filter_from_args(parser.parse_args(list(argv)))


def test_cli_no_flags_no_filter():
    assert parse() is None


def test_cli_every_flag():
    got = parse(
        "--start", "2024-03-02T10:15:00+01:00", "--time-mode", "started",
        "--where", "priority=P1,P2", "--where", r"odd\=key=a\,b", "--where-not", "vip=no",
        "--event-where", "resource=bob", "--event-where-not", "team=L9",
        "--variant", "3", "--variant", "1", "--min-duration", "90", "--max-duration", "1h30m",
        "--has-activity", "Assign", "--has-activity", "Wait", "--lacks-activity", "Close",
        "--starts-with", "Open", "--ends-with", "Solve", "--ends-with", "Wait",
        "--follows", "Open >> Assign", "--not-follows", "Wait>>Solve ticket",
    )
    assert got == Filter((
        TimeRange("2024-03-02T09:15:00Z", None, "started"),
        CaseAttribute("priority", ["P1", "P2"]),
        CaseAttribute("odd=key", ["a,b"]),
        CaseAttribute("vip", ["no"], exclude=True),
        EventAttribute("resource", ["bob"]),
        EventAttribute("team", ["L9"], exclude=True),
        Variants([1, 3]),
        CaseDuration(90, 5400),
        Activities(["Assign", "Wait"], "all"),
        Activities(["Close"], "none"),
        StartActivities(["Open"]),
        EndActivities(["Solve", "Wait"]),
        DirectlyFollows("Open", "Assign"),
        DirectlyFollows("Wait", "Solve ticket", exclude=True),
    ))


def test_cli_filter_applies_to_a_log(log):
    f = parse("--where", "priority=P1", "--max-duration", "3h", "--follows", "Open>>Assign", "--end", "2024-03-02")
    assert ids(apply_filter(log, f)) == ["C1"]
    assert ids(apply_filter(log, parse("--lacks-activity", "Assign", "--where-not", "priority=P3"))) == ["C2"]


@pytest.mark.parametrize(("text", "seconds"), [
    ("90", 90.0), ("1.5", 1.5), ("30m", 1800.0), ("4h", 14400.0), ("2d", 172800.0), ("1w", 604800.0),
    ("1h30m", 5400.0), ("1h 30m 15s", 5415.0), ("0.5h", 1800.0), ("2D", 172800.0),
])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("argv", [
    ["--min-duration", "4 hours"], ["--min-duration", "-5"], ["--max-duration", "h"], ["--max-duration", ""],
    ["--where", "priority"], ["--where", "=P1"], ["--where", "priority=P1,,P2"], ["--follows", "A>B"],
    ["--follows", "A>>B>>C"], ["--not-follows", ">>B"], ["--variant", "0"], ["--variant", "first"],
    ["--time-mode", "during"],
])
def test_cli_bad_flags_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        parse(*argv)
    assert exc.value.code == 2
    assert argv[0] in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "message"), [
    (["--start", "2024-03-02", "--end", "2024-03-01"], r"start \(2024-03-02T00:00:00\+00:00\) is after end"),
    (["--min-duration", "2h", "--max-duration", "1h"], r"min_s \(7200\) is greater than max_s \(3600\)"),
    (["--time-mode", "started"], r"--time-mode needs --start, --end or both"),
    (["--end", "tomorrow"], r"end: cannot read 'tomorrow'"),
])
def test_cli_contradictions_raise_value_error(argv, message):
    with pytest.raises(ValueError, match=message):
        parse(*argv)


def test_parse_key_values_escapes():
    assert parse_key_values(r"a\\b=c\\,d") == ("a\\b", ("c\\", "d"))
    assert parse_key_values("k=v=w") == ("k", ("v=w",))
    assert parse_key_values("Ärger ✓=ja ✓") == ("Ärger ✓", ("ja ✓",))
