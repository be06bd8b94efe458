"""Filters: which cases an analysis sees, as one composable, hashable object.

Used alike by the Python API, the CLI (:mod:`pipelines.cli_filters`) and the dashboard (whose URL
state is :meth:`Filter.to_dict`).

Semantics: every filter selects cases
-------------------------------------
Every clause keeps or drops **whole cases**, never single events. A filtered log therefore has
exactly the events of its kept cases, and everything materialised per case at ingest (start and
end time, duration, first/last activity, variant, each event's directly-following event) stays
valid: a metric on a filtered :class:`~pipelines.log.Log` equals the same metric on a warehouse
into which only the kept cases' events were ingested (property-tested in
``tests/mining/test_filter_properties.py``). Two things keep referring to the whole log:
``variant_id`` (variant 1 is the most frequent of the *whole* log) and ``is_closed``.

Clauses (all combined with AND; see each class):

* :class:`TimeRange`: the case span ``[start_time, end_time]`` against a window ``[start, end]``
  (closed bounds, either one may be open): ``contained`` (the case runs inside it),
  ``intersecting`` (the case is open at some instant of it), ``started`` (first event in it),
  ``completed`` (last event in it).
* :class:`CaseAttribute`: a case role (``priority``, ``channel``, ``category``, ``team`` = the
  case's last team, ``customer``, ``case_id``) or a key of the case attributes is among the values
  (``exclude``: is not).
* :class:`EventAttribute`: at least one event's ``activity``, ``resource``, ``team``,
  ``lifecycle`` or event attribute is among the values (``exclude``: no event's is).
* :class:`Variants`: ``variant_id`` in (``exclude``: not in) the ids.
* :class:`CaseDuration`: ``min_s <= duration_s <= max_s`` (either bound optional).
* :class:`Activities`: the case has ``any`` / ``all`` of the activities, or ``none`` of them.
* :class:`StartActivities`, :class:`EndActivities`: first / last activity in (``exclude``: not
  in) a set.
* :class:`DirectlyFollows`: some ``source`` event is directly followed by a ``target`` event
  (``exclude``: never).

Attribute values are strings; ``None`` among the values stands for "missing" (no value), so
``CaseAttribute("priority", [None])`` keeps the cases without a priority. Excluding values never
drops a case whose attribute is missing unless ``None`` is among them. Value lists are stored
deduplicated and sorted, so filters that mean the same compare (and hash) equal. Which source
columns are case attributes and which are event attributes is decided at ingest (``case:``
columns, and columns constant within every case, are case attributes: see ``logs.case_attributes``);
the ``filter_*`` functions refuse a name the log does not have, since it would match nothing.

SQL
---
Each clause kind has one predicate over the ``cases`` table aliased ``c`` in
``pipelines/sql/filters/<kind>.sql``. In those files ``P_`` stands for a per-clause prefix that
:func:`compile_filter` chooses (``f0_``, ``f1_``...): it names the clause's bound parameters
(``$P_values`` -> ``$f0_values``) and subquery aliases (``P_e`` -> ``f0_e``), so clauses of one
kind combine. ``{{value}}`` is an expression deskmine owns: a canonical column chosen from a fixed
list (``c."priority"``) or a map lookup whose key is itself bound (``c."attributes"[$P_key]``).
Values and attribute keys are **always** bound parameters; no user text enters SQL. Activity
presence reads the case's variant (``variants.activities``), so it costs no scan of ``events``.

Example
-------
>>> log = Store("data/deskmine.duckdb").log("helpdesk")  # doctest: +SKIP
>>> p1 = filter_case_attribute(log, "priority", ["P1", "P2"])  # doctest: +SKIP
>>> p1.filter.describe()  # doctest: +SKIP
['priority is P1 or P2']
>>> filter_case_duration(p1, min_s=4 * 3600).filter.to_dict()  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
import numbers
import re
from collections.abc import Iterable
from typing import Any, ClassVar, Literal, get_args

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.store import quote_ident, render

__all__ = [
    "ACTIVITY_MODES", "CASE_ATTRIBUTE_ROLES", "EVENT_ATTRIBUTE_ROLES", "TIME_MODES",
    "Activities", "CaseAttribute", "CaseDuration", "Clause", "DirectlyFollows", "EndActivities",
    "EventAttribute", "Filter", "StartActivities", "TimeRange", "Variants",
    "apply_filter", "as_filter", "compile_filter", "filter_activities", "filter_case_attribute",
    "filter_case_duration", "filter_directly_follows", "filter_end_activities",
    "filter_event_attribute", "filter_start_activities", "filter_time_range", "filter_variants",
    "format_seconds",
]

TimeMode = Literal["contained", "intersecting", "started", "completed"]
TIME_MODES: tuple[str, ...] = get_args(TimeMode)
ActivityMode = Literal["any", "all", "none"]
ACTIVITY_MODES: tuple[str, ...] = get_args(ActivityMode)
CASE_ATTRIBUTE_ROLES: tuple[str, ...] = (
    schema.CASE_ID, schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM, schema.CUSTOMER,
)
"""Case attribute names that are columns of ``cases``; any other name is a key of its attributes."""
EVENT_ATTRIBUTE_ROLES: tuple[str, ...] = (schema.ACTIVITY, schema.RESOURCE, schema.TEAM, schema.LIFECYCLE)
"""Event attribute names that are columns of ``events``; any other name is a key of its attributes."""
FORMAT_VERSION = 1
"""Version of the :meth:`Filter.to_dict` layout."""
_ALWAYS_MAPPED = (schema.CASE_ID, schema.ACTIVITY)
_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9_])P_")
_PREFIX_OK = re.compile(r"^[a-z][a-z0-9]{0,15}$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
Value = str | None
_frozen = dataclasses.dataclass(frozen=True)


# -- validation helpers ------------------------------------------------------------------------

def _name(what: str, value: object) -> str:
    if not isinstance(value, str) or value == "":
        raise ValueError(f"{what} must be a non-empty string; got {value!r}")
    return value


def _flag(what: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} must be True or False; got {value!r}")
    return value


def _strings(what: str, values: object, *, allow_missing: bool) -> tuple[Value, ...]:
    """Deduplicated, sorted values (``None`` last); a bare string is one value."""
    if isinstance(values, str):
        values = (values,)
    if not isinstance(values, Iterable) or isinstance(values, bytes | dict):
        raise ValueError(f"{what} must be a list of strings; got {values!r}")
    items = list(values)
    if not items:
        raise ValueError(f"{what} must not be empty: give at least one value")
    for v in items:
        if not (isinstance(v, str) or (v is None and allow_missing)):
            kind = "strings or None (missing)" if allow_missing else "strings"
            raise ValueError(f"{what} must be {kind}; got {v!r}")
    return tuple(sorted(set(items), key=lambda v: (v is None, v or "")))


def _ids(what: str, values: object) -> tuple[int, ...]:
    if isinstance(values, numbers.Integral) and not isinstance(values, bool):
        values = (values,)
    if not isinstance(values, Iterable) or isinstance(values, str | bytes | dict):
        raise ValueError(f"{what} must be a list of positive integers; got {values!r}")
    items = list(values)
    if not items:
        raise ValueError(f"{what} must not be empty: give at least one variant id")
    for v in items:
        if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
            raise ValueError(f"{what} must be positive integers (variant 1 is the most frequent); got {v!r}")
    return tuple(sorted({int(v) for v in items}))


def _instant(what: str, value: object) -> dt.datetime | None:
    """A UTC-aware datetime from a datetime/date/pandas Timestamp/ISO 8601 string (naive = UTC)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"{what}: cannot read {value!r} as an ISO 8601 time "
                "(e.g. '2024-03-01', '2024-03-01T09:30:00Z', '2024-03-01 09:30+01:00')"
            ) from None
    elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    elif isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if not isinstance(value, dt.datetime) or pd.isna(value):
        raise ValueError(f"{what} must be a time (datetime or ISO 8601 string); got {value!r}")
    if isinstance(value, pd.Timestamp):
        value = value.floor("us").to_pydatetime()
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _seconds(what: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of seconds; got {value!r}")
    if value < 0:
        raise ValueError(f"{what} must not be negative; got {value!r}")
    return float(value)


# -- describing ------------------------------------------------------------------------------

def _show(value: object) -> str:
    return "(missing)" if value is None else str(value)


def _listing(values: Iterable[object], last: str = "or") -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    shown = [_show(v) for v in values]
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} {last} {shown[-1]}"


