"""The global filter state: one log name and one :class:`~pipelines.mining.filters.Filter` (pure).

The app keeps this state in ONE ``dcc.Store`` (``ids.FILTER_STORE``) as
``{"log": name, "filter": Filter.to_dict(), "query": "<URL query string>"}`` and mirrors it in the
URL so a view can be shared and reloaded. Nothing here imports Dash: the encoding is tested as
plain functions.

URL format (readable, stable; every parameter optional)::

    /map?log=before&from=2025-01-06&to=2025-01-31&priority=P1&priority=P2&channel=email
        &category=lost%20card&team=L2%20support&variant=1&variant=3&dmin=3600&dmax=86400
        &clause={"kind":"activities","activities":["Escalate to L2"],"mode":"any"}

* ``from`` / ``to``: cases *started* in ``[from 00:00, to 23:59:59]`` UTC (a ``TimeRange`` in
  mode ``started``); a full ISO time is kept as given when the bounds are not whole days.
* ``priority`` / ``channel`` / ``category`` / ``team``: repeated values of a case attribute
  (``__missing__`` = no value); ``variant``: repeated variant ids; ``dmin`` / ``dmax``: case
  duration bounds in seconds.
* ``clause``: any other clause, as its compact ``to_dict`` JSON (repeatable) — e.g. what "filter by
  it" on the process map adds. A clause kind added to the engine later needs no change here.

Parameters that are not filter parameters (``case=...`` on /cases) are left alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlencode

from pipelines import schema
from pipelines.mining.filters import (
    CaseAttribute,
    CaseDuration,
    Clause,
    Filter,
    TimeRange,
    Variants,
)

BAR_ATTRIBUTES: tuple[str, ...] = (schema.PRIORITY, schema.CHANNEL, schema.CATEGORY, schema.TEAM)
"""Case attributes with a dropdown in the filter bar (in bar order)."""
MISSING = "__missing__"
"""Dropdown/URL token for "no value" (``None`` in a filter clause)."""
FILTER_KEYS: tuple[str, ...] = ("log", "from", "to", *BAR_ATTRIBUTES, "variant", "dmin", "dmax", "clause")
"""Every URL parameter that belongs to the filter state."""
_END_OF_DAY = dt.time(23, 59, 59)


@dataclasses.dataclass(frozen=True)
class Bar:
    """What the filter bar shows: the clauses it manages, as widget values.

    ``date_from`` / ``date_to``: ``YYYY-MM-DD`` or a full ISO time; ``attributes``: name -> list
    of values (``MISSING`` for none); ``variants``: ids; ``min_s`` / ``max_s``: seconds.
    """

    date_from: str | None = None
    date_to: str | None = None
    attributes: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    variants: tuple[int, ...] = ()
    min_s: float | None = None
    max_s: float | None = None

    def clauses(self) -> list[Clause]:
        """The bar's clauses in canonical order (time, attributes in bar order, variants, duration)."""
        out: list[Clause] = []
        if self.date_from or self.date_to:
            out.append(TimeRange(_bound(self.date_from, end=False), _bound(self.date_to, end=True), "started"))
        for name in BAR_ATTRIBUTES:
            values = self.attributes.get(name) or ()
            if values:
                out.append(CaseAttribute(name, [None if v == MISSING else v for v in values]))
        if self.variants:
            out.append(Variants(list(self.variants)))
        if self.min_s is not None or self.max_s is not None:
            out.append(CaseDuration(self.min_s, self.max_s))
        return out


def _bound(value: str | None, *, end: bool) -> dt.datetime | None:
    """A bar date: ``YYYY-MM-DD`` means the whole day (00:00:00 .. 23:59:59 UTC)."""
    if not value:
        return None
    value = value.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return dt.datetime.combine(day, _END_OF_DAY if end else dt.time(), tzinfo=dt.UTC)
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _show_bound(value: dt.datetime | None, *, end: bool) -> str | None:
    if value is None:
        return None
    whole_day = value.time() == (_END_OF_DAY if end else dt.time()) and value.utcoffset() == dt.timedelta(0)
    return value.date().isoformat() if whole_day else value.isoformat()


