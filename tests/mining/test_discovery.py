"""Process discovery: trees of hand-made logs, the variants aggregate, exports, replay fitness.

Tiny logs (one event per minute, cases on separate days):

* ``swap``: <a,b,c> x3, <a,c,b> x1. b and c occur in both orders after a: IM finds
  ``->( a, +( b, c ) )`` (pm4py's tree_sort prints the parallel children as 'c', 'b').
* ``skip``: <a,b,c,d> x9, <a,d> x1. Unfiltered, b,c is optional: ``->( a, X( tau, ->( b, c ) ), d )``.
  IMf with noise 0.2 weighs the counts: the edge a->d (1) is below 0.2 x 9 (a->b), so it is dropped
  and the model is the sequence ``->( a, b, c, d )``; 9 of 10 cases fit. Fed the same variants
  with count 1 each, IMf keeps the skip (1 is not below 0.2 x 1): the counts are honoured.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from pipelines.etl.loader import ingest_log
from pipelines.mining import _pm4py
from pipelines.mining.discovery import (
    ProcessModel,
    bpmn_xml,
    discover_process_model,
    evaluate_fitness,
    export_bpmn,
    export_pnml,
    sample_case_ids,
    variants_for_coverage,
)
from pipelines.mining.variants import get_variants
from pipelines.store import Store

SWAP = {("a", "b", "c"): 3, ("a", "c", "b"): 1}
SKIP = {("a", "b", "c", "d"): 9, ("a", "d"): 1}


def _csv(variants: dict[tuple[str, ...], int]) -> str:
    lines = ["case_id,activity,timestamp"]
    case = 0
    for trace, n in variants.items():
        for _ in range(n):
            case += 1
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=case)
            lines += [f"c{case:02d},{a},{day + pd.Timedelta(minutes=i):%Y-%m-%d %H:%M:%S}" for i, a in enumerate(trace)]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Store:
    folder = tmp_path_factory.mktemp("tiny")
    store = Store(folder / "warehouse.duckdb", read_only=False)
    for name, variants in {"swap": SWAP, "skip": SKIP}.items():
        path = folder / f"{name}.csv"
        path.write_text(_csv(variants), encoding="utf-8")
        ingest_log(path, log=name, store=store)
    return store


@pytest.fixture(scope="module")
def helpdesk(helpdesk_log):
    return helpdesk_log


@pytest.fixture(scope="module")
def bpi2012(bpi2012_log):
    return bpi2012_log


def explicit_soundness(model: ProcessModel, max_states: int = 200_000) -> bool:
    """Soundness decided on the full state space, independently of pm4py's check: from every
    reachable marking the final marking is reachable, no reachable marking strictly covers the
    final one, and every transition can fire."""
    net, im, fm = model.net, model.initial_marking, model.final_marking
    places = sorted(net.places, key=lambda p: p.name)
    index = {p: i for i, p in enumerate(places)}

    def vector(marking):
        v = [0] * len(places)
        for p, n in marking.items():
            v[index[p]] = n
        return tuple(v)

    moves = [([(index[a.source], a.weight) for a in t.in_arcs], [(index[a.target], a.weight) for a in t.out_arcs])
             for t in net.transitions]
    start, final = vector(im), vector(fm)
    seen, queue, back, fired = {start}, [start], {}, set()
    while queue:
        m = queue.pop()
        for k, (pre, post) in enumerate(moves):
            if all(m[p] >= w for p, w in pre):
                nxt = list(m)
                for p, w in pre:
                    nxt[p] -= w
                for p, w in post:
                    nxt[p] += w
                nxt = tuple(nxt)
                fired.add(k)
                back.setdefault(nxt, set()).add(m)
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        assert len(seen) <= max_states, "state space too large for the explicit check"
    can_finish, stack = {final}, [final]
    while stack:
        for prev in back.get(stack.pop(), ()):
            if prev not in can_finish:
                can_finish.add(prev)
                stack.append(prev)
    covers_final = [m for m in seen if m != final and all(x >= y for x, y in zip(m, final, strict=True))]
    return final in seen and can_finish == seen and not covers_final and len(fired) == len(moves)


# -- tiny logs: exact trees ---------------------------------------------------------------

def test_swap_log_tree_and_perfect_replay(tiny):
    log = tiny.log("swap")
    model = discover_process_model(log, noise=0.0, variant_coverage=1.0)
    assert str(model.tree) == "->( 'a', +( 'c', 'b' ) )"
    assert model.activities == ["a", "b", "c"]
    assert (model.algorithm, model.noise) == ("imf", 0.0)
    assert (model.variants_used, model.variants_total, model.cases_covered, model.cases_total) == (2, 2, 4, 4)
    assert model.coverage == 1.0
    assert model.sound is True and explicit_soundness(model)
    fitness = evaluate_fitness(log, model, sample=10)
    assert (fitness["log_fitness"], fitness["average_trace_fitness"]) == (1.0, 1.0)
    assert fitness["percentage_of_fitting_traces"] == 100.0
    assert (fitness["cases_replayed"], fitness["cases_total"]) == (4, 4)


def test_skip_log_noise_weighs_the_case_counts(tiny):
    log = tiny.log("skip")
    exact = discover_process_model(log, noise=0.0, variant_coverage=1.0)
    assert str(exact.tree) == "->( 'a', X( tau, ->( 'b', 'c' ) ), 'd' )"
    assert evaluate_fitness(log, exact)["percentage_of_fitting_traces"] == 100.0
    filtered = discover_process_model(log, noise=0.2, variant_coverage=1.0)
    assert str(filtered.tree) == "->( 'a', 'b', 'c', 'd' )"
    fitness = evaluate_fitness(log, filtered)
    assert fitness["percentage_of_fitting_traces"] == 90.0
    assert 0 < fitness["log_fitness"] < 1
    assert filtered.sound is True and explicit_soundness(filtered)
    # the same variants with count 1 each: nothing is infrequent, the skip stays
    flat = _pm4py.inductive_miner_variants(dict.fromkeys(SKIP, 1), noise=0.2)
    assert str(flat) == "->( 'a', X( tau, ->( 'b', 'c' ) ), 'd' )"


def test_coverage_picks_the_fewest_top_variants(tiny):
    log = tiny.log("swap")
    top = discover_process_model(log, noise=0.0, variant_coverage=0.5)
    assert str(top.tree) == "->( 'a', 'b', 'c' )"
    assert (top.variants_used, top.cases_covered, top.cases_total, top.coverage) == (1, 3, 4, 0.75)
    assert discover_process_model(log, noise=0.0, variant_coverage=0.75).variants_used == 1  # reached exactly
    assert discover_process_model(log, noise=0.0, variant_coverage=0.76).variants_used == 2
    capped = discover_process_model(log, noise=0.0, variant_coverage=1.0, max_variants=1)
    assert (capped.variants_used, capped.cases_covered) == (1, 3)


def test_imd_on_the_dfg(tiny):
    model = discover_process_model(tiny.log("swap"), algorithm="imd")
    assert str(model.tree) == "->( 'a', +( 'c', 'b' ) )"
    assert (model.algorithm, model.noise, model.coverage) == ("imd", None, 1.0)
    assert (model.variants_used, model.cases_covered) == (2, 4)
    assert model.sound is True


def test_to_dict_summary(tiny):
    summary = discover_process_model(tiny.log("swap"), noise=0.0, variant_coverage=1.0).to_dict()
    assert {k: summary[k] for k in ("algorithm", "noise", "variants_used", "cases_covered", "coverage", "sound",
                                    "activities", "process_tree", "n_transitions")} == {
        "algorithm": "imf", "noise": 0.0, "variants_used": 2, "cases_covered": 4, "coverage": 1.0, "sound": True,
        "activities": ["a", "b", "c"], "process_tree": "->( 'a', +( 'c', 'b' ) )",
        "n_transitions": 4,  # a, b, c and one silent transition for the parallel split after a
    }


def test_variants_for_coverage_is_pure():
    frame = pd.DataFrame({"activities": [["a"], ["b"], ["c"], ["d"]], "cases": [5, 3, 1, 1]})
    before = frame.copy()
    assert len(variants_for_coverage(frame, 0.5, 10)) == 1
    assert len(variants_for_coverage(frame, 0.8, 10)) == 2
    assert len(variants_for_coverage(frame, 0.81, 10)) == 3
    assert len(variants_for_coverage(frame, 1.0, 10)) == 4
    assert len(variants_for_coverage(frame, 1.0, 2)) == 2
    pd.testing.assert_frame_equal(frame, before)


# -- the adapter's internals --------------------------------------------------------------

def test_fast_variant_dfg_is_pm4pys_dfg_exactly():
    from pm4py.util.compression import util as comut

    log = Counter({("a", "b", "b", "c"): 4, ("b", "a"): 2, ("c",): 1, ("a", "c"): 3, (): 2})
    ours, theirs = _pm4py._dfg_of_variants(log), comut.discover_dfg_uvcl(log)
    assert list(ours.graph.items()) == list(theirs.graph.items())  # same counts, same key order
    assert list(ours.start_activities.items()) == list(theirs.start_activities.items())
    assert list(ours.end_activities.items()) == list(theirs.end_activities.items())
    assert comut.discover_dfg_uvcl is not _pm4py._dfg_of_variants  # the swap is scoped to a miner call


@pytest.mark.datasets
@pytest.mark.parametrize("noise", [0.0, 0.2])
def test_miner_with_fast_dfg_gives_pm4pys_tree(helpdesk, noise):
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL

    variants = get_variants(helpdesk)
    uvcl = Counter({tuple(a): int(n) for a, n in zip(variants["activities"], variants["cases"], strict=True)})
    params = {"noise_threshold": noise, "multiprocessing": False}
    reference = _pm4py._finish_tree(IMFUVCL(params).apply(IMDataStructureUVCL(uvcl), params))
    assert str(_pm4py.inductive_miner_variants(uvcl, noise=noise)) == str(reference)


def test_unsound_net_is_reported_unsound():
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    net = PetriNet("xor-split-and-join")
    source, p1, p2, sink = (PetriNet.Place(n) for n in ("source", "p1", "p2", "sink"))
    t_a, t_b, t_join = (PetriNet.Transition(n, n) for n in ("a", "b", "join"))
    for node in (source, p1, p2, sink):
        net.places.add(node)
    for node in (t_a, t_b, t_join):
        net.transitions.add(node)
    for x, y in ((source, t_a), (t_a, p1), (source, t_b), (t_b, p2), (p1, t_join), (p2, t_join), (t_join, sink)):
        add_arc_from_to(x, y, net)
    assert _pm4py.is_sound(net, Marking({source: 1}), Marking({sink: 1})) is False


# -- real logs ------------------------------------------------------------------------------

def _expected_coverage(log, share: float) -> tuple[int, int, int]:
    variants = get_variants(log)
    k = int((variants["cumulative_share"] < share - 1e-12).sum()) + 1
    return k, int(variants["cases"].head(k).sum()), int(variants["cases"].sum())


def _assert_exports_round_trip(model: ProcessModel, folder: Path) -> None:
    import pm4py

    bpmn_path = export_bpmn(model, folder / "model.bpmn")
    reread = pm4py.read_bpmn(str(bpmn_path))
    assert len(reread.get_nodes()) == len(model.bpmn.get_nodes()) > 0
    assert len(reread.get_flows()) == len(model.bpmn.get_flows())
    assert _pm4py.bpmn_task_labels(reread) == set(model.activities)
    net, im, fm = pm4py.read_pnml(str(export_pnml(model, folder / "model.pnml")))
    assert _pm4py.transition_labels(net) == set(model.activities)
    assert (len(net.places), len(net.transitions)) == (len(model.net.places), len(model.net.transitions))
    assert (sum(im.values()), sum(fm.values())) == (1, 1)
    root = ET.fromstring(bpmn_xml(model))
    tasks = [e.get("name") for e in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}task")]
    assert sorted(tasks) == model.activities
    shapes = list(root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape"))
    assert len(shapes) == len(model.bpmn.get_nodes())  # laid out: every node has a shape


@pytest.mark.datasets
def test_helpdesk_model(helpdesk, tmp_path):
    model = discover_process_model(helpdesk)
    assert (model.variants_used, model.cases_covered, model.cases_total) == _expected_coverage(helpdesk, 0.8)
    assert model.coverage == model.cases_covered / model.cases_total >= 0.8
    assert model.variants_total == 226 and model.noise == 0.2
    assert model.sound is True and explicit_soundness(model)
    _assert_exports_round_trip(model, tmp_path)
    fitness = evaluate_fitness(helpdesk, model, sample=500, seed=7)
    assert fitness["cases_replayed"] == 500 and fitness["cases_total"] == 4580
    assert 0 <= fitness["log_fitness"] <= 1 and 0 <= fitness["average_trace_fitness"] <= 1
    assert 0 <= fitness["percentage_of_fitting_traces"] <= 100
    again = evaluate_fitness(helpdesk, model, sample=500, seed=7)
    assert {k: v for k, v in again.items() if k != "replay_s"} == {k: v for k, v in fitness.items() if k != "replay_s"}


@pytest.mark.datasets
def test_helpdesk_noise_zero_fits_every_case(helpdesk):
    model = discover_process_model(helpdesk, noise=0.0, variant_coverage=1.0)
    assert (model.variants_used, model.coverage) == (226, 1.0)
    fitness = evaluate_fitness(helpdesk, model, sample=5000)
    assert fitness["cases_replayed"] == 4580
    assert fitness["log_fitness"] == 1.0 and fitness["percentage_of_fitting_traces"] == 100.0


@pytest.mark.datasets
def test_helpdesk_imd_is_a_flower(helpdesk):
    model = discover_process_model(helpdesk, algorithm="imd")
    assert str(model.tree).startswith("->( X( tau, 'Insert ticket' ), *( tau, X( ")
    assert len(model.activities) == 14 and model.sound is True
    assert evaluate_fitness(helpdesk, model, sample=300)["log_fitness"] == 1.0  # fits everything


@pytest.mark.datasets
@pytest.mark.slow
def test_bpi2012_model(bpi2012, tmp_path):
    model = discover_process_model(bpi2012)
    assert (model.variants_used, model.cases_covered, model.cases_total) == _expected_coverage(bpi2012, 0.8)
    assert model.variants_total == 4366 and math.isclose(model.coverage, model.cases_covered / 13087)
    assert model.sound is True
    assert model.discovery_s < 60  # stock pm4py needs several times longer on these 1,749 variants
    _assert_exports_round_trip(model, tmp_path)
    fitness = evaluate_fitness(bpi2012, model, sample=300, seed=1)
    assert fitness["cases_replayed"] == 300
    assert 0 <= fitness["log_fitness"] <= 1 and 0 <= fitness["average_trace_fitness"] <= 1


# -- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("options", "message"), [
    ({"algorithm": "alpha"}, "algorithm must be one of 'imf', 'imd'; got 'alpha'"),
    ({"algorithm": "IMF"}, "algorithm must be one of 'imf', 'imd'; got 'IMF'"),
    ({"noise": 1.5}, r"noise must be a number in \[0, 1\] \(0 = no filtering\); got 1.5"),
    ({"noise": -0.1}, r"noise must be a number in \[0, 1\]"),
    ({"noise": True}, r"noise must be a number in \[0, 1\]"),
    ({"noise": "0.2"}, r"noise must be a number in \[0, 1\]"),
    ({"noise": float("nan")}, r"noise must be a number in \[0, 1\]"),
    ({"variant_coverage": 0}, r"variant_coverage must be a share in \(0, 1\]; got 0"),
    ({"variant_coverage": 1.2}, r"variant_coverage must be a share in \(0, 1\]"),
    ({"max_variants": 0}, "max_variants must be a positive integer; got 0"),
    ({"max_variants": 2.5}, "max_variants must be a positive integer"),
    ({"max_variants": True}, "max_variants must be a positive integer"),
])
def test_bad_options_fail_fast(tiny, options, message):
    with pytest.raises(ValueError, match=message):
        discover_process_model(tiny.log("swap"), **options)


def test_bad_fitness_and_export_options(tiny, tmp_path):
    log = tiny.log("swap")
    model = discover_process_model(log, noise=0.0)
    with pytest.raises(ValueError, match="sample must be a positive integer; got 0"):
        evaluate_fitness(log, model, sample=0)
    with pytest.raises(ValueError, match="seed must be a non-negative integer; got -1"):
        evaluate_fitness(log, model, seed=-1)
    with pytest.raises(ValueError, match=r"file name must end with \.bpmn; got 'model.xml'"):
        export_bpmn(model, tmp_path / "model.xml")
    with pytest.raises(ValueError, match=r"file name must end with \.pnml; got 'model.bpmn'"):
        export_pnml(model, tmp_path / "model.bpmn")
    assert not list(tmp_path.iterdir())


def test_sample_case_ids_is_seeded_and_ordered():
    ids = [f"c{i}" for i in range(100)]
    first = sample_case_ids(ids, 10, seed=3)
    assert first == sample_case_ids(ids, 10, seed=3)
    assert first != sample_case_ids(ids, 10, seed=4)
    assert len(set(first)) == 10 and first == sorted(first, key=ids.index)
    assert sample_case_ids(ids, 1000, seed=0) == ids
