"""The simulator's own business-calendar arithmetic, on integer UTC epoch seconds.

This module is deliberately independent of the rest of deskmine (the SLA engine in
``pipelines.mining`` is tested *against* the numbers it produces), so it is small and plain:

* a :class:`CalendarSpec` says which local wall-clock intervals of each weekday are working
  time in one IANA time zone, and which local dates are holidays (closed all day);
* a :class:`WorkCalendar` materialises that spec over a bounded UTC range as sorted, disjoint,
  half-open working intervals ``[start, end)`` of epoch seconds, each local interval converted
  to UTC on its own date, so DST days come out right (the ``always`` calendar's local day is
  23 h on the spring-forward Sunday and 25 h on the fall-back Sunday);
* ``cum(t)`` is the working time elapsed from the range start to ``t``, so the working time
  inside ``[a, b]`` is ``cum(b) - cum(a)``, and ``add(t, s)`` is the instant at which ``s``
  working seconds have elapsed after ``t`` (it never lands on a closing instant: a result
  exactly at an interval's end moves to the next opening, so results are always inside an
  open working interval).

Times are integers (seconds); everything is exact. Local wall times that do not exist or are
ambiguous (inside a DST change) resolve with ``fold=0``; the calendars deskmine ships never
open or close inside the 02:00-03:00 change hour.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Day keys, Monday first (``datetime.date.weekday()`` order)."""

FOREVER = 2**62
"""Sentinel instant returned by :meth:`WorkCalendar.add` past the materialised range."""

_SPAN = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


