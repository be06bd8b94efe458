"""The one door to pm4py: thin wrappers from deskmine frames/aggregates to plain deskmine objects.

Every other module of deskmine reaches pm4py through this one (DESIGN convention 9):

* pm4py is imported lazily, inside the functions (importing it costs ~2 s and ~220 MiB, and prints
  an AGPL banner), so nothing on a start-up path pays for it;
* every pm4py call gets explicit ``case_id_key`` / ``activity_key`` / ``timestamp_key``;
* ``pm4py.format_dataframe`` is never used (it labels naive timestamps UTC and parses every string
  column as a date); :func:`to_pm4py_frame` builds a *new* frame with pm4py's column names instead,
  so pm4py's own side effects (``discover_dfg`` adds a ``start_timestamp`` column to the frame it
  is given) never reach a deskmine frame;
* results come back as plain dicts, lists, booleans and strings.

Event order is the deskmine contract ``(timestamp, event_seq)``: the frames handed to pm4py are
the ones :func:`pipelines.mining.cases.get_events` returns, grouped by case and in that order.
pm4py breaks timestamp ties by input row order (its sorts are stable), so given this order its
numbers equal deskmine's SQL exactly; :func:`to_pm4py_frame` refuses frames that are not grouped
by case with non-decreasing timestamps (``get_variants`` would otherwise be silently wrong).

pm4py internals used (pm4py 2.7.23.11), because the public ``discover_process_tree_inductive``
only takes a log, a data frame or a DFG and would re-derive the variants from events:

* ``pm4py.algo.discovery.inductive.variants.imf.IMFUVCL`` (IMf) applied to
  ``pm4py.algo.discovery.inductive.dtypes.im_ds.IMDataStructureUVCL`` over a
  ``collections.Counter`` {activity tuple: number of cases}, the "univariate variant compressed
  log" (UVCL) the inductive miner works on internally; the counts are the case counts, so IMf's
  noise filter sees the same frequencies as on the full log. (``inductive.algorithm.apply`` does
  not recognise a ``Counter`` as a UVCL: it tests ``type(obj) in [typing.Counter[...]]``.)
* ``pm4py.algo.discovery.inductive.variants.imd.IMD`` over ``IMDataStructureDFG(InductiveDFG(DFG))``
  for IMd on a directly-follows graph.
* ``pm4py.objects.process_tree.utils.generic.fold`` and ``tree_sort``: the same post-processing
  ``inductive.algorithm.apply`` does.
* While IMf runs, ``pm4py.util.compression.util.discover_dfg_uvcl`` is swapped for
  :func:`_dfg_of_variants`, which builds the identical DFG (same counts, same key order) with
  plain dict arithmetic instead of one ``Counter.update`` per directly-follows pair and an
  alphabet x variants scan for start/end activities. IMf rebuilds that DFG for every sub-log of
  every cut and fall-through candidate (the activity-concurrent fall-through alone builds one per
  activity); that was about 85% of the run time. On BPI 2012's top 1,749 variants (80% of cases)
  IMf took 8.9 s stock and 2.8 s with the swap, with the identical tree (tests compare them).
  The swap is scoped to the call and serialised by a lock.

Soundness uses ``pm4py.analysis.check_is_sound``: pm4py first converts the net to POWL, which
only succeeds for block-structured nets (sound by construction; every inductive-miner net is one),
and only otherwise runs Woflan. The deprecated ``pm4py.check_soundness`` goes to Woflan directly,
whose coverability graph exploded on BPI 2012's model (> 60 s, not finished).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipelines import schema

if TYPE_CHECKING:  # pragma: no cover - typing only
    from pm4py.objects.bpmn.obj import BPMN
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.process_tree.obj import ProcessTree

os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "False")

CASE_KEY = "case:concept:name"
ACTIVITY_KEY = "concept:name"
TIMESTAMP_KEY = "time:timestamp"
RESOURCE_KEY = "org:resource"
LIFECYCLE_KEY = "lifecycle:transition"
KEYS: dict[str, str] = {"case_id_key": CASE_KEY, "activity_key": ACTIVITY_KEY, "timestamp_key": TIMESTAMP_KEY}
"""The explicit keys passed on every pm4py call that takes a log."""

_MINER_LOCK = threading.Lock()


# -- deskmine events -> pm4py frame -----------------------------------------------------------

def to_pm4py_frame(events: pd.DataFrame) -> pd.DataFrame:
    """A new frame with pm4py's column names for the canonical ``events`` (not modified).

    ``events`` is a frame from :func:`~pipelines.mining.cases.get_events`: grouped by case, in
    case order ``(timestamp, event_seq)``; that order is kept row for row. Columns of the result:
    ``case:concept:name`` and ``concept:name`` (strings), ``time:timestamp`` (as given, UTC), and
    ``org:resource`` / ``lifecycle:transition`` when ``events`` has resource / lifecycle.

    Raises ``ValueError`` when a required column is missing or the rows are not grouped by case
    with non-decreasing timestamps inside each case.

    >>> frame = to_pm4py_frame(get_events(log))  # doctest: +SKIP
    """
    missing = [c for c in (schema.CASE_ID, schema.ACTIVITY, schema.TIMESTAMP) if c not in events.columns]
    if missing:
        raise ValueError(f"events frame lacks columns {missing}; expected a frame from get_events")
    _check_case_order(events)
    data = {
        CASE_KEY: events[schema.CASE_ID].astype(str).to_numpy(),
        ACTIVITY_KEY: events[schema.ACTIVITY].astype(str).to_numpy(),
        TIMESTAMP_KEY: events[schema.TIMESTAMP].array,
    }
    if schema.RESOURCE in events.columns:
        data[RESOURCE_KEY] = events[schema.RESOURCE].array
    if schema.LIFECYCLE in events.columns:
        data[LIFECYCLE_KEY] = events[schema.LIFECYCLE].array
    return pd.DataFrame(data)


def _check_case_order(events: pd.DataFrame) -> None:
    case = events[schema.CASE_ID]
    ts = events[schema.TIMESTAMP]
    if case.isna().any() or ts.isna().any():
        raise ValueError("events frame has empty case ids or timestamps")
    same = case.eq(case.shift()).to_numpy()
    runs = int((~same).sum())
    if runs != case.nunique():
        raise ValueError("events are not grouped by case; pass the frame from get_events (case order)")
    backwards = same & (ts.lt(ts.shift())).to_numpy()
    if backwards.any():
        raise ValueError("events are not in case order (timestamp, event_seq); pass the frame from get_events")


# -- pm4py reference computations (tests, benchmarks) ------------------------------------------

def pm4py_dfg(events: pd.DataFrame) -> tuple[dict[tuple[str, str], int], dict[str, int], dict[str, int]]:
    """pm4py's ``discover_dfg`` on ``events``: (edge -> frequency, start activity -> cases,
    end activity -> cases), as plain dicts of ints."""
    import pm4py

    graph, start, end = pm4py.discover_dfg(to_pm4py_frame(events), **KEYS)
    return ({(str(a), str(b)): int(n) for (a, b), n in graph.items()},
            {str(a): int(n) for a, n in start.items()}, {str(a): int(n) for a, n in end.items()})


def pm4py_performance_dfg(events: pd.DataFrame) -> dict[tuple[str, str], dict[str, float]]:
    """pm4py's ``discover_performance_dfg`` (all aggregations) on ``events``:
    edge -> {"mean", "median", "min", "max", "sum", "stdev"} in seconds, as plain floats."""
    import pm4py

    perf, _start, _end = pm4py.discover_performance_dfg(to_pm4py_frame(events), perf_aggregation_key="all", **KEYS)
    return {(str(a), str(b)): {k: float(v) for k, v in stats.items()} for (a, b), stats in perf.items()}


def pm4py_variants(events: pd.DataFrame) -> dict[tuple[str, ...], int]:
    """pm4py's ``get_variants`` on ``events``: activity tuple -> number of cases."""
    import pm4py

    variants = pm4py.get_variants(to_pm4py_frame(events), **KEYS)
    return {tuple(str(a) for a in v): int(n) for v, n in variants.items()}


