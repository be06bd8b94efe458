'''The SLA policy file: business calendars, milestone activities and targets, in TOML.

A service desk states its SLA once, in a small TOML file, and every SLA number deskmine shows
is computed from it. A full example::

    [calendars.office]            # any number of named calendars
    timezone = "Europe/Rome"      # an IANA zone; working hours are local wall-clock time
    mon = ["09:00-13:00", "14:00-18:00"]   # working intervals per weekday; absent day = closed
    tue = ["09:00-18:00"]         # "HH:MM-HH:MM" or "HH:MM:SS-HH:MM:SS"; "24:00" ends the day
    holidays = ["2025-12-25", "2025-12-26"]   # local dates closed all day

    [calendars.always]
    timezone = "UTC"
    mon = ["00:00-24:00"]         # ... and so on for every day: a 24x7 calendar
    tue = ["00:00-24:00"]
    wed = ["00:00-24:00"]
    thu = ["00:00-24:00"]
    fri = ["00:00-24:00"]
    sat = ["00:00-24:00"]
    sun = ["00:00-24:00"]

    [milestones]                  # activities that mark the SLA events
    first_response = ["Take in charge ticket"]
    resolved = ["Resolve ticket"]
    closed = ["Closed"]
    reopened = ["Reopened"]
    pause = ["Wait", "Wait - User", "Wait - Customer"]

    [reopen]                      # optional: the "thank-you" rule, off by default
    ignore_thank_you = false
    thank_you_window = "2h"

    [[targets]]                   # first matching target wins
    name = "P1"
    when = { priority = "1" }     # case attribute = value, or = [values] (any of)
    calendar = "always"
    first_response = "1h"
    resolution = "4h"

    [[targets]]
    name = "default"              # no `when`: matches every case
    calendar = "office"
    first_response = "8h"
    resolution = "40h"

Meaning of each part
--------------------
``[calendars.NAME]``
    A :class:`~pipelines.mining.calendar.BusinessCalendar` (see that module for the DST
    rules). Keys: ``timezone`` (required), ``mon`` .. ``sun``, ``holidays``. At least one
    calendar is required.
``[milestones]``
    Lists of activity names (a single string is accepted as a list of one) for the kinds
    ``first_response``, ``resolved``, ``closed``, ``reopened`` and ``pause``. A milestone is
    reached by the case's first event with one of the listed activities (the SLA evaluation
    decides how reopened cases restart the clock); the clock stops while the case's status,
    i.e. its latest activity, is one of the ``pause`` activities. Every kind may be empty or
    absent except ``resolved``, which needs at least one activity: without it there is no
    resolution time to measure.
``[reopen]``
    ``ignore_thank_you`` (bool, default ``false``): when true, a reopen that is closed or
    resolved again within ``thank_you_window`` (default ``"2h"``) with no agent work in
    between (the customer's "thank you" reply) does not count as a reopen. The window is
    *elapsed* time, not working time: it is about how fast the ticket is closed again.
``[[targets]]``
    Tried in file order; the first whose ``when`` matches a case is the case's target. Keys:
    ``name`` (required, unique), ``calendar`` (required, a defined calendar), ``when``
    (optional), ``first_response`` and ``resolution`` (durations; at least one of them).
    ``when`` maps case attributes to a value or a list of values (any of); all attributes
    must match. Values are compared as strings by exact equality: TOML integers are turned
    into strings (``priority = 1`` and ``priority = "1"`` both match ``"1"``); floats and
    booleans are refused (write ``"1.5"``) because their text is ambiguous. A missing case
    attribute never matches. A target without ``when`` matches every case: it is usually
    the last one, since a case that no target matches gets *no* target (and no SLA). A
    target that an earlier one always shadows is an error.

Durations
---------
Target durations are amounts of *working time on the target's calendar*: ``"8h"`` on an
office calendar is one working day, on a 24x7 calendar a third of a day. Accepted forms: a
string of whole numbers with units in the order ``d``, ``h``, ``m``, ``s``, each at most once
(``"90s"``, ``"30m"``, ``"4h"``, ``"1h30m"``, ``"2d"``, ``"1d12h"``), where ``d`` is 24 hours
(of working time: ``"2d"`` is 48 working hours, not two working days); or a plain TOML number
of seconds (``5400`` or ``0.5``). Durations must be positive.

Example
-------
>>> policy = parse_policy("""
... [calendars.office]
... timezone = "Europe/Rome"
... mon = ["09:00-18:00"]
... [milestones]
... resolved = ["Resolve ticket"]
... [[targets]]
... name = "P1"
... when = { priority = 1 }
... calendar = "office"
... resolution = "4h"
... [[targets]]
... name = "default"
... calendar = "office"
... resolution = "2d"
... """)
>>> [(t.name, t.when, t.resolution_s) for t in policy.targets]
[('P1', (('priority', ('1',)),), 14400.0), ('default', (), 172800.0)]
>>> match_target(policy, {"priority": "2"}).name
'default'
'''

