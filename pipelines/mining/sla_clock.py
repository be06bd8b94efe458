"""SLA clocks rebuilt from the event log: one row per case with its first-response and
resolution clocks, measured in business time on the case's target calendar.

The semantics (the contract ``sample_logs/sla_policy.toml`` states for the simulator, which this
module reproduces exactly on the committed sample logs):

* **Status.** Each event sets the case's status to its activity; the interval between two
  consecutive events of a case has the status of the earlier one; after a case's last event its
  status lasts until ``as_of``. Events are in case order ``(timestamp, event_seq)``.
* **as_of.** The instant the clocks are read at. Default: the latest event time of the *whole* log
  (``logs.end_time``; a filter does not move it). Events after ``as_of`` are ignored, so
  ``evaluate_sla(log, policy, as_of=t)`` is the SLA state as it was known at ``t`` (a replay):
  cases not started by ``t`` are absent, milestones reached later are not reached yet, and a
  status lasts until ``t``. An ``as_of`` after the log end lets open clocks run on.
* **Target.** The first ``[[targets]]`` entry whose ``when`` matches the case attributes
  (:func:`~pipelines.mining.policy.assign_targets`; ``team`` is the case's last team, any other
  name a key of the case attributes). A case no target matches has no SLA: target ``None``,
  every clock ``NaN``, statuses ``None``, breached flags ``<NA>``.
* **Start** = the case's first event (a mapped ``opened_at`` attribute is not supported yet).
* **First response** = the first event whose activity is a ``first_response``, ``resolved`` or
  ``closed`` milestone: a case resolved or closed without a reply (e.g. by a self-service bot)
  reaches its first response then.
* **Reopen** = an event whose activity is a ``reopened`` milestone. When the policy lists no
  ``reopened`` activity (the helpdesk log records none), reopens are *implicit*: an event that is
  neither ``resolved`` nor ``closed`` directly after one that is (work resumed after a
  resolution). ``implicit_reopens=True/False`` forces either reading.
* **Thank-you reopen** = a reopen whose next event is ``resolved``/``closed`` (no other event, so
  no agent work, in between) at most ``[reopen] thank_you_window`` of wall-clock time later (and
  by ``as_of``). With ``ignore_thank_you = true`` it is not a reopen for the clocks or FCR;
  the ``thank_you_reopens`` column counts them whatever the switch says.
* **Resolution** = the first ``resolved``/``closed`` event after the case's last reopen (the last
  *real* reopen when thank-you reopens are ignored), or the first one anywhere when never
  reopened: a case resolved, reopened and resolved again is measured to its final resolution, and
  its time spent resolved before the reopen counts (a resolved status is no pause). This is
  deskmine's one definition of resolution (:mod:`pipelines.mining.definitions`): the comparison,
  the overview KPIs, the automation analyses and the what-if read it too; without a policy
  (:func:`~pipelines.mining.sla_survival.get_resolution_times`) the milestones are the activities
  recognised by name.
* **Elapsed** = working seconds of the target's calendar in ``[start, instant]`` minus the working
  seconds of the intervals whose status is a ``pause`` activity (clipped to ``[start, instant]``);
  a milestone not reached is measured to ``as_of``.
* **Status**: ``met`` (reached, elapsed <= target), ``breached`` (reached, elapsed > target),
  ``open`` (not reached, elapsed at ``as_of`` <= target), ``open_breached`` (not reached, elapsed
  at ``as_of`` > target). ``*_breached`` is True for ``breached`` and ``open_breached``.

The log's events are read once by SQL (``pipelines/sql/clock``) into case-ordered arrays and the
clocks computed by the one clock core, :func:`pipelines.mining.clock.clocks` (the same code the
what-if runs on its replayed timelines); working time is
:func:`~pipelines.mining.calendar.working_seconds` over arrays, one call per calendar and clock. No
Python loop runs over cases or events.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining.clock import (
    SHARED,
    CaseEvents,
    CaseTargets,
    cache_key,
    case_clocks,
    case_targets,
    load_case_events,
    log_end_us,
    work_on,
)
from pipelines.mining.definitions import FCR_WORDS, NAT, CaseSequence, default_fcr_breakers, roles
from pipelines.mining.policy import SlaPolicy

__all__ = [
    "FCR_DEFAULT_WORDS",
    "MILESTONES",
    "SLA_COLUMNS",
    "SLA_EXTRA_COLUMNS",
    "STATUSES",
    "default_fcr_breakers",
    "evaluate_sla",
]

STATUSES: tuple[str, ...] = ("met", "breached", "open", "open_breached")
"""Values of the ``status`` and ``first_response_status`` columns."""

SLA_COLUMNS: tuple[str, ...] = (
    schema.CASE_ID, "target", "first_response_s", "resolution_s", "paused_s",
    "first_response_target_s", "resolution_target_s", "first_response_breached",
    "resolution_breached", "status",
)
"""The issue's columns of :func:`evaluate_sla`, in order."""