def parse_span(text: str) -> tuple[int, int]:
    """``"09:00-13:00"`` -> ``(540, 780)`` minutes after local midnight (``24:00`` allowed).

    >>> parse_span("14:00-18:00")
    (840, 1080)
    >>> parse_span("00:00-24:00")
    (0, 1440)
    """
    m = _SPAN.match(text)
    if not m:
        raise ValueError(f"working span must look like 'HH:MM-HH:MM'; got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    a, b = h1 * 60 + m1, h2 * 60 + m2
    if not (0 <= a < b <= 1440 and m1 < 60 and m2 < 60):
        raise ValueError(f"working span must be increasing within 00:00-24:00; got {text!r}")
    return a, b


def format_span(span: tuple[int, int]) -> str:
    a, b = span
    return f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (anonymous Gregorian algorithm).

    >>> easter_sunday(2025), easter_sunday(2026)
    (datetime.date(2025, 4, 20), datetime.date(2026, 4, 5))
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month = (h + l_ - 7 * m + 114) // 31
    day = (h + l_ - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def italian_holidays(years: Iterable[int]) -> tuple[str, ...]:
    """National public holidays of Italy (what an office in Rome closes for), ISO dates, sorted.

    New Year, Epiphany, Easter Monday, Liberation Day, Labour Day, Republic Day, Assumption,
    All Saints, Immaculate Conception, Christmas, St Stephen. Holidays falling on a weekend are
    listed too (they change nothing for a Mon-Fri calendar).

    >>> italian_holidays([2025])[:3]
    ('2025-01-01', '2025-01-06', '2025-04-21')
    """
    out: list[dt.date] = []
    for y in years:
        fixed = [(1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26)]
        out.extend(dt.date(y, m, d) for m, d in fixed)
        out.append(easter_sunday(y) + dt.timedelta(days=1))
    return tuple(d.isoformat() for d in sorted(set(out)))


@dataclass(frozen=True)
class CalendarSpec:
    """Working time of one calendar: local spans per weekday, closed local dates, a time zone.

    ``week[i]`` is the tuple of ``(start_min, end_min)`` spans of weekday ``i`` (0 = Monday);
    an empty tuple means closed. ``holidays`` are ISO dates closed all day.
    """

    timezone: str
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("week must have 7 entries, Monday first")
        ZoneInfo(self.timezone)  # fails fast on an unknown zone
        for day in self.week:
            for (a, b), nxt in zip(day, day[1:], strict=False):
                if not (a < b <= nxt[0]):
                    raise ValueError(f"spans of a day must be sorted and disjoint; got {day}")
        for h in self.holidays:
            dt.date.fromisoformat(h)

    @classmethod
    def from_mapping(
        cls, timezone: str, days: Mapping[str, Iterable[str]], holidays: Iterable[str] = ()
    ) -> CalendarSpec:
        """Build from ``{"mon": ["09:00-13:00", ...], ...}`` (absent day = closed)."""
        unknown = set(days) - set(WEEKDAYS)
        if unknown:
            raise ValueError(f"day keys must be among {WEEKDAYS}; got {sorted(unknown)}")
        week = tuple(tuple(parse_span(s) for s in days.get(d, ())) for d in WEEKDAYS)
        return cls(timezone, week, tuple(sorted(set(holidays))))

    def day_spans(self) -> dict[str, list[str]]:
        """The inverse of :meth:`from_mapping` (closed days omitted)."""
        return {d: [format_span(s) for s in self.week[i]] for i, d in enumerate(WEEKDAYS) if self.week[i]}


OFFICE_HOURS = ("09:00-13:00", "14:00-18:00")


def office_spec(timezone: str, holidays: Iterable[str]) -> CalendarSpec:
    """Mon-Fri 09:00-13:00 and 14:00-18:00 local time, closed on ``holidays``."""
    return CalendarSpec.from_mapping(
        timezone, {d: OFFICE_HOURS for d in WEEKDAYS[:5]}, holidays
    )


def always_spec(timezone: str) -> CalendarSpec:
    """24x7: every local day 00:00-24:00, no holidays."""
    return CalendarSpec.from_mapping(timezone, {d: ("00:00-24:00",) for d in WEEKDAYS})


def local_to_epoch(day: dt.date, minute: int, tz: ZoneInfo) -> int:
    """Epoch seconds of local wall time ``day`` + ``minute`` minutes (``1440`` = next midnight)."""
    if minute == 1440:
        day, minute = day + dt.timedelta(days=1), 0
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    return int(local.timestamp())


def epoch_to_local(t: int, tz: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(t), ZoneInfo(tz))


def local_epoch(text: str) -> int:
    """``"2025-03-28T17:00:00+01:00"`` -> epoch seconds (the offset must be given)."""
    d = dt.datetime.fromisoformat(text)
    if d.tzinfo is None:
        raise ValueError(f"timestamp needs a UTC offset; got {text!r}")
    return int(d.timestamp())


class WorkCalendar:
    """A :class:`CalendarSpec` materialised on ``[lo, hi)`` (epoch seconds) for fast arithmetic.

    Outside the range the calendar is treated as closed: ``cum`` is flat there and ``add``
    returns :data:`FOREVER` when the answer would lie past ``hi``.
    """

    def __init__(self, spec: CalendarSpec, lo: int, hi: int):
        self.spec, self.lo, self.hi = spec, int(lo), int(hi)
        tz = ZoneInfo(spec.timezone)
        closed = {dt.date.fromisoformat(h) for h in spec.holidays}
        first = dt.datetime.fromtimestamp(self.lo, tz).date() - dt.timedelta(days=1)
        last = dt.datetime.fromtimestamp(self.hi, tz).date() + dt.timedelta(days=1)
        starts: list[int] = []
        ends: list[int] = []
        day = first
        while day <= last:
            if day not in closed:
                for a, b in spec.week[day.weekday()]:
                    s, e = local_to_epoch(day, a, tz), local_to_epoch(day, b, tz)
                    s, e = max(s, self.lo), min(e, self.hi)
                    if s >= e:
                        continue
                    if ends and ends[-1] == s:  # merge touching spans (24x7 midnights)
                        ends[-1] = e
                    else:
                        starts.append(s)
                        ends.append(e)
            day += dt.timedelta(days=1)
        self.starts = np.asarray(starts, dtype=np.int64)
        self.ends = np.asarray(ends, dtype=np.int64)
        lengths = self.ends - self.starts
        self.cum_end = np.cumsum(lengths)
        self.cum_start = self.cum_end - lengths
        # plain lists for the scalar hot path (bisect on lists beats numpy scalar calls)
        self._s, self._e = starts, ends
        self._cs, self._ce = self.cum_start.tolist(), self.cum_end.tolist()
        self.continuous = len(starts) == 1 and starts[0] == self.lo and ends[0] == self.hi

    # -- scalar ----------------------------------------------------------------------------
    def cum1(self, t: int) -> int:
        """Working seconds in ``[lo, t]``."""
        i = bisect.bisect_right(self._s, t) - 1
        if i < 0:
            return 0
        e = self._e[i]
        return self._cs[i] + (t if t < e else e) - self._s[i]

    def add(self, t: int, seconds: int) -> int:
        """First instant by which ``seconds`` working seconds have elapsed after ``t``."""
        if self.continuous and self.lo <= t and t + seconds < self.hi:
            return t + seconds
        target = self.cum1(t) + seconds
        j = bisect.bisect_right(self._ce, target)
        if j >= len(self._ce):
            return FOREVER
        return self._s[j] + target - self._cs[j]

    def is_open(self, t: int) -> bool:
        """Whether ``t`` lies inside a working interval ``[start, end)``."""
        i = bisect.bisect_right(self._s, t) - 1
        return i >= 0 and t < self._e[i]

    # -- vectorised ------------------------------------------------------------------------
    def cum(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        i = np.searchsorted(self.starts, t, side="right") - 1
        ok = i >= 0
        ic = np.where(ok, i, 0)
        if len(self.starts) == 0:
            return np.zeros_like(t)
        within = np.minimum(t, self.ends[ic]) - self.starts[ic]
        return np.where(ok, self.cum_start[ic] + within, 0)

    def working_seconds(self, a: np.ndarray | int, b: np.ndarray | int) -> np.ndarray:
        """Working seconds inside ``[a, b]`` (0 where ``b <= a``)."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        return np.maximum(self.cum(b) - self.cum(a), 0)

    def open_mask(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        i = np.searchsorted(self.starts, t, side="right") - 1
        ic = np.where(i >= 0, i, 0)
        return (i >= 0) & (t < self.ends[ic]) if len(self.starts) else np.zeros(t.shape, bool)


@lru_cache(maxsize=64)
def _offset_grid(tz: str, lo: int, hi: int, step: int) -> np.ndarray:
    zone = ZoneInfo(tz)
    grid = np.arange(lo, hi + step, step, dtype=np.int64)
    return np.array(
        [int(dt.datetime.fromtimestamp(int(g), zone).utcoffset().total_seconds()) for g in grid],
        dtype=np.int64,
    )


def utc_offsets(t: np.ndarray, tz: str, step: int = 900) -> np.ndarray:
    """UTC offset (seconds) of zone ``tz`` at each epoch second in ``t``.

    Evaluated on a ``step``-second grid aligned to the epoch (IANA transitions for Europe and
    most zones happen on whole quarter hours UTC, so the grid is exact for them).
    """
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        return np.zeros(0, dtype=np.int64)
    lo = int(t.min()) // step * step
    hi = int(t.max()) // step * step
    offs = _offset_grid(tz, lo, hi, step)
    return offs[(t - lo) // step]


def format_iso_local(t: np.ndarray, tz: str) -> np.ndarray:
    """Epoch seconds -> ``YYYY-MM-DDTHH:MM:SS+HH:MM`` strings in local time of ``tz``.

    >>> format_iso_local(np.array([1741000000]), "Europe/Rome").tolist()
    ['2025-03-03T12:06:40+01:00']
    """
    t = np.asarray(t, dtype=np.int64)
    off = utc_offsets(t, tz)
    local = np.datetime_as_string((t + off).astype("datetime64[s]"), unit="s")
    sign = np.where(off < 0, "-", "+")
    a = np.abs(off)
    suffix = np.char.add(
        np.char.add(sign, np.char.zfill((a // 3600).astype(str), 2)),
        np.char.add(":", np.char.zfill((a % 3600 // 60).astype(str), 2)),
    )
    return np.char.add(local.astype(str), suffix)