def _is(values: tuple, exclude: bool) -> str:
    if not exclude:
        return f"is {_listing(values)}"
    return f"is not {_show(values[0])}" if len(values) == 1 else f"is none of {_listing(values, 'and')}"


def _time(value: dt.datetime) -> str:
    if value.microsecond:
        return value.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    if value.second:
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def format_seconds(seconds: float) -> str:
    """A duration for people: ``format_seconds(5400) == '1h 30m'``, ``format_seconds(90) == '1m 30s'``."""
    if seconds == 0:
        return "0s"
    parts, rest = [], float(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        n = int(rest // size)
        if n:
            parts.append(f"{n}{unit}")
            rest -= n * size
    if rest > 1e-9:
        parts.append(f"{round(rest, 6):g}s")
    return " ".join(parts)


# -- SQL fragments ---------------------------------------------------------------------------

def _fragment(kind: str, prefix: str, params: dict[str, Any], **fragments: str) -> tuple[str, dict[str, Any]]:
    """``pipelines/sql/filters/<kind>.sql`` on one line, ``P_`` replaced by ``prefix_``."""
    text = render(f"filters/{kind}", **fragments)
    lines = [ln.strip() for ln in text.splitlines()]
    text = " ".join(ln for ln in lines if ln and not ln.startswith("--"))
    text = _PLACEHOLDER.sub(prefix + "_", text)
    bound = {f"{prefix}_{k}": v for k, v in params.items()}
    used = set(_PARAM.findall(text))
    if used != set(bound):  # a template and its clause disagree: a bug, not bad input
        raise RuntimeError(f"filter SQL {kind!r} uses {sorted(used)} but the clause binds {sorted(bound)}")
    return text, bound


def _values_params(values: tuple[Value, ...]) -> dict[str, Any]:
    return {"values": [v for v in values if v is not None], "missing": None in values}


def _negate(text: str, exclude: bool) -> str:
    return f"not ({text})" if exclude else text


# -- clauses ---------------------------------------------------------------------------------

class Clause:
    """One condition on cases. Subclasses are frozen dataclasses, hashable and equal by value."""

    kind: ClassVar[str]

    def describe(self) -> str:
        raise NotImplementedError

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        """``(predicate over cases c, parameters)``; parameter names start with ``prefix_``."""
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat()
            out[f.name] = value
        return out

    def __and__(self, other: object) -> Filter:
        if not isinstance(other, Filter | Clause):
            return NotImplemented
        return Filter((self,)) & other


@_frozen
class TimeRange(Clause):
    """Cases whose span ``[start_time, end_time]`` relates to the window ``[start, end]`` by ``mode``.

    ``start``/``end``: datetimes (naive = UTC), dates (midnight UTC) or ISO 8601 strings; bounds
    are inclusive, and one of them may be ``None`` (open). Modes: ``contained`` (start <= start_time
    and end_time <= end), ``intersecting`` (start_time <= end and end_time >= start), ``started``
    (start_time in the window), ``completed`` (end_time in the window).
    """

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    mode: TimeMode = "intersecting"
    kind: ClassVar[str] = "time_range"

    def __post_init__(self) -> None:
        schema.check_choice("mode", self.mode, TIME_MODES)
        start, end = _instant("start", self.start), _instant("end", self.end)
        if start is None and end is None:
            raise ValueError("a time range needs a start, an end or both")
        if start is not None and end is not None and start > end:
            raise ValueError(f"start ({start.isoformat()}) is after end ({end.isoformat()})")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    def describe(self) -> str:
        if self.start is not None and self.end is not None:
            bounds = f"between {_time(self.start)} and {_time(self.end)}"
        elif self.start is not None:
            bounds = f"at or after {_time(self.start)}"
        else:
            bounds = f"at or before {_time(self.end)}"  # type: ignore[arg-type]
        return {
            "contained": f"case starts and ends {bounds}",
            "intersecting": f"case is open at some time {bounds}",
            "started": f"case starts {bounds}",
            "completed": f"case ends {bounds}",
        }[self.mode]

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        return _fragment(f"time_{self.mode}", prefix, {"start": self.start, "end": self.end})


@_frozen
class CaseAttribute(Clause):
    """Cases whose attribute ``name`` is one of ``values`` (``exclude``: is none of them).

    ``name`` is a case role (``priority``, ``channel``, ``category``, ``team`` (the case's last
    team), ``customer``, ``case_id``) or any key of the case attributes. ``None`` among the values
    means "missing".
    """

    name: str
    values: tuple[Value, ...]
    exclude: bool = False
    kind: ClassVar[str] = "case_attribute"

    def __post_init__(self) -> None:
        _name("case attribute name", self.name)
        object.__setattr__(self, "values", _strings(f"values of {self.name!r}", self.values, allow_missing=True))
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"{self.name} {_is(self.values, self.exclude)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        params = _values_params(self.values)
        if self.name in CASE_ATTRIBUTE_ROLES:
            value = "c." + quote_ident(self.name)
        else:
            value = f"c.{quote_ident(schema.ATTRIBUTES)}[$P_key]"
            params["key"] = self.name
        text, bound = _fragment("case_attribute", prefix, params, value=value)
        return _negate(text, self.exclude), bound


@_frozen
class EventAttribute(Clause):
    """Cases with at least one event whose attribute ``name`` is one of ``values``
    (``exclude``: cases with no such event).

    ``name`` is ``activity``, ``resource``, ``team``, ``lifecycle`` or a key of the event
    attributes. ``None`` among the values means "missing".
    """

    name: str
    values: tuple[Value, ...]
    exclude: bool = False
    kind: ClassVar[str] = "event_attribute"

    def __post_init__(self) -> None:
        _name("event attribute name", self.name)
        object.__setattr__(self, "values", _strings(f"values of {self.name!r}", self.values, allow_missing=True))
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"{'no' if self.exclude else 'some'} event has {self.name} {_listing(self.values)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        params = _values_params(self.values)
        if self.name in EVENT_ATTRIBUTE_ROLES:
            value = "P_e." + quote_ident(self.name)
        else:
            value = f"P_e.{quote_ident(schema.ATTRIBUTES)}[$P_key]"
            params["key"] = self.name
        text, bound = _fragment("event_attribute", prefix, params, value=value)
        return _negate(text, self.exclude), bound


@_frozen
class Variants(Clause):
    """Cases whose variant (``variant_id`` of the whole log) is in ``variant_ids`` (``exclude``: not)."""

    variant_ids: tuple[int, ...]
    exclude: bool = False
    kind: ClassVar[str] = "variants"

    def __post_init__(self) -> None:
        object.__setattr__(self, "variant_ids", _ids("variant_ids", self.variant_ids))
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"variant {_is(self.variant_ids, self.exclude)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        text, bound = _fragment("variants", prefix, {"ids": list(self.variant_ids)})
        return _negate(text, self.exclude), bound


@_frozen
class CaseDuration(Clause):
    """Cases with ``min_s <= duration_s <= max_s`` (last minus first event, seconds; either bound optional)."""

    min_s: float | None = None
    max_s: float | None = None
    kind: ClassVar[str] = "case_duration"

    def __post_init__(self) -> None:
        lo, hi = _seconds("min_s", self.min_s), _seconds("max_s", self.max_s)
        if lo is None and hi is None:
            raise ValueError("a case duration range needs min_s, max_s or both")
        if lo is not None and hi is not None and lo > hi:
            raise ValueError(f"min_s ({lo:g}) is greater than max_s ({hi:g})")
        object.__setattr__(self, "min_s", lo)
        object.__setattr__(self, "max_s", hi)

    def describe(self) -> str:
        if self.min_s is not None and self.max_s is not None:
            return f"duration is between {format_seconds(self.min_s)} and {format_seconds(self.max_s)}"
        if self.min_s is not None:
            return f"duration is at least {format_seconds(self.min_s)}"
        return f"duration is at most {format_seconds(self.max_s)}"  # type: ignore[arg-type]

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        return _fragment("case_duration", prefix, {"min_s": self.min_s, "max_s": self.max_s})


@_frozen
class Activities(Clause):
    """Cases with an event of ``any`` of the activities, of ``all`` of them, or of ``none`` of them."""

    activities: tuple[str, ...]
    mode: ActivityMode = "any"
    kind: ClassVar[str] = "activities"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", _strings("activities", self.activities, allow_missing=False))
        schema.check_choice("mode", self.mode, ACTIVITY_MODES)

    def describe(self) -> str:
        if self.mode == "all" and len(self.activities) > 1:
            return f"has activities {_listing(self.activities, 'and')}"
        return f"has {'no ' if self.mode == 'none' else ''}activity {_listing(self.activities)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        kind = "activities_all" if self.mode == "all" else "activities_any"
        text, bound = _fragment(kind, prefix, {"activities": list(self.activities)})
        return _negate(text, self.mode == "none"), bound


@_frozen
class StartActivities(Clause):
    """Cases whose first activity (case order) is one of ``activities`` (``exclude``: is not)."""

    activities: tuple[str, ...]
    exclude: bool = False
    kind: ClassVar[str] = "start_activities"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", _strings("activities", self.activities, allow_missing=False))
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"{'does not start' if self.exclude else 'starts'} with {_listing(self.activities)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        text, bound = _fragment("start_activities", prefix, {"activities": list(self.activities)})
        return _negate(text, self.exclude), bound


@_frozen
class EndActivities(Clause):
    """Cases whose last activity (case order) is one of ``activities`` (``exclude``: is not)."""

    activities: tuple[str, ...]
    exclude: bool = False
    kind: ClassVar[str] = "end_activities"

    def __post_init__(self) -> None:
        object.__setattr__(self, "activities", _strings("activities", self.activities, allow_missing=False))
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"{'does not end' if self.exclude else 'ends'} with {_listing(self.activities)}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        text, bound = _fragment("end_activities", prefix, {"activities": list(self.activities)})
        return _negate(text, self.exclude), bound


@_frozen
class DirectlyFollows(Clause):
    """Cases in which an event of ``source`` is directly followed by one of ``target``
    (case order ``(timestamp, event_seq)``); ``exclude``: cases where that never happens."""

    source: str
    target: str
    exclude: bool = False
    kind: ClassVar[str] = "directly_follows"

    def __post_init__(self) -> None:
        _name("source activity", self.source)
        _name("target activity", self.target)
        _flag("exclude", self.exclude)

    def describe(self) -> str:
        return f"{self.source} is {'never ' if self.exclude else ''}directly followed by {self.target}"

    def compile(self, prefix: str) -> tuple[str, dict[str, Any]]:
        text, bound = _fragment("directly_follows", prefix, {"source": self.source, "target": self.target})
        return _negate(text, self.exclude), bound


_CLAUSES: dict[str, type[Clause]] = {
    c.kind: c for c in (TimeRange, CaseAttribute, EventAttribute, Variants, CaseDuration, Activities,
                        StartActivities, EndActivities, DirectlyFollows)
}


# -- the filter --------------------------------------------------------------------------------

@_frozen
class Filter:
    """Clauses combined with AND; hashable, equal by value, JSON round-trippable.

    Build it from clauses (``Filter((CaseAttribute("priority", ["P1"]), CaseDuration(max_s=3600)))``)
    or with ``&`` (``clause_a & clause_b``, ``filter & clause``, ``filter & filter``). Repeated
    clauses are kept once; order is kept for :meth:`describe`. ``Filter()`` keeps every case.
    """

    clauses: tuple[Clause, ...] = ()

    def __post_init__(self) -> None:
        items = (self.clauses,) if isinstance(self.clauses, Clause) else self.clauses
        if not isinstance(items, Iterable) or isinstance(items, str | bytes | dict):
            raise ValueError(f"clauses must be a sequence of filter clauses; got {self.clauses!r}")
        unique: list[Clause] = []
        for clause in items:
            if not isinstance(clause, Clause):
                raise ValueError(f"not a filter clause: {clause!r}")
            if clause not in unique:
                unique.append(clause)
        object.__setattr__(self, "clauses", tuple(unique))

    def __and__(self, other: object) -> Filter:
        if not isinstance(other, Filter | Clause):
            return NotImplemented
        return Filter(self.clauses + as_filter(other).clauses)

    def __len__(self) -> int:
        return len(self.clauses)

    def __iter__(self):
        return iter(self.clauses)

    def describe(self) -> list[str]:
        """One human sentence per clause, e.g. ``['priority is P1 or P2', 'duration is at most 4h']``."""
        return [c.describe() for c in self.clauses]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"version": 1, "clauses": [{"kind": "case_attribute", "name": ..., ...}]}``."""
        return {"version": FORMAT_VERSION, "clauses": [c.to_dict() for c in self.clauses]}

    @classmethod
    def from_dict(cls, data: object) -> Filter:
        """The inverse of :meth:`to_dict` (also after a JSON round trip); ValueError on bad input."""
        if not isinstance(data, dict):
            raise ValueError(f"a filter must be a dict with 'clauses'; got {type(data).__name__}")
        unknown = set(data) - {"version", "clauses"}
        if unknown:
            raise ValueError(f"unknown filter keys {sorted(unknown)}; allowed: 'version', 'clauses'")
        version = data.get("version", FORMAT_VERSION)
        if version != FORMAT_VERSION:
            raise ValueError(f"filter version {version!r} is not supported (this deskmine reads {FORMAT_VERSION})")
        clauses = data.get("clauses", [])
        if not isinstance(clauses, list):
            raise ValueError("filter 'clauses' must be a list")
        return cls(tuple(_clause_from_dict(c) for c in clauses))

    def digest(self) -> str:
        """A short stable key (sha256 of the canonical JSON), e.g. for caches across processes."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _clause_from_dict(data: object) -> Clause:
    if not isinstance(data, dict) or "kind" not in data:
        raise ValueError(f"a filter clause must be a dict with a 'kind'; got {data!r}")
    kind = data["kind"]
    schema.check_choice("clause kind", kind, tuple(_CLAUSES))
    cls = _CLAUSES[kind]
    fields = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    kwargs = {k: v for k, v in data.items() if k != "kind"}
    unknown = set(kwargs) - set(fields)
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)} for a {kind} clause; allowed: {', '.join(fields)}")
    try:
        return cls(**kwargs)
    except TypeError as exc:  # a required field is missing
        raise ValueError(f"bad {kind} clause {data!r}: {exc}") from None


