"""Business calendars: working time between instants, exact to the second across DST changes.

A service desk measures SLA time in *business time*: a weekly pattern of working intervals per
weekday, in local wall-clock time of a named IANA time zone, minus holidays (local dates that
are closed all day). This module answers two questions, vectorised over arrays of instants:

* :func:`working_seconds` -- how much working time lies inside ``[start, end]``;
* :func:`add_working_seconds` -- when does a given amount of working time run out (an SLA
  deadline).

pm4py's business-hours helper ignores holidays and time zones; this one does not.

How it works
------------
For the local days covering all inputs, every weekly interval is turned into a pair of UTC
instants (in nanoseconds since the epoch), and the working time accumulated before each interval
is computed once. ``cum(t)``, the working time before instant ``t``, is then a
``numpy.searchsorted`` away, and ``working_seconds = cum(end) - cum(start)``. All arithmetic is
on int64 nanoseconds; results are converted to float seconds at the very end, so they are exact
to the microsecond for spans of up to a few decades.

Wall clock to UTC (the DST rules)
---------------------------------
A weekly boundary such as ``"09:00"`` or ``"24:00"`` is a local wall-clock time on a given date;
it is mapped to an instant as follows:

* an ordinary wall time maps to its only instant;
* ``"24:00"`` is the *next* day's local midnight (so ``00:00-24:00`` is a whole day whatever its
  length: 23 h on the spring-forward day, 25 h on the fall-back day);
* a wall time that does not exist (it falls in a spring-forward gap, e.g. 02:30 on
  2025-03-30 in Europe/Rome) maps to the first instant after the gap (03:00 CEST);
* a wall time that occurs twice (it falls in a fall-back fold, e.g. 02:30 on 2025-10-26 in
  Europe/Rome) maps to its *first* occurrence (02:30 CEST = 00:30 UTC).

Both rules are monotone, so the intervals of a day stay sorted; an interval that becomes empty
(e.g. ``02:00-02:30`` on a spring-forward day) contributes nothing. The mapping is the one of
pandas' ``tz_localize(ambiguous=True, nonexistent="shift_forward")``, checked in the tests
against a pure ``zoneinfo`` reference.

Inputs
------
Instants can be a pandas ``Series``/``DatetimeIndex`` with a time zone (any zone: the instant is
what counts), a numpy ``datetime64`` array or scalar (taken as UTC, like
``Series.to_numpy()`` of a UTC column), a tz-aware ``datetime``/``Timestamp``, or a list of
those scalars. Naive pandas or ``datetime`` values are rejected: their instant is unknown.
Array arguments are matched by position (indexes are ignored) and broadcast like numpy arrays.
Instants are handled with nanosecond resolution, so they must lie between 1677 and 2262.

Example
-------
>>> import pandas as pd
>>> office = BusinessCalendar.from_dict("office", {
...     "timezone": "Europe/Rome",
...     "mon": ["09:00-13:00", "14:00-18:00"], "tue": ["09:00-18:00"],
...     "holidays": ["2025-12-25"]})
>>> fri = pd.Timestamp("2025-03-07 17:00", tz="Europe/Rome")   # a Friday
>>> mon = pd.Timestamp("2025-03-10 10:00", tz="Europe/Rome")
>>> float(working_seconds(office, fri, mon))   # Friday is closed in this calendar
3600.0
>>> add_working_seconds(office, mon, 3 * 3600)  # 10:00-13:00 ends the morning interval
Timestamp('2025-03-10 13:00:00+0100', tz='Europe/Rome')
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from pipelines.schema import END_TIME, START_TIME

__all__ = [
    "WEEKDAYS",
    "WORKING_S",
    "BusinessCalendar",
    "add_working_seconds",
    "working_intervals",
    "working_seconds",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Keys of the weekdays in a calendar table, Monday first (index = ``date.weekday()``)."""

WORKING_S = "working_s"
"""Column of :func:`working_intervals`: working seconds of each interval."""

