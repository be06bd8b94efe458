"""The SLA policy the sample logs are scored against, and its TOML rendering.

The policy is the contract between the simulator's truth tables and deskmine's SLA engine:
``sample_logs/sla_policy.toml`` is :func:`policy_toml` of :func:`default_policy`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .calendar import CalendarSpec, always_spec, italian_holidays, office_spec

_DURATION = re.compile(r"^(\d+)([smh])$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600}


def parse_duration(text: str) -> int:
    """``"30m"`` -> 1800. Units: ``s``, ``m``, ``h`` (working time of the target's calendar).

    >>> parse_duration("30m"), parse_duration("40h")
    (1800, 144000)
    """
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"duration must look like '30m', '4h' or '90s'; got {text!r}")
    return int(m.group(1)) * _UNIT_S[m.group(2)]


@dataclass(frozen=True)
class SlaTarget:
    """One ``[[targets]]`` entry: the first target whose ``when`` matches a case applies."""

    name: str
    when: tuple[tuple[str, str], ...]  # (case attribute, value) pairs, all must match; () = any
    calendar: str
    first_response: str
    resolution: str

    @property
    def first_response_s(self) -> int:
        return parse_duration(self.first_response)

    @property
    def resolution_s(self) -> int:
        return parse_duration(self.resolution)


@dataclass(frozen=True)
class SlaPolicy:
    calendars: dict[str, CalendarSpec]
    targets: tuple[SlaTarget, ...]
    milestones: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "first_response": ("First response",),
            "resolved": ("Resolve ticket",),
            "closed": ("Close ticket",),
            "reopened": ("Reopen ticket",),
            "pause": ("Request information",),
        }
    )

    def target_for(self, attrs: dict[str, str]) -> SlaTarget:
        for t in self.targets:
            if all(attrs.get(k) == v for k, v in t.when):
                return t
        raise ValueError(f"no SLA target matches {attrs}")


POLICY_YEARS = (2025, 2026)
TIMEZONE = "Europe/Rome"


def default_policy(timezone: str = TIMEZONE, holidays: tuple[str, ...] | None = None) -> SlaPolicy:
    """The deskmine sample policy (office calendar with Italian holidays of 2025-2026).

    ========  =========  ==============  ==========
    target    calendar   first response  resolution
    ========  =========  ==============  ==========
    P1        always     30m             8h
    P2        office     4h              24h  (3 office days)
    P3        office     8h              40h  (5 office days)
    default   office     16h             80h  (10 office days)
    ========  =========  ==============  ==========
    """
    hol = holidays if holidays is not None else italian_holidays(POLICY_YEARS)
    return SlaPolicy(
        calendars={"office": office_spec(timezone, hol), "always": always_spec(timezone)},
        targets=(
            SlaTarget("P1", (("priority", "P1"),), "always", "30m", "8h"),
            SlaTarget("P2", (("priority", "P2"),), "office", "4h", "24h"),
            SlaTarget("P3", (("priority", "P3"),), "office", "8h", "40h"),
            SlaTarget("default", (), "office", "16h", "80h"),
        ),
    )


def _toml_list(items) -> str:
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def policy_toml(policy: SlaPolicy) -> str:
    """Render the policy in the ``sla_policy.toml`` layout (stable text, byte for byte)."""
    lines = [
        "# deskmine SLA policy for the sample logs (written by `python -m pipelines.simulate sample`).",
        "# Durations are working time of the target's calendar (units s, m, h).",
        "# Day keys mon..sun list local working spans; an absent day is closed; holidays are closed.",
        "",
    ]
    for name, spec in policy.calendars.items():
        lines.append(f"[calendars.{name}]")
        lines.append(f'timezone = "{spec.timezone}"')
        for day, spans in spec.day_spans().items():
            lines.append(f"{day} = {_toml_list(spans)}")
        if spec.holidays:
            lines.append("holidays = [")
            for i in range(0, len(spec.holidays), 6):
                lines.append("  " + ", ".join(f'"{h}"' for h in spec.holidays[i : i + 6]) + ",")
            lines.append("]")
        lines.append("")
    lines.append("[milestones]")
    notes = {
        "pause": "   # the clock stops while the case's status is one of these",
    }
    for key, acts in policy.milestones.items():
        lines.append(f"{key} = {_toml_list(acts)}{notes.get(key, '')}")
    lines.append("")
    for t in policy.targets:
        lines.append("[[targets]]")
        lines.append(f'name = "{t.name}"')
        if t.when:
            inner = ", ".join(f'{k} = "{v}"' for k, v in t.when)
            lines.append(f"when = {{ {inner} }}")
        lines.append(f'calendar = "{t.calendar}"')
        lines.append(f'first_response = "{t.first_response}"')
        lines.append(f'resolution = "{t.resolution}"')
        lines.append("")
    return "\n".join(lines)


def policy_from_toml(doc: dict) -> SlaPolicy:
    """Parse a ``tomllib.load`` result of the layout above back into a :class:`SlaPolicy`."""
    from .calendar import WEEKDAYS

    cals = {
        name: CalendarSpec.from_mapping(
            c["timezone"], {d: c[d] for d in WEEKDAYS if d in c}, c.get("holidays", ())
        )
        for name, c in doc["calendars"].items()
    }
    targets = tuple(
        SlaTarget(
            t["name"], tuple(t.get("when", {}).items()), t["calendar"], t["first_response"],
            t["resolution"],
        )
        for t in doc["targets"]
    )
    milestones = {k: tuple(v) for k, v in doc["milestones"].items()}
    return SlaPolicy(cals, targets, milestones)