def pm4py_case_durations(events: pd.DataFrame) -> list[float]:
    """pm4py's ``get_all_case_durations`` on ``events``: seconds, sorted ascending."""
    import pm4py

    return [float(d) for d in pm4py.get_all_case_durations(to_pm4py_frame(events), **KEYS)]


# -- discovery ------------------------------------------------------------------------------

def inductive_miner_variants(variants: Mapping[tuple[str, ...], int], *, noise: float) -> ProcessTree:
    """IMf (inductive miner, infrequent) with ``noise`` on a variants aggregate.

    ``variants`` maps activity tuples to their case counts (a ``Counter``); the counts are what
    IMf's noise filter weighs, exactly as if the cases were given one by one. Runs
    ``IMFUVCL.apply(IMDataStructureUVCL(counter))`` single-process, then ``fold`` and
    ``tree_sort`` (see the module docstring for why the internals and the DFG swap).
    """
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
    from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL

    uvcl = Counter({tuple(v): int(n) for v, n in variants.items() if n > 0})
    if not uvcl:
        raise ValueError("no variants to mine")
    params = {"noise_threshold": float(noise), "multiprocessing": False}
    with _fast_variant_dfg():
        tree = IMFUVCL(params).apply(IMDataStructureUVCL(uvcl), params)
    return _finish_tree(tree)