DAY_S = 86_400
_NS = 1_000_000_000
_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)
_MAX_DAY = (dt.date(2262, 4, 10) - _EPOCH).days  # last whole local day inside the ns range
_CALENDAR_KEYS = ("timezone", *WEEKDAYS, "holidays")
_INTERVAL_RE = re.compile(r"^(\d{2}):(\d{2})(?::(\d{2}))?-(\d{2}):(\d{2})(?::(\d{2}))?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTERVAL_FORMS = "'HH:MM-HH:MM' or 'HH:MM:SS-HH:MM:SS' (24-hour clock; '24:00' only as an end)"


# -- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCalendar:
    """A weekly pattern of working intervals in a time zone, minus closed holidays.

    Attributes
    ----------
    name:
        Name of the calendar (the key in the SLA policy file).
    timezone:
        IANA time zone name, e.g. ``"Europe/Rome"``; validated with :mod:`zoneinfo`.
    weekly:
        Seven tuples, Monday first, of ``(start, end)`` local wall-clock intervals in seconds
        from midnight, ``0 <= start < end <= 86400``, sorted and non-overlapping (touching is
        allowed). ``(0, 86400)`` is the whole day. An empty tuple is a closed day.
    holidays:
        Local dates that are closed all day.

    A calendar with no working interval at all is allowed here (it never works: working time
    is always 0 and deadlines never come); :meth:`from_dict` rejects it as a likely mistake.

    >>> BusinessCalendar.always("Europe/Rome").weekly[0]
    ((0, 86400),)
    >>> BusinessCalendar("x", "Europe/Roma", ((),) * 7)
    Traceback (most recent call last):
    ...
    ValueError: calendar 'x': unknown time zone 'Europe/Roma' (expected an IANA name such as 'Europe/Rome' or 'UTC')
    """

    name: str
    timezone: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"calendar name must be a non-empty string; got {self.name!r}")
        _check_timezone(self.name, self.timezone)
        object.__setattr__(self, "weekly", _normalise_weekly(self.name, self.weekly))
        object.__setattr__(self, "holidays", _normalise_holidays(self.name, self.holidays))

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def from_dict(cls, name: str, mapping: Mapping[str, Any]) -> BusinessCalendar:
        """Build a calendar from its TOML table form (see :mod:`pipelines.mining.policy`).

        Keys: ``timezone`` (required), ``mon`` .. ``sun`` (lists of ``"HH:MM-HH:MM"``
        strings; an absent day is closed; intervals may be listed in any order but must not
        overlap), ``holidays`` (list of ``"YYYY-MM-DD"`` strings or TOML dates). At least one
        day must have working hours.

        >>> cal = BusinessCalendar.from_dict("office", {"timezone": "UTC",
        ...                                             "mon": ["14:00-18:00", "09:00-13:00"]})
        >>> cal.weekly[0]
        ((32400, 46800), (50400, 64800))
        >>> BusinessCalendar.from_dict("office", {"timezone": "UTC", "mon": ["9-13"]})
        Traceback (most recent call last):
        ...
        ValueError: calendar 'office', key 'mon': bad interval '9-13'; expected 'HH:MM-HH:MM' or 'HH:MM:SS-HH:MM:SS' (24-hour clock; '24:00' only as an end)
        """
        if not isinstance(mapping, Mapping):
            raise ValueError(
                f"calendar {name!r}: expected a table with keys "
                f"{_quoted(_CALENDAR_KEYS)}; got {type(mapping).__name__}"
            )
        unknown = [k for k in mapping if k not in _CALENDAR_KEYS]
        if unknown:
            raise ValueError(
                f"calendar {name!r}: unknown key {unknown[0]!r}; allowed keys are "
                f"{_quoted(_CALENDAR_KEYS)}"
            )
        if "timezone" not in mapping:
            raise ValueError(
                f"calendar {name!r}: missing key 'timezone' (an IANA name such as 'Europe/Rome')"
            )
        tz = mapping["timezone"]
        if not isinstance(tz, str):
            raise ValueError(
                f"calendar {name!r}, key 'timezone': expected a string; got {tz!r}"
            )
        weekly = tuple(_parse_day(name, day, mapping.get(day, [])) for day in WEEKDAYS)
        if not any(weekly):
            raise ValueError(
                f"calendar {name!r}: no working intervals; give at least one of "
                f"{_quoted(WEEKDAYS)}, e.g. mon = [\"09:00-18:00\"]"
            )
        holidays = _parse_holidays(name, mapping.get("holidays", []))
        return cls(name=name, timezone=tz, weekly=weekly, holidays=holidays)

    @classmethod
    def always(cls, timezone: str = "UTC", name: str = "always") -> BusinessCalendar:
        """A 24x7 calendar: working time equals elapsed time, in any zone.

        >>> cal = BusinessCalendar.always()
        >>> (cal.name, cal.timezone, cal.weekly_seconds)
        ('always', 'UTC', 604800)
        """
        return cls(name=name, timezone=timezone, weekly=(((0, DAY_S),),) * 7)

    # -- views -----------------------------------------------------------------------------

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        """The calendar's zone as a :class:`zoneinfo.ZoneInfo`."""
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def weekly_seconds(self) -> int:
        """Nominal working seconds in a week without holidays or DST changes."""
        return sum(e - s for day in self.weekly for s, e in day)

    def to_dict(self) -> dict[str, Any]:
        """The TOML table form, the inverse of :meth:`from_dict` (closed days are omitted).

        >>> BusinessCalendar.from_dict("c", {"timezone": "UTC", "fri": ["08:30-24:00"],
        ...                                  "holidays": ["2025-05-01"]}).to_dict()
        {'timezone': 'UTC', 'fri': ['08:30-24:00'], 'holidays': ['2025-05-01']}
        """
        out: dict[str, Any] = {"timezone": self.timezone}
        for key, intervals in zip(WEEKDAYS, self.weekly, strict=True):
            if intervals:
                out[key] = [f"{_clock(s)}-{_clock(e)}" for s, e in intervals]
        if self.holidays:
            out["holidays"] = [d.isoformat() for d in sorted(self.holidays)]
        return out