def _bar_clause(clause: Clause) -> str | None:
    """Which bar field ``clause`` can be shown in (``None``: it is an extra)."""
    if isinstance(clause, TimeRange) and clause.mode == "started":
        return "time"
    if isinstance(clause, CaseAttribute) and clause.name in BAR_ATTRIBUTES and not clause.exclude:
        return clause.name
    if isinstance(clause, Variants) and not clause.exclude:
        return "variants"
    if isinstance(clause, CaseDuration):
        return "duration"
    return None


def split_filter(flt: Filter) -> tuple[Bar, tuple[Clause, ...]]:
    """``flt`` as bar values plus the clauses the bar cannot show (the extras, shown as chips).

    The first clause of each bar field goes to the bar; a second one of the same field is an extra.
    """
    taken: dict[str, Clause] = {}
    extras: list[Clause] = []
    for clause in flt:
        field = _bar_clause(clause)
        if field is None or field in taken:
            extras.append(clause)
        else:
            taken[field] = clause
    bar = Bar()
    if "time" in taken:
        t = taken["time"]
        bar = dataclasses.replace(bar, date_from=_show_bound(t.start, end=False), date_to=_show_bound(t.end, end=True))
    attrs = {name: tuple(MISSING if v is None else v for v in taken[name].values)
             for name in BAR_ATTRIBUTES if name in taken}
    bar = dataclasses.replace(bar, attributes=attrs)
    if "variants" in taken:
        bar = dataclasses.replace(bar, variants=taken["variants"].variant_ids)
    if "duration" in taken:
        d = taken["duration"]
        bar = dataclasses.replace(bar, min_s=d.min_s, max_s=d.max_s)
    return bar, tuple(extras)


def canonical(flt: Filter) -> Filter:
    """The same cases, clauses in canonical order (bar fields first): equal states, equal digests."""
    bar, extras = split_filter(flt)
    return Filter(tuple(bar.clauses()) + extras)


@dataclasses.dataclass(frozen=True)
class FilterState:
    """The log shown and the filter applied to it (canonical clause order)."""

    log: str | None = None
    filter: Filter = dataclasses.field(default_factory=Filter)

    def __post_init__(self) -> None:
        object.__setattr__(self, "filter", canonical(self.filter))

    # -- the dcc.Store payload -------------------------------------------------------------
    def to_store(self) -> dict:
        return {"log": self.log, "filter": self.filter.to_dict(), "query": to_query(self)}

    @classmethod
    def from_store(cls, data: Mapping | None) -> FilterState:
        """The state in a store payload; ``None`` (not set yet) is the empty state."""
        if not data:
            return cls()
        return cls(data.get("log"), Filter.from_dict(data.get("filter") or {"clauses": []}))

    def digest(self) -> str:
        return self.filter.digest()

    # -- edits -----------------------------------------------------------------------------
    def with_log(self, log: str | None) -> FilterState:
        """Another log: its variants differ, so a variant clause is dropped; everything else stays."""
        if log == self.log:
            return self
        kept = tuple(c for c in self.filter if not isinstance(c, Variants))
        return FilterState(log, Filter(kept))

    def with_bar(self, bar: Bar) -> FilterState:
        _, extras = split_filter(self.filter)
        return FilterState(self.log, Filter(tuple(bar.clauses()) + extras))

    def without(self, clause_key: str) -> FilterState:
        """Without the clause whose :func:`clause_key` is ``clause_key``."""
        return FilterState(self.log, Filter(tuple(c for c in self.filter if clause_key_of(c) != clause_key)))

    def patched(self, patch: Mapping) -> FilterState:
        """Apply a page's patch: ``{"replace": [kinds], "add": [clause dicts]}`` (see components.filters)."""
        drop = set(patch.get("replace") or ())
        kept = tuple(c for c in self.filter if c.kind not in drop)
        added = Filter.from_dict({"clauses": list(patch.get("add") or [])}).clauses
        return FilterState(self.log, Filter(kept + added))

    def cleared(self) -> FilterState:
        return FilterState(self.log, Filter())


