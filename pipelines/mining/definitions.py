"""What deskmine's words mean, in one place: resolution, reopen, first-contact resolution, and who
is a person. Every page reads a log with these rules (the SLA functions, the before/after
comparison, the automation candidates, the triage matrix and the what-if), so a number carries the
same meaning wherever it is shown.

Activity roles
--------------
With an SLA policy the roles are its ``[milestones]``; without one they are recognised by name:

* **Resolution milestones**: the policy's ``resolved`` + ``closed`` activities; without a policy,
  activities with a word (``[^a-z]+``-separated, case-insensitive) in :data:`RESOLVE_WORDS` or
  :data:`CLOSE_WORDS` (``Resolve ticket``, ``Closed``, ``Case closure``).
* **Reopen activities**: the policy's ``reopened``; without a policy, activities whose name,
  letters only and lower-cased, contains one of :data:`REOPEN_WORDS` (``Reopen ticket``,
  ``Re-opened``). When no reopen activity is named, reopens are *implicit*: an event that is not a
  resolution milestone directly after one that is (work resumed after a resolution).
* **First-contact resolution breakers** (:func:`default_fcr_breakers`): the reopen and ``pause``
  activities, and every activity whose lower-cased name contains one of :data:`FCR_WORDS`
  (escalations, transfers, send-backs, requests for information, waits).
* **Machines**: resources matching :data:`MACHINE_PATTERN`; customers appear as a missing resource.
  Neither is a person (human work, hand-offs to people, "no human touch").

The rule (:func:`read_milestones`)
----------------------------------
A case is **resolved at its first resolution milestone after its last reopen** (the last *real*
reopen when the policy ignores thank-you reopens), or at its first one when it was never reopened:
a case resolved, reopened and resolved again is measured to its final resolution. A *thank-you*
reopen is one directly followed (no other event) by a resolution milestone within ``[reopen]
thank_you_window`` of wall-clock time (:data:`THANK_YOU_WINDOW_S` without a policy).
When no activity of the log is a resolution milestone (no policy, nothing recognised), a case the
ingest marked closed is resolved at its last event. A case is a **first-contact resolution** when
it is resolved and no event of it is a reopen (a counted one) or an FCR breaker.

Example
-------
>>> roles(["Create ticket", "Resolve ticket", "Reopen ticket", "Escalate to L2"]).resolved
('Resolve ticket',)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from pipelines.mining.policy import ReopenRule, SlaPolicy

__all__ = [
    "CLOSE_WORDS", "FCR_WORDS", "TERMINAL_WORDS", "MACHINE_PATTERN", "NAT", "REOPEN_WORDS", "RESOLVE_WORDS",
    "THANK_YOU_WINDOW_S", "CaseMilestones", "CaseSequence", "MilestoneSets", "Roles",
    "check_machine_pattern", "default_fcr_breakers", "is_machine", "milestone_sets", "read_milestones",
    "reopen_activities", "resolution_activities", "roles",
]

RESOLVE_WORDS: tuple[str, ...] = ("resolve", "resolved", "resolution", "solved", "fixed", "done")
"""Words (whole, case-insensitive) of activity names that resolve a case when there is no policy."""
CLOSE_WORDS: tuple[str, ...] = ("close", "closed", "closure")
"""Words of activity names that close a case when there is no policy (a resolution milestone too)."""
TERMINAL_WORDS: tuple[str, ...] = (
    "cancel", "cancelled", "canceled", "reject", "rejected", "decline", "declined", "archive", "archived",
)
"""Words of activity names that end a case without resolving it: the ingest counts a case ending with
one as closed (not open), but it is not a resolution milestone."""
REOPEN_WORDS: tuple[str, ...] = ("reopen",)
"""Fragments of activity names (letters only, lower-cased) that reopen a case when there is no policy."""
FCR_WORDS: tuple[str, ...] = (
    "escalat", "transfer", "return to", "reassign", "forward", "request info", "waiting for",
    "wait for", "awaiting", "pending", "on hold",
)
"""Lower-case fragments of activity names that break a first-contact resolution by default."""
MACHINE_PATTERN = (
    r"(?i)(?:^|[^a-z])(?:system|bots?|chatbot|robot|rpa|auto|automatic|automated|automation|batch|job|"
    r"scheduler|workflow|script|daemon|cron|service account)(?:[^a-z]|$)"
)
"""A resource whose name matches this pattern (RE2 in SQL, ``re`` in Python: the same reading) is a
machine, not a person: ``system``, ``triage-bot``, ``ChatBot``, ``RPA_01``, ``batch_job``,
``auto-close``; not ``Talbot`` or ``Abbott``."""
THANK_YOU_WINDOW_S: float = ReopenRule().thank_you_window_s
"""The thank-you window without a policy (the policy file's default)."""
NAT = np.iinfo(np.int64).min
"""An instant not reached (int64 microseconds; ``datetime64`` NaT)."""
_BIG = np.iinfo(np.int64).max


# -- recognising roles -----------------------------------------------------------------------------


def words_of(name: str) -> set[str]:
    """The lower-cased words of an activity name."""
    return set(re.split(r"[^a-z]+", name.lower())) - {""}


def resolution_activities(activities: Iterable[str], policy: SlaPolicy | None = None) -> list[str]:
    """The activities (of ``activities``, sorted) that are resolution milestones: the policy's
    ``resolved`` + ``closed``, else those named with a resolve or close word.

    >>> resolution_activities(["Resolve ticket", "Close ticket", "Repair completed"])
    ['Close ticket', 'Resolve ticket']
    """
    acts = sorted(set(activities))
    if policy is not None:
        named = set(policy.milestones.resolved) | set(policy.milestones.closed)
        return [a for a in acts if a in named]
    words = set(RESOLVE_WORDS) | set(CLOSE_WORDS)
    return [a for a in acts if words & words_of(a)]


def reopen_activities(activities: Iterable[str], policy: SlaPolicy | None = None) -> list[str]:
    """The reopen activities: the policy's ``reopened`` (as listed), else the names (of
    ``activities``, sorted) containing a reopen word.

    >>> reopen_activities(["Reopen ticket", "Re-opened", "Open"])
    ['Re-opened', 'Reopen ticket']
    """
    if policy is not None:
        return list(dict.fromkeys(policy.milestones.reopened))
    return [a for a in sorted(set(activities))
            if any(w in re.sub(r"[^a-z]", "", a.lower()) for w in REOPEN_WORDS)]


def default_fcr_breakers(activities: Iterable[str], policy: SlaPolicy | None = None,
                         reopened: Iterable[str] | None = None) -> tuple[str, ...]:
    """The activities (of ``activities``) that break a first-contact resolution unless told otherwise.

    The reopen activities (``reopened``, default :func:`reopen_activities`) and the policy's
    ``pause`` activities (a reopen, or a wait for the customer, means the first contact did not
    settle the case) plus every activity whose lower-cased name contains one of :data:`FCR_WORDS`.

    >>> default_fcr_breakers(["Escalate to L2", "Transfer to finance", "Resolve ticket"])
    ('Escalate to L2', 'Transfer to finance')
    """
    acts = set(activities)
    named = set(reopen_activities(acts, policy) if reopened is None else reopened)
    if policy is not None:
        named |= set(policy.milestones.pause)
    return tuple(sorted(a for a in acts if a in named or any(w in a.lower() for w in FCR_WORDS)))


def is_machine(names: Sequence[str], pattern: str = MACHINE_PATTERN) -> np.ndarray:
    """Whether each resource name matches ``pattern`` (read as in RE2: an inline ``(?i)`` anywhere
    makes the whole pattern case-insensitive).

    >>> is_machine(["triage-bot", "agent_007", "Talbot"]).tolist()
    [True, False, False]
    """
    if len(names) == 0:
        return np.zeros(0, dtype=bool)
    flags = re.IGNORECASE if "(?i)" in pattern else 0
    rx = re.compile(pattern.replace("(?i)", ""), flags)
    return np.array([rx.search(str(n)) is not None for n in names], dtype=bool)


def check_machine_pattern(pattern: str) -> str:
    """``pattern`` if it is a usable machine pattern, else a ``ValueError`` saying why."""
    if not isinstance(pattern, str) or not pattern:
        raise ValueError(f"machine_pattern must be a non-empty regular expression; got {pattern!r}")
    try:
        re.compile(pattern.replace("(?i)", ""))
    except re.error as exc:
        raise ValueError(f"machine_pattern is not a valid regular expression: {exc}") from None
    return pattern


# -- the roles a log is read with ------------------------------------------------------------------


@dataclass(frozen=True)
class Roles:
    """The concrete activity roles a log is read with (see the module docstring).

    ``resolved``: the resolution milestones (resolved and closed); ``closed_case_fallback``: no
    resolution milestone is known, so a closed case is resolved at its last event.
    """

    resolved: tuple[str, ...]
    reopened: tuple[str, ...]
    implicit_reopens: bool
    fcr_breakers: tuple[str, ...]
    first_response: tuple[str, ...] = ()
    pause: tuple[str, ...] = ()
    thank_you_window_s: float = THANK_YOU_WINDOW_S
    ignore_thank_you: bool = False
    closed_case_fallback: bool = False

    def masks(self, activities: np.ndarray) -> MilestoneSets:
        """The roles as boolean masks over ``activities`` (for :func:`read_milestones`)."""
        def mask(names: tuple[str, ...]) -> np.ndarray:
            return np.isin(activities, list(names))

        return MilestoneSets(
            done=mask(self.resolved), first_response=mask(self.first_response), reopened=mask(self.reopened),
            pause=mask(self.pause), implicit_reopens=self.implicit_reopens,
            window_us=int(round(self.thank_you_window_s * 1e6)), ignore_thank_you=self.ignore_thank_you,
            last_event_resolves=self.closed_case_fallback, fcr_breaker=mask(self.fcr_breakers),
        )


def roles(activities: Iterable[str], policy: SlaPolicy | None = None, *,
          resolved: Sequence[str] | None = None, reopened: Sequence[str] | None = None,
          implicit_reopens: bool | None = None, fcr_breakers: Sequence[str] | None = None) -> Roles:
    """The roles of ``activities`` under ``policy`` (or recognised by name), each overridable.

    ``implicit_reopens`` defaults to "no reopen activity named"; ``fcr_breakers`` to
    :func:`default_fcr_breakers` of the reopen and pause activities.
    """
    acts = sorted(set(activities))
    ms = policy.milestones if policy is not None else None
    if resolved is None:
        resolved = (tuple(ms.resolved) + tuple(ms.closed)) if ms is not None else resolution_activities(acts)
    reopened = tuple(dict.fromkeys(reopen_activities(acts, policy) if reopened is None else reopened))
    breakers = default_fcr_breakers(acts, policy, reopened) if fcr_breakers is None else fcr_breakers
    rule = policy.reopen if policy is not None else ReopenRule()
    return Roles(
        resolved=tuple(dict.fromkeys(resolved)), reopened=reopened,
        implicit_reopens=(not reopened) if implicit_reopens is None else bool(implicit_reopens),
        fcr_breakers=tuple(sorted(set(breakers))),
        first_response=tuple(ms.first_response) if ms is not None else (),
        pause=tuple(ms.pause) if ms is not None else (),
        thank_you_window_s=rule.thank_you_window_s, ignore_thank_you=rule.ignore_thank_you,
        closed_case_fallback=policy is None and not resolved,
    )


# -- the rule over events --------------------------------------------------------------------------


@dataclass(frozen=True)
class MilestoneSets:
    """:class:`Roles` as boolean masks over activity codes: a reopen is a ``reopened`` activity or,
    with ``implicit_reopens``, also an event that is not ``done`` right after one that is."""

    done: np.ndarray
    first_response: np.ndarray
    reopened: np.ndarray
    pause: np.ndarray
    implicit_reopens: bool
    window_us: int
    ignore_thank_you: bool
    last_event_resolves: bool = False
    fcr_breaker: np.ndarray | None = None


def milestone_sets(activities: np.ndarray, policy: SlaPolicy | None = None, *,
                   implicit_reopens: bool | None = None,
                   fcr_breakers: Sequence[str] | None = None) -> MilestoneSets:
    """The masks of :func:`roles` over ``activities`` (the codes of a case-ordered events array)."""
    return roles(activities.tolist(), policy, implicit_reopens=implicit_reopens,
                 fcr_breakers=fcr_breakers).masks(activities)


@dataclass(frozen=True)
class CaseSequence:
    """Neighbours of each event inside its case (events sorted by case, then position)."""

    first: np.ndarray      # the case's first event
    next_same: np.ndarray  # the next event is of the same case
    next_t: np.ndarray     # the next event's time (meaningless where not next_same)

    def next_of(self, values: np.ndarray, missing: int) -> np.ndarray:
        """Each event's next event's value (``missing`` after a case's last event)."""
        return np.where(self.next_same, np.r_[values[1:], missing], missing) if len(values) else values

    @classmethod
    def of(cls, case: np.ndarray, t_us: np.ndarray) -> CaseSequence:
        m = len(case)
        if not m:
            empty = np.zeros(0, dtype=bool)
            return cls(empty, empty.copy(), t_us)
        first = np.r_[True, case[1:] != case[:-1]]
        return cls(first, np.r_[~first[1:], False], np.r_[t_us[1:], 0])


@dataclass(frozen=True)
class CaseMilestones:
    """Per case: milestone instants (int64 microseconds, :data:`NAT` when not reached), the
    activity code of its last event (-1: none), reopen counts and whether its first-contact
    resolution was broken."""

    start_us: np.ndarray
    first_response_us: np.ndarray
    first_resolved_us: np.ndarray
    resolved_us: np.ndarray
    resolved_all_us: np.ndarray
    resolved_real_us: np.ndarray
    last_event_us: np.ndarray
    current: np.ndarray
    reopens: np.ndarray
    thank_you_reopens: np.ndarray
    fcr_broken: np.ndarray


def read_milestones(case: np.ndarray, activity: np.ndarray, t_us: np.ndarray, n_cases: int,
                    sets: MilestoneSets, closed_cases: np.ndarray | None = None) -> CaseMilestones:
    """The milestones of ``n_cases`` cases from their events (case-ordered, all by ``as_of``): the
    rule of the module docstring, vectorised. ``closed_cases`` (per case) feeds the closed-case
    fallback; ``resolved_all_us`` / ``resolved_real_us`` count every reopen / real ones only."""
    seq = CaseSequence.of(case, t_us)
    m = len(case)
    pos = np.arange(m)
    is_done = sets.done[activity]
    is_reopen = sets.reopened[activity]
    if sets.implicit_reopens and m:  # work resumed right after a resolution
        is_reopen = is_reopen | (np.r_[False, is_done[:-1]] & ~seq.first & ~is_done)
    next_done = np.r_[is_done[1:], False] & seq.next_same if m else is_done
    thank = is_reopen & next_done & (seq.next_t - t_us <= sets.window_us)
    real = is_reopen & ~thank
    start = np.full(n_cases, NAT, dtype=np.int64)
    start[case[seq.first]] = t_us[seq.first]
    last = ~seq.next_same
    last_event = np.full(n_cases, NAT, dtype=np.int64)
    last_event[case[last]] = t_us[last]
    current = np.full(n_cases, -1, dtype=np.int64)
    current[case[last]] = activity[last]
    by_reopen = {name: _first_time(case, t_us, is_done & (pos > _last_pos(case, pos, mask, n_cases)[case]), n_cases)
                 for name, mask in (("all", is_reopen), ("real", real))}
    resolved = by_reopen["real"] if sets.ignore_thank_you else by_reopen["all"]
    if sets.last_event_resolves and closed_cases is not None and m:
        resolved = np.where(np.asarray(closed_cases, dtype=bool), last_event, NAT)
    breaker = sets.fcr_breaker[activity] if sets.fcr_breaker is not None else np.zeros(m, dtype=bool)
    breaks = (breaker | is_reopen) & ~(thank & sets.ignore_thank_you)
    return CaseMilestones(
        start_us=start,
        first_response_us=_first_time(case, t_us, is_done | sets.first_response[activity], n_cases),
        first_resolved_us=_first_time(case, t_us, is_done, n_cases),
        resolved_us=resolved, resolved_all_us=by_reopen["all"], resolved_real_us=by_reopen["real"],
        last_event_us=last_event, current=current,
        reopens=np.bincount(case[is_reopen], minlength=n_cases).astype(np.int64),
        thank_you_reopens=np.bincount(case[thank], minlength=n_cases).astype(np.int64),
        fcr_broken=np.bincount(case[breaks], minlength=n_cases) > 0,
    )


def _last_pos(case: np.ndarray, pos: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    np.maximum.at(out, case[mask], pos[mask])
    return out


def _first_time(case: np.ndarray, t_us: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, _BIG, dtype=np.int64)
    np.minimum.at(out, case[mask], t_us[mask])
    return np.where(out == _BIG, NAT, out)
