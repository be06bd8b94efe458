"""The SLA clock core: every clock deskmine reads, from a case-ordered events array (internal).

One implementation, three callers:

* :func:`~pipelines.mining.sla_clock.evaluate_sla` and the SLA functions read the log's events
  (:func:`load_case_events`, the only I/O here) and run :func:`clocks` on them;
* the what-if (:mod:`pipelines.mining.whatif`) runs :func:`clocks` on *replayed* timelines, whose
  timestamps it shifted in numpy;
* the automation candidates and the triage matrix run it on the log as it is.

:func:`clocks` is pure: events sorted by case, then ``(timestamp, event_seq)``, as integer codes
and int64 microseconds since the epoch (UTC); the SLA contract it implements (status, ``as_of``,
milestones, reopens, the thank-you rule, pauses, working time, statuses) is stated in
:mod:`pipelines.mining.sla_clock`. Everything is vectorised over all events at once: no Python loop
runs over cases or events (one :func:`~pipelines.mining.calendar.working_seconds` call per
calendar and clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.memo import Memo
from pipelines.mining._scope import run
from pipelines.mining.calendar import working_seconds
from pipelines.mining.definitions import (
    MACHINE_PATTERN,
    NAT,
    CaseSequence,
    MilestoneSets,
    Roles,
    is_machine,
    read_milestones,
    roles,
)
from pipelines.mining.policy import SlaPolicy, assign_targets

CASE_ROLES: tuple[str, ...] = (schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM, schema.CUSTOMER)


# -- the log as arrays ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseEvents:
    """The events and cases of a log's scope as arrays (events sorted by case, then position).

    ``cases`` has one row per case (row ``i`` is case ``i`` of the event arrays): ``case_idx``,
    ``case_id``, the case roles, ``is_closed`` and one column per extra attribute asked for.
    Per event: ``case`` (row in ``cases``), ``activity`` (code into ``activities``, sorted names),
    ``t_us`` (microseconds since the epoch, UTC), ``resource`` (code into ``resources``, -1 when
    missing) and ``human`` (a known resource that is not a machine). ``as_of_us``: the log's last
    event time (the default instant clocks are read at; a filter does not move it).
    """

    cases: pd.DataFrame
    case: np.ndarray
    activity: np.ndarray
    activities: np.ndarray
    t_us: np.ndarray
    resource: np.ndarray
    resources: np.ndarray
    human: np.ndarray
    as_of_us: int

    @property
    def n_cases(self) -> int:
        return len(self.cases)


def when_keys(policy: SlaPolicy | None, extra: Sequence[str] = ()) -> list[str]:
    """Case attributes (besides the case roles) that the policy's targets or ``extra`` select on."""
    keys = set(extra)
    if policy is not None:
        keys |= {attr for t in policy.targets for attr, _ in t.when}
    return sorted(k for k in keys if k not in CASE_ROLES and k != schema.CASE_ID)


def log_end_us(log: Log) -> int:
    """The log's last event time in microseconds (the default ``as_of``)."""
    rows = run(log, "clock/log_end")
    if rows.empty or pd.isna(rows["end_us"].iloc[0]):
        raise ValueError(f"log {log.name!r} has no events: there is no SLA clock to read")
    return int(rows["end_us"].iloc[0])


def log_activities(log: Log) -> list[str]:
    """The activities of the cases in scope, sorted (the codes of :class:`CaseEvents`)."""
    return run(log, "clock/activities")[schema.ACTIVITY].tolist()


SHARED = Memo(4)
"""What several analyses of one log read in a row (a page of the app reads the same events and
clocks in half a dozen callbacks): :class:`CaseEvents` and the SLA clocks, keyed on the store
instance, the warehouse's generation, the log's name and filter and the options. Cached arrays are
read-only."""


def cache_key(log: Log, *options: object) -> tuple:
    """Key of a result derived from ``log``'s scope (holds no reference to the store)."""
    return (*log.store_key, log.store.generation(), log.name, log.filter, *options)


def load_case_events(log: Log, *, policy: SlaPolicy | None = None, attributes: Sequence[str] = (),
                     machine_pattern: str = MACHINE_PATTERN) -> CaseEvents:
    """Read ``log``'s scope into a :class:`CaseEvents` (integer-coded events; no Python loops).
    Shared (:data:`SHARED`) by the analyses that read the same scope."""
    keys = when_keys(policy, attributes)
    return SHARED.get(cache_key(log, "events", tuple(keys), machine_pattern),
                      lambda: _read_case_events(log, keys, machine_pattern))