def inductive_miner_dfg(edges: Mapping[tuple[str, str], int], start: Mapping[str, int],
                        end: Mapping[str, int]) -> ProcessTree:
    """IMd (inductive miner, directly-follows based) on a DFG aggregate.

    Fast (it never looks at traces), but it only sees pairs: on logs with many variants the
    cuts fail and the fall-throughs produce a flower model (a loop over all activities) that
    fits everything and says little. Runs ``IMD.apply(IMDataStructureDFG(InductiveDFG(dfg)))``.
    """
    from pm4py.algo.discovery.inductive.dtypes.im_dfg import InductiveDFG
    from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureDFG
    from pm4py.algo.discovery.inductive.variants.imd import IMD
    from pm4py.objects.dfg.obj import DFG

    if not start or not end:
        raise ValueError("the DFG has no start or end activities")
    dfg = DFG({(str(a), str(b)): int(n) for (a, b), n in edges.items()},
              {str(a): int(n) for a, n in start.items()}, {str(a): int(n) for a, n in end.items()})
    params = {"multiprocessing": False}
    tree = IMD(params).apply(IMDataStructureDFG(InductiveDFG(dfg=dfg, skip=False)), params)
    return _finish_tree(tree)


def _finish_tree(tree: ProcessTree) -> ProcessTree:
    from pm4py.objects.process_tree.utils import generic as pt_util

    tree = pt_util.fold(tree)
    pt_util.tree_sort(tree)
    return tree


def _dfg_of_variants(log: Mapping[tuple, int]):
    """Drop-in for ``pm4py.util.compression.util.discover_dfg_uvcl``: the same DFG object, with
    the same counts and key insertion order (edges by first occurrence, start/end activities in
    sorted order), built in one pass of dict arithmetic."""
    from pm4py.objects.dfg.obj import DFG

    graph: dict[tuple, int] = {}
    starts: dict[Any, int] = {}
    ends: dict[Any, int] = {}
    for trace, n in log.items():
        if not trace:
            continue
        for pair in zip(trace, trace[1:], strict=False):
            graph[pair] = graph.get(pair, 0) + n
        starts[trace[0]] = starts.get(trace[0], 0) + n
        ends[trace[-1]] = ends.get(trace[-1], 0) + n
    return DFG(graph, {a: starts[a] for a in sorted(starts)}, {a: ends[a] for a in sorted(ends)})


@contextlib.contextmanager
def _fast_variant_dfg() -> Iterator[None]:
    from pm4py.util.compression import util as comut

    with _MINER_LOCK:
        original = comut.discover_dfg_uvcl
        comut.discover_dfg_uvcl = _dfg_of_variants
        try:
            yield
        finally:
            comut.discover_dfg_uvcl = original


