"""Filter flags shared by every ``deskmine`` command that reads a log.

``add_filter_arguments(parser)`` adds the flags; ``filter_from_args(args)`` turns them into one
:class:`~pipelines.mining.filters.Filter` (or ``None`` when no flag is given); the command then
narrows its log with :func:`~pipelines.mining.filters.apply_filter`. Every flag is one clause, all
ANDed; repeating a flag adds another clause (``--where`` twice = both conditions).

Syntax: ``KEY=V1,V2`` lists split on ``,`` after the first ``=``; a literal ``,``, ``=`` or ``\\``
is written ``\\,``, ``\\=``, ``\\\\``. Durations are seconds (``90``) or amounts with units
``s m h d w`` (``30m``, ``4h``, ``2d``, ``1h30m``). Times are ISO 8601; a time without a zone is UTC.
Directly-follows pairs are ``"A>>B"`` (spaces around ``>>`` are ignored).

Bad values raise ``argparse`` errors (per flag) or ``ValueError`` (across flags, e.g. start after
end); both end the CLI with exit status 2 and a one-line reason.

Example
-------
>>> import argparse
>>> p = argparse.ArgumentParser()
>>> add_filter_arguments(p)
>>> filter_from_args(p.parse_args(["--where", "priority=P1,P2", "--max-duration", "4h"])).describe()
['priority is P1 or P2', 'duration is at most 4h']
"""

from __future__ import annotations

import argparse
import re

from pipelines.mining.filters import (
    TIME_MODES,
    Activities,
    CaseAttribute,
    CaseDuration,
    Clause,
    DirectlyFollows,
    EndActivities,
    EventAttribute,
    Filter,
    StartActivities,
    TimeRange,
    Variants,
)

__all__ = ["add_filter_arguments", "filter_from_args", "parse_duration", "parse_follows", "parse_key_values"]

FOLLOWS_SEPARATOR = ">>"
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_AMOUNT = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*([smhdw])", re.IGNORECASE)


def parse_duration(text: str) -> float:
    """Seconds from ``"90"``, ``"1.5"``, ``"30m"``, ``"4h"``, ``"2d"``, ``"1h30m"``, ``"1w"``.

    >>> parse_duration("90"), parse_duration("30m"), parse_duration("1h 30m"), parse_duration("2d")
    (90.0, 1800.0, 5400.0, 172800.0)
    """
    s = text.strip()
    try:
        value = float(s)
    except ValueError:
        pos, total = 0, 0.0
        compact = re.sub(r"\s+", "", s)
        for m in _AMOUNT.finditer(compact):
            if m.start() != pos:
                break
            total += float(m.group(1)) * _UNITS[m.group(2).lower()]
            pos = m.end()
        if not compact or pos != len(compact):
            raise argparse.ArgumentTypeError(
                f"cannot read {text!r} as a duration: give seconds (90) or amounts with units s, m, h, d, w (30m, 4h, 1h30m)"
            ) from None
        return total
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise argparse.ArgumentTypeError(f"a duration must be a non-negative number of seconds; got {text!r}")
    return value


def _split_escaped(text: str, sep: str, maxsplit: int = -1) -> list[str]:
    """Split on ``sep`` except where escaped with a backslash; unescape ``\\x`` to ``x``."""
    parts, cur, i = [], [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])  # keep escaped for later splits; unescaped below
            i += 2
            continue
        if ch == sep and (maxsplit < 0 or len(parts) < maxsplit):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
        i += 1
    parts.append("".join(cur))
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_key_values(text: str) -> tuple[str, tuple[str, ...]]:
    """``"KEY=V1,V2"`` -> ``("KEY", ("V1", "V2"))`` (``\\,`` ``\\=`` ``\\\\`` escape).

    >>> parse_key_values("priority=P1,P2")
    ('priority', ('P1', 'P2'))
    >>> parse_key_values(r"odd\\=key=a\\,b,c")
    ('odd=key', ('a,b', 'c'))
    """
    pieces = _split_escaped(text, "=", maxsplit=1)
    if len(pieces) != 2 or not pieces[0]:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE[,VALUE...]; got {text!r}")
    key, rest = _unescape(pieces[0]), pieces[1]
    values = tuple(_unescape(v) for v in _split_escaped(rest, ","))
    if any(v == "" for v in values):
        raise argparse.ArgumentTypeError(f"empty value in {text!r}: give KEY=VALUE[,VALUE...]")
    return key, values


def parse_follows(text: str) -> tuple[str, str]:
    """``"A>>B"`` -> ``("A", "B")`` (spaces around ``>>`` ignored).

    >>> parse_follows("Assign >> Resolve ticket")
    ('Assign', 'Resolve ticket')
    """
    pieces = text.split(FOLLOWS_SEPARATOR)
    if len(pieces) != 2 or not pieces[0].strip() or not pieces[1].strip():
        raise argparse.ArgumentTypeError(
            f"expected SOURCE>>TARGET (exactly one '>>'), e.g. \"Assign>>Resolve\"; got {text!r}"
        )
    return pieces[0].strip(), pieces[1].strip()


