"""Replaying historical cases on shifted timelines (internal; see :mod:`pipelines.mining.whatif`).

Each event's *native gap* is what separated it from the previous event of its case, measured in
the clock that governed it:

* an event by a person (a resource that is not a machine) on a case with a work calendar: the
  working seconds of that calendar since the previous event, plus the wall-clock *residual* by which
  it came later than the earliest instant with that much working time (work outside the calendar,
  e.g. overtime, so that an unshifted replay reproduces every timestamp exactly);
* every other event (customers, machines, or no calendar): wall-clock seconds.

A replay drops some events, turns some into bot events (``latency`` wall-clock seconds after the
previous kept event, no resource) and then re-places every later event of the case at its native
gap after the previous *kept* event: a step's waiting and processing disappear with it, the gaps
of the steps after it are kept, and a human step that moves into a closed period of its calendar
waits for the next working time. The recurrence runs position by position over all changed cases
at once (one vectorised pass per position; no Python loop over cases). A case's first event is
never moved.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipelines.mining.calendar import BusinessCalendar, add_working_seconds, working_seconds
from pipelines.mining.clock import NAT, CaseEvents

_BIG = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Timeline:
    """Native gaps of every event of a :class:`CaseEvents` (see the module docstring)."""

    log: CaseEvents
    first_index: np.ndarray  # per case: index of its first event (cases with no event: -1)
    pos: np.ndarray          # per event: 0-based position in its case
    wall_us: np.ndarray      # per event: t - previous t (0 for a case's first event)
    calendar: np.ndarray     # per event: index into `calendars`, -1 = wall clock
    business_s: np.ndarray   # per event: working seconds since the previous event (calendar events)
    residual_us: np.ndarray  # per event: wall-clock residual (calendar events)
    calendars: tuple[BusinessCalendar, ...]


def _us(values: np.ndarray) -> np.ndarray:
    return values.view("datetime64[us]")


def _to_us(instants) -> np.ndarray:
    return np.asarray(instants).astype("datetime64[us]").astype(np.int64)


def build_timeline(rl: CaseEvents, case_calendar: np.ndarray, calendars: dict[str, BusinessCalendar]) -> Timeline:
    """Native gaps of ``rl``'s events; ``case_calendar`` names each case's work calendar (None: wall)."""
    m = len(rl.case)
    first = np.r_[True, rl.case[1:] != rl.case[:-1]] if m else np.zeros(0, dtype=bool)
    first_index = np.full(rl.n_cases, -1, dtype=np.int64)
    first_index[rl.case[first]] = np.flatnonzero(first)
    pos = np.arange(m) - np.maximum.accumulate(np.where(first, np.arange(m), 0)) if m else np.zeros(0, np.int64)
    prev_t = np.r_[rl.t_us[:1], rl.t_us[:-1]] if m else rl.t_us
    wall = np.where(first, 0, rl.t_us - prev_t)
    names = list(calendars)
    code_of = {name: i for i, name in enumerate(names)}
    case_code = np.array([code_of.get(c, -1) if c is not None else -1 for c in case_calendar], dtype=np.int64)
    cal = np.where(rl.human & ~first, case_code[rl.case] if m else case_code[:0], -1)
    business = np.zeros(m)
    residual = np.zeros(m, dtype=np.int64)
    for i, name in enumerate(names):
        sel = np.flatnonzero(cal == i)
        if not len(sel):
            continue
        c = calendars[name]
        a, b = prev_t[sel], rl.t_us[sel]
        business[sel] = working_seconds(c, _us(a), _us(b))
        earliest = _to_us(add_working_seconds(c, _us(a), business[sel]))
        residual[sel] = np.maximum(b - earliest, 0)
    return Timeline(rl, first_index, pos.astype(np.int64), wall.astype(np.int64), cal, business,
                    residual, tuple(calendars[n] for n in names))


def replay(tl: Timeline, drop: np.ndarray, bot: np.ndarray, latency_us: np.ndarray) -> np.ndarray:
    """New timestamps (int64 us; :data:`NAT` for dropped events) with ``drop``/``bot`` applied.

    ``drop`` and ``bot`` are boolean masks over events (a dropped event is not a bot event);
    ``latency_us`` gives each bot event's wall-clock delay after the previous kept event. Events at
    position 0 are never changed.
    """
    rl = tl.log
    drop = drop & (tl.pos > 0)
    bot = bot & ~drop & (tl.pos > 0)
    changed = drop | bot
    new_t = rl.t_us.copy()
    if not changed.any():
        return new_t
    first_change = np.full(rl.n_cases, _BIG, dtype=np.int64)
    np.minimum.at(first_change, rl.case[changed], tl.pos[changed])
    hit = first_change != _BIG
    last = np.full(rl.n_cases, NAT, dtype=np.int64)
    last[hit] = rl.t_us[tl.first_index[hit] + first_change[hit] - 1]
    todo = np.flatnonzero(hit[rl.case] & (tl.pos >= first_change[rl.case]))
    todo = todo[np.argsort(tl.pos[todo], kind="stable")]
    bounds = np.flatnonzero(np.r_[True, np.diff(tl.pos[todo]) != 0, True])
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        g = todo[lo:hi]
        c = rl.case[g]
        prev = last[c]
        nt = prev + tl.wall_us[g]
        b = bot[g]
        nt[b] = prev[b] + latency_us[g][b]
        d = drop[g]
        for i, cal in enumerate(tl.calendars):
            h = np.flatnonzero((tl.calendar[g] == i) & ~b & ~d)
            if len(h):
                at = _to_us(add_working_seconds(cal, _us(prev[h]), tl.business_s[g][h]))
                nt[h] = at + tl.residual_us[g][h]
        new_t[g] = np.where(d, NAT, nt)
        keep = ~d
        last[c[keep]] = nt[keep]
    return new_t


def handoffs(case: np.ndarray, resource_code: np.ndarray, kept: np.ndarray, n_cases: int) -> np.ndarray:
    """Resource hand-offs per case among the kept events: consecutive kept events of a case whose
    resources are both known (code >= 0) and different."""
    idx = np.flatnonzero(kept)
    if len(idx) < 2:
        return np.zeros(n_cases, dtype=np.int64)
    c, r = case[idx], resource_code[idx]
    diff = (c[1:] == c[:-1]) & (r[1:] >= 0) & (r[:-1] >= 0) & (r[1:] != r[:-1])
    return np.bincount(c[1:][diff], minlength=n_cases).astype(np.int64)
