"""The dashboard's pure parts, without a browser: figures, cytoscape elements, KPI cards, filter state.

Every expectation is computed by hand on tiny inputs (see the comments).
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs

import pandas as pd
import pytest

from dashboard.components.filters import (
    bar_from_widgets,
    hours_to_seconds,
    next_state,
    widget_values,
)
from dashboard.figures.bottlenecks import handoff_matrix, key_labels, time_split_figure
from dashboard.figures.cases import case_timeline, event_table
from dashboard.figures.common import format_duration, format_share, mix
from dashboard.figures.kpis import reopen_kpi
from dashboard.figures.process_map import (
    bottleneck_edges,
    dfg_elements,
    edge_id,
    edge_stats,
    map_stylesheet,
    node_stats,
    scale,
    selection_clause,
)
from dashboard.figures.trends import resolution_figure, volume_figure
from dashboard.figures.variants import coverage_figure, sequence_text, variant_label, variant_table
from dashboard.state import (
    MISSING,
    Bar,
    FilterState,
    from_query,
    merge_search,
    split_filter,
    to_query,
)
from pipelines.mining.dfg import DFG, EDGE_COLUMNS, END, START
from pipelines.mining.filters import (
    Activities,
    CaseAttribute,
    CaseDuration,
    DirectlyFollows,
    EndActivities,
    Filter,
    StartActivities,
    TimeRange,
    Variants,
)


# -- a tiny process map, by hand -----------------------------------------------------------------
# cases: c1 = A B A, c2 = A C  ->  A: 3 events in 2 cases, B: 1, C: 1
# edges: A->B (c1, 60 s), B->A (c1, 500 s), A->C (c2, 30 s); starts {A: 2}; ends {A: 1, C: 1}
def tiny_dfg() -> DFG:
    edges = pd.DataFrame([
        ("A", "B", 1, 1, 60.0, 60.0, 60.0, 60.0, 60.0, 60.0),
        ("B", "A", 1, 1, 500.0, 500.0, 500.0, 500.0, 500.0, 500.0),
        ("A", "C", 1, 1, 30.0, 30.0, 30.0, 30.0, 30.0, 30.0),
    ], columns=EDGE_COLUMNS)
    edges.loc[0, "frequency"] = 2  # pretend A->B happened twice (in 1 case) so the measures differ
    edges.loc[0, "total_s"] = 120.0
    activities = pd.DataFrame({"activity": ["A", "B", "C"], "frequency": [3, 1, 1], "cases": [2, 1, 1]})
    return DFG(edges=edges, activities=activities, start_activities={"A": 2}, end_activities={"A": 1, "C": 1},
               n_cases=2)


def by_id(elements: list[dict]) -> dict[str, dict]:
    return {e["data"]["id"]: e for e in elements}


def test_elements_nodes_are_activities_plus_start_and_end():
    els = dfg_elements(tiny_dfg())
    nodes = [e["data"] for e in els if "source" not in e["data"]]
    assert [n["id"] for n in nodes] == ["A", "B", "C", START, END]
    assert [n["kind"] for n in nodes] == ["activity", "activity", "activity", "start", "end"]
    assert [n["label"] for n in nodes[:3]] == ["A\n3", "B\n1", "C\n1"]
    assert [(n["frequency"], n["cases"]) for n in nodes] == [(3, 2), (1, 1), (1, 1), (2, 2), (2, 2)]
    # node colour by frequency: A is the most frequent (t = 1 -> 0.15 + 0.7), B and C the least (t = 0)
    assert nodes[0]["color"] == mix(("#c6dbef", "#08306b"), 0.85) == "#244a7f"
    assert nodes[1]["color"] == mix(("#c6dbef", "#08306b"), 0.15) == "#aac1db"


def test_elements_edges_by_frequency_width_colour_and_bottleneck():
    els = by_id(dfg_elements(tiny_dfg(), measure="frequency", bottlenecks=1))
    ab, ba, ac = els[edge_id("A", "B")], els[edge_id("B", "A")], els[edge_id("A", "C")]
    assert edge_id("A", "B") == '["A", "B"]'  # stable per pair: cytoscape updates edges in place
    assert (ab["data"]["source"], ab["data"]["target"]) == ("A", "B")
    # frequencies 2, 1, 1 -> scaled 1, 0, 0 -> widths 1 + 9 t
    assert [ab["data"]["width"], ba["data"]["width"], ac["data"]["width"]] == [10.0, 1.0, 1.0]
    # colour at 0.2 + 0.8 t on the blue scale: t = 1 -> #08306b; t = 0 -> (198,219,239) + 0.2 * ((8,48,107) - ...)
    assert ab["data"]["color"] == "#08306b"
    assert ba["data"]["color"] == "#a0b9d5"
    assert [ab["data"]["label"], ba["data"]["label"]] == ["2", "1"]
    # the one bottleneck is the edge with the most total time: B->A (500 s) beats A->B (120 s)
    assert ba.get("classes") == "bottleneck"
    assert "classes" not in ab and "classes" not in ac


def test_elements_edges_by_performance_use_the_median():
    els = by_id(dfg_elements(tiny_dfg(), measure="performance", bottlenecks=0))
    ab, ba, ac = els[edge_id("A", "B")], els[edge_id("B", "A")], els[edge_id("A", "C")]
    # medians 60, 500, 30 -> scaled (60-30)/470, 1, 0
    assert ba["data"]["width"] == 10.0
    assert ac["data"]["width"] == 1.0
    assert ab["data"]["width"] == round(1 + 9 * 30 / 470, 2) == 1.57
    assert [ab["data"]["label"], ba["data"]["label"]] == ["1m", "8m"]
    assert ba["data"]["color"] == "#b30000"  # slowest: the dark end of the red scale
    assert ac["data"]["color"] == mix(("#fdd49e", "#b30000"), 0.2) == "#eeaa7e"
    assert not any(e.get("classes") for e in els.values())


def test_elements_start_and_end_edges_weighted_by_cases():
    elements = dfg_elements(tiny_dfg())
    terminal = [e["data"] for e in elements if "source" in e["data"] and e["data"]["kind"] in ("start", "end")]
    # the start edge, then the end edges sorted by cases, then name: A (1), C (1)
    assert [(d["source"], d["target"], d["cases"]) for d in terminal] == [(START, "A", 2), ("A", END, 1), ("C", END, 1)]
    # width 1 + (5 - 1) * cases / n_cases
    assert [d["width"] for d in terminal] == [5.0, 3.0, 3.0]
    assert [d["id"] for d in terminal] == [edge_id(START, "A"), edge_id("A", END), edge_id("C", END)]


def test_scale_and_bottlenecks_edge_cases():
    assert scale(pd.Series([5.0, 5.0])).tolist() == [0.5, 0.5]
    assert scale(pd.Series([1.0, float("nan"), 3.0])).tolist() == [0.0, 0.0, 1.0]
    assert bottleneck_edges(tiny_dfg().edges, 2) == {("B", "A"), ("A", "B")}
    assert bottleneck_edges(tiny_dfg().edges, 0) == set()
    with pytest.raises(ValueError, match="measure must be one of 'frequency', 'performance'"):
        dfg_elements(tiny_dfg(), measure="speed")


def test_stylesheet_marks_bottlenecks_dashed_red():
    sheet = {s["selector"]: s["style"] for s in map_stylesheet("frequency")}
    assert sheet["edge.bottleneck"]["line-style"] == "dashed"
    assert sheet["edge.bottleneck"]["line-color"] == "#d62728"
    assert sheet["edge"]["width"] == "data(width)"


def test_selection_clause_for_nodes_and_edges():
    assert selection_clause({"kind": "node", "id": "A"}) == Activities(["A"])
    assert selection_clause({"kind": "node", "id": START}) is None
    assert selection_clause({"kind": "edge", "source": "A", "target": "B"}) == DirectlyFollows("A", "B")
    assert selection_clause({"kind": "edge", "source": START, "target": "A"}) == StartActivities(["A"])
    assert selection_clause({"kind": "edge", "source": "C", "target": END}) == EndActivities(["C"])
    assert selection_clause(None) is None


def test_node_and_edge_stats():
    stats = dict(node_stats(tiny_dfg(), "A"))
    assert stats["events"] == "3"
    assert stats["cases"] == "2 (100.0% of cases)"
    assert stats["repeats per case"] == "1.50"
    assert stats["starts cases"] == "2" and stats["ends cases"] == "1"
    assert stats["most often after"] == "B (1×, median wait 8m)"
    edge = dict(edge_stats(tiny_dfg(), "A", "B"))
    assert edge["transitions"] == "2" and edge["median time"] == "1m" and edge["total time"] == "2m"
    assert dict(edge_stats(tiny_dfg(), START, "A")) == {"cases": "2 (100.0% of cases)"}


# -- KPI cards ---------------------------------------------------------------------------------

def kpis_dict(**over):
    base = {"cases": 4, "closed_cases": 3, "open_cases": 1, "median_duration_s": 7200.0,
            "p90_duration_s": 10080.0}
    return {**base, **over}


def test_reopen_rate_rules():
    acts = pd.DataFrame({"activity": ["Open", "Reopen ticket", "Close"], "cases": [10, 3, 9]})
    rework = pd.DataFrame({"activity": ["Resolve ticket"], "cases": [2]})
    k = reopen_kpi(acts, rework, 10)
    assert (k.value, k.text, k.detail) == (0.3, "30.0%", "3 cases with 'Reopen ticket'")
    assert k.tone == "danger"
    k = reopen_kpi(acts[acts["activity"] != "Reopen ticket"], rework, 10)
    assert (k.value, k.detail) == (0.2, "2 cases with 'Resolve ticket' more than once")
    k = reopen_kpi(acts.iloc[:1], rework.iloc[:0], 10)
    assert k.value is None and k.text == "—"
    assert reopen_kpi(acts, rework, 0).value is None


@pytest.mark.parametrize(("seconds", "text"), [
    (None, "—"), (float("nan"), "—"), (0, "0s"), (45, "45s"), (59.6, "60s"), (60, "1m"), (3599, "59m"),
    (3600, "1h"), (5400, "1h 30m"), (86399, "24h"), (86400, "1d"), (90000, "1d 1h"), (-120, "-2m"),
])
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


def test_format_share():
    assert format_share(0.1234) == "12.3%"
    assert format_share(None) == "—"


# -- trends, variants, bottlenecks, cases ---------------------------------------------------------

def trend_frame():
    return pd.DataFrame({
        "period_start": pd.to_datetime(["2024-01-01", "2024-01-08"], utc=True),
        "cases_opened": [3, 1], "cases_closed": [2, 0],
        "median_duration_s": [7200.0, float("nan")], "p90_duration_s": [10800.0, float("nan")],
    })


def test_trend_figures():
    vol = volume_figure(trend_frame(), "week")
    assert [t.name for t in vol.data] == ["opened", "closed"]
    assert list(vol.data[0].y) == [3, 1] and list(vol.data[1].y) == [2, 0]
    res = resolution_figure(trend_frame(), "week")
    # p90 max 10800 s = 3 h -> hours
    assert res.layout.yaxis.title.text == "resolution (hours)"
    assert list(res.data[0].y)[0] == 2.0 and list(res.data[1].y)[0] == 3.0
    empty = resolution_figure(trend_frame().iloc[1:], "week")
    assert empty.layout.annotations[0].text == "No closed cases in scope"


def variants_frame():
    return pd.DataFrame({
        "variant_id": [2, 1], "activities": [["a", "b"], ["a", "c", "d"]], "n_events": [2, 3], "cases": [3, 1],
        "share": [0.75, 0.25], "cumulative_share": [0.75, 1.0], "median_duration_s": [60.0, 120.0],
        "mean_duration_s": [70.0, 120.0],
    })


def test_variant_table_and_labels():
    table = variant_table(variants_frame())
    assert table["rank"].tolist() == [1, 2]
    assert table["variant_id"].tolist() == [2, 1]
    assert table["sequence"].tolist() == ["a → b", "a → c → d"]
    assert sequence_text(["a", "b", "c", "d"], limit=2) == "a → b … (+2)"
    assert variant_label(variants_frame().iloc[0]) == "#2 · 75.0% · a → b"
    fig = coverage_figure(variants_frame())
    assert list(fig.data[0].y) == [0.75, 0.25] and list(fig.data[1].y) == [0.75, 1.0]


def test_handoff_matrix_is_square_and_sorted():
    handoffs = pd.DataFrame({"source": ["L1", "BO"], "target": ["BO", "L1"], "handoffs": [5, 2]})
    matrix = handoff_matrix(handoffs)
    assert list(matrix.index) == ["BO", "L1"] and list(matrix.columns) == ["BO", "L1"]
    assert matrix.values.tolist() == [[0, 2], [5, 0]]


def test_time_split_labels_and_units():
    frame = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "rank": [2, 1],
                          "waiting_total_s": [3600.0, 7200.0], "processing_total_s": [float("nan"), 0.0]})
    assert key_labels(frame, "transition").tolist() == ["a → b", "b → c"]
    fig = time_split_figure(frame, "transition")
    # rank 1 first from the top: plotly draws the last category on top, so the order is reversed
    assert list(fig.data[0].y) == ["a → b", "b → c"]
    assert list(fig.data[0].x) == [1.0, 2.0]  # max 7200 s: 2 h or more -> hours
    assert fig.layout.xaxis.title.text == "total time (hours)"
    teams = pd.DataFrame({"team": ["L1", None]})
    assert key_labels(teams, "team").tolist() == ["L1", "(none)"]


def test_event_table_waits_and_timeline():
    ts = pd.to_datetime(["2024-01-01 09:00", "2024-01-01 09:30", "2024-01-01 11:30"], utc=True)
    events = pd.DataFrame({"case_id": ["c"] * 3, "case_pos": [0, 1, 2], "activity": ["Open", "Work", "Open"],
                           "timestamp": ts, "resource": ["ann", None, "bob"], "lifecycle": [None] * 3,
                           "team": ["L1", "L1", "BO"]})
    table = event_table(events)
    assert table["pos"].tolist() == [1, 2, 3]
    assert math.isnan(table["wait_s"][0]) and table["wait_s"].tolist()[1:] == [1800.0, 7200.0]
    assert table["since_start_s"].tolist() == [0.0, 1800.0, 9000.0]
    fig = case_timeline(events, "c")
    assert [t.name for t in fig.data[1:]] == ["L1", "BO"]  # one marker trace per team, first seen first
    assert list(fig.layout.yaxis.categoryarray) == ["Work", "Open"]  # first occurrence on top


# -- the filter state and its URL ------------------------------------------------------------------

def full_state() -> FilterState:
    return FilterState("before", Filter((
        CaseDuration(3600, 86400.5),
        CaseAttribute("priority", ["P2", "P1"]),
        TimeRange("2025-01-06", "2025-01-31T23:59:59", "started"),
        Variants([3, 1]),
        CaseAttribute("team", [None]),
        DirectlyFollows("Take in charge", "Escalate to L2"),
    )))


def test_query_string_is_readable_and_exact():
    q = to_query(full_state())
    assert q.startswith("log=before&from=2025-01-06&to=2025-01-31&priority=P1&priority=P2&team=__missing__"
                        "&variant=1&variant=3&dmin=3600&dmax=86400.5&clause=")
    assert parse_qs(q)["clause"] == ['{"exclude":false,"kind":"directly_follows","source":"Take in charge",'
                                     '"target":"Escalate to L2"}']


def test_query_round_trip_and_canonical_order():
    state = full_state()
    assert from_query("?" + to_query(state)) == state
    # canonical: bar clauses first (time, priority, team, variants, duration), extras after
    assert [c.kind for c in state.filter] == ["time_range", "case_attribute", "case_attribute", "variants",
                                             "case_duration", "directly_follows"]
    assert FilterState.from_store(state.to_store()) == state
    assert state.to_store()["query"] == to_query(state)


def test_split_filter_puts_what_the_bar_cannot_show_in_extras():
    bar, extras = split_filter(full_state().filter)
    assert bar.date_from == "2025-01-06" and bar.date_to == "2025-01-31"
    assert bar.attributes == {"priority": ("P1", "P2"), "team": (MISSING,)}
    assert bar.variants == (1, 3) and (bar.min_s, bar.max_s) == (3600.0, 86400.5)
    assert extras == (DirectlyFollows("Take in charge", "Escalate to L2"),)
    # an excluding attribute clause or a second one is an extra, not a bar value
    _, extras = split_filter(Filter((CaseAttribute("channel", ["email"], exclude=True),)))
    assert len(extras) == 1


def test_state_edits():
    state = full_state()
    other = state.with_log("after")
    assert other.log == "after" and not any(isinstance(c, Variants) for c in other.filter)
    assert len(other.filter) == len(state.filter) - 1
    patched = state.patched({"replace": ["variants"], "add": [{"kind": "variants", "variant_ids": [7]}]})
    assert [c for c in patched.filter if isinstance(c, Variants)] == [Variants([7])]
    assert state.cleared().filter == Filter() and state.cleared().log == "before"
    from dashboard.state import clause_key_of

    key = clause_key_of(DirectlyFollows("Take in charge", "Escalate to L2"))
    assert len(state.without(key).filter) == len(state.filter) - 1


def test_bad_links_say_what_is_wrong():
    with pytest.raises(ValueError, match="the link's variant must be whole numbers"):
        from_query("log=a&variant=x")
    with pytest.raises(ValueError, match="the link's dmin must be a non-negative number of seconds"):
        from_query("log=a&dmin=-5")
    with pytest.raises(ValueError, match="the link's filter is not valid: start .* is after end"):
        from_query("log=a&from=2025-02-01&to=2025-01-01")
    with pytest.raises(ValueError, match="is not JSON"):
        from_query("log=a&clause={oops")


def test_merge_search_keeps_page_parameters():
    state = FilterState("after", Filter((CaseAttribute("priority", ["P1"]),)))
    assert merge_search("?case=A-1&log=before&priority=P4", state) == "?log=after&priority=P1&case=A-1"
    assert merge_search("", FilterState()) == ""


def test_bar_widgets_to_filter_and_back():
    bar = bar_from_widgets("2025-01-06", "2025-01-31T00:00:00", {"priority": ["P1"], "channel": []}, [2], 1.5, None)
    assert bar == Bar("2025-01-06", "2025-01-31", {"priority": ("P1",)}, (2,), 5400.0, None)
    state = FilterState("before").with_bar(bar)
    assert widget_values(state) == ["before", "2025-01-06", "2025-01-31", ["P1"], [], [], [], [2], 1.5, None]
    with pytest.raises(ValueError, match="non-negative number of hours"):
        hours_to_seconds(-1)


def test_controller_transitions():
    names = ["after", "before"]
    widgets = {"log": "before", "start": None, "end": None, "attributes": {"priority": ["P1"]}, "variants": [],
               "dmin": None, "dmax": None}
    # first load: the URL decides; no log in it -> the first log
    state, error = next_state("url", None, search="", widgets=widgets, log_names=names)
    assert (state, error) == (FilterState("after"), None)
    # an unknown log in a shared link: say so, show the first log with the link's filters
    state, error = next_state("url", None, search="?log=gone&priority=P2", widgets=widgets, log_names=names)
    assert state == FilterState("after", Filter((CaseAttribute("priority", ["P2"]),)))
    assert error == "there is no log 'gone' in the warehouse; showing 'after'"
    # a link carrying a state wins over the current one (back/forward, pasted link)
    current = FilterState("before", Filter((CaseAttribute("channel", ["email"]), Activities(["X"]))))
    state, _ = next_state("url", current, search="?log=after&channel=chat", widgets=widgets, log_names=names)
    assert state == FilterState("after", Filter((CaseAttribute("channel", ["chat"]),)))
    # otherwise the widgets decide the bar (also when a newer request superseded the widget's own),
    # and clauses the bar cannot show stay
    state, _ = next_state("url", current, search="?case=B-1", widgets=widgets, log_names=names)
    assert state.filter == Filter((CaseAttribute("priority", ["P1"]), Activities(["X"])))
    # invalid widgets: the bar stays and the reason is shown
    bad = {**widgets, "start": "2025-02-01", "end": "2025-01-01"}
    state, error = next_state("widgets", current, search="", widgets=bad, log_names=names)
    assert state == current and error.startswith("filter not applied: start (2025-02-01")
    # another log drops the variant clause (variant ids belong to a log) and the variant widget
    with_variant = FilterState("before", Filter((Variants([3]),)))
    state, _ = next_state("widgets", with_variant, search="", widgets={**widgets, "log": "after", "variants": [3],
                                                                         "attributes": {}}, log_names=names)
    assert state == FilterState("after")
    # durations shown in hours keep their exact seconds when untouched
    exact = FilterState("before", Filter((CaseDuration(1000, None),)))
    state, _ = next_state("widgets", exact, search="", widgets={**widgets, "attributes": {}, "dmin": 0.277778},
                          log_names=names)
    assert state == exact
    # a page's patch applies once: its id is remembered as applied
    patch = {"add": [{"kind": "activities", "activities": ["Y"]}], "id": "p1"}
    plain = {**widgets, "attributes": {}}
    state, _ = next_state("widgets", FilterState("before"), search="", widgets=plain, log_names=names, patch=patch)
    assert state.filter == Filter((Activities(["Y"]),))
    state, _ = next_state("widgets", FilterState("before"), search="", widgets=plain, log_names=names, patch=patch,
                          applied="p1")
    assert state.filter == Filter()
    cleared, _ = next_state("widgets", current, search="", widgets=widgets, log_names=names,
                            patch={"clear": True, "id": "p2"})
    assert cleared == FilterState("before")


def test_layered_positions_follow_the_main_flow_and_ignore_back_edges():
    import pandas as pd

    from dashboard.figures.process_map import layered_positions, process_map_figure
    from pipelines.mining.dfg import DFG, END, START

    edges = pd.DataFrame({"source": ["a", "b", "b", "c"], "target": ["b", "c", "a", "d"],
                          "frequency": [10, 8, 3, 8], "cases": [10, 8, 3, 8],
                          "mean_s": [1.0] * 4, "median_s": [1.0, 2.0, 3.0, 4.0], "p90_s": [1.0] * 4,
                          "total_s": [10.0, 16.0, 9.0, 32.0], "min_s": [1.0] * 4, "max_s": [1.0] * 4})
    acts = pd.DataFrame({"activity": ["a", "b", "c", "d"], "frequency": [13, 11, 8, 8], "cases": [10, 10, 8, 8]})
    dfg = DFG(edges=edges, activities=acts, start_activities={"a": 10}, end_activities={"d": 8, "b": 2}, n_cases=10)
    pos = layered_positions(dfg)
    # b -> a closes a cycle: layers follow start > a > b > c > d > end
    assert [pos[n][0] for n in (START, "a", "b", "c", "d", END)] == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert all(pos[n][1] == 0.0 for n in pos)  # one node per layer: all on the centre line
    fig = process_map_figure(dfg, bottlenecks=1)
    arrows = fig.layout.annotations
    assert len(arrows) == 4 + 1 + 2  # edges + start edge + end edges
    red = [a for a in arrows if a.arrowcolor == "#d62728"]
    assert len(red) == 1 and (red[0].ax, red[0].x) == (pos["c"][0], pos["d"][0])  # c -> d has the most total time
