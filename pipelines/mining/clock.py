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

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining._scope import run
from pipelines.mining.automation_common import MACHINE_PATTERN, resolution_activities
from pipelines.mining.calendar import working_seconds
from pipelines.mining.policy import SlaPolicy, assign_targets

NAT = np.iinfo(np.int64).min
"""An instant not reached (int64 microseconds; ``datetime64`` NaT)."""
_BIG = np.iinfo(np.int64).max
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


def is_machine(names: Sequence[str], pattern: str) -> np.ndarray:
    """Whether each resource name matches the machine pattern (a Python-regex reading of it)."""
    if len(names) == 0:
        return np.zeros(0, dtype=bool)
    flags = re.IGNORECASE if "(?i)" in pattern else 0
    rx = re.compile(pattern.replace("(?i)", ""), flags)
    return np.array([rx.search(str(n)) is not None for n in names], dtype=bool)


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


def load_case_events(log: Log, *, policy: SlaPolicy | None = None, attributes: Sequence[str] = (),
                     machine_pattern: str = MACHINE_PATTERN) -> CaseEvents:
    """Read ``log``'s scope into a :class:`CaseEvents` (integer-coded events; no Python loops)."""
    keys = when_keys(policy, attributes)
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
    return CaseEvents(
        cases=cases.reset_index(drop=True), case=row.astype(np.int64),
        activity=ev["activity_code"].to_numpy(dtype=np.int64), activities=activities,
        t_us=ev["t_us"].to_numpy(dtype=np.int64), resource=res, resources=resources,
        human=human_code[res], as_of_us=log_end_us(log),
    )


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


# -- milestone activities ------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSets:
    """Activity codes (boolean masks over ``activities``) of each milestone kind, and the reopen
    rule they are read with: a reopen is a ``reopened`` activity or, with ``implicit_reopens``,
    also an event that is not ``done`` right after one that is."""

    done: np.ndarray
    first_response: np.ndarray
    reopened: np.ndarray
    pause: np.ndarray
    implicit_reopens: bool
    window_us: int
    ignore_thank_you: bool
    last_event_resolves: bool = False
    fcr_breaker: np.ndarray | None = None


def milestone_sets(activities: np.ndarray, policy: SlaPolicy | None, *, implicit_reopens: bool | None = None,
                   fcr_breakers: Sequence[str] = ()) -> MilestoneSets:
    """The milestone masks of ``activities`` under ``policy`` (without one: resolve/close-named
    activities resolve, reopens are implicit, and closed cases end at their last event when no
    activity is named so)."""
    breakers = np.isin(activities, list(fcr_breakers))
    if policy is None:
        done = np.isin(activities, resolution_activities(activities.tolist()))
        none = np.zeros(len(activities), dtype=bool)
        return MilestoneSets(done, none, none.copy(), none.copy(), True, 7200 * 10**6, False,
                             last_event_resolves=not done.any(), fcr_breaker=breakers)
    ms = policy.milestones
    implicit = (not ms.reopened) if implicit_reopens is None else bool(implicit_reopens)
    return MilestoneSets(
        done=np.isin(activities, list(ms.resolved + ms.closed)),
        first_response=np.isin(activities, list(ms.first_response)),
        reopened=np.isin(activities, list(ms.reopened)),
        pause=np.isin(activities, list(ms.pause)),
        implicit_reopens=implicit,
        window_us=int(round(policy.reopen.thank_you_window_s * 1e6)),
        ignore_thank_you=policy.reopen.ignore_thank_you,
        fcr_breaker=breakers,
    )


# -- the clocks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseSequence:
    """Neighbours of each event inside its case (events sorted by case, then position)."""

    first: np.ndarray      # the case's first event
    next_same: np.ndarray  # the next event is of the same case
    next_t: np.ndarray     # the next event's time (meaningless where not next_same)

    def next_of(self, values: np.ndarray, missing: int) -> np.ndarray:
        """Each event's next event's value (``missing`` after a case's last event)."""
        return np.where(self.next_same, np.r_[values[1:], missing], missing) if len(values) else values

    @classmethod
    def of(cls, case: np.ndarray, t_us: np.ndarray) -> CaseSequence:
        m = len(case)
        if not m:
            empty = np.zeros(0, dtype=bool)
            return cls(empty, empty.copy(), t_us)
        first = np.r_[True, case[1:] != case[:-1]]
        return cls(first, np.r_[~first[1:], False], np.r_[t_us[1:], 0])


