"""SLA clocks over event arrays, so that they can be read on *replayed* timelines (internal).

The what-if (:mod:`pipelines.mining.whatif`) shifts event timestamps in numpy and needs the SLA
clocks of the shifted cases; the automation candidates need the clocks of the log as it is. Both
read them here, with the rules of the SLA contract (``sample_logs/README.md`` and
:mod:`pipelines.mining.sla`), vectorised over all events at once:

* events after ``as_of`` (default: the log's last event time) are ignored;
* start = the case's first event; first response = first event whose activity is a
  ``first_response``, ``resolved`` or ``closed`` milestone;
* a reopen is a ``reopened`` activity, or, when the policy lists none, an event that is neither
  resolved nor closed right after one that is; a thank-you reopen is a reopen whose next event is
  resolved/closed within ``[reopen] thank_you_window`` (wall clock); with ``ignore_thank_you`` it
  does not count;
* resolution = first resolved/closed event after the case's last (counted) reopen;
* elapsed = working seconds of the target's calendar in ``[start, instant]`` minus the working
  seconds of intervals whose status is a ``pause`` activity; a milestone not reached is measured to
  ``as_of``; ``met`` / ``breached`` / ``open`` / ``open_breached`` as in the contract.

On the committed sample logs the result equals ``evaluate_sla`` case by case (tested whenever
``pipelines.mining.sla`` is importable). Without a policy there is no calendar and no target: the
resolution instant follows the same rules with the resolve/close-named activities
(:func:`~pipelines.mining.automation_common.resolution_activities`) and implicit reopens, and
only wall-clock times are defined.
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
_BIG = np.iinfo(np.int64).max
_CASE_COLUMNS = (schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM, schema.CUSTOMER)


# -- the log as arrays ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayLog:
    """The events and cases of a log's scope as arrays (events sorted by case, then position).

    ``cases`` has one row per case (row ``i`` is case ``i`` of the event arrays): ``case_idx``,
    ``case_id``, the case roles, ``is_closed`` and one column per extra attribute asked for.
    Per event: ``case`` (row in ``cases``), ``activity`` (code into ``activities``), ``t_us``
    (microseconds since the epoch, UTC), ``resource`` (code into ``resources``, -1 when missing)
    and ``human`` (a known resource that is not a machine). ``as_of_us``: the log's last event time.
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


def _when_keys(policy: SlaPolicy | None, extra: Sequence[str]) -> list[str]:
    keys = set(extra)
    if policy is not None:
        keys |= {attr for t in policy.targets for attr, _ in t.when}
    return sorted(k for k in keys if k not in _CASE_COLUMNS and k != schema.CASE_ID)


def log_end_us(log: Log) -> int:
    rows = run(log, "automation/log_end")
    if rows.empty or pd.isna(rows["end_us"].iloc[0]):
        raise ValueError(f"log {log.name!r} has no events")
    return int(rows["end_us"].iloc[0])


def load_replay_log(log: Log, *, policy: SlaPolicy | None = None, attributes: Sequence[str] = (),
                    machine_pattern: str = MACHINE_PATTERN) -> ReplayLog:
    """Read ``log``'s scope into a :class:`ReplayLog` (integer-coded events; no Python loops)."""
    keys = _when_keys(policy, attributes)
    cases = run(log, "automation/replay_cases", {"attribute_keys": keys})
    values = cases.pop("attribute_values").tolist()
    for i, key in enumerate(keys):
        cases[key] = [v[i] if v is not None else None for v in values]
    activities = run(log, "automation/activities")[schema.ACTIVITY].to_numpy(dtype=object)
    resources = run(log, "automation/resources")[schema.RESOURCE].to_numpy(dtype=object)
    ev = run(log, "automation/replay_events")
    row = np.searchsorted(cases["case_idx"].to_numpy(), ev["case_idx"].to_numpy())
    res = ev["resource_code"].to_numpy(dtype=np.int64)
    human_code = np.r_[~is_machine(resources, machine_pattern), False]
    return ReplayLog(
        cases=cases.reset_index(drop=True), case=row.astype(np.int64),
        activity=ev["activity_code"].to_numpy(dtype=np.int64), activities=activities,
        t_us=ev["t_us"].to_numpy(dtype=np.int64), resource=res, resources=resources,
        human=human_code[res], as_of_us=log_end_us(log),
    )