def as_filter(value: object) -> Filter:
    """``value`` as a :class:`Filter`: a Filter, one clause, or ``None`` (keeps every case)."""
    if value is None:
        return Filter()
    if isinstance(value, Filter):
        return value
    if isinstance(value, Clause):
        return Filter((value,))
    raise TypeError(f"expected a Filter, a filter clause or None; got {type(value).__name__} "
                    "(a dict? use Filter.from_dict)")


def compile_filter(filter: Filter | Clause | None, *, prefix: str = "f") -> tuple[str, dict[str, Any]]:  # noqa: A002
    """``(predicate over the cases table aliased c, parameters)``, or ``("true", {})`` for no clause.

    Parameters are named ``<prefix><i>_<name>`` (clause ``i``: ``f0_values``...), so they never clash
    with a query's own (``$log``...); give another ``prefix`` to use two filters in one statement.
    The predicate contains no value from the filter: every value is a parameter.

    >>> compile_filter(StartActivities(["Open"]))
    ('(coalesce(list_contains($f0_activities, c.first_activity), false))', {'f0_activities': ['Open']})
    """
    if not isinstance(prefix, str) or not _PREFIX_OK.match(prefix):
        raise ValueError(f"prefix must be lowercase letters and digits, starting with a letter; got {prefix!r}")
    clauses = as_filter(filter).clauses
    if not clauses:
        return "true", {}
    parts, params = [], {}
    for i, clause in enumerate(clauses):
        text, bound = clause.compile(f"{prefix}{i}")
        parts.append(f"({text})")
        params.update(bound)
    return " and ".join(parts), params