@dataclass(frozen=True)
class CaseMilestones:
    """Per case: milestone instants (int64 microseconds, :data:`NAT` when not reached), the
    activity code of its last event (-1: none), reopen counts and whether its first-contact
    resolution was broken."""

    start_us: np.ndarray
    first_response_us: np.ndarray
    first_resolved_us: np.ndarray
    resolved_us: np.ndarray
    resolved_all_us: np.ndarray
    resolved_real_us: np.ndarray
    last_event_us: np.ndarray
    current: np.ndarray
    reopens: np.ndarray
    thank_you_reopens: np.ndarray
    fcr_broken: np.ndarray


def read_milestones(case: np.ndarray, activity: np.ndarray, t_us: np.ndarray, n_cases: int,
                    sets: MilestoneSets, closed_cases: np.ndarray | None = None) -> CaseMilestones:
    """The milestones of ``n_cases`` cases from their events (case-ordered, all by ``as_of``)."""
    seq = CaseSequence.of(case, t_us)
    m = len(case)
    pos = np.arange(m)
    is_done = sets.done[activity]
    is_reopen = sets.reopened[activity]
    if sets.implicit_reopens and m:  # work resumed right after a resolution
        is_reopen = is_reopen | (np.r_[False, is_done[:-1]] & ~seq.first & ~is_done)
    next_done = np.r_[is_done[1:], False] & seq.next_same if m else is_done
    thank = is_reopen & next_done & (seq.next_t - t_us <= sets.window_us)
    real = is_reopen & ~thank
    start = np.full(n_cases, NAT, dtype=np.int64)
    start[case[seq.first]] = t_us[seq.first]
    last = ~seq.next_same
    last_event = np.full(n_cases, NAT, dtype=np.int64)
    last_event[case[last]] = t_us[last]
    current = np.full(n_cases, -1, dtype=np.int64)
    current[case[last]] = activity[last]
    by_reopen = {name: _first_time(case, t_us, is_done & (pos > _last_pos(case, pos, mask, n_cases)[case]), n_cases)
                 for name, mask in (("all", is_reopen), ("real", real))}
    resolved = by_reopen["real"] if sets.ignore_thank_you else by_reopen["all"]
    if sets.last_event_resolves and closed_cases is not None and m:
        resolved = np.where(np.asarray(closed_cases, dtype=bool), last_event, NAT)
    breaker = sets.fcr_breaker[activity] if sets.fcr_breaker is not None else np.zeros(m, dtype=bool)
    breaks = (breaker | is_reopen) & ~(thank & sets.ignore_thank_you)
    return CaseMilestones(
        start_us=start,
        first_response_us=_first_time(case, t_us, is_done | sets.first_response[activity], n_cases),
        first_resolved_us=_first_time(case, t_us, is_done, n_cases),
        resolved_us=resolved, resolved_all_us=by_reopen["all"], resolved_real_us=by_reopen["real"],
        last_event_us=last_event, current=current,
        reopens=np.bincount(case[is_reopen], minlength=n_cases).astype(np.int64),
        thank_you_reopens=np.bincount(case[thank], minlength=n_cases).astype(np.int64),
        fcr_broken=np.bincount(case[breaks], minlength=n_cases) > 0,
    )


def _last_pos(case: np.ndarray, pos: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(out, case[mask], pos[mask])
    return out


def _first_time(case: np.ndarray, t_us: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, _BIG, dtype=np.int64)
    np.minimum.at(out, case[mask], t_us[mask])
    return np.where(out == _BIG, NAT, out)


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

    Events after ``as_of_us`` are ignored. Without a policy and without any resolve/close-named
    activity, a case is resolved at its last event when ``closed_cases`` (the ingest's
    ``is_closed``) says it is closed.

    Returns one row per case (row = case number), columns :data:`CLOCK_COLUMNS`: instants as int64
    microseconds (:data:`NAT` when not reached), elapsed seconds (NaN when not reached or without
    target), ``resolved`` (bool), the two breached flags (bool; False without target), the
    statuses (None without target), then the other :class:`CaseMilestones` (``current``: activity
    code of the last event, -1 when none); with ``first_resolution`` also ``first_resolution_s``
    (elapsed at the first resolved/closed event, reopens ignored). A case with no event by
    ``as_of`` has ``start_us`` NAT.
    """
    keep = t_us <= as_of_us
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