from __future__ import annotations

import json
import math
import re
import tomllib
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from pipelines.mining.calendar import BusinessCalendar

__all__ = [
    "MILESTONE_KINDS",
    "SLA_TARGET",
    "Milestones",
    "ReopenRule",
    "SlaPolicy",
    "SlaTarget",
    "assign_targets",
    "format_duration",
    "match_target",
    "parse_duration",
    "parse_policy",
    "policy_from_dict",
    "policy_to_dict",
    "read_policy",
    "to_toml",
]

SLA_TARGET: Final = "sla_target"
"""Name of the Series returned by :func:`assign_targets`."""

MILESTONE_KINDS: Final = ("first_response", "resolved", "closed", "reopened", "pause")
"""The kinds of ``[milestones]``, in file order."""

_TOP_KEYS: Final = ("calendars", "milestones", "reopen", "targets")
_REOPEN_KEYS: Final = ("ignore_thank_you", "thank_you_window")
_TARGET_KEYS: Final = ("name", "when", "calendar", "first_response", "resolution")
_DURATION_RE = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
_DURATION_FORMS: Final = (
    'a string such as "90s", "30m", "4h", "1h30m", "2d" (units d, h, m, s in that order, '
    "whole numbers) or a number of seconds"
)
_UNITS: Final = (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1))


# -- the policy objects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Milestones:
    """Activity names marking each SLA event (see the module docstring for their meaning)."""

    first_response: tuple[str, ...] = ()
    resolved: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    reopened: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReopenRule:
    """The "thank-you" rule: ignore a reopen closed again quickly with no agent work.

    ``thank_you_window_s`` is elapsed (wall-clock) seconds, not working time.
    """

    ignore_thank_you: bool = False
    thank_you_window_s: float = 7200.0


@dataclass(frozen=True)
class SlaTarget:
    """One SLA target.

    ``when`` holds ``(attribute, allowed values)`` pairs, all of which must match (values
    are strings; empty ``when`` matches every case). Durations are working seconds on the
    calendar named ``calendar``; ``None`` means the target sets no such objective.
    """

    name: str
    when: tuple[tuple[str, tuple[str, ...]], ...]
    calendar: str
    first_response_s: float | None
    resolution_s: float | None


@dataclass(frozen=True)
class SlaPolicy:
    """A validated SLA policy: calendars by name, milestones, reopen rule and ordered targets.

    ``calendars`` is a read-only mapping in file order. The policy is hashable, so it can key
    a cache.
    """

    calendars: Mapping[str, BusinessCalendar]
    milestones: Milestones
    targets: tuple[SlaTarget, ...]
    reopen: ReopenRule = field(default_factory=ReopenRule)

    def __post_init__(self) -> None:
        object.__setattr__(self, "calendars", types.MappingProxyType(dict(self.calendars)))

    def __hash__(self) -> int:
        return hash((tuple(self.calendars.items()), self.milestones, self.targets, self.reopen))

    def calendar_of(self, target: SlaTarget) -> BusinessCalendar:
        """The calendar a target's durations are measured on."""
        return self.calendars[target.calendar]