# -- pm4py-style functions -----------------------------------------------------------------------

def apply_filter(log: Log, filter: Filter | Clause | None) -> Log:  # noqa: A002
    """``log`` narrowed by every clause of ``filter`` too (ANDed to its filter); ``None`` keeps it.

    Attribute names are checked against the log (see :func:`filter_case_attribute`).
    """
    added = as_filter(filter)
    if not added:
        return log
    for clause in added:
        _check_names(log, clause)
    return dataclasses.replace(log, filter=as_filter(log.filter) & added)


def filter_time_range(log: Log, start, end, *, mode: TimeMode = "intersecting") -> Log:
    """Cases whose span relates to ``[start, end]`` by ``mode`` (see :class:`TimeRange`)."""
    return apply_filter(log, TimeRange(start, end, mode))


def filter_case_attribute(log: Log, name: str, values, *, exclude: bool = False) -> Log:
    """Cases whose attribute ``name`` is (``exclude``: is not) one of ``values``.

    ``name``: ``priority``, ``channel``, ``category``, ``team`` (the case's last team),
    ``customer``, ``case_id``, or a case attribute of the log; a role the log has not mapped or an
    unknown key is a ValueError listing what the log has. ``None`` among values means "missing".
    """
    return apply_filter(log, CaseAttribute(name, values, exclude))