def clause_key_of(clause: Clause) -> str:
    """A short stable key for one clause (ids of the chips that remove it)."""
    return Filter((clause,)).digest()


def clause_json(clause: Clause) -> str:
    return json.dumps(clause.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _seconds_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def to_query(state: FilterState) -> str:
    """The URL query string (without ``?``) of ``state``; ``""`` when nothing is set."""
    pairs: list[tuple[str, str]] = []
    if state.log:
        pairs.append(("log", state.log))
    bar, extras = split_filter(state.filter)
    if bar.date_from:
        pairs.append(("from", bar.date_from))
    if bar.date_to:
        pairs.append(("to", bar.date_to))
    for name in BAR_ATTRIBUTES:
        pairs += [(name, v) for v in bar.attributes.get(name, ())]
    pairs += [("variant", str(v)) for v in bar.variants]
    if bar.min_s is not None:
        pairs.append(("dmin", _seconds_text(bar.min_s)))
    if bar.max_s is not None:
        pairs.append(("dmax", _seconds_text(bar.max_s)))
    pairs += [("clause", clause_json(c)) for c in extras]
    return urlencode(pairs)


def parse_query(search: str | Mapping | None) -> dict[str, list[str]]:
    """``?a=1&a=2`` (or Dash's ``layout(**query)`` dict) as ``{"a": ["1", "2"]}``."""
    if not search:
        return {}
    if isinstance(search, Mapping):
        return {k: [v] if isinstance(v, str) else list(v) for k, v in search.items()}
    return parse_qs(search.lstrip("?"), keep_blank_values=False)


def has_state(search: str | Mapping | None) -> bool:
    """Whether a URL carries a filter state (links inside the app without ``log`` keep the current one)."""
    return "log" in parse_query(search)


def from_query(search: str | Mapping | None) -> FilterState:
    """The state a URL describes; ValueError with a readable message when it is malformed."""
    q = parse_query(search)
    log = (q.get("log") or [None])[0]
    bar = Bar(
        date_from=_one(q, "from"), date_to=_one(q, "to"),
        attributes={name: tuple(q[name]) for name in BAR_ATTRIBUTES if q.get(name)},
        variants=tuple(_ints("variant", q.get("variant", []))),
        min_s=_number("dmin", _one(q, "dmin")), max_s=_number("dmax", _one(q, "dmax")),
    )
    try:
        clauses = bar.clauses()
    except ValueError as exc:
        raise ValueError(f"the link's filter is not valid: {exc}") from None
    for text in q.get("clause", []):
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError(f"the link's clause {text[:60]!r} is not JSON") from None
        clauses.append(Filter.from_dict({"clauses": [data]}).clauses[0])
    return FilterState(log, Filter(tuple(clauses)))


def _one(q: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = q.get(key) or []
    return values[0] if values else None


def _ints(key: str, values: Sequence[str]) -> list[int]:
    try:
        return [int(v) for v in values]
    except ValueError:
        raise ValueError(f"the link's {key} must be whole numbers; got {list(values)!r}") from None


def _number(key: str, value: str | None) -> float | None:
    if value is None or value == "":
        return None
    try:
        out = float(value)
    except ValueError:
        raise ValueError(f"the link's {key} must be a number of seconds; got {value!r}") from None
    if not math.isfinite(out) or out < 0:
        raise ValueError(f"the link's {key} must be a non-negative number of seconds; got {value!r}")
    return out


def merge_search(current: str | None, state: FilterState) -> str:
    """``current``'s non-filter parameters (e.g. ``case=``) followed by ``state``'s query, with ``?``."""
    kept = [(k, v) for k, values in parse_query(current).items() if k not in FILTER_KEYS for v in values]
    own = to_query(state)
    text = "&".join(x for x in (own, urlencode(kept)) if x)
    return "?" + text if text else ""