# -- durations ------------------------------------------------------------------------------


def parse_duration(value: object, *, where: str = "duration") -> float:
    """Seconds in a duration written as ``"1h30m"`` (units d, h, m, s) or a number of seconds.

    ``d`` is 24 hours. The result must be positive. ``where`` prefixes error messages.

    >>> parse_duration("1h30m"), parse_duration("2d"), parse_duration(90), parse_duration(0.5)
    (5400.0, 172800.0, 90.0, 0.5)
    >>> parse_duration("1.5h", where="targets[0].resolution")
    Traceback (most recent call last):
    ...
    ValueError: targets[0].resolution: bad duration '1.5h'; expected a string such as "90s", "30m", "4h", "1h30m", "2d" (units d, h, m, s in that order, whole numbers) or a number of seconds
    """
    seconds: float | None = None
    if isinstance(value, bool):
        seconds = None
    elif isinstance(value, int | float):
        seconds = float(value) if math.isfinite(value) else None
    elif isinstance(value, str) and value and (m := _DURATION_RE.match(value)):
        seconds = float(sum(int(n or 0) * unit for n, (_, unit) in zip(m.groups(), _UNITS,
                                                                       strict=True)))
    if seconds is None:
        raise ValueError(f"{where}: bad duration {value!r}; expected {_DURATION_FORMS}")
    if seconds <= 0:
        raise ValueError(f"{where}: duration {value!r} must be positive")
    return seconds


def format_duration(seconds: float) -> str | float:
    """The shortest duration string for whole seconds (``5400 -> "1h30m"``), else the number.

    >>> format_duration(5400), format_duration(172800), format_duration(0.5)
    ('1h30m', '2d', 0.5)
    """
    if seconds != int(seconds) or seconds <= 0:
        return seconds
    rest, parts = int(seconds), []
    for name, unit in _UNITS:
        n, rest = divmod(rest, unit)
        if n:
            parts.append(f"{n}{name}")
    return "".join(parts)


# -- reading --------------------------------------------------------------------------------


def read_policy(path: str | Path) -> SlaPolicy:
    """Read and validate an SLA policy file (UTF-8 TOML).

    The only function here that touches the file system. Errors are ``ValueError`` messages
    that start with the file's path.
    """
    path = Path(path)
    return parse_policy(path.read_text(encoding="utf-8"), source=str(path))


def parse_policy(text: str, *, source: str = "<string>") -> SlaPolicy:
    """Parse and validate an SLA policy from TOML text; ``source`` prefixes error messages.

    >>> parse_policy("[milestones]\\nresolved = ['Done']", source="sla.toml")
    Traceback (most recent call last):
    ...
    ValueError: sla.toml: missing [calendars]: define at least one calendar
    """
    return policy_from_dict(toml_table(text, source=source), source=source)


