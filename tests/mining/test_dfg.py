"""The process map on a tiny hand-made log: counts, times, ties, self-loops, projection, simplification."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining.dfg import END, START, discover_dfg, simplify_paths
from pipelines.mining.variants import get_variants, variant_coverage
from pipelines.store import Store

# c1: a b c (b at the same second as a: file order decides), c2: a c, c3: a b b c, c4: a (single event)
LOG = """Case,Activity,Timestamp
c1,a,2024-01-01 09:00:00
c1,b,2024-01-01 09:00:00
c1,c,2024-01-01 10:00:00
c2,a,2024-01-02 09:00:00
c2,c,2024-01-02 09:30:00
c3,a,2024-01-03 09:00:00
c3,b,2024-01-03 11:00:00
c3,b,2024-01-03 12:00:00
c3,c,2024-01-03 16:00:00
c4,a,2024-01-04 09:00:00
"""


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    path = tmp_path_factory.mktemp("dfg") / "tiny.csv"
    path.write_text(LOG)
    store = Store(":memory:")
    ingest_log(path, log="tiny", store=store)
    return store.log("tiny")


def edge_table(dfg) -> dict:
    return {(r.source, r.target): (r.frequency, r.cases, r.mean_s, r.median_s, r.total_s)
            for r in dfg.edges.itertuples()}


def test_counts_and_times_by_hand(log):
    dfg = discover_dfg(log)
    assert edge_table(dfg) == {
        ("a", "b"): (2, 2, (0 + 7200) / 2, 3600.0, 7200.0),
        ("b", "c"): (2, 2, (3600 + 14400) / 2, 9000.0, 18000.0),
        ("a", "c"): (1, 1, 1800.0, 1800.0, 1800.0),
        ("b", "b"): (1, 1, 3600.0, 3600.0, 3600.0),  # self-loop
    }
    assert dfg.start_activities == {"a": 4}
    assert dfg.end_activities == {"c": 3, "a": 1}  # the single-event case ends where it starts
    assert dfg.n_cases == 4
    acts = dfg.activities.set_index("activity")
    assert acts.loc["b", ["frequency", "cases"]].tolist() == [3, 2]
    assert acts.loc["a", ["frequency", "cases"]].tolist() == [4, 4]


def test_p90_interpolates_like_numpy(log):
    dfg = discover_dfg(log).edges.set_index(["source", "target"])
    assert dfg.loc[("b", "c"), "p90_s"] == pytest.approx(3600 + 0.9 * (14400 - 3600))


def test_projection_onto_the_most_frequent_activities(log):
    # activities by frequency: a (4), b (3), c (3); keeping 2 of 3 -> a and b (ties broken by name)
    dfg = discover_dfg(log, activities=0.6)
    assert set(dfg.activities["activity"]) == {"a", "b"}
    assert edge_table(dfg) == {
        ("a", "b"): (2, 2, 3600.0, 3600.0, 7200.0),
        ("b", "b"): (1, 1, 3600.0, 3600.0, 3600.0),
    }
    # c2 projected is <a>: it now ends with a; c1 and c3 end with b
    assert dfg.end_activities == {"b": 2, "a": 2}
    assert dfg.start_activities == {"a": 4}


def test_path_simplification_keeps_every_activity_connected():
    edges = pd.DataFrame({"source": ["a", "b", "a", "x"], "target": ["b", "c", "x", "c"], "frequency": [10, 9, 2, 1]})
    kept, added = simplify_paths(edges, {"a": 12}, {"c": 12}, 0.5)
    # top half = a>b, b>c; x is unreachable -> a>x added; x reaches no end -> x>c added
    assert [tuple(p) for p in kept[["source", "target"]].to_numpy()] == [("a", "b"), ("b", "c"), ("a", "x"), ("x", "c")]
    assert added == (("a", "x"), ("x", "c"))


def test_simplified_map_on_the_log(log):
    dfg = discover_dfg(log, paths=0.25)
    assert len(dfg.edges) >= 1
    reach = {"a"}
    for src, dst in zip(dfg.edges["source"], dfg.edges["target"], strict=True):
        if src in reach:
            reach.add(dst)
    assert reach >= {"a", "b", "c"}


@pytest.mark.parametrize("kwargs", [{"activities": 0}, {"activities": 1.5}, {"paths": -0.1}, {"paths": "all"}])
def test_shares_outside_0_1_fail_fast(log, kwargs):
    with pytest.raises(ValueError, match="must be a share in \\(0, 1\\]"):
        discover_dfg(log, **kwargs)


def test_json_contract(log):
    d = discover_dfg(log).to_dict()
    assert set(d) == {"edges", "start_activities", "end_activities"}
    assert set(d["edges"][0]) == {"source", "target", "frequency", "cases", "mean_s", "median_s", "p90_s", "total_s"}
    assert (START, END) == ("▶ start", "■ end")


def test_variants_by_hand(log):
    v = get_variants(log)
    assert [tuple(a) for a in v["activities"]] == [("a",), ("a", "b", "b", "c"), ("a", "b", "c"), ("a", "c")]
    assert v["cases"].tolist() == [1, 1, 1, 1]
    assert v["share"].tolist() == [0.25] * 4
    assert v["cumulative_share"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert v.set_index(v["activities"].map(tuple)).loc[[("a", "b", "b", "c")], "median_duration_s"].item() == 7 * 3600
    assert variant_coverage(log, 0.8) == 4
    assert variant_coverage(log, 0.5) == 2
    assert len(get_variants(log, top=2)) == 2
    with pytest.raises(ValueError, match="top must be a positive integer"):
        get_variants(log, top=0)
