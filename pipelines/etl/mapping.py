"""Decide which source column plays which role (pure; like Disco's import screen).

Order of precedence, per role:

1. an explicit override (``--case-id COL`` ...) always wins;
2. a known name: XES keys, pm4py's names, ``Case ID``/``Activity``/``Timestamp``-style headers
   and the field names of ticketing-system exports (ServiceNow, Zendesk, Jira Service Management,
   Freshdesk); names are compared case- and punctuation-insensitively;
3. for the three required roles, the content: the column whose values parse as timestamps, the
   column with many values that groups rows into cases, the column with few values that changes
   within cases.

Every choice carries a reason, shown in the ingest summary and stored with the log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from pipelines import schema
from pipelines.etl.errors import IngestError

# role -> [(normalised name, where the name comes from)], most specific first
_KNOWN: dict[str, list[tuple[str, str]]] = {
    schema.CASE_ID: [
        ("caseconceptname", "XES/pm4py"), ("caseid", "common"), ("case", "common"), ("casenumber", "common"),
        ("ticketid", "Zendesk/Freshdesk"), ("ticketnumber", "common"), ("ticketno", "common"), ("ticket", "common"),
        ("incidentid", "common"), ("incidentnumber", "common"), ("number", "ServiceNow"),
        ("documentkey", "ServiceNow audit"), ("issuekey", "Jira"), ("issueid", "Jira"), ("requestid", "common"),
        ("srnumber", "common"), ("caseno", "common"), ("processinstance", "common"),
    ],
    schema.ACTIVITY: [
        ("conceptname", "XES/pm4py"), ("activity", "common"), ("activityname", "common"),
        ("activitytype", "common"), ("eventname", "common"), ("event", "common"), ("action", "common"),
        ("task", "common"), ("taskname", "common"), ("step", "common"), ("operation", "common"),
        ("tostatus", "Jira changelog"), ("tostring", "Jira changelog"), ("newstatus", "common"),
        ("status", "Freshdesk/Zendesk"), ("state", "ServiceNow"),
    ],
    schema.TIMESTAMP: [
        ("timetimestamp", "XES/pm4py"), ("timestamp", "common"), ("completetimestamp", "Disco"),
        ("endtimestamp", "Disco"), ("eventtime", "common"), ("eventtimestamp", "common"), ("datetime", "common"),
        ("time", "common"), ("date", "common"), ("eventdate", "common"), ("createdat", "Zendesk/Freshdesk"),
        ("syscreatedon", "ServiceNow"), ("created", "Jira changelog"), ("changed", "common"),
        ("updatedat", "Zendesk/Freshdesk"), ("sysupdatedon", "ServiceNow"), ("occurredat", "common"),
        ("loggedat", "common"), ("modifiedat", "common"), ("datecreated", "common"),
    ],
    schema.RESOURCE: [
        ("orgresource", "XES/pm4py"), ("resource", "common"), ("user", "common"), ("username", "common"),
        ("agent", "common"), ("agentname", "Freshdesk"), ("assignee", "Jira/Zendesk"), ("assignedto", "ServiceNow"),
        ("author", "Jira changelog"), ("performer", "common"), ("actor", "common"), ("owner", "common"),
        ("employee", "common"), ("operator", "common"), ("handledby", "common"), ("sysupdatedby", "ServiceNow"),
        ("syscreatedby", "ServiceNow"), ("updatedby", "common"), ("executor", "common"),
    ],
    schema.LIFECYCLE: [
        ("lifecycletransition", "XES/pm4py"), ("lifecycle", "common"), ("transition", "common"),
        ("lifecyclestate", "common"), ("eventtype", "common"),
    ],
    schema.TEAM: [
        ("orggroup", "XES/pm4py"), ("team", "common"), ("assignmentgroup", "ServiceNow"), ("group", "Zendesk/Freshdesk"),
        ("groupname", "common"), ("queue", "common"), ("workgroup", "common"), ("supportgroup", "common"),
        ("agentgroup", "common"), ("resolvergroup", "common"), ("supportteam", "common"), ("orgrole", "XES"),
    ],
    schema.PRIORITY: [
        ("priority", "common"), ("casepriority", "common"), ("prio", "common"), ("urgency", "ServiceNow"),
        ("severity", "common"), ("seriousness", "common"), ("impact", "ServiceNow"),
    ],
    schema.CHANNEL: [
        ("channel", "common"), ("contacttype", "ServiceNow"), ("via", "Zendesk"), ("viachannel", "Zendesk"),
        ("source", "Freshdesk"), ("origin", "common"), ("contactchannel", "common"), ("medium", "common"),
    ],
    schema.CATEGORY: [
        ("category", "common"), ("ticketcategory", "common"), ("tickettype", "common"), ("type", "Zendesk/Freshdesk"),
        ("issuetype", "Jira"), ("requesttype", "Jira Service Management"), ("servicetype", "common"),
        ("problemtype", "common"), ("topic", "common"), ("subcategory", "ServiceNow"),
    ],
    schema.CUSTOMER: [
        ("customer", "common"), ("customerid", "common"), ("customername", "common"), ("requester", "Zendesk"),
        ("requesterid", "Zendesk"), ("caller", "ServiceNow"), ("callerid", "ServiceNow"), ("client", "common"),
        ("account", "common"), ("organization", "Zendesk"), ("company", "ServiceNow"), ("reporter", "Jira"),
        ("contact", "Freshdesk"),
    ],
}


def normalise(name: str) -> str:
    """Lowercase, strip a ``case:`` prefix (except for ``case:concept:name``), drop punctuation.

    >>> normalise("Complete Timestamp"), normalise("case:channel"), normalise("case:concept:name")
    ('completetimestamp', 'channel', 'caseconceptname')
    """
    low = name.strip().lower()
    if low.startswith(schema.CASE_ATTRIBUTE_PREFIX) and low != "case:concept:name":
        low = low[len(schema.CASE_ATTRIBUTE_PREFIX):]
    return re.sub(r"[^a-z0-9]", "", low)


@dataclass(frozen=True)
class ColumnMapping:
    """Role -> source column, with why; ``attributes`` are the remaining columns, kept as attributes."""

    roles: Mapping[str, str]
    reasons: Mapping[str, str]
    attributes: tuple[str, ...]
    notes: tuple[str, ...] = ()

    def column(self, role: str) -> str | None:
        return self.roles.get(role)

    def to_dict(self) -> dict:
        return {role: {"column": col, "reason": self.reasons[role]} for role, col in self.roles.items()}

    def describe(self) -> list[str]:
        """One line per mapped role, for the summary."""
        return [f"{role:<10} <- {col!r} ({self.reasons[role]})" for role, col in self.roles.items()]


@dataclass(frozen=True)
class ColumnProfile:
    """What the loader measured about one column over the whole file."""

    name: str
    non_null: int
    distinct: int
    timestamp_share: float = 0.0  # share of sampled values that parse as timestamps
    numeric_share: float = 0.0


@dataclass
class _Choice:
    roles: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


def choose_mapping(
    columns: list[str],
    profiles: Mapping[str, ColumnProfile],
    rows: int,
    sample: pd.DataFrame,
    *,
    overrides: Mapping[str, str] | None = None,
    file: str | None = None,
    within_case_variation: Callable[[str, str], float] | None = None,
) -> ColumnMapping:
    """Map source columns to roles (see the module docstring); raise IngestError when impossible.

    ``sample`` holds the first rows of the source (strings) and decides the content rules when
    ``within_case_variation`` (share of cases in which a column takes more than one value) is not
    given.
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    choice = _Choice()
    for role, col in overrides.items():
        schema.check_choice("role", role, schema.ROLES)
        if col not in columns:
            flag = "--" + role.replace("_", "-")
            raise IngestError(f"unknown column {col!r} given to {flag}", file=file,
                              hint="columns are: " + ", ".join(repr(c) for c in columns))
        _take(choice, role, col, "given explicitly")
    by_norm: dict[str, list[str]] = {}
    for col in columns:
        by_norm.setdefault(normalise(col), []).append(col)
    for role in schema.ROLES:
        if role in choice.roles:
            continue
        for norm, origin in _KNOWN[role]:
            free = [c for c in by_norm.get(norm, []) if c not in choice.roles.values()]
            free = _prefer_event_level(free)
            if free and _usable(role, free[0], profiles, rows):
                _take(choice, role, free[0], f"known name ({origin})")
                break
    variation = within_case_variation or _sample_variation(sample)
    _content_rules(choice, columns, profiles, rows, variation, file, sample)
    notes = _notes(choice, columns, profiles)
    used = set(choice.roles.values())
    ordered = {r: choice.roles[r] for r in schema.ROLES if r in choice.roles}
    return ColumnMapping(
        roles=ordered, reasons={r: choice.reasons[r] for r in ordered},
        attributes=tuple(c for c in columns if c not in used), notes=tuple(notes),
    )