def _read_case_events(log: Log, keys: list[str], machine_pattern: str) -> CaseEvents:
    cases = run(log, "clock/cases", {"attribute_keys": keys})
    values = cases.pop("attribute_values").tolist()
    for i, key in enumerate(keys):
        cases[key] = [v[i] if v is not None else None for v in values]
    activities = np.array(log_activities(log), dtype=object)
    resources = run(log, "clock/resources")[schema.RESOURCE].to_numpy(dtype=object)
    ev = run(log, "clock/events")
    row = np.searchsorted(cases["case_idx"].to_numpy(), ev["case_idx"].to_numpy())
    res = ev["resource_code"].to_numpy(dtype=np.int64)
    human_code = np.r_[~is_machine(resources, machine_pattern), False]
    arrays = {"case": row.astype(np.int64), "activity": ev["activity_code"].to_numpy(dtype=np.int64),
              "activities": activities, "t_us": ev["t_us"].to_numpy(dtype=np.int64), "resource": res,
              "resources": resources, "human": human_code[res]}
    for a in arrays.values():
        a.flags.writeable = False  # shared between callers: nobody may change them in place
    return CaseEvents(cases=cases.reset_index(drop=True), as_of_us=log_end_us(log), **arrays)


# -- targets and working time ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTargets:
    """Per case: the SLA target's name (None: no target), its calendar name and objectives (s)."""

    target: np.ndarray
    calendar: np.ndarray
    first_response_s: np.ndarray
    resolution_s: np.ndarray


def case_targets(policy: SlaPolicy | None, cases: pd.DataFrame) -> CaseTargets:
    """The target of each case (:func:`~pipelines.mining.policy.assign_targets`), its calendar and
    objectives; without a policy every case has none (NaN objectives)."""
    n = len(cases)
    if policy is None:
        none = np.full(n, None, dtype=object)
        return CaseTargets(none, none.copy(), np.full(n, np.nan), np.full(n, np.nan))
    names = assign_targets(policy, cases).to_numpy(dtype=object)
    codes, uniques = pd.factorize(pd.Series(names, dtype=object), use_na_sentinel=True)
    by_name = {t.name: t for t in policy.targets}
    picked = [by_name[u] for u in uniques]

    def per_case(values: list) -> np.ndarray:
        return np.array(values + [None], dtype=object)[codes]  # sentinel -1 -> None

    return CaseTargets(
        target=names,
        calendar=per_case([t.calendar for t in picked]),
        first_response_s=per_case([_secs(t.first_response_s) for t in picked]).astype(np.float64),
        resolution_s=per_case([_secs(t.resolution_s) for t in picked]).astype(np.float64),
    )