def _quoted(items: Iterable[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _check_timezone(name: str, tz: object) -> None:
    try:
        if not isinstance(tz, str):
            raise TypeError
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError, OSError):
        raise ValueError(
            f"calendar {name!r}: unknown time zone {tz!r} "
            "(expected an IANA name such as 'Europe/Rome' or 'UTC')"
        ) from None


def _normalise_weekly(name: str, weekly: object) -> tuple[tuple[tuple[int, int], ...], ...]:
    if not isinstance(weekly, Sequence) or isinstance(weekly, str) or len(weekly) != 7:
        raise ValueError(
            f"calendar {name!r}: weekly must hold 7 days of intervals (Monday first); "
            f"got {weekly!r}"
        )
    days = []
    for day, intervals in zip(WEEKDAYS, weekly, strict=True):
        out: list[tuple[int, int]] = []
        for pair in intervals:
            try:
                s, e = (int(v) for v in pair)
                if (s, e) != tuple(pair):
                    raise TypeError
            except (TypeError, ValueError):
                raise ValueError(
                    f"calendar {name!r}, {day}: an interval must be a pair of whole seconds "
                    f"from midnight; got {pair!r}"
                ) from None
            if not 0 <= s < e <= DAY_S:
                raise ValueError(
                    f"calendar {name!r}, {day}: interval {_span(s, e)} must satisfy "
                    f"0 <= start < end <= {DAY_S} seconds from midnight"
                )
            if out and s < out[-1][1]:
                raise ValueError(
                    f"calendar {name!r}, {day}: intervals {_span(*out[-1])} and {_span(s, e)} "
                    "overlap or are not sorted"
                )
            out.append((s, e))
        days.append(tuple(out))
    return tuple(days)


def _normalise_holidays(name: str, holidays: object) -> frozenset[dt.date]:
    if isinstance(holidays, str | dt.date) or not isinstance(holidays, Iterable):
        raise ValueError(f"calendar {name!r}: holidays must be a collection of dates")
    out = frozenset(holidays)
    for d in out:
        if not isinstance(d, dt.date) or isinstance(d, dt.datetime):
            raise ValueError(
                f"calendar {name!r}: holidays must be datetime.date values; got {d!r}"
            )
    return out


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def _span(s: int, e: int) -> str:
    return f"'{_clock(s)}-{_clock(e)}'"


def _parse_clock(h: str, m: str, s: str | None) -> int | None:
    hh, mm, ss = int(h), int(m), int(s or 0)
    if mm > 59 or ss > 59 or hh > 24 or (hh == 24 and (mm or ss)):
        return None
    return hh * 3600 + mm * 60 + ss


def _parse_day(name: str, day: str, value: object) -> tuple[tuple[int, int], ...]:
    where = f"calendar {name!r}, key {day!r}"
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"{where}: expected a list of intervals such as [\"09:00-13:00\"]; got {value!r}"
        )
    intervals = []
    for text in value:
        m = _INTERVAL_RE.match(text) if isinstance(text, str) else None
        start = _parse_clock(*m.group(1, 2, 3)) if m else None
        end = _parse_clock(*m.group(4, 5, 6)) if m else None
        if start is None or end is None or start == DAY_S:
            raise ValueError(f"{where}: bad interval {text!r}; expected {_INTERVAL_FORMS}")
        if end <= start:
            raise ValueError(f"{where}: interval {text!r} must end after it starts")
        intervals.append((start, end, text))
    intervals.sort()
    for (_, e0, t0), (s1, _, t1) in zip(intervals, intervals[1:], strict=False):
        if s1 < e0:
            raise ValueError(f"{where}: intervals {t0!r} and {t1!r} overlap")
    return tuple((s, e) for s, e, _ in intervals)