def filter_event_attribute(log: Log, name: str, values, *, exclude: bool = False) -> Log:
    """Cases with at least one event (``exclude``: with no event) whose ``name`` is among ``values``.

    ``name``: ``activity``, ``resource``, ``team``, ``lifecycle`` or an event attribute of the log.
    """
    return apply_filter(log, EventAttribute(name, values, exclude))


def filter_variants(log: Log, variant_ids, *, exclude: bool = False) -> Log:
    """Cases of (``exclude``: not of) the given variants (ids as in :func:`get_variants` of the whole log)."""
    return apply_filter(log, Variants(variant_ids, exclude))


def filter_case_duration(log: Log, *, min_s: float | None = None, max_s: float | None = None) -> Log:
    """Cases lasting between ``min_s`` and ``max_s`` seconds (inclusive; either bound optional)."""
    return apply_filter(log, CaseDuration(min_s, max_s))


def filter_activities(log: Log, activities, *, mode: ActivityMode = "any") -> Log:
    """Cases having ``any`` of the activities, ``all`` of them, or ``none`` of them."""
    return apply_filter(log, Activities(activities, mode))


def filter_start_activities(log: Log, activities, *, exclude: bool = False) -> Log:
    """Cases whose first activity is (``exclude``: is not) one of ``activities``."""
    return apply_filter(log, StartActivities(activities, exclude))