SLA_EXTRA_COLUMNS: tuple[str, ...] = (
    "first_response_status", "first_response_elapsed_s", "resolution_elapsed_s",
    "first_resolution_s", "resolution_calendar_s", "resolution_business_s",
    "reopens", "thank_you_reopens", "calendar",
    schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM, schema.CUSTOMER,
    schema.START_TIME, "first_response_time", "resolved_time", "last_event_time", "current_status",
)
"""Further columns of :func:`evaluate_sla`, after :data:`SLA_COLUMNS`."""

FCR_DEFAULT_WORDS: tuple[str, ...] = FCR_WORDS
"""Lower-case fragments of activity names that break a first-contact resolution by default (the
one list, :data:`pipelines.mining.definitions.FCR_WORDS`)."""

_CASE_COLUMNS = (schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM, schema.CUSTOMER)
_INSTANTS = {  # SlaClock.instants key: column of the clock core
    "start": "start_us", "first_response": "first_response_us", "first_resolved": "first_resolved_us",
    "resolved": "resolved_us", "resolved_all": "resolved_all_us", "resolved_real": "resolved_real_us",
    "last_event": "last_event_us",
}


# -- as_of ----------------------------------------------------------------------


def resolve_as_of(log: Log, as_of: Any = None) -> int:
    """``as_of`` as microseconds since the epoch; ``None`` -> the log's last event time."""
    if as_of is None:
        return log_end_us(log)
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError):
        raise ValueError(f"as_of must be a tz-aware instant; got {as_of!r}") from None
    if ts is pd.NaT:
        raise ValueError("as_of must be a tz-aware instant; got a missing value")
    if ts.tz is None:
        raise ValueError(
            f"as_of must be a tz-aware instant (e.g. '2025-03-31T12:00+02:00'); got naive {as_of!r}"
        )
    return int(ts.as_unit("us").asm8.astype(np.int64))


def as_of_timestamp(as_of_us: int) -> pd.Timestamp:
    return pd.Timestamp(as_of_us, unit="us", tz="UTC")


