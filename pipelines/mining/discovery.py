"""Process discovery: a sound, block-structured process model (process tree, Petri net, BPMN).

The inductive miner runs on an *aggregate*, never on the event table: IMf on the variants
aggregate (``get_variants``: each distinct activity sequence with its number of cases, the most
frequent first), IMd on the directly-follows graph (``discover_dfg``). The inductive miner's
cost grows with the number of distinct variants, and service-desk logs have very many, so IMf
gets only the top variants: the fewest that cover ``variant_coverage`` of the cases, at most
``max_variants``. Every pm4py call goes through :mod:`pipelines.mining._pm4py`.

Inductive-miner models are sound by construction (block-structured); ``ProcessModel.sound``
records the check anyway.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import _pm4py
from pipelines.mining.cases import get_events
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.variants import get_case_durations, get_variants

Algorithm = Literal["imf", "imd"]
ALGORITHMS: tuple[str, ...] = get_args(Algorithm)


@dataclass(frozen=True, eq=False)
class ProcessModel:
    """A discovered process model and what it was discovered from.

    Attributes
    ----------
    tree:
        pm4py ``ProcessTree`` (``str(tree)`` is its text form, e.g. ``->( 'a', X( 'b', 'c' ) )``).
    net, initial_marking, final_marking:
        pm4py workflow net (``PetriNet``) with its markings.
    bpmn:
        pm4py ``BPMN`` graph, laid out left to right.
    algorithm:
        ``"imf"`` or ``"imd"``.
    noise:
        IMf's noise threshold; ``None`` for IMd, which has none.
    variants_used, variants_total:
        variants that fed the miner / distinct variants in scope (IMd: both the total).
    cases_covered, cases_total:
        cases whose variant fed the miner / cases in scope.
    coverage:
        ``cases_covered / cases_total`` (0..1).
    sound:
        whether the net is a sound workflow net.
    discovery_s:
        seconds spent in the miner itself (aggregate already computed).
    """

    tree: Any
    net: Any
    initial_marking: Any
    final_marking: Any
    bpmn: Any
    algorithm: str
    noise: float | None
    variants_used: int
    variants_total: int
    cases_covered: int
    cases_total: int
    coverage: float
    sound: bool
    discovery_s: float

    @property
    def activities(self) -> list[str]:
        """Labels of the visible transitions, sorted."""
        return sorted(_pm4py.transition_labels(self.net))

    def to_dict(self) -> dict:
        """A JSON-ready summary (the ``deskmine discover --format json`` shape)."""
        return {
            "algorithm": self.algorithm, "noise": self.noise, "variants_used": self.variants_used,
            "variants_total": self.variants_total, "cases_covered": self.cases_covered,
            "cases_total": self.cases_total, "coverage": self.coverage, "sound": self.sound,
            "activities": self.activities, "process_tree": str(self.tree),
            "n_places": len(self.net.places), "n_transitions": len(self.net.transitions),
            "discovery_s": self.discovery_s,
        }


def discover_process_model(
    log: Log,
    *,
    algorithm: Algorithm = "imf",
    noise: float = 0.2,
    variant_coverage: float = 0.8,
    max_variants: int = 5000,
) -> ProcessModel:
    """Discover a process model of ``log`` (within its filter) with the inductive miner.

    Parameters
    ----------
    algorithm:
        ``"imf"`` (default): inductive miner *infrequent* on the variants aggregate, a
        ``Counter`` {activity tuple: cases} of the top variants; the case counts are honoured
        by IMf's noise filter. ``"imd"``: inductive miner on the directly-follows graph of
        all cases: fast whatever the log, but on logs with many variants it degrades to a
        flower model (every activity in one loop: it fits everything and explains nothing).
    noise:
        IMf's noise threshold in [0, 1] (0 = plain IM behaviour: every variant fed is replayable).
        Not used by IMd (the model records ``noise=None``).
    variant_coverage:
        IMf only: feed the fewest top variants whose cases reach this share of the cases (0, 1].
    max_variants:
        IMf only: feed at most this many variants (a positive integer; bounds the miner's time).

    Example
    -------
    >>> model = discover_process_model(Store("data/deskmine.duckdb").log("helpdesk"))  # doctest: +SKIP
    >>> model.sound, round(model.coverage, 2)  # doctest: +SKIP
    (True, 0.8)
    """
    _check_options(algorithm, noise, variant_coverage, max_variants)
    if algorithm == "imd":
        return _discover_imd(log)
    variants = get_variants(log)
    if variants.empty:
        raise ValueError(f"log {log.name!r} has no cases in scope: nothing to discover")
    used = variants_for_coverage(variants, variant_coverage, max_variants)
    aggregate = {tuple(acts): int(n) for acts, n in zip(used["activities"], used["cases"], strict=True)}
    started = time.perf_counter()
    tree = _pm4py.inductive_miner_variants(aggregate, noise=float(noise))
    elapsed = time.perf_counter() - started
    cases_total = int(variants["cases"].sum())
    cases_covered = int(used["cases"].sum())
    return _model(tree, "imf", float(noise), len(used), len(variants), cases_covered, cases_total, elapsed)


def variants_for_coverage(variants: pd.DataFrame, coverage: float, max_variants: int) -> pd.DataFrame:
    """The top rows of a ``get_variants`` frame (most frequent first) that IMf is fed (pure).

    The fewest rows whose cases reach ``coverage`` of all cases in the frame, capped at
    ``max_variants`` rows. Ties in case count keep ``get_variants``' order (by ``variant_id``).
    """
    total = variants["cases"].sum()
    share = variants["cases"].cumsum() / total
    needed = int((share < coverage - 1e-12).sum()) + 1
    return variants.head(min(needed, max_variants, len(variants)))


def _discover_imd(log: Log) -> ProcessModel:
    dfg = discover_dfg(log)
    if dfg.n_cases == 0:
        raise ValueError(f"log {log.name!r} has no cases in scope: nothing to discover")
    edges = {(s, t): int(n) for s, t, n in zip(dfg.edges["source"], dfg.edges["target"], dfg.edges["frequency"],
                                                 strict=True)}
    started = time.perf_counter()
    tree = _pm4py.inductive_miner_dfg(edges, dfg.start_activities, dfg.end_activities)
    elapsed = time.perf_counter() - started
    n_variants = len(get_variants(log))
    return _model(tree, "imd", None, n_variants, n_variants, dfg.n_cases, dfg.n_cases, elapsed)


def _model(tree, algorithm: str, noise: float | None, used: int, total_variants: int, covered: int,
           total_cases: int, elapsed: float) -> ProcessModel:
    net, im, fm = _pm4py.tree_to_petri_net(tree)
    return ProcessModel(
        tree=tree, net=net, initial_marking=im, final_marking=fm, bpmn=_pm4py.tree_to_bpmn(tree),
        algorithm=algorithm, noise=noise, variants_used=used, variants_total=total_variants,
        cases_covered=covered, cases_total=total_cases, coverage=covered / total_cases,
        sound=_pm4py.is_sound(net, im, fm), discovery_s=round(elapsed, 6),
    )


def _check_options(algorithm: object, noise: object, variant_coverage: object, max_variants: object) -> None:
    schema.check_choice("algorithm", algorithm, ALGORITHMS)
    if not _is_number(noise) or not 0 <= noise <= 1:
        raise ValueError(f"noise must be a number in [0, 1] (0 = no filtering); got {noise!r}")
    if not _is_number(variant_coverage) or not 0 < variant_coverage <= 1:
        raise ValueError(f"variant_coverage must be a share in (0, 1]; got {variant_coverage!r}")
    if isinstance(max_variants, bool) or not isinstance(max_variants, int | np.integer) or max_variants < 1:
        raise ValueError(f"max_variants must be a positive integer; got {max_variants!r}")


def _is_number(value: object) -> bool:
    return (isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
            and math.isfinite(float(value)))


# -- export ---------------------------------------------------------------------------------

def bpmn_xml(model: ProcessModel) -> str:
    """The model as BPMN 2.0 XML text (with layout), e.g. for the web app's download."""
    return _pm4py.bpmn_to_xml(model.bpmn)


def export_bpmn(model: ProcessModel, path: str | os.PathLike[str]) -> Path:
    """Write the model's BPMN to ``path`` (must end with ``.bpmn``); returns the path."""
    return _pm4py.write_bpmn(model.bpmn, path)


def export_pnml(model: ProcessModel, path: str | os.PathLike[str]) -> Path:
    """Write the model's Petri net with its markings to ``path`` (must end with ``.pnml``)."""
    return _pm4py.write_pnml(model.net, model.initial_marking, model.final_marking, path)


# -- conformance ----------------------------------------------------------------------------

def evaluate_fitness(log: Log, model: ProcessModel, *, sample: int = 1000, seed: int = 0) -> dict:
    """Token-based replay fitness of a seeded random sample of the cases of ``log`` on ``model``.

    ``sample`` cases (all of them when the log has fewer) are drawn without replacement with
    ``numpy.random.default_rng(seed)`` from the cases in scope; their events (``get_events``, case
    order) are replayed by pm4py's token-based replay.

    Returns a dict: ``log_fitness`` and ``average_trace_fitness`` (0..1),
    ``percentage_of_fitting_traces`` (0..100, pm4py's scale), ``cases_replayed``, ``cases_total``,
    ``seed``, ``replay_s`` (seconds).

    Example
    -------
    >>> evaluate_fitness(log, discover_process_model(log), sample=500)["log_fitness"]  # doctest: +SKIP
    0.97
    """
    if isinstance(sample, bool) or not isinstance(sample, int | np.integer) or sample < 1:
        raise ValueError(f"sample must be a positive integer; got {sample!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer; got {seed!r}")
    case_ids = get_case_durations(log)["case_id"].tolist()
    if not case_ids:
        raise ValueError(f"log {log.name!r} has no cases in scope: nothing to replay")
    picked = sample_case_ids(case_ids, int(sample), int(seed))
    events = get_events(log, case_ids=picked)
    started = time.perf_counter()
    result = _pm4py.token_replay_fitness(events, model.net, model.initial_marking, model.final_marking)
    return {**result, "cases_replayed": int(events[schema.CASE_ID].nunique()), "cases_total": len(case_ids),
            "seed": int(seed), "replay_s": round(time.perf_counter() - started, 6)}


def sample_case_ids(case_ids: list[str], sample: int, seed: int) -> list[str]:
    """``sample`` of ``case_ids`` without replacement, seeded, kept in their given order (pure)."""
    if sample >= len(case_ids):
        return list(case_ids)
    idx = np.sort(np.random.default_rng(seed).choice(len(case_ids), size=sample, replace=False))
    return [case_ids[i] for i in idx]