# -- conversions, checks, export -------------------------------------------------------------

def tree_to_petri_net(tree: ProcessTree) -> tuple[PetriNet, Marking, Marking]:
    """The workflow net of a process tree, with its initial and final marking."""
    import pm4py

    return pm4py.convert_to_petri_net(tree)


def tree_to_bpmn(tree: ProcessTree) -> BPMN:
    """The BPMN graph of a process tree, laid out left to right (see :func:`layout_bpmn`)."""
    import pm4py

    bpmn = pm4py.convert_to_bpmn(tree)
    layout_bpmn(bpmn)
    return bpmn


def is_sound(net: PetriNet, initial_marking: Marking, final_marking: Marking) -> bool:
    """Whether the net is a sound workflow net (``pm4py.analysis.check_is_sound``; see the module
    docstring: POWL conversion first, Woflan only for nets that are not block-structured)."""
    from pm4py import analysis

    return bool(analysis.check_is_sound(net, initial_marking, final_marking))


def transition_labels(net: PetriNet) -> set[str]:
    """The labels of the visible transitions of a Petri net."""
    return {t.label for t in net.transitions if t.label is not None}


def bpmn_task_labels(bpmn: BPMN) -> set[str]:
    """The names of the tasks of a BPMN graph."""
    from pm4py.objects.bpmn.obj import BPMN as _BPMN

    return {n.get_name() for n in bpmn.get_nodes() if isinstance(n, _BPMN.Task)}


def bpmn_to_xml(bpmn: BPMN) -> str:
    """The BPMN 2.0 XML text of a BPMN graph (with diagram interchange, i.e. the layout)."""
    from pm4py.objects.bpmn.exporter.variants import etree

    return etree.get_xml_string(bpmn, parameters={"encoding": "utf-8"}).decode("utf-8")


def write_bpmn(bpmn: BPMN, path: str | os.PathLike[str]) -> Path:
    """Write ``bpmn`` to ``path`` (a ``.bpmn`` file), keeping its layout; returns the path."""
    target = _with_suffix(path, ".bpmn")
    target.write_text(bpmn_to_xml(bpmn), encoding="utf-8")
    return target


def write_pnml(net: PetriNet, initial_marking: Marking, final_marking: Marking,
               path: str | os.PathLike[str]) -> Path:
    """Write the net and its markings to ``path`` (a ``.pnml`` file); returns the path."""
    import pm4py

    target = _with_suffix(path, ".pnml")
    pm4py.write_pnml(net, initial_marking, final_marking, str(target))
    return target


def _with_suffix(path: str | os.PathLike[str], suffix: str) -> Path:
    target = Path(path)
    if target.suffix.lower() != suffix:
        raise ValueError(f"file name must end with {suffix}; got {target.name!r}")
    return target


def token_replay_fitness(events: pd.DataFrame, net: PetriNet, initial_marking: Marking,
                         final_marking: Marking) -> dict[str, float]:
    """pm4py's token-based replay fitness of ``events`` (frame from ``get_events``) on the net.

    Returns ``log_fitness`` (0..1), ``average_trace_fitness`` (0..1) and
    ``percentage_of_fitting_traces`` (0..100, pm4py's scale).
    """
    import pm4py

    result = pm4py.fitness_token_based_replay(to_pm4py_frame(events), net, initial_marking, final_marking, **KEYS)
    return {
        "log_fitness": float(result["log_fitness"]),
        "average_trace_fitness": float(result["average_trace_fitness"]),
        "percentage_of_fitting_traces": float(result["percentage_of_fitting_traces"]),
    }


# -- BPMN layout without Graphviz -----------------------------------------------------------

_SIZES = {"Task": (100.0, 60.0), "Gateway": (40.0, 40.0), "Event": (36.0, 36.0)}
_GAP_X, _GAP_Y = 50.0, 40.0