def toml_table(text: str, *, source: str) -> dict[str, Any]:
    """TOML text as a dict; a ``ValueError`` starting with ``source`` when it is not TOML (the
    policy's and the triage configuration's one reader)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{source}: not valid TOML: {exc}") from None


def policy_from_dict(d: Mapping[str, Any], *, source: str = "<dict>") -> SlaPolicy:
    """Validate the dict form of a policy (what :mod:`tomllib` returns) into an :class:`SlaPolicy`.

    Raises ``ValueError`` naming ``source`` and the offending key, listing the allowed keys
    or values where the set is closed.
    """
    if not isinstance(d, Mapping):
        raise ValueError(f"{source}: expected a table; got {type(d).__name__}")
    _check_keys(source, "top-level", d, _TOP_KEYS)
    if not d.get("calendars"):
        raise ValueError(f"{source}: missing [calendars]: define at least one calendar")
    if "milestones" not in d:
        raise ValueError(f"{source}: missing [milestones]: at least `resolved` is needed")
    if not d.get("targets"):
        raise ValueError(f"{source}: missing [[targets]]: define at least one target")
    calendars = _calendars(source, d["calendars"])
    milestones = _milestones(source, d["milestones"])
    reopen = _reopen(source, d.get("reopen", {}))
    targets = _targets(source, d["targets"], calendars)
    return SlaPolicy(calendars=calendars, milestones=milestones, targets=targets, reopen=reopen)


def _check_keys(source: str, where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for key in table:
        if key not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            raise ValueError(
                f"{source}: {where}: unknown key {key!r}; allowed keys are {choices}"
            )


def _table(source: str, where: str, value: object) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{source}: {where}: expected a table; got {value!r}")
    return value


def _calendars(source: str, value: object) -> dict[str, BusinessCalendar]:
    out = {}
    for name, table in _table(source, "[calendars]", value).items():
        try:
            out[name] = BusinessCalendar.from_dict(name, table)
        except ValueError as exc:
            raise ValueError(f"{source}: {exc}") from None
    return out


def _names(source: str, where: str, value: object) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) and v for v in items):
        raise ValueError(
            f"{source}: {where}: expected a list of activity names such as "
            f'["Resolve ticket"]; got {value!r}'
        )
    if len(set(items)) != len(items):
        dup = next(v for v in items if items.count(v) > 1)
        raise ValueError(f"{source}: {where}: activity {dup!r} is listed twice")
    return tuple(items)


def _milestones(source: str, value: object) -> Milestones:
    table = _table(source, "[milestones]", value)
    _check_keys(source, "[milestones]", table, MILESTONE_KINDS)
    lists = {k: _names(source, f"milestones.{k}", v) for k, v in table.items()}
    if not lists.get("resolved"):
        raise ValueError(
            f"{source}: milestones.resolved: list at least one activity that resolves a case"
        )
    return Milestones(**lists)


def _reopen(source: str, value: object) -> ReopenRule:
    table = _table(source, "[reopen]", value)
    _check_keys(source, "[reopen]", table, _REOPEN_KEYS)
    ignore = table.get("ignore_thank_you", False)
    if not isinstance(ignore, bool):
        raise ValueError(
            f"{source}: reopen.ignore_thank_you: expected true or false; got {ignore!r}"
        )
    window = table.get("thank_you_window")
    seconds = (ReopenRule.thank_you_window_s if window is None
               else parse_duration(window, where=f"{source}: reopen.thank_you_window"))
    return ReopenRule(ignore_thank_you=ignore, thank_you_window_s=seconds)


def _when(source: str, where: str, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    table = _table(source, where, value)
    out = []
    for attr, allowed in table.items():
        items = allowed if isinstance(allowed, list) else [allowed]
        if not items:
            raise ValueError(f"{source}: {where}.{attr}: the list of values is empty")
        values = []
        for v in items:
            if isinstance(v, bool) or not isinstance(v, str | int):
                raise ValueError(
                    f"{source}: {where}.{attr}: values must be strings or integers; got "
                    f'{v!r} (write it as a string, e.g. "{v}")'
                )
            values.append(str(v))
        out.append((attr, tuple(dict.fromkeys(values))))
    return tuple(out)


def _target(source: str, i: int, value: object, calendars: Mapping[str, Any]) -> SlaTarget:
    table = _table(source, f"targets[{i}]", value)
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise ValueError(f"{source}: targets[{i}]: missing `name` (a non-empty string)")
    where = f"targets[{i}] ({name!r})"
    _check_keys(source, where, table, _TARGET_KEYS)
    cal = table.get("calendar")
    if cal not in calendars:
        defined = ", ".join(repr(c) for c in calendars)
        got = "missing `calendar`" if cal is None else f"unknown calendar {cal!r}"
        raise ValueError(f"{source}: {where}: {got}; defined calendars are {defined}")
    durations = {
        key: parse_duration(table[key], where=f"{source}: {where}.{key}")
        if key in table else None
        for key in ("first_response", "resolution")
    }
    if durations == {"first_response": None, "resolution": None}:
        raise ValueError(f"{source}: {where}: give `first_response`, `resolution` or both")
    return SlaTarget(
        name=name,
        when=_when(source, f"{where}.when", table.get("when", {})),
        calendar=cal,
        first_response_s=durations["first_response"],
        resolution_s=durations["resolution"],
    )


def _shadows(earlier: SlaTarget, later: SlaTarget) -> bool:
    """True when every case ``later`` matches is matched by ``earlier`` first."""
    conditions = dict(later.when)
    return all(
        attr in conditions and set(conditions[attr]) <= set(values)
        for attr, values in earlier.when
    )


def _targets(source: str, value: object, calendars: Mapping[str, Any]) -> tuple[SlaTarget, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{source}: targets: expected an array of tables ([[targets]])")
    targets = [_target(source, i, t, calendars) for i, t in enumerate(value)]
    for j, later in enumerate(targets):
        for i, earlier in enumerate(targets[:j]):
            if earlier.name == later.name:
                raise ValueError(
                    f"{source}: targets[{j}]: name {later.name!r} is already used by targets[{i}]"
                )
            if _shadows(earlier, later):
                raise ValueError(
                    f"{source}: targets[{j}] ({later.name!r}) can never apply: every case it "
                    f"matches is matched first by targets[{i}] ({earlier.name!r})"
                )
    return tuple(targets)


# -- matching -------------------------------------------------------------------------------


def _as_text(value: object) -> str | None:
    """A case attribute as compared with ``when`` values: ``None`` when missing."""
    if value is None or isinstance(value, str):
        return value
    if not isinstance(value, list | tuple | dict | set | np.ndarray) and pd.isna(value):
        return None
    return str(value)


def match_target(policy: SlaPolicy, attributes: Mapping[str, object]) -> SlaTarget | None:
    """The first target of ``policy`` whose ``when`` matches a case's attributes, or ``None``.

    Attribute values are compared as strings (non-strings through ``str()``, so a float
    ``1.0`` is ``"1.0"`` and does not match ``"1"``); missing keys, ``None`` and NaN never
    match.

    >>> p = policy_from_dict({"calendars": {"c": {"timezone": "UTC", "mon": ["09:00-17:00"]}},
    ...     "milestones": {"resolved": ["Resolve"]},
    ...     "targets": [{"name": "vip", "when": {"customer": ["ACME", "Initech"], "priority": 1},
    ...                  "calendar": "c", "resolution": "4h"}]})
    >>> match_target(p, {"customer": "ACME", "priority": "1"}).name
    'vip'
    >>> match_target(p, {"customer": "ACME"}) is None
    True
    """
    for target in policy.targets:
        if all(_as_text(attributes.get(attr)) in values for attr, values in target.when):
            return target
    return None


def _column_matches(column: pd.Series, values: tuple[str, ...]) -> np.ndarray:
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    ok = np.array([_as_text(u) in values for u in uniques] + [False], dtype=bool)
    return ok[codes]  # the sentinel -1 picks the trailing False


def assign_targets(policy: SlaPolicy, cases: pd.DataFrame) -> pd.Series:
    '''The name of each case's target (first match wins), vectorised over a cases frame.

    Columns of ``cases`` are case attributes (e.g. ``priority``, ``channel``); a ``when``
    attribute that is not a column never matches, like a missing key in
    :func:`match_target`, whose result this equals row by row.

    Returns
    -------
    pandas.Series
        Named ``sla_target``, indexed like ``cases``, object dtype: the target's name, or
        ``None`` where no target matches.

    >>> p = parse_policy("""
    ... [calendars.c]
    ... timezone = "UTC"
    ... mon = ["09:00-17:00"]
    ... [milestones]
    ... resolved = ["Resolve"]
    ... [[targets]]
    ... name = "P1"
    ... when = { priority = 1 }
    ... calendar = "c"
    ... resolution = "4h"
    ... """)
    >>> assign_targets(p, pd.DataFrame({"priority": ["1", "2", None]})).tolist()
    ['P1', None, None]
    '''
    result = np.full(len(cases), None, dtype=object)
    todo = np.ones(len(cases), dtype=bool)
    for target in policy.targets:
        hit = todo.copy()
        for attr, values in target.when:
            if attr not in cases.columns:
                hit[:] = False
                break
            hit &= _column_matches(cases[attr], values)
        result[hit] = target.name
        todo &= ~hit
    return pd.Series(result, index=cases.index, name=SLA_TARGET, dtype=object)


# -- writing --------------------------------------------------------------------------------


def policy_to_dict(policy: SlaPolicy) -> dict[str, Any]:
    """The dict form of a policy: ``policy_from_dict(policy_to_dict(p)) == p``.

    Durations are written as strings such as ``"1h30m"`` (numbers when not whole seconds);
    a single ``when`` value is written as a string, several as a list.
    """
    milestones = {
        f.name: list(getattr(policy.milestones, f.name))
        for f in fields(policy.milestones) if getattr(policy.milestones, f.name)
    }
    reopen = {
        "ignore_thank_you": policy.reopen.ignore_thank_you,
        "thank_you_window": format_duration(policy.reopen.thank_you_window_s),
    }
    return {
        "calendars": {name: cal.to_dict() for name, cal in policy.calendars.items()},
        "milestones": milestones,
        "reopen": reopen,
        "targets": [_target_to_dict(t) for t in policy.targets],
    }


def _target_to_dict(target: SlaTarget) -> dict[str, Any]:
    out: dict[str, Any] = {"name": target.name}
    if target.when:
        out["when"] = {a: v[0] if len(v) == 1 else list(v) for a, v in target.when}
    out["calendar"] = target.calendar
    if target.first_response_s is not None:
        out["first_response"] = format_duration(target.first_response_s)
    if target.resolution_s is not None:
        out["resolution"] = format_duration(target.resolution_s)
    return out


def to_toml(policy: SlaPolicy) -> str:
    """The policy as TOML text, e.g. to show the active policy; parses back to an equal policy.

    >>> p = policy_from_dict({"calendars": {"c": {"timezone": "UTC", "mon": ["09:00-17:00"]}},
    ...     "milestones": {"resolved": ["Resolve"]},
    ...     "targets": [{"name": "all", "calendar": "c", "resolution": 5400}]})
    >>> print(to_toml(p))
    [calendars.c]
    timezone = "UTC"
    mon = ["09:00-17:00"]
    <BLANKLINE>
    [milestones]
    resolved = ["Resolve"]
    <BLANKLINE>
    [reopen]
    ignore_thank_you = false
    thank_you_window = "2h"
    <BLANKLINE>
    [[targets]]
    name = "all"
    calendar = "c"
    resolution = "1h30m"
    <BLANKLINE>
    """
    d = policy_to_dict(policy)
    blocks = [_toml_table(f"calendars.{_toml_key(n)}", c) for n, c in d["calendars"].items()]
    blocks.append(_toml_table("milestones", d["milestones"]))
    blocks.append(_toml_table("reopen", d["reopen"]))
    blocks += [_toml_table("targets", t, array=True) for t in d["targets"]]
    return "\n".join(blocks)


def _toml_table(header: str, table: Mapping[str, Any], *, array: bool = False) -> str:
    head = f"[[{header}]]" if array else f"[{header}]"
    lines = [head] + [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON escapes are valid TOML basic-string escapes; TOML also forbids a raw DEL
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007F")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {value!r} as TOML")