def filter_end_activities(log: Log, activities, *, exclude: bool = False) -> Log:
    """Cases whose last activity is (``exclude``: is not) one of ``activities``."""
    return apply_filter(log, EndActivities(activities, exclude))


def filter_directly_follows(log: Log, source: str, target: str, *, exclude: bool = False) -> Log:
    """Cases where ``source`` is directly followed by ``target`` (``exclude``: never is)."""
    return apply_filter(log, DirectlyFollows(source, target, exclude))


def _check_names(log: Log, clause: Clause) -> None:
    """Fail fast on attribute names the log does not have (they would silently match nothing)."""
    if not isinstance(clause, CaseAttribute | EventAttribute):
        return
    info = _log_info(log)
    if info is None:
        return
    mapped, case_keys, event_keys = info
    level = "case" if isinstance(clause, CaseAttribute) else "event"
    roles = CASE_ATTRIBUTE_ROLES if level == "case" else EVENT_ATTRIBUTE_ROLES
    keys = case_keys if level == "case" else event_keys
    name = clause.name
    if name in roles:
        if name in mapped or name in _ALWAYS_MAPPED:
            return
        problem = f"log {log.name!r} has no {name} (no column was mapped to it at ingest)"
    elif name in keys:
        return
    else:
        other = event_keys if level == "case" else case_keys
        problem = f"log {log.name!r} has no {level} attribute {name!r}"
        if name in other:
            problem += f" ({name!r} is {'an event' if level == 'case' else 'a case'} attribute)"
    known = [r for r in roles if r in mapped or r in _ALWAYS_MAPPED] + list(keys)
    raise ValueError(f"{problem}; {level} attributes: {', '.join(map(repr, known))}")


def _log_info(log: Log) -> tuple[set[str], list[str], list[str]] | None:
    logs = log.store.logs()
    row = logs[logs[schema.LOG] == log.name]
    if row.empty:
        return None
    rec = row.iloc[0]
    mapping = rec["mapping"]
    mapped = set(json.loads(mapping) if isinstance(mapping, str) else mapping)
    return mapped, list(rec["case_attributes"]), list(rec["event_attributes"])