def layout_bpmn(bpmn: BPMN) -> None:
    """Lay ``bpmn`` out left to right in layers, in place (shapes and edge waypoints).

    pm4py's own ``write_bpmn(auto_layout=True)`` needs the Graphviz ``dot`` binary and leaves two
    temporary SVG files behind per call; this layered layout needs neither: a node's column is
    its longest distance from the start event once loop-back flows are set aside, rows follow
    discovery order, and every flow is a straight line (back flows too).
    """
    nodes = list(bpmn.get_nodes())
    succ: dict[Any, list[Any]] = {n: [] for n in nodes}
    for flow in bpmn.get_flows():
        succ[flow.get_source()].append(flow.get_target())
    back = _back_edges(nodes, succ)
    column = _longest_path_columns(nodes, succ, back)
    row = _barycenter_rows(nodes, succ, back, column)
    layout = bpmn.get_layout()
    width = max((_SIZES[_kind(n)][0] for n in nodes), default=0.0)
    for node in nodes:
        w, h = _SIZES[_kind(node)]
        col = column[node]
        shape = layout.get(node)
        shape.set_width(w)
        shape.set_height(h)
        shape.set_x(_GAP_X + col * (width + _GAP_X) + (width - w) / 2)
        shape.set_y(_GAP_Y + row[node] * (_SIZES["Task"][1] + _GAP_Y) + (_SIZES["Task"][1] - h) / 2)
    for flow in bpmn.get_flows():
        src, dst = layout.get(flow.get_source()), layout.get(flow.get_target())
        edge = layout.get(flow)
        edge.del_waypoints()
        edge.add_waypoint((src.get_x() + src.get_width(), src.get_y() + src.get_height() / 2))
        edge.add_waypoint((dst.get_x(), dst.get_y() + dst.get_height() / 2))


def _barycenter_rows(nodes: list, succ: dict, back: set[tuple], column: dict) -> dict[Any, int]:
    """Rows inside each column: by the mean row of a node's forward predecessors (one sweep,
    left to right), which keeps the branches of a split next to each other."""
    preds: dict[Any, list[Any]] = {n: [] for n in nodes}
    for n in nodes:
        for t in succ[n]:
            if (n, t) not in back:
                preds[t].append(n)
    order = {n: i for i, n in enumerate(nodes)}
    row: dict[Any, int] = {}
    for col in sorted(set(column.values())):
        members = [n for n in nodes if column[n] == col]
        def key(n):
            placed = [row[p] for p in preds[n] if p in row]
            return (sum(placed) / len(placed) if placed else 0.0, order[n])
        for i, n in enumerate(sorted(members, key=key)):
            row[n] = i
    return row


def _kind(node) -> str:
    from pm4py.objects.bpmn.obj import BPMN as _BPMN

    if isinstance(node, _BPMN.Task):
        return "Task"
    if isinstance(node, _BPMN.Gateway):
        return "Gateway"
    return "Event"


def _back_edges(nodes: list, succ: dict) -> set[tuple]:
    """Edges closing a cycle in a depth-first search from the sources (iterative)."""
    indeg = Counter(t for n in nodes for t in succ[n])
    roots = [n for n in nodes if indeg[n] == 0] + nodes
    state: dict[Any, int] = {}  # 1 = on stack, 2 = done
    back: set[tuple] = set()
    for root in roots:
        if root in state:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    return back


def _longest_path_columns(nodes: list, succ: dict, back: set[tuple]) -> dict[Any, int]:
    forward = {n: [t for t in succ[n] if (n, t) not in back] for n in nodes}
    indeg = Counter(t for n in nodes for t in forward[n])
    column = {n: 0 for n in nodes}
    ready = [n for n in nodes if indeg[n] == 0]
    while ready:
        node = ready.pop()
        for nxt in forward[node]:
            column[nxt] = max(column[nxt], column[node] + 1)
            indeg[nxt] -= 1
            if indeg[nxt] == 0:
                ready.append(nxt)
    return column


def read_bpmn(path: str | Path) -> BPMN:
    """A ``.bpmn`` file read back with pm4py (to check an export opens in another tool)."""
    import pm4py

    return pm4py.read_bpmn(str(path))