def _secs(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def work_on(policy: SlaPolicy | None, calendars: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working seconds in ``[a, b]`` (int64 microseconds or ``datetime64``) elementwise on the named
    calendars (None, or no policy -> NaN)."""
    out = np.full(len(a), np.nan)
    if policy is None:
        return out
    a, b = np.asarray(a).astype("datetime64[us]"), np.asarray(b).astype("datetime64[us]")
    for name, cal in policy.calendars.items():
        sel = calendars == name
        if sel.any():
            out[sel] = working_seconds(cal, a[sel], b[sel])
    return out


# -- the clocks --------------------------------------------------------------------------------


CLOCK_COLUMNS = (
    "start_us", "first_response_us", "resolved_us", "resolved", "first_response_s", "resolution_s",
    "first_response_elapsed_s", "resolution_elapsed_s", "resolution_calendar_s",
    "resolution_business_s", "paused_s", "first_response_breached", "resolution_breached", "status",
    "first_response_status", "first_resolved_us", "resolved_all_us", "resolved_real_us", "last_event_us",
    "current", "reopens", "thank_you_reopens", "fcr_broken",
)
"""Columns of :func:`clocks` (then ``first_resolution_s`` when asked for)."""


def clocks(case: np.ndarray, activity: np.ndarray, t_us: np.ndarray, n_cases: int,
           sets: MilestoneSets, targets: CaseTargets, policy: SlaPolicy | None,
           as_of_us: int, closed_cases: np.ndarray | None = None, *,
           first_resolution: bool = False) -> pd.DataFrame:
    """The SLA clocks of ``n_cases`` cases from their events (sorted by case, then time).

    Events after ``as_of_us`` are ignored. ``sets`` are the activity roles
    (:class:`~pipelines.mining.definitions.Roles`) as masks; when they name no resolution milestone
    (``last_event_resolves``), a case is resolved at its last event if ``closed_cases`` (the
    ingest's ``is_closed``) says it is closed and no event of it comes after ``as_of``.

    Returns one row per case (row = case number), columns :data:`CLOCK_COLUMNS`: instants as int64
    microseconds (:data:`NAT` when not reached), elapsed seconds (NaN when not reached or without
    target), ``resolved`` (bool), the two breached flags (bool; False without target), the
    statuses (None without target), then the other :class:`CaseMilestones` (``current``: activity
    code of the last event, -1 when none); with ``first_resolution`` also ``first_resolution_s``
    (elapsed at the first resolved/closed event, reopens ignored). A case with no event by
    ``as_of`` has ``start_us`` NAT.
    """
    keep = t_us <= as_of_us
    if closed_cases is not None:  # closed by as_of: no event of the case comes later
        closed_cases = np.asarray(closed_cases, dtype=bool) & (np.bincount(case[~keep], minlength=n_cases) == 0)
    case, activity, t_us = case[keep], activity[keep], t_us[keep]
    ms = read_milestones(case, activity, t_us, n_cases, sets, closed_cases)
    seq = CaseSequence.of(case, t_us)
    start = ms.start_us
    cal = targets.calendar
    started = start != NAT
    as_of = np.int64(as_of_us)

    def elapsed(instant: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        upto = np.where(instant == NAT, as_of, instant)
        work = _work_started(policy, cal, start, upto, started)
        paused = _paused(case, activity, t_us, seq, sets, upto, start, policy, cal, n_cases)
        return work - paused, work, paused

    fr_el, _, _ = elapsed(ms.first_response_us)
    res_el, business, paused = elapsed(ms.resolved_us)
    fr_reached, res_reached = ms.first_response_us != NAT, ms.resolved_us != NAT
    fr_status, fr_breached = _status(fr_reached, fr_el, targets.first_response_s)
    status, res_breached = _status(res_reached, res_el, targets.resolution_s)
    no_target = pd.isna(targets.target)
    frame = pd.DataFrame({
        "start_us": start,
        "first_response_us": ms.first_response_us,
        "resolved_us": ms.resolved_us,
        "resolved": res_reached,
        "first_response_s": np.where(fr_reached, fr_el, np.nan),
        "resolution_s": np.where(res_reached, res_el, np.nan),
        "first_response_elapsed_s": fr_el,
        "resolution_elapsed_s": res_el,
        "resolution_calendar_s": np.where(res_reached, (ms.resolved_us - start) / 1e6, np.nan),
        "resolution_business_s": np.where(res_reached, business, np.nan),
        "paused_s": np.where(no_target, np.nan, paused),
        "first_response_breached": fr_breached,
        "resolution_breached": res_breached,
        "status": pd.Series(status, dtype=object),  # object: no inference to a string dtype
        "first_response_status": pd.Series(fr_status, dtype=object),
        "first_resolved_us": ms.first_resolved_us,
        "resolved_all_us": ms.resolved_all_us,
        "resolved_real_us": ms.resolved_real_us,
        "last_event_us": ms.last_event_us,
        "current": ms.current,
        "reopens": ms.reopens,
        "thank_you_reopens": ms.thank_you_reopens,
        "fcr_broken": ms.fcr_broken,
    })
    if first_resolution:
        first_el, _, _ = elapsed(ms.first_resolved_us)
        frame["first_resolution_s"] = np.where(ms.first_resolved_us == NAT, np.nan, first_el)
    return frame


def case_clocks(ev: CaseEvents, policy: SlaPolicy | None = None, *, case_roles: Roles | None = None,
                targets: CaseTargets | None = None, as_of_us: int | None = None,
                first_resolution: bool = False) -> pd.DataFrame:
    """:func:`clocks` of the cases of ``ev`` under ``policy`` (``targets``: default
    :func:`case_targets`) with ``case_roles`` (default: :func:`~pipelines.mining.definitions.roles`
    of the policy, or recognised by name), read at ``as_of_us`` (default: the log's end). One row
    per case of ``ev.cases``."""
    r = case_roles if case_roles is not None else roles(ev.activities.tolist(), policy)
    targets = targets if targets is not None else case_targets(policy, ev.cases)
    return clocks(ev.case, ev.activity, ev.t_us, ev.n_cases, r.masks(ev.activities), targets,
                  policy, ev.as_of_us if as_of_us is None else as_of_us,
                  closed_cases=ev.cases[schema.IS_CLOSED].to_numpy(dtype=bool), first_resolution=first_resolution)


def _work_started(policy, cal, start, upto, started) -> np.ndarray:
    out = np.full(len(start), np.nan)
    if started.any():
        out[started] = work_on(policy, cal[started], start[started], upto[started])
    return out


def _paused(case, activity, t_us, seq: CaseSequence, sets, upto, start, policy, cal, n) -> np.ndarray:
    """Paused working seconds per case in ``[start, upto]``: the intervals from a pause event to
    the next event of its case (or to ``upto``), clipped to the window."""
    p = sets.pause[activity]
    if policy is None or not p.any():
        return np.zeros(n)
    rows = case[p]
    cap = upto[rows]
    end = np.where(seq.next_same[p], seq.next_t[p], cap)
    a = np.clip(t_us[p], start[rows], cap)
    b = np.clip(end, start[rows], cap)
    w = work_on(policy, cal[rows], a, np.maximum(a, b))
    return np.bincount(rows, weights=np.nan_to_num(w), minlength=n)


def _status(reached: np.ndarray, elapsed: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``met`` / ``breached`` / ``open`` / ``open_breached`` (None where undefined) and the breached
    flag (False where undefined)."""
    over = elapsed > target
    status = np.select([reached & ~over, reached & over, ~reached & ~over],
                       ["met", "breached", "open"], "open_breached").astype(object)
    undefined = np.isnan(target) | np.isnan(elapsed)
    status[undefined] = None
    breached = np.isin(status, ("breached", "open_breached"))
    return status, breached