# -- targets -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseTargets:
    """Per case: the SLA target's name (None: no target), its calendar name and objectives (s)."""

    target: np.ndarray
    calendar: np.ndarray
    first_response_s: np.ndarray
    resolution_s: np.ndarray


def case_targets(policy: SlaPolicy | None, cases: pd.DataFrame) -> CaseTargets:
    n = len(cases)
    if policy is None:
        none = np.full(n, None, dtype=object)
        return CaseTargets(none, none.copy(), np.full(n, np.nan), np.full(n, np.nan))
    names = assign_targets(policy, cases).to_numpy(dtype=object)
    by_name = {t.name: t for t in policy.targets}

    def secs(value: float | None) -> float:
        return float("nan") if value is None else float(value)

    cal = np.array([by_name[t].calendar if t is not None else None for t in names], dtype=object)
    fr = np.array([secs(by_name[t].first_response_s) if t is not None else np.nan for t in names])
    res = np.array([secs(by_name[t].resolution_s) if t is not None else np.nan for t in names])
    return CaseTargets(names, cal, fr, res)


def work_on(policy: SlaPolicy | None, calendars: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Working seconds in ``[a, b]`` (int64 microseconds) on each row's calendar (None -> NaN)."""
    out = np.full(len(a), np.nan)
    if policy is None:
        return out
    for name, cal in policy.calendars.items():
        sel = calendars == name
        if sel.any():
            out[sel] = working_seconds(cal, a[sel].view("datetime64[us]"), b[sel].view("datetime64[us]"))
    return out


# -- the clocks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSets:
    """Activity codes (boolean masks over ``activities``) of each milestone kind."""

    done: np.ndarray
    first_response: np.ndarray
    reopened: np.ndarray
    pause: np.ndarray
    explicit_reopens: bool
    window_us: int
    ignore_thank_you: bool
    last_event_resolves: bool = False


def milestone_sets(activities: np.ndarray, policy: SlaPolicy | None) -> MilestoneSets:
    if policy is None:
        done = np.isin(activities, resolution_activities(activities.tolist()))
        none = np.zeros(len(activities), dtype=bool)
        return MilestoneSets(done, none, none.copy(), none.copy(), False, 7200 * 10**6, False,
                             last_event_resolves=not done.any())
    ms = policy.milestones
    return MilestoneSets(
        done=np.isin(activities, list(ms.resolved + ms.closed)),
        first_response=np.isin(activities, list(ms.first_response)),
        reopened=np.isin(activities, list(ms.reopened)),
        pause=np.isin(activities, list(ms.pause)),
        explicit_reopens=bool(ms.reopened),
        window_us=int(round(policy.reopen.thank_you_window_s * 1e6)),
        ignore_thank_you=policy.reopen.ignore_thank_you,
    )


CLOCK_COLUMNS = (
    "start_us", "first_response_us", "resolved_us", "resolved", "first_response_s", "resolution_s",
    "first_response_elapsed_s", "resolution_elapsed_s", "resolution_calendar_s",
    "resolution_business_s", "paused_s", "first_response_breached", "resolution_breached", "status",
)


def clocks(case: np.ndarray, activity: np.ndarray, t_us: np.ndarray, n_cases: int,
           sets: MilestoneSets, targets: CaseTargets, policy: SlaPolicy | None,
           as_of_us: int, closed_cases: np.ndarray | None = None) -> pd.DataFrame:
    """The SLA clocks of ``n_cases`` cases from their events (sorted by case, then time).

    Without a policy and without any resolve/close-named activity, a case is resolved at its
    last event when ``closed_cases`` (the ingest's ``is_closed``) says it is closed, as in
    ``get_resolution_times(log)`` without a policy.

    Returns one row per case (row = case number), columns :data:`CLOCK_COLUMNS`: instants as int64
    microseconds (:data:`NAT` when not reached), elapsed seconds (NaN when not reached or without
    target), ``resolved`` (bool), the two breached flags (bool; False without target) and
    ``status`` (None without target). A case with no event by ``as_of`` has ``start_us`` NAT.
    """
    keep = t_us <= as_of_us
    case, activity, t_us = case[keep], activity[keep], t_us[keep]
    m = len(case)
    pos = np.arange(m)
    first = np.r_[True, case[1:] != case[:-1]] if m else np.zeros(0, dtype=bool)
    next_same = np.r_[~first[1:], False] if m else np.zeros(0, dtype=bool)
    is_done = sets.done[activity]
    if sets.explicit_reopens:
        is_reopen = sets.reopened[activity]
    else:
        is_reopen = np.r_[False, is_done[:-1]] & ~first & ~is_done if m else is_done
    next_done = np.r_[is_done[1:], False] & next_same if m else is_done
    next_t = np.r_[t_us[1:], 0] if m else t_us
    thank = is_reopen & next_done & (next_t - t_us <= sets.window_us)
    counted = is_reopen & ~thank if sets.ignore_thank_you else is_reopen
    last_reopen = np.full(n_cases, -1, dtype=np.int64)
    np.maximum.at(last_reopen, case[counted], pos[counted])
    start = np.full(n_cases, NAT, dtype=np.int64)
    start[case[first]] = t_us[first]
    fr_us = _first_time(case, t_us, is_done | sets.first_response[activity], n_cases)
    res_us = _first_time(case, t_us, is_done & (pos > last_reopen[case]), n_cases)
    if sets.last_event_resolves and closed_cases is not None and m:
        last = np.r_[case[1:] != case[:-1], True]
        res_us = np.full(n_cases, NAT, dtype=np.int64)
        res_us[case[last]] = t_us[last]
        res_us = np.where(np.asarray(closed_cases, dtype=bool), res_us, NAT)
    cal = targets.calendar
    started = start != NAT
    as_of = np.int64(as_of_us)

    def elapsed(instant: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        upto = np.where(instant == NAT, as_of, instant)
        work = _work_started(policy, cal, start, upto, started)
        paused = _paused(case, activity, t_us, next_t, next_same, sets, upto, start, policy, cal, n_cases)
        return work - paused, work, paused

    fr_el, _, _ = elapsed(fr_us)
    res_el, business, paused = elapsed(res_us)
    fr_reached, res_reached = fr_us != NAT, res_us != NAT
    fr_status, fr_breached = _status(fr_reached, fr_el, targets.first_response_s)
    status, res_breached = _status(res_reached, res_el, targets.resolution_s)
    no_target = pd.isna(targets.target)
    cal_s = np.where(res_reached, (res_us - start) / 1e6, np.nan)
    return pd.DataFrame({
        "start_us": start,
        "first_response_us": fr_us,
        "resolved_us": res_us,
        "resolved": res_reached,
        "first_response_s": np.where(fr_reached, fr_el, np.nan),
        "resolution_s": np.where(res_reached, res_el, np.nan),
        "first_response_elapsed_s": fr_el,
        "resolution_elapsed_s": res_el,
        "resolution_calendar_s": cal_s,
        "resolution_business_s": np.where(res_reached, business, np.nan),
        "paused_s": np.where(no_target, np.nan, paused),
        "first_response_breached": fr_breached,
        "resolution_breached": res_breached,
        "status": status,
    })


def _first_time(case: np.ndarray, t_us: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, _BIG, dtype=np.int64)
    np.minimum.at(out, case[mask], t_us[mask])
    return np.where(out == _BIG, NAT, out)


def _work_started(policy, cal, start, upto, started) -> np.ndarray:
    out = np.full(len(start), np.nan)
    if started.any():
        out[started] = work_on(policy, cal[started], start[started], upto[started])
    return out


def _paused(case, activity, t_us, next_t, next_same, sets, upto, start, policy, cal, n) -> np.ndarray:
    """Paused working seconds per case in ``[start, upto]``."""
    p = sets.pause[activity]
    if policy is None or not p.any():
        return np.zeros(n)
    rows = case[p]
    end = np.where(next_same[p], next_t[p], np.int64(0))
    cap = upto[rows]
    end = np.where(next_same[p], end, cap)
    a = np.clip(t_us[p], start[rows], cap)
    b = np.clip(end, start[rows], cap)
    w = work_on(policy, cal[rows], a, np.maximum(a, b))
    return np.bincount(rows, weights=np.nan_to_num(w), minlength=n)


def _status(reached: np.ndarray, elapsed: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    over = elapsed > target
    status = np.select([reached & ~over, reached & over, ~reached & ~over],
                       ["met", "breached", "open"], "open_breached").astype(object)
    undefined = np.isnan(target) | np.isnan(elapsed)
    status[undefined] = None
    breached = np.isin(status, ("breached", "open_breached"))
    return status, breached