def _parse_holidays(name: str, value: object) -> frozenset[dt.date]:
    where = f"calendar {name!r}, key 'holidays'"
    if not isinstance(value, list | tuple):
        raise ValueError(
            f"{where}: expected a list of dates such as [\"2025-12-25\"]; got {value!r}"
        )
    out = set()
    for item in value:
        if isinstance(item, dt.date) and not isinstance(item, dt.datetime):
            out.add(item)
            continue
        try:
            if not (isinstance(item, str) and _DATE_RE.match(item)):
                raise ValueError
            out.add(dt.date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{where}: bad date {item!r}; expected 'YYYY-MM-DD'") from None
    return frozenset(out)


# -- inputs and outputs -----------------------------------------------------------------------


def _scalar_ns(x: object, what: str) -> int:
    """One instant as int64 nanoseconds since the epoch (UTC); ``_NAT`` when missing."""
    if x is None or x is pd.NaT:
        return _NAT
    if isinstance(x, np.datetime64):
        return _NAT if np.isnat(x) else int(x.astype("datetime64[ns]").astype(np.int64))
    if isinstance(x, float) and math.isnan(x):
        return _NAT
    if not isinstance(x, dt.datetime):
        raise ValueError(f"{what}: expected tz-aware instants; got {type(x).__name__} {x!r}")
    ts = pd.Timestamp(x)
    if ts is pd.NaT:
        return _NAT
    if ts.tz is None:
        raise ValueError(
            f"{what}: naive timestamp {x!r}; give tz-aware instants (tz_localize first)"
        )
    return int(ts.as_unit("ns").value)


def _utc_ns(x: object, what: str) -> np.ndarray:
    """Instants as int64 nanoseconds since the epoch (UTC), ``_NAT`` where missing.

    Scalars give a 0-d array, array-likes a 1-d one.
    """
    if isinstance(x, pd.Series | pd.Index | pd.api.extensions.ExtensionArray):
        if isinstance(x.dtype, pd.DatetimeTZDtype):
            return np.asarray(pd.DatetimeIndex(x).as_unit("ns").asi8)
        if x.dtype.kind == "M":
            raise ValueError(
                f"{what}: naive timestamps ({x.dtype}); give tz-aware instants "
                "(Series.dt.tz_localize first)"
            )
        if x.dtype != object and len(x) and not pd.isna(x).all():
            raise ValueError(f"{what}: expected tz-aware instants; got dtype {x.dtype}")
        x = np.asarray(x, dtype=object)
    if isinstance(x, np.ndarray) and x.dtype.kind == "M":
        return x.astype("datetime64[ns]").view(np.int64)
    if isinstance(x, np.ndarray | list | tuple):
        arr = np.asarray(x, dtype=object)
        if arr.ndim != 1:
            raise ValueError(f"{what}: expected a scalar or a 1-d array; got shape {arr.shape}")
        return np.fromiter((_scalar_ns(v, what) for v in arr), np.int64, len(arr))
    return np.asarray(_scalar_ns(x, what), dtype=np.int64)


def _output_tz(x: object) -> Any:
    if isinstance(x, pd.Series | pd.Index) and isinstance(x.dtype, pd.DatetimeTZDtype):
        return x.dtype.tz
    if isinstance(x, dt.datetime) and x.tzinfo is not None:
        return x.tzinfo
    return "UTC"


def _as_instants(ns: np.ndarray, start: object, other: object) -> Any:
    """Wrap nanoseconds in the same kind of container as ``start`` (or ``other``)."""
    tz = _output_tz(start)
    if ns.ndim == 0:
        v = int(ns)
        return pd.NaT if v == _NAT else pd.Timestamp(v, unit="ns", tz="UTC").tz_convert(tz)
    if isinstance(start, np.ndarray) and start.dtype.kind == "M":
        return ns.view("datetime64[ns]")
    idx = pd.DatetimeIndex(ns.view("datetime64[ns]")).tz_localize("UTC").tz_convert(tz)
    like = start if isinstance(start, pd.Series) else other
    if isinstance(like, pd.Series) and len(like) == len(idx):
        return pd.Series(idx, index=like.index, name=like.name)
    return idx


# -- the timeline -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    """Working intervals as sorted UTC nanoseconds with the working time before each."""

    starts: np.ndarray
    ends: np.ndarray
    cum_start: np.ndarray  # working ns before each interval

    @property
    def total(self) -> int:
        return int(self.cum_start[-1] + self.ends[-1] - self.starts[-1]) if len(self.starts) else 0

    def cum(self, t: np.ndarray) -> np.ndarray:
        """Working ns from the first interval up to each instant ``t`` (no NaT allowed)."""
        if not len(self.starts):
            return np.zeros_like(t)
        t = np.maximum(t, self.starts[0])  # nothing works before the first interval
        k = np.searchsorted(self.starts, t, side="right") - 1
        base = self.cum_start - self.starts  # cum(t) = cum_start[k] + min(t, ends[k]) - starts[k]
        return base[k] + np.minimum(t, self.ends[k])

    def at(self, c: np.ndarray) -> np.ndarray:
        """Earliest instant whose ``cum`` is ``c`` (``0 < c <= total``)."""
        cum_end = self.cum_start + (self.ends - self.starts)
        i = np.searchsorted(cum_end, c, side="left")
        return self.starts[i] + (c - self.cum_start[i])


def _local_day(ns: int, tz: zoneinfo.ZoneInfo) -> int:
    """Local date (days since 1970-01-01) of an instant."""
    local = pd.Timestamp(ns, unit="ns", tz="UTC").tz_convert(tz)
    return (local.date() - _EPOCH).days


def _local_to_utc(local_ns: np.ndarray, tz: zoneinfo.ZoneInfo) -> np.ndarray:
    """Wall-clock nanoseconds to UTC: gap -> first instant after it; fold -> first occurrence."""
    if tz.key == "UTC" or not len(local_ns):
        return local_ns
    idx = pd.DatetimeIndex(local_ns.view("datetime64[ns]"))
    utc = idx.tz_localize(tz, ambiguous=np.ones(len(idx), bool), nonexistent="shift_forward")
    return np.asarray(utc.as_unit("ns").asi8)


def _timeline(cal: BusinessCalendar, first_day: int, last_day: int) -> _Timeline:
    """The working intervals of local days ``first_day..last_day`` (days since 1970-01-01)."""
    if first_day < -106_000 or last_day > _MAX_DAY:
        raise ValueError("instants must lie between the years 1677 and 2262")
    days = np.arange(first_day, last_day + 1, dtype=np.int64)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    if cal.holidays:
        closed = np.fromiter(((d - _EPOCH).days for d in cal.holidays), np.int64)
        open_ = ~np.isin(days, closed)
        days, weekday = days[open_], weekday[open_]
    starts, ends = [], []
    for wd, intervals in enumerate(cal.weekly):
        if not intervals:
            continue
        sel = days[weekday == wd][:, None] * DAY_S
        starts.append((sel + np.array([s for s, _ in intervals])).ravel())
        ends.append((sel + np.array([e for _, e in intervals])).ravel())
    if not starts:
        empty = np.zeros(0, np.int64)
        return _Timeline(empty, empty, empty)
    s_local, e_local = np.concatenate(starts), np.concatenate(ends)
    order = np.argsort(s_local, kind="stable")
    tz = cal.tzinfo
    s = _local_to_utc(s_local[order] * _NS, tz)
    e = _local_to_utc(e_local[order] * _NS, tz)
    keep = e > s
    s, e = s[keep], e[keep]
    cum_start = np.concatenate(([0], np.cumsum(e - s)[:-1])).astype(np.int64)
    return _Timeline(s, e, cum_start)


def _day_range(cal: BusinessCalendar, *instants: np.ndarray) -> tuple[int, int] | None:
    """Local days covering all valid instants, with a day of margin on each side."""
    valid = [a[a != _NAT] for a in instants]
    valid = [a for a in valid if len(a)]
    if not valid:
        return None
    lo, hi = min(int(a.min()) for a in valid), max(int(a.max()) for a in valid)
    tz = cal.tzinfo
    return _local_day(lo, tz) - 1, _local_day(hi, tz) + 1


# -- public functions -------------------------------------------------------------------------


def working_seconds(calendar: BusinessCalendar, start: Any, end: Any) -> np.ndarray:
    """Working seconds of ``calendar`` inside ``[start, end]``, elementwise.

    Parameters
    ----------
    calendar:
        The business calendar.
    start, end:
        Instants (see the module notes on accepted inputs); broadcast against each other.

    Returns
    -------
    numpy.ndarray of float64
        Working seconds, shaped like the broadcast inputs (two scalars give a 0-d array: use
        ``float(...)``). ``0.0`` where ``end <= start``; ``NaN`` where either is missing.

    Notes
    -----
    Exact to the microsecond (to the nanosecond in the integer arithmetic); DST changes follow
    the module's wall-clock rules. Working time is additive:
    ``w(a, c) == w(a, b) + w(b, c)`` for ``a <= b <= c``.

    >>> import pandas as pd
    >>> rome24 = BusinessCalendar.always("Europe/Rome")
    >>> day = pd.Series(pd.to_datetime(["2025-03-30", "2025-10-26"]).tz_localize("Europe/Rome"))
    >>> working_seconds(rome24, day, day + pd.DateOffset(days=1)) / 3600
    array([23., 25.])
    """
    s = _utc_ns(start, "start")
    e = _utc_ns(end, "end")
    try:
        s, e = np.broadcast_arrays(s, e)
    except ValueError:
        raise ValueError(
            f"start and end must have the same length; got {s.shape} and {e.shape}"
        ) from None
    ok = (s != _NAT) & (e != _NAT)
    if not ok.all():  # only pay for the masks when something is missing
        out = np.full(s.shape, np.nan)
        if ok.any():
            out[ok] = working_seconds(calendar, s[ok].view("datetime64[ns]"),
                                      e[ok].view("datetime64[ns]"))
        return out
    span = _day_range(calendar, s, e)
    if span is None:  # empty input
        return np.zeros(s.shape)
    tl = _timeline(calendar, *span)
    diff = tl.cum(e) - tl.cum(s)
    return np.maximum(diff, 0) / _NS


def add_working_seconds(calendar: BusinessCalendar, start: Any, seconds: Any) -> Any:
    """The instant at which ``seconds`` of working time have elapsed after ``start``.

    This is an SLA deadline: ``working_seconds(cal, start, result) == seconds``, and the
    result is the *earliest* such instant. So a deadline that is used up exactly at the end
    of a working interval is that end instant (13:00 when the office closes for lunch at
    13:00, not 14:00), and ``seconds == 0`` gives ``start`` itself even outside working hours.

    Parameters
    ----------
    calendar:
        The business calendar.
    start:
        Instants (see the module notes); broadcast against ``seconds``.
    seconds:
        Working seconds to add (float, resolved to the nanosecond); ``NaN`` gives ``NaT``.
        Negative or infinite values raise ``ValueError``.

    Returns
    -------
    Instants in the same kind of container as ``start``: a ``Series`` (same index and
    name, same time zone) for a ``Series``, a ``DatetimeIndex`` for a ``DatetimeIndex`` or a
    list, a ``datetime64[ns]`` array (UTC) for a numpy array, a ``Timestamp`` for a scalar
    (``NaT`` when missing); a scalar ``start`` with an array of ``seconds`` gives a
    ``DatetimeIndex`` (a ``Series`` if ``seconds`` is one). ``NaT`` where ``start`` or
    ``seconds`` is missing, or where the calendar never works (no weekly interval at all).

    >>> import pandas as pd
    >>> rome24 = BusinessCalendar.always("Europe/Rome")
    >>> add_working_seconds(rome24, pd.Timestamp("2025-10-26", tz="Europe/Rome"), 24 * 3600)
    Timestamp('2025-10-26 23:00:00+0100', tz='Europe/Rome')
    """
    s = _utc_ns(start, "start")
    secs = _seconds_array(seconds)
    try:
        s, secs = np.broadcast_arrays(s, secs)
    except ValueError:
        raise ValueError(
            f"start and seconds must have the same length; got {s.shape} and {secs.shape}"
        ) from None
    todo = (s != _NAT) & ~np.isnan(secs)
    out = np.full(s.shape, _NAT, dtype=np.int64)
    if todo.any():
        need = np.rint(secs[todo] * _NS).astype(np.int64)
        out[todo] = _deadlines(calendar, s[todo], need)
    return _as_instants(out, start, seconds)


def _seconds_array(seconds: Any) -> np.ndarray:
    try:
        secs = np.asarray(seconds, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"seconds must be numbers; got {seconds!r}") from None
    if secs.ndim > 1:
        raise ValueError(f"seconds must be a scalar or a 1-d array; got shape {secs.shape}")
    bad = np.isinf(secs) | (secs < 0) | (secs > 9e9)
    if bad.any():
        raise ValueError(
            "seconds must be >= 0 and finite (and under ~285 years); "
            f"got {float(secs[bad].flat[0])!r}"
        )
    return secs


def _deadlines(cal: BusinessCalendar, s: np.ndarray, need: np.ndarray) -> np.ndarray:
    """Earliest instants with ``need`` working ns after ``s`` (all valid, 1-d or 0-d)."""
    weekly = cal.weekly_seconds
    if weekly == 0 or not need.any():
        return np.where(need == 0, s, _NAT)
    first, last = _day_range(cal, s)  # type: ignore[misc]
    extra = int(np.ceil(int(need.max()) / _NS / weekly * 7)) + 14
    while True:
        tl = _timeline(cal, first, min(last + extra, _MAX_DAY))
        c = tl.cum(s) + need
        if tl.total >= int(c.max()):
            break
        if last + extra >= _MAX_DAY:
            raise ValueError("deadline beyond the supported range (the year 2262)")
        extra *= 2
    return np.where(need == 0, s, np.maximum(tl.at(c), s))


def working_intervals(calendar: BusinessCalendar, start: Any, end: Any) -> pd.DataFrame:
    """The working intervals of ``calendar`` inside ``[start, end]``, as UTC instants.

    Useful to draw a calendar or to check a number by hand. Intervals are clipped to
    ``[start, end]``; empty ones (e.g. swallowed by a DST gap) are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``start_time``, ``end_time`` (``datetime64[ns, UTC]``) and ``working_s``
        (float seconds), one row per interval in time order; touching intervals (such as the
        days of a 24x7 calendar) are not merged.

    >>> import pandas as pd
    >>> cal = BusinessCalendar.from_dict("c", {"timezone": "Europe/Rome",
    ...                                        "sun": ["01:00-04:00"]})
    >>> working_intervals(cal, pd.Timestamp("2025-03-29", tz="UTC"),
    ...                   pd.Timestamp("2025-03-31", tz="UTC"))
                     start_time                  end_time  working_s
    0 2025-03-30 00:00:00+00:00 2025-03-30 02:00:00+00:00     7200.0
    """
    s, e = int(_utc_ns(start, "start")), int(_utc_ns(end, "end"))
    if _NAT in (s, e):
        raise ValueError("working_intervals needs two valid instants; got a missing value")
    lo, hi = _day_range(calendar, np.array([s, e]))  # type: ignore[misc]
    tl = _timeline(calendar, lo, hi)
    a, b = np.maximum(tl.starts, s), np.minimum(tl.ends, e)
    keep = b > a
    a, b = a[keep], b[keep]
    return pd.DataFrame({
        START_TIME: pd.DatetimeIndex(a.view("datetime64[ns]")).tz_localize("UTC"),
        END_TIME: pd.DatetimeIndex(b.view("datetime64[ns]")).tz_localize("UTC"),
        WORKING_S: (b - a) / _NS,
    })