def _take(choice: _Choice, role: str, col: str, reason: str) -> None:
    if col in choice.roles.values():
        other = next(r for r, c in choice.roles.items() if c == col)
        raise IngestError(f"column {col!r} cannot be both {other} and {role}")
    choice.roles[role] = col
    choice.reasons[role] = reason


def _prefer_event_level(cols: list[str]) -> list[str]:
    """``org:group`` before ``case:group``: a role found on events beats the same name on cases."""
    return sorted(cols, key=lambda c: c.lower().startswith(schema.CASE_ATTRIBUTE_PREFIX) and c != "case:concept:name")


def _usable(role: str, col: str, profiles: Mapping[str, ColumnProfile], rows: int) -> bool:
    prof = profiles.get(col)
    if prof is None:
        return True
    if prof.non_null == 0:
        return False
    if role == schema.TIMESTAMP:
        return prof.timestamp_share >= 0.5 or prof.numeric_share >= 0.99
    if role == schema.CASE_ID:
        return prof.distinct < rows or rows <= 1
    if role == schema.ACTIVITY:
        return prof.timestamp_share < 0.5
    return True


def _content_rules(choice, columns, profiles, rows, variation, file, sample) -> None:
    free = lambda: [c for c in columns if c not in choice.roles.values()]  # noqa: E731
    if schema.TIMESTAMP not in choice.roles:
        cands = [c for c in free() if profiles[c].timestamp_share >= 0.9 and profiles[c].numeric_share < 0.5]
        named = [c for c in free() if normalise(c) in {n for n, _ in _KNOWN[schema.TIMESTAMP]}]
        if not cands and named:
            values = sample[named[0]].dropna() if named[0] in sample else pd.Series(dtype="string")
            example = f" (e.g. {values.iloc[0]!r})" if len(values) else ""
            raise IngestError(f"every timestamp is unparseable: no value of the column is a date and time{example}",
                              file=file, column=named[0],
                              hint="pass --timestamp-format (strftime, e.g. '%d/%m/%Y %H:%M') or --timestamp COL")
        if not cands:
            raise IngestError("no column holds timestamps (none parses as dates)", file=file,
                              hint="pass --timestamp COL (and --timestamp-format FMT); columns: "
                              + ", ".join(repr(c) for c in columns))
        best = max(cands, key=lambda c: (profiles[c].timestamp_share, profiles[c].distinct))
        _take(choice, schema.TIMESTAMP, best,
              f"by content: {profiles[best].timestamp_share:.0%} of sampled values parse as timestamps")
    if schema.CASE_ID not in choice.roles:
        cands = [c for c in free() if 2 <= profiles[c].distinct <= 0.9 * rows and profiles[c].timestamp_share < 0.5]
        if not cands:
            raise IngestError("no column can be the case id (none has values shared by several rows)", file=file,
                              hint="pass --case-id COL; columns: " + ", ".join(repr(c) for c in columns))
        best = max(cands, key=lambda c: profiles[c].distinct)
        per = rows / profiles[best].distinct
        _take(choice, schema.CASE_ID, best,
              f"by content: {profiles[best].distinct:,} distinct values group {rows:,} rows ({per:.1f} rows per case)")
    if schema.ACTIVITY not in choice.roles:
        case_col = choice.roles[schema.CASE_ID]
        cands = [
            c for c in free()
            if 2 <= profiles[c].distinct <= max(2, min(2000, rows // 2))
            and profiles[c].timestamp_share < 0.5 and profiles[c].numeric_share < 0.5
        ]
        scored = [(variation(c, case_col), -profiles[c].distinct, c) for c in cands]
        scored = [s for s in scored if s[0] > 0]
        if not scored:
            raise IngestError("no column can be the activity (none has few values that change within cases)",
                              file=file, hint="pass --activity COL; columns: " + ", ".join(repr(c) for c in columns))
        scored.sort(reverse=True)
        var, _, best = scored[0]
        reason = (f"by content: {profiles[best].distinct:,} distinct values, changes within {var:.0%} of cases")
        if len(scored) > 1 and scored[1][0] >= 0.8 * var:
            reason += f"; {scored[1][2]!r} also fits (pass --activity to choose)"
        _take(choice, schema.ACTIVITY, best, reason)


def _sample_variation(sample: pd.DataFrame) -> Callable[[str, str], float]:
    def variation(col: str, case_col: str) -> float:
        if sample.empty:
            return 0.0
        n = sample.groupby(case_col, sort=False, dropna=True)[col].nunique(dropna=True)
        return float((n > 1).mean()) if len(n) else 0.0

    return variation


def _notes(choice: _Choice, columns: list[str], profiles: Mapping[str, ColumnProfile]) -> list[str]:
    notes = []
    for role in schema.REQUIRED_ROLES:
        col = choice.roles[role]
        for norm, _ in _KNOWN[role][:3]:
            others = [c for c in columns if normalise(c) == norm and c != col and c not in choice.roles.values()]
            if others and choice.reasons[role] != "given explicitly":
                notes.append(f"{role}: {col!r} chosen; {others[0]!r} also looks like one (override with "
                             f"--{role.replace('_', '-')})")
    return notes