# -- the clock --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlaClock:
    """The evaluated clocks of one log (internal: the public functions read it).

    ``frame`` is sorted by ``case_idx`` and holds the public columns plus ``case_idx`` and
    ``fcr_broken``; the instants are ``datetime64[us]`` numpy arrays in ``instants``. ``events``
    are the events the clocks were read from, and ``event_rows`` the row of each frame row's case
    in ``events.cases`` (cases not started by ``as_of`` have no frame row); ``fcr_breakers`` the
    activities that broke first-contact resolution.
    """

    frame: pd.DataFrame
    instants: dict[str, np.ndarray]
    policy: SlaPolicy | None
    as_of_us: int
    log: Log
    events: CaseEvents
    event_rows: np.ndarray
    fcr_breakers: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def calendars(self) -> np.ndarray:
        return self.frame["calendar"].to_numpy(dtype=object)

    def rows_of(self, case_idx: np.ndarray) -> np.ndarray:
        """Row of each ``case_idx`` in :attr:`frame` (all must be present)."""
        return np.searchsorted(self.frame["case_idx"].to_numpy(), case_idx)

    def work(self, rows: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Working seconds in ``[a, b]`` on the calendar of each row's target (NaN: no target)."""
        return work_on(self.policy, self.calendars[rows], a, b)


def unique_sorted(a: np.ndarray, *, return_inverse: bool = False):
    """Sorted unique values of a 1-d array by sorting (numpy 2.4's hash-based ``np.unique`` is
    an order of magnitude slower on millions of integers); with ``return_inverse`` also each
    element's index in them.

    >>> [x.tolist() for x in unique_sorted(np.array([3, 1, 3]), return_inverse=True)]
    [[1, 3], [1, 0, 1]]
    """
    if not return_inverse:
        s = np.sort(a)
        return s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s
    order = np.argsort(a, kind="stable")
    sorted_ = a[order]
    new = np.r_[True, sorted_[1:] != sorted_[:-1]] if len(a) else np.zeros(0, bool)
    inverse = np.empty(len(a), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return sorted_[new], inverse


def _nullable(flags: pd.Series, status: np.ndarray) -> pd.array:
    """Breached flags as nullable booleans, NA where the status is undefined (no target)."""
    out = pd.array(flags.to_numpy(dtype=bool), dtype="boolean")
    out[pd.isna(status)] = pd.NA
    return out


def _clock_frame(c: pd.DataFrame, cases: pd.DataFrame, targets: CaseTargets, rows: np.ndarray,
                 t: dict[str, np.ndarray], activities: np.ndarray) -> pd.DataFrame:
    """The :class:`SlaClock` frame from the core's clocks ``c`` and ``cases`` (rows ``rows``)."""
    status, fr_status = c["status"].to_numpy(dtype=object), c["first_response_status"].to_numpy(dtype=object)
    current = c["current"].to_numpy(dtype=np.int64)
    return pd.DataFrame({
        schema.CASE_ID: cases[schema.CASE_ID].to_numpy(dtype=object),
        "target": targets.target[rows],
        **{col: c[col].to_numpy() for col in ("first_response_s", "resolution_s", "paused_s")},
        "first_response_target_s": targets.first_response_s[rows],
        "resolution_target_s": targets.resolution_s[rows],
        "first_response_breached": _nullable(c["first_response_breached"], fr_status),
        "resolution_breached": _nullable(c["resolution_breached"], status),
        "status": status,
        "first_response_status": fr_status,
        **{col: c[col].to_numpy() for col in (
            "first_response_elapsed_s", "resolution_elapsed_s", "first_resolution_s", "resolution_calendar_s",
            "resolution_business_s", "reopens", "thank_you_reopens")},
        "calendar": targets.calendar[rows],
        **{col: cases[col].to_numpy(dtype=object) for col in _CASE_COLUMNS},
        schema.START_TIME: _utc(t["start"]),
        "first_response_time": _utc(t["first_response"]),
        "resolved_time": _utc(t["resolved"]),
        "last_event_time": _utc(t["last_event"]),
        "current_status": np.where(current >= 0, activities[np.maximum(current, 0)], None),
        "case_idx": cases["case_idx"].to_numpy(dtype=np.int64),
        "fcr_broken": c["fcr_broken"].to_numpy(dtype=bool),
    }, index=np.arange(len(rows)))


def sla_clock(log: Log, policy: SlaPolicy, *, as_of: Any = None,
              implicit_reopens: bool | None = None,
              fcr_breakers: Sequence[str] | None = None) -> SlaClock:
    """Evaluate the clocks (see the module docstring); the engine behind every SLA function."""
    if not isinstance(policy, SlaPolicy):
        raise ValueError(f"policy must be an SlaPolicy (see read_policy); got {type(policy).__name__}")
    return read_clock(log, policy, as_of=as_of, implicit_reopens=implicit_reopens, fcr_breakers=fcr_breakers)


def read_clock(log: Log, policy: SlaPolicy | None, *, as_of: Any = None, implicit_reopens: bool | None = None,
               fcr_breakers: Sequence[str] | None = None) -> SlaClock:
    """:func:`sla_clock`, with or without a policy: without one the roles are recognised by name
    (:mod:`pipelines.mining.definitions`), nobody has a target and only wall-clock times exist.
    Shared by the analyses that read the same clock (:data:`~pipelines.mining.clock.SHARED`)."""
    # None (the log's end) stays None in the key: the generation in it already says when the end moved,
    # and a cache hit then needs no query
    as_of_us = None if as_of is None else resolve_as_of(log, as_of)
    breakers = None if fcr_breakers is None else tuple(fcr_breakers)
    key = cache_key(log, "clock", policy, as_of_us, implicit_reopens, breakers)
    clock = SHARED.get(key, lambda: _read_clock(log, policy, as_of_us, implicit_reopens, breakers))
    return dataclasses.replace(clock, log=log)  # the cached clock holds no store


def _read_clock(log: Log, policy: SlaPolicy | None, as_of_us: int | None, implicit_reopens: bool | None,
                fcr_breakers: Sequence[str] | None) -> SlaClock:
    ev = load_case_events(log, policy=policy)
    as_of_us = ev.as_of_us if as_of_us is None else as_of_us
    r = roles(ev.activities.tolist(), policy, implicit_reopens=implicit_reopens, fcr_breakers=fcr_breakers)
    targets = case_targets(policy, ev.cases)
    c = case_clocks(ev, policy, case_roles=r, targets=targets, as_of_us=as_of_us, first_resolution=True)
    rows = np.flatnonzero(c["start_us"].to_numpy() != NAT)  # cases started by as_of
    t = {key: c[col].to_numpy(dtype=np.int64)[rows].view("datetime64[us]") for key, col in _INSTANTS.items()}
    frame = _clock_frame(c.iloc[rows], ev.cases.iloc[rows], targets, rows, t, ev.activities)
    for a in (*t.values(), rows):
        a.flags.writeable = False
    return SlaClock(frame=frame, instants=t, policy=policy, as_of_us=as_of_us, log=None, events=ev,
                    event_rows=rows, fcr_breakers=r.fcr_breakers)


# -- status intervals -------------------------------------------------------------------------

MILESTONES: tuple[str, ...] = ("first_response", "resolution")
"""The two SLA clocks (closed set of the ``milestone`` options)."""

_INSTANT_OF = {"first_response": "first_response", "resolution": "resolved"}


@dataclass(frozen=True)
class StatusIntervals:
    """Every status interval of the cases of a clock inside each case's SLA window
    ``[start, milestone instant or as_of]``, in case order (internal). Intervals starting at the
    window's end (the milestone event itself, and ties with it) hold no time and are left out.

    ``status``/``next_status`` index ``activities`` (``next_status`` -1: no next event inside the
    window's end, i.e. the case still had that status at ``as_of``); ``business_s`` is working time
    of the case's target calendar (NaN without target), ``calendar_s`` wall-clock time.
    """

    activities: np.ndarray
    row: np.ndarray
    status: np.ndarray
    next_status: np.ndarray
    start: np.ndarray
    end: np.ndarray
    business_s: np.ndarray
    calendar_s: np.ndarray
    paused: np.ndarray

    def elapsed_before(self) -> np.ndarray:
        """SLA elapsed seconds at each interval's start (business time, pauses excluded)."""
        counted = np.where(self.paused, 0.0, np.nan_to_num(self.business_s))
        total = np.cumsum(counted) - counted
        first = np.r_[True, self.row[1:] != self.row[:-1]] if len(self.row) else np.zeros(0, bool)
        offset = np.maximum.accumulate(np.where(first, np.arange(len(self.row)), 0))
        return total - total[offset]


def status_intervals(clock: SlaClock, *, milestone: str = "resolution") -> StatusIntervals:
    """The status intervals of ``clock``'s cases clipped to their SLA window for ``milestone``."""
    schema.check_choice("milestone", milestone, MILESTONES)
    ev, as_of_us = clock.events, clock.as_of_us
    kept = ev.t_us <= as_of_us
    case, activity, t_us = ev.case[kept], ev.activity[kept], ev.t_us[kept]
    seq = CaseSequence.of(case, t_us)
    frame_row = np.full(ev.n_cases, -1, dtype=np.int64)
    frame_row[clock.event_rows] = np.arange(clock.n)
    rows = frame_row[case]
    end_us = np.where(seq.next_same, seq.next_t, np.int64(as_of_us))
    instant = clock.instants[_INSTANT_OF[milestone]]
    window_end = np.where(np.isnat(instant), np.datetime64(as_of_us, "us"), instant)[rows]
    start = t_us.view("datetime64[us]")
    keep = start < window_end  # zero-length intervals at the window's end carry no time
    rows, start, window_end, full_end = rows[keep], start[keep], window_end[keep], end_us.view("datetime64[us]")[keep]
    end = np.minimum(full_end, window_end)
    status = activity[keep]
    nxt = np.where(full_end > window_end, -1, seq.next_of(activity, -1)[keep])
    pause = np.isin(ev.activities, list(clock.policy.milestones.pause))
    return StatusIntervals(
        activities=ev.activities, row=rows, status=status, next_status=nxt, start=start, end=end,
        business_s=clock.work(rows, start, end),
        calendar_s=(end - start).astype("timedelta64[us]").astype(np.float64) / 1e6,
        paused=pause[status] if len(status) else np.zeros(0, bool),
    )


def _utc(values: np.ndarray) -> pd.Series:
    return pd.Series(pd.DatetimeIndex(values.astype("datetime64[us]")).tz_localize("UTC"))


def default_timezone(policy: SlaPolicy | None) -> str:
    """Zone used to cut weeks and months: the policy's first calendar's, else UTC."""
    if policy is None or not policy.calendars:
        return "UTC"
    return next(iter(policy.calendars.values())).timezone


def evaluate_sla(log: Log, policy: SlaPolicy, *, as_of: Any = None,
                 implicit_reopens: bool | None = None) -> pd.DataFrame:
    """SLA clocks of every case of ``log`` under ``policy``, read at ``as_of``.

    See the module docstring for the exact rules (status model, milestones, reopens, the
    thank-you rule, pauses, ``as_of`` replay).

    Parameters
    ----------
    policy:
        An :class:`~pipelines.mining.policy.SlaPolicy` (``read_policy("sla.toml")``).
    as_of:
        A tz-aware instant (``Timestamp``, ``datetime`` or ISO string with offset); default the
        log's last event time. Events after it are ignored (a replay of that moment).
    implicit_reopens:
        Detect reopens as work after a resolution; default: only when the policy lists no
        ``reopened`` activity.

    Returns
    -------
    DataFrame, one row per case (in case order), columns :data:`SLA_COLUMNS`:

    * ``case_id``, ``target`` (name, or None when no target matches);
    * ``first_response_s``, ``resolution_s``: elapsed SLA seconds at the milestone (business
      time of the target's calendar, pauses subtracted); NaN when not reached by ``as_of``;
    * ``paused_s``: paused working seconds in ``[start, resolution instant or as_of]``;
    * ``first_response_target_s``, ``resolution_target_s``: the target's objectives (NaN when
      it sets none);
    * ``first_response_breached``, ``resolution_breached``: nullable booleans, True for
      ``breached`` and ``open_breached``;
    * ``status``: the resolution SLA, ``met`` / ``breached`` / ``open`` / ``open_breached``;

    then :data:`SLA_EXTRA_COLUMNS`: ``first_response_status``; ``first_response_elapsed_s``,
    ``resolution_elapsed_s`` (elapsed at the milestone, or at ``as_of`` when open: what the
    status is judged on); ``first_resolution_s`` (elapsed at the first ``resolved``/``closed``
    event, reopens ignored); ``resolution_calendar_s`` (wall-clock start -> resolution) and
    ``resolution_business_s`` (working time of the target's calendar, pauses *not* subtracted),
    NaN when open; ``reopens`` (reopen events), ``thank_you_reopens`` (those matching the
    thank-you pattern, counted whether or not the policy ignores them); ``calendar``;
    ``priority``, ``channel``, ``category``, ``team``, ``customer``; ``start_time``,
    ``first_response_time``, ``resolved_time``, ``last_event_time`` (UTC; NaT when not reached);
    ``current_status`` (activity of the last event by ``as_of``).

    ``frame.attrs`` holds ``as_of`` (UTC Timestamp) and ``timezone`` (of the policy's first
    calendar, used to cut weeks and months).

    Example
    -------
    >>> sla = evaluate_sla(Store().log("before"), read_policy("sample_logs/sla_policy.toml"))  # doctest: +SKIP
    >>> sla["status"].value_counts()  # doctest: +SKIP
    """
    clock = sla_clock(log, policy, as_of=as_of, implicit_reopens=implicit_reopens)
    return public_frame(clock)


def public_frame(clock: SlaClock) -> pd.DataFrame:
    frame = clock.frame[list(SLA_COLUMNS + SLA_EXTRA_COLUMNS)].reset_index(drop=True)
    frame.attrs = {"as_of": as_of_timestamp(clock.as_of_us),
                   "timezone": default_timezone(clock.policy)}
    return frame