def _variant_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a variant id is a positive integer (1 = most frequent); got {text!r}")
    return value


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the filter flags (one argument group, "filters") to ``parser``."""
    g = parser.add_argument_group(
        "filters", "keep only the cases that pass every given condition (flags combine with AND)"
    )
    g.add_argument("--start", metavar="TIME",
                   help="time window start, ISO 8601 (2024-03-01, 2024-03-01T09:00+01:00); no zone = UTC")
    g.add_argument("--end", metavar="TIME", help="time window end, inclusive (same format as --start)")
    g.add_argument("--time-mode", choices=TIME_MODES,
                   help="how a case's span must meet the window: contained (runs inside), intersecting "
                        "(open at some time in it; default), started (first event in it), completed "
                        "(last event in it)")
    g.add_argument("--where", action="append", type=parse_key_values, default=[], metavar="KEY=V1,V2",
                   help="case attribute KEY (priority, channel, category, team = last team, customer, "
                        "case_id, or a case attribute of the log) is one of the values; repeatable; "
                        r"escape ',' '=' '\' with '\'")
    g.add_argument("--where-not", action="append", type=parse_key_values, default=[], metavar="KEY=V1,V2",
                   help="case attribute KEY is none of the values (cases without a value are kept); repeatable")
    g.add_argument("--event-where", action="append", type=parse_key_values, default=[], metavar="KEY=V1,V2",
                   help="some event's KEY (activity, resource, team, lifecycle, or an event attribute) is "
                        "one of the values; repeatable")
    g.add_argument("--event-where-not", action="append", type=parse_key_values, default=[], metavar="KEY=V1,V2",
                   help="no event's KEY is one of the values; repeatable")
    g.add_argument("--variant", action="append", type=_variant_id, default=[], metavar="ID",
                   help="keep cases of this variant (1 = most frequent of the whole log); repeat for several")
    g.add_argument("--min-duration", type=parse_duration, metavar="DUR",
                   help="case lasts at least DUR: seconds or 30m, 4h, 2d, 1h30m (last minus first event)")
    g.add_argument("--max-duration", type=parse_duration, metavar="DUR", help="case lasts at most DUR")
    g.add_argument("--has-activity", action="append", default=[], metavar="NAME",
                   help="case has an event of activity NAME; repeat: all of them are required")
    g.add_argument("--lacks-activity", action="append", default=[], metavar="NAME",
                   help="case has no event of activity NAME; repeat: none of them may occur")
    g.add_argument("--starts-with", action="append", default=[], metavar="NAME",
                   help="case's first activity is NAME; repeat: any of them")
    g.add_argument("--ends-with", action="append", default=[], metavar="NAME",
                   help="case's last activity is NAME; repeat: any of them")
    g.add_argument("--follows", action="append", type=parse_follows, default=[], metavar="A>>B",
                   help='activity A is directly followed by B somewhere in the case, e.g. "Assign>>Resolve"; repeatable')
    g.add_argument("--not-follows", action="append", type=parse_follows, default=[], metavar="A>>B",
                   help="A is never directly followed by B in the case; repeatable")


def filter_from_args(args: argparse.Namespace) -> Filter | None:
    """The :class:`Filter` the flags describe, or ``None`` when no filter flag was given.

    Raises ValueError when flags contradict each other (start after end, min above max).
    """
    clauses: list[Clause] = []
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    mode = getattr(args, "time_mode", None)
    if start is not None or end is not None:
        clauses.append(TimeRange(start, end, mode or "intersecting"))
    elif mode is not None:
        raise ValueError("--time-mode needs --start, --end or both")
    clauses += [CaseAttribute(k, v) for k, v in getattr(args, "where", [])]
    clauses += [CaseAttribute(k, v, exclude=True) for k, v in getattr(args, "where_not", [])]
    clauses += [EventAttribute(k, v) for k, v in getattr(args, "event_where", [])]
    clauses += [EventAttribute(k, v, exclude=True) for k, v in getattr(args, "event_where_not", [])]
    if getattr(args, "variant", []):
        clauses.append(Variants(args.variant))
    lo, hi = getattr(args, "min_duration", None), getattr(args, "max_duration", None)
    if lo is not None or hi is not None:
        clauses.append(CaseDuration(lo, hi))
    if getattr(args, "has_activity", []):
        clauses.append(Activities(args.has_activity, "all"))
    if getattr(args, "lacks_activity", []):
        clauses.append(Activities(args.lacks_activity, "none"))
    if getattr(args, "starts_with", []):
        clauses.append(StartActivities(args.starts_with))
    if getattr(args, "ends_with", []):
        clauses.append(EndActivities(args.ends_with))
    clauses += [DirectlyFollows(a, b) for a, b in getattr(args, "follows", [])]
    clauses += [DirectlyFollows(a, b, exclude=True) for a, b in getattr(args, "not_follows", [])]
    return Filter(tuple(clauses)) if clauses else None
