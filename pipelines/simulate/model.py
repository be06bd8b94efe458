"""The service-desk process model: vocabulary, parameters, configuration and the case generator.

Every number that shapes the simulated process lives in this module as a named constant, and
``sample_logs/README.md`` documents them. Cases are independent of each other (no capacity or
queueing interaction between tickets), so every per-case distribution is the same whatever the
volume, and a before/after pair differs only by the switches of :class:`SimulationConfig`.

Times are integer UTC epoch seconds throughout; human work advances on a business calendar,
customers, bots and the system on the wall clock.
"""

from __future__ import annotations

import array
import bisect
import contextlib
import datetime as dt
import math
from dataclasses import dataclass
from functools import partial
from zoneinfo import ZoneInfo

import numpy as np

from .calendar import (
    WorkCalendar,
    always_spec,
    italian_holidays,
    local_to_epoch,
    office_spec,
)

# -- vocabulary ---------------------------------------------------------------------------
ACTIVITIES = (
    "Create ticket",
    "Assign to team",
    "Take in charge",
    "First response",
    "Request information",
    "Customer reply",
    "Escalate to L2",
    "Transfer to back office",
    "Transfer to finance",
    "Transfer to logistics",
    "Return to L1",
    "Reset password",
    "Explain bill",
    "Correct invoice",
    "Receive return",
    "Approve refund",
    "Issue refund",
    "Schedule repair",
    "Repair completed",
    "Block card",
    "Ship replacement card",
    "Resolve ticket",
    "Reopen ticket",
    "Close ticket",
)
(
    CREATE, ASSIGN, TAKE, FIRST_RESPONSE, REQUEST_INFO, CUSTOMER_REPLY, ESCALATE,
    TO_BACK_OFFICE, TO_FINANCE, TO_LOGISTICS, RETURN_L1, RESET_PASSWORD, EXPLAIN_BILL,
    CORRECT_INVOICE, RECEIVE_RETURN, APPROVE_REFUND, ISSUE_REFUND, SCHEDULE_REPAIR,
    REPAIR_COMPLETED, BLOCK_CARD, SHIP_CARD, RESOLVE, REOPEN, CLOSE,
) = range(len(ACTIVITIES))

TEAMS = ("", "Front office L1", "L2 support", "Back office", "Finance", "Logistics", "Bot", "System")
"""Team column values; ``""`` (written as an empty field) is the customer."""
NO_TEAM, L1, L2, BACK_OFFICE, FINANCE, LOGISTICS, BOT, SYSTEM = range(len(TEAMS))
TRANSFER_ACTIVITY = {BACK_OFFICE: TO_BACK_OFFICE, FINANCE: TO_FINANCE, LOGISTICS: TO_LOGISTICS}

CATEGORIES = ("password reset", "refund/return", "warranty repair", "lost card", "billing question")
PASSWORD_RESET, REFUND, WARRANTY, LOST_CARD, BILLING = range(len(CATEGORIES))
CHANNELS = ("email", "phone", "chat", "web form")
EMAIL, PHONE, CHAT, WEB_FORM = range(len(CHANNELS))
PRIORITIES = ("P1", "P2", "P3", "P4")

# -- resources ----------------------------------------------------------------------------
# Agent column values: index 0 is the customer (empty field); then system, bots, dispatchers
# (team Front office L1) and the agents of each team, numbered agent_001.. across teams.
TEAM_SIZES = {L1: 30, L2: 10, BACK_OFFICE: 10, FINANCE: 6, LOGISTICS: 6}
N_DISPATCHERS = 4


def _build_agents() -> tuple[tuple[str, ...], dict[int, tuple[int, ...]], tuple[int, ...]]:
    names = ["", "system", "selfservice-bot", "triage-bot"]
    dispatchers = []
    for i in range(N_DISPATCHERS):
        dispatchers.append(len(names))
        names.append(f"dispatcher_{i + 1:02d}")
    pools: dict[int, tuple[int, ...]] = {}
    n = 0
    for team, size in TEAM_SIZES.items():
        codes = []
        for _ in range(size):
            n += 1
            codes.append(len(names))
            names.append(f"agent_{n:03d}")
        pools[team] = tuple(codes)
    return tuple(names), pools, tuple(dispatchers)


AGENTS, AGENT_POOLS, DISPATCHERS = _build_agents()
CUSTOMER_AGENT, SYSTEM_AGENT, SELFSERVICE_BOT, TRIAGE_BOT = 0, 1, 2, 3
NON_HUMAN_AGENTS = frozenset({CUSTOMER_AGENT, SYSTEM_AGENT, SELFSERVICE_BOT, TRIAGE_BOT})


def agent_weights(size: int) -> list[float]:
    """Uneven workload inside a team: agent i (0-based) gets weight 1 / (1 + 0.1 i)."""
    return [1.0 / (1.0 + 0.1 * i) for i in range(size)]


# -- case mix -------------------------------------------------------------------------------
DEFAULT_CATEGORY_MIX = (
    ("password reset", 0.30),
    ("refund/return", 0.20),
    ("warranty repair", 0.15),
    ("lost card", 0.10),
    ("billing question", 0.25),
)
PRIORITY_MIX = {  # P(priority | category): P1 P2 P3 P4
    PASSWORD_RESET: (0.04, 0.36, 0.50, 0.10),
    REFUND: (0.00, 0.05, 0.45, 0.50),
    WARRANTY: (0.00, 0.10, 0.45, 0.45),
    LOST_CARD: (0.35, 0.45, 0.20, 0.00),
    BILLING: (0.00, 0.10, 0.50, 0.40),
}
CHANNEL_MIX = {  # P(channel | category): email phone chat web form
    PASSWORD_RESET: (0.25, 0.30, 0.30, 0.15),
    REFUND: (0.35, 0.20, 0.15, 0.30),
    WARRANTY: (0.30, 0.30, 0.10, 0.30),
    LOST_CARD: (0.10, 0.60, 0.20, 0.10),
    BILLING: (0.40, 0.25, 0.15, 0.20),
}

# -- arrivals ---------------------------------------------------------------------------------
# Arrival intensity per local hour of day (0..23) on working days, by channel. Phone only rings
# while the office is open (office calendar); on weekends and holidays email/web form/chat
# arrive at WEEKEND_ARRIVAL_FACTOR times the working-day profile.
_H_MAIL = (2, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 10, 9, 8, 9, 9, 8, 7, 6, 5, 5, 4, 3, 2)
_H_CHAT = (1, 1, 0, 0, 0, 1, 2, 4, 7, 10, 10, 10, 9, 8, 9, 10, 9, 8, 7, 6, 5, 4, 3, 2)
_H_PHONE = (0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 10, 9, 8, 0, 8, 9, 8, 7, 0, 0, 0, 0, 0, 0)
HOURLY_ARRIVALS = {EMAIL: _H_MAIL, WEB_FORM: _H_MAIL, CHAT: _H_CHAT, PHONE: _H_PHONE}
WEEKEND_ARRIVAL_FACTOR = {EMAIL: 0.30, WEB_FORM: 0.30, CHAT: 0.35, PHONE: 0.0}
WEEKDAY_ARRIVAL_FACTOR = (1.25, 1.10, 1.00, 1.00, 0.90, 1.0, 1.0)  # Monday peak, quieter Friday

# -- delays -----------------------------------------------------------------------------------
# Lognormal delays given as (median seconds, sigma of the log). BUSINESS delays are working time
# of the case's work calendar (office calendar for P2-P4; wall clock for P1, stretched by
# P1_ONCALL_FACTOR when the step starts outside office hours); "queue" delays are multiplied by
# PRIORITY_QUEUE_FACTOR. CALENDAR delays are wall-clock time (customers, parcels, technicians).
BUSINESS = {
    "dispatch": (7200, 0.9),        # manual triage wait (always office calendar: priority unknown yet)
    "l1_queue": (3600, 1.0),        # queue: email/web form ticket waits for an L1 agent
    "chat_queue": (180, 0.8),       # chat waits for an agent to accept (no priority factor)
    "first_response_mail": (1200, 0.8),
    "first_response_call": (120, 0.5),
    "request_info": (900, 0.8),
    "pickup_after_reply": (3600, 1.0),  # queue: agent resumes after the customer replied
    "escalate": (900, 0.7),
    "l2_queue": (7200, 0.9),        # queue
    "transfer": (600, 0.7),
    "back_office_queue": (14400, 0.9),  # queue
    "finance_queue": (10800, 0.9),  # queue
    "logistics_queue": (7200, 0.9),  # queue
    "return_to_l1": (1800, 0.8),    # receiving team reviews, finds information missing
    "l1_queue_return": (3600, 0.9),  # queue
    "reopen_queue": (7200, 0.9),    # queue
    "reset_password": (360, 0.6),
    "reset_password_l2": (1800, 0.8),
    "explain_bill": (1200, 0.7),
    "correct_invoice": (5400, 0.8),
    "receive_return": (3600, 0.8),  # after the parcel arrived
    "approve_refund": (7200, 0.8),
    "issue_refund": (10800, 0.8),
    "schedule_repair": (3600, 0.8),
    "log_repair": (3600, 0.8),      # after the technician's visit
    "block_card": (300, 0.5),
    "block_card_l2": (900, 0.6),
    "ship_card": (5400, 0.8),
    "resolve": (300, 0.7),
}
CALENDAR = {
    "customer_reply": (21600, 1.2),  # reply to "Request information"
    "return_parcel": (259200, 0.45),  # returned goods travel to the warehouse
    "repair_visit": (259200, 0.5),  # technician visit after scheduling
    "reopen_reply": (129600, 0.8),  # customer complains after resolution
    "thanks_reply": (7200, 1.0),    # customer says thank you after resolution
}
PRIORITY_QUEUE_FACTOR = (0.15, 0.5, 1.0, 1.6)
P1_ONCALL_FACTOR = 3.0

# Uniform delays (inclusive integer seconds)
PHONE_ASSIGN_S = (20, 120)          # phone: agent fills in the ticket during the call
TAKE_AFTER_ASSIGN_S = (5, 30)       # phone/chat: same agent takes it in charge
AUTO_TRIAGE_S = (5, 60)             # triage-bot assigns after Create ticket
SELFSERVICE_RESET_S = (45, 200)     # selfservice-bot resets the password
SELFSERVICE_RESOLVE_S = (15, 60)    # ...and resolves (so 60..260 s after Create ticket)
SYSTEM_REOPEN_S = (2, 20)           # system reopens a resolved ticket on a customer reply
THANKS_RESOLVE_BUSINESS_S = (60, 900)  # agent re-resolves after a thank-you reopen (business s)
THANKS_SYSTEM_CLOSE_S = (60, 600)   # ...or the system closes it (wall clock)
AUTO_CLOSE_S = 7 * 86400            # system closes a resolved ticket after 7 days ...
NO_REPLY_CLOSE_S = 10 * 86400       # ... or a ticket waiting for the customer after 10 days
CLOSE_JOB_JITTER_S = (0, 3599)      # the close job runs hourly

# -- probabilities ----------------------------------------------------------------------------
P_REQUEST_INFO = {PASSWORD_RESET: 0.15, REFUND: 0.35, WARRANTY: 0.45, LOST_CARD: 0.10, BILLING: 0.30}
REQUEST_INFO_DECAY = 0.35           # each further request is this much less likely
P_NO_REPLY = 0.06                   # customer never answers -> closed after NO_REPLY_CLOSE_S
P_ESCALATE = {PASSWORD_RESET: 0.15, LOST_CARD: 0.10}
P_BILLING_TO_FINANCE = 0.35
P_REFUND_WITH_RETURN = 0.60
P_SEND_BACK = {BACK_OFFICE: 0.30, FINANCE: 0.15, LOGISTICS: 0.08}  # only on transfers from L1
SEND_BACK_DECAY = 0.5
MAX_SEND_BACKS = 2
P_SAME_L1_AGENT = 0.6               # after a send-back or reopen the L1 agent is the same one
P_REOPEN = {PASSWORD_RESET: 0.04, REFUND: 0.08, WARRANTY: 0.10, LOST_CARD: 0.05, BILLING: 0.07}
SECOND_REOPEN_FACTOR = 0.4
MAX_REOPENS = 2
P_THANKS = 0.10                     # after a human resolution without a real reopen
P_THANKS_AGENT_RESOLVES = 0.6       # else the system closes the ticket within minutes

# -- configuration ------------------------------------------------------------------------------
EVENT_COLUMNS = ("Ticket ID", "Activity", "Timestamp", "Agent", "Team", "Channel", "Priority",
                 "Category", "Customer")


@dataclass(frozen=True)
class SimulationConfig:
    """Everything that shapes one simulated log (the seed is passed separately).

    Parameters
    ----------
    start : ISO local date; the log window opens at local midnight of this day.
    days : window length in days; the window is ``[start 00:00, start + days 00:00)`` local.
    n_cases : exact number of tickets created inside the window.
    category_mix : ``(category, weight)`` pairs; weights are normalised. Per-category behaviour
        (priority/channel mix, process) does not depend on the mix.
    selfservice_password_reset_share : share of password-reset tickets handled end to end by
        ``selfservice-bot`` (0 in ``before``).
    auto_triage_channels : channels whose ``Assign to team`` is done by ``triage-bot`` instead of
        a dispatcher; only email and web form have manual triage, so only they are allowed.
    case_prefix : ticket id prefix (``SD-`` gives ``SD-000123``).
    timezone : IANA zone of the service desk (timestamps are written in its local time).
    holidays : ISO dates the office is closed; ``None`` = Italian public holidays of the years
        around the window (see :func:`pipelines.simulate.calendar.italian_holidays`).
    customer_pool : number of distinct possible customers; ``None`` = ``max(500, 0.6 n_cases)``.
    """

    start: str = "2025-01-06"
    days: int = 91
    n_cases: int = 4000
    category_mix: tuple[tuple[str, float], ...] = DEFAULT_CATEGORY_MIX
    selfservice_password_reset_share: float = 0.0
    auto_triage_channels: tuple[str, ...] = ()
    case_prefix: str = "SD-"
    timezone: str = "Europe/Rome"
    holidays: tuple[str, ...] | None = None
    customer_pool: int | None = None

    def __post_init__(self) -> None:
        dt.date.fromisoformat(self.start)
        ZoneInfo(self.timezone)
        if self.days < 1:
            raise ValueError(f"days must be >= 1; got {self.days}")
        if self.n_cases < 1:
            raise ValueError(f"n_cases must be >= 1; got {self.n_cases}")
        names = [c for c, _ in self.category_mix]
        for c in names:
            if c not in CATEGORIES:
                raise ValueError(f"category must be one of {', '.join(map(repr, CATEGORIES))}; got {c!r}")
        if len(set(names)) != len(names):
            raise ValueError("category_mix lists a category twice")
        weights = [w for _, w in self.category_mix]
        if any(w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError("category_mix weights must be >= 0 and not all 0")
        if not 0.0 <= self.selfservice_password_reset_share <= 1.0:
            raise ValueError("selfservice_password_reset_share must be within [0, 1]")
        for ch in self.auto_triage_channels:
            if ch not in ("email", "web form"):
                raise ValueError(
                    f"auto_triage_channels must be among 'email', 'web form'; got {ch!r}"
                )
        if self.customer_pool is not None and self.customer_pool < 1:
            raise ValueError("customer_pool must be >= 1")

    # derived ---------------------------------------------------------------------------
    @property
    def start_date(self) -> dt.date:
        return dt.date.fromisoformat(self.start)

    @property
    def end_date(self) -> dt.date:
        """First local date after the window."""
        return self.start_date + dt.timedelta(days=self.days)

    def window(self) -> tuple[int, int]:
        """``(lo, hi)`` epoch seconds of the window ``[lo, hi)``."""
        tz = ZoneInfo(self.timezone)
        return local_to_epoch(self.start_date, 0, tz), local_to_epoch(self.end_date, 0, tz)

    def holiday_list(self) -> tuple[str, ...]:
        if self.holidays is not None:
            return tuple(sorted(set(self.holidays)))
        return italian_holidays(range(self.start_date.year - 1, self.end_date.year + 2))

    def category_probabilities(self) -> np.ndarray:
        p = np.zeros(len(CATEGORIES))
        for c, w in self.category_mix:
            p[CATEGORIES.index(c)] = w
        return p / p.sum()


# -- case attributes and arrivals ------------------------------------------------------------
@dataclass
class CaseTable:
    """Case attributes in creation order (index = ticket number - 1)."""

    arrival: np.ndarray   # int64 epoch s
    category: np.ndarray  # int8 codes into CATEGORIES
    priority: np.ndarray  # int8 0..3 -> P1..P4
    channel: np.ndarray   # int8 codes into CHANNELS
    customer: np.ndarray  # int64 customer number (1-based)


def _conditional(rng: np.random.Generator, given: np.ndarray, table: dict[int, tuple]) -> np.ndarray:
    """Draw one code per row from ``table[given]`` (probability rows)."""
    u = rng.random(given.size)
    out = np.zeros(given.size, dtype=np.int8)
    for g, probs in table.items():
        m = given == g
        cum = np.cumsum(probs)
        out[m] = np.minimum(np.searchsorted(cum / cum[-1], u[m], side="right"), len(probs) - 1)
    return out


def arrival_weights(config: SimulationConfig, office: WorkCalendar) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """Hour bins of the window (epoch starts) and the arrival weight of each bin per channel."""
    lo, hi = config.window()
    bins = np.arange(lo, hi, 3600, dtype=np.int64)
    tz = ZoneInfo(config.timezone)
    hol = {dt.date.fromisoformat(h) for h in config.holiday_list()}
    local = [dt.datetime.fromtimestamp(int(b), tz) for b in bins]
    hour = np.array([d.hour for d in local])
    day_factor = np.array([WEEKDAY_ARRIVAL_FACTOR[d.weekday()] for d in local])
    free = np.array([d.weekday() >= 5 or d.date() in hol for d in local])
    is_open = office.open_mask(bins) & office.open_mask(bins + 3599)
    weights = {}
    for ch in range(len(CHANNELS)):
        w = np.asarray(HOURLY_ARRIVALS[ch], dtype=float)[hour]
        w = np.where(free, w * WEEKEND_ARRIVAL_FACTOR[ch], w * day_factor)
        if ch == PHONE:
            w = np.where(is_open, w, 0.0)
        weights[ch] = w
    return bins, weights


def draw_cases(config: SimulationConfig, rng: np.random.Generator, office: WorkCalendar) -> CaseTable:
    """Draw case attributes and arrival instants, then number tickets by creation time."""
    n = config.n_cases
    cat_cum = np.cumsum(config.category_probabilities())
    category = np.minimum(
        np.searchsorted(cat_cum / cat_cum[-1], rng.random(n), side="right"), len(CATEGORIES) - 1
    ).astype(np.int8)
    priority = _conditional(rng, category, PRIORITY_MIX)
    channel = _conditional(rng, category, CHANNEL_MIX)
    pool = config.customer_pool or max(500, int(0.6 * n))
    customer = (np.floor(pool * rng.random(n) ** 2.0).astype(np.int64) + 1).clip(1, pool)
    bins, weights = arrival_weights(config, office)
    arrival = np.zeros(n, dtype=np.int64)
    for ch in range(len(CHANNELS)):
        m = channel == ch
        k = int(m.sum())
        cum = np.cumsum(weights[ch])
        b = np.searchsorted(cum, rng.random(k) * cum[-1], side="right")
        arrival[m] = bins[np.minimum(b, len(bins) - 1)] + rng.integers(0, 3600, k)
    order = np.lexsort((np.arange(n), arrival))
    return CaseTable(arrival[order], category[order], priority[order], channel[order], customer[order])


# -- the generator ----------------------------------------------------------------------------
class _CaseEnd(Exception):
    """The case has no more events inside the window."""


def _stream(rng: np.random.Generator, kind: str, chunk: int = 1 << 15):
    while True:
        block = rng.random(chunk) if kind == "u" else rng.standard_normal(chunk)
        yield from block.tolist()


@dataclass
class RawLog:
    """What the generator records: events grouped by case in case order, then event order."""

    config: SimulationConfig
    cases: CaseTable
    ev_case: np.ndarray   # int64 case index
    ev_act: np.ndarray    # int8 activity code
    ev_time: np.ndarray   # int64 epoch s
    ev_agent: np.ndarray  # int16 agent code
    ev_team: np.ndarray   # int8 team code
    real_reopens: np.ndarray      # per case, reopens followed by rework (emitted in window)
    thankyou_reopens: np.ndarray  # per case, reopens caused by a thank-you reply
    selfservice: np.ndarray       # bool per case: handled end to end by selfservice-bot
    auto_triage: np.ndarray       # bool per case: Assign to team by triage-bot
    triage_wait: np.ndarray       # int64 per case: Create -> Assign wall-clock s, -1 if none
    window: tuple[int, int]


class _Generator:
    """Walks each case through the process, appending events to flat arrays."""

    def __init__(self, config: SimulationConfig, rng: np.random.Generator, office: WorkCalendar):
        self.cfg = config
        self.lo, self.hi = config.window()
        self.office = office
        self.u = partial(next, _stream(rng, "u"))
        self.z = partial(next, _stream(rng, "z"))
        self.ev_case = array.array("q")
        self.ev_act = array.array("b")
        self.ev_time = array.array("q")
        self.ev_agent = array.array("h")
        self.ev_team = array.array("b")
        self.ss_share = config.selfservice_password_reset_share
        self.auto_triage_ch = {CHANNELS.index(c) for c in config.auto_triage_channels}
        self.pools = {}
        for team, codes in AGENT_POOLS.items():
            w = np.cumsum(agent_weights(len(codes)))
            self.pools[team] = (codes, (w / w[-1]).tolist())
        w = np.cumsum(agent_weights(len(DISPATCHERS)))
        self.pools["dispatch"] = (DISPATCHERS, (w / w[-1]).tolist())

    # -- primitives ------------------------------------------------------------------------
    def emit(self, act: int, t: int, agent: int, team: int) -> None:
        if t >= self.hi:
            raise _CaseEnd
        self.ev_case.append(self.k)
        self.ev_act.append(act)
        self.ev_time.append(t)
        self.ev_agent.append(agent)
        self.ev_team.append(team)

    def pick(self, team) -> int:
        codes, cum = self.pools[team]
        return codes[min(bisect.bisect_right(cum, self.u()), len(codes) - 1)]

    def uniform(self, bounds: tuple[int, int]) -> int:
        a, b = bounds
        return a + int(self.u() * (b - a + 1))

    def lognormal(self, spec: tuple[int, float]) -> float:
        med, sigma = spec
        return med * math.exp(sigma * self.z())

    def human(self, t: int, seconds: float) -> int:
        """A human step that takes ``seconds`` of business time after ``t``."""
        s = int(seconds) + 1
        if self.p1:
            if not self.office.is_open(t):
                s = int(s * P1_ONCALL_FACTOR)
            return t + s
        return self.office.add(t, s)

    def work(self, t: int, key: str) -> int:
        return self.human(t, self.lognormal(BUSINESS[key]))

    def queue(self, t: int, key: str) -> int:
        return self.human(t, self.lognormal(BUSINESS[key]) * self.qf)

    def wall(self, t: int, key: str) -> int:
        return t + int(self.lognormal(CALENDAR[key])) + 1

    # -- one case -------------------------------------------------------------------------
    def run(self, cases: CaseTable) -> RawLog:
        n = cases.arrival.size
        self.real = np.zeros(n, dtype=np.int64)
        self.thanks = np.zeros(n, dtype=np.int64)
        self.ss = np.zeros(n, dtype=bool)
        self.at = np.zeros(n, dtype=bool)
        self.tw = np.full(n, -1, dtype=np.int64)
        arr, cat, pri, chan = (x.tolist() for x in (cases.arrival, cases.category, cases.priority, cases.channel))
        for k in range(n):
            self.k, self.cat, self.ch = k, cat[k], chan[k]
            self.p1 = pri[k] == 0
            self.qf = PRIORITY_QUEUE_FACTOR[pri[k]]
            self.n_real = self.n_thanks = 0
            with contextlib.suppress(_CaseEnd):
                self.case(arr[k])
            self.real[k], self.thanks[k] = self.n_real, self.n_thanks
        as_np = np.frombuffer
        return RawLog(
            self.cfg, cases,
            as_np(self.ev_case, dtype=np.int64).copy(), as_np(self.ev_act, dtype=np.int8).copy(),
            as_np(self.ev_time, dtype=np.int64).copy(), as_np(self.ev_agent, dtype=np.int16).copy(),
            as_np(self.ev_team, dtype=np.int8).copy(),
            self.real, self.thanks, self.ss, self.at, self.tw, (self.lo, self.hi),
        )

    def case(self, t0: int) -> None:
        if self.cat == PASSWORD_RESET and self.ss_share > 0 and self.u() < self.ss_share:
            self.selfservice(t0)
            return
        t, a = self.intake(t0)
        t = self.info_loop(t, a, P_REQUEST_INFO[self.cat])
        t, ra, rt = self.main_work(t, a, L1, rework=False)
        self.after_resolve(t, ra, rt)

    def selfservice(self, t: int) -> None:
        self.ss[self.k] = True
        self.emit(CREATE, t, CUSTOMER_AGENT, NO_TEAM)
        t += self.uniform(SELFSERVICE_RESET_S)
        self.emit(RESET_PASSWORD, t, SELFSERVICE_BOT, BOT)
        t += self.uniform(SELFSERVICE_RESOLVE_S)
        self.emit(RESOLVE, t, SELFSERVICE_BOT, BOT)
        self.auto_close(t)

    def intake(self, t0: int) -> tuple[int, int]:
        """Create, triage, take in charge, first response; returns (time, L1 agent)."""
        ch = self.ch
        if ch == PHONE:
            a = self.pick(L1)
            self.emit(CREATE, t0, a, L1)
            t = self.human(t0, self.uniform(PHONE_ASSIGN_S))
            self.emit(ASSIGN, t, a, L1)
            self.tw[self.k] = t - t0
            t = self.human(t, self.uniform(TAKE_AFTER_ASSIGN_S))
            self.emit(TAKE, t, a, L1)
            t = self.work(t, "first_response_call")
        elif ch == CHAT:
            self.emit(CREATE, t0, CUSTOMER_AGENT, NO_TEAM)
            a = self.pick(L1)
            t = self.work(t0, "chat_queue")
            self.emit(ASSIGN, t, a, L1)
            self.tw[self.k] = t - t0
            t = self.human(t, self.uniform(TAKE_AFTER_ASSIGN_S))
            self.emit(TAKE, t, a, L1)
            t = self.work(t, "first_response_call")
        else:
            self.emit(CREATE, t0, CUSTOMER_AGENT, NO_TEAM)
            if ch in self.auto_triage_ch:
                self.at[self.k] = True
                t = t0 + self.uniform(AUTO_TRIAGE_S)
                self.emit(ASSIGN, t, TRIAGE_BOT, BOT)
            else:
                # dispatchers work office hours whatever the priority: it is set at triage
                t = self.office.add(t0, int(self.lognormal(BUSINESS["dispatch"])) + 1)
                self.emit(ASSIGN, t, self.pick("dispatch"), L1)
            self.tw[self.k] = t - t0
            a = self.pick(L1)
            t = self.queue(t, "l1_queue")
            self.emit(TAKE, t, a, L1)
            t = self.work(t, "first_response_mail")
        self.emit(FIRST_RESPONSE, t, a, L1)
        return t, a

    def ask_customer(self, t: int, a: int, team: int) -> int:
        """Request information, wait for the reply (or close on silence); returns reply time."""
        t = self.work(t, "request_info")
        self.emit(REQUEST_INFO, t, a, team)
        if self.u() < P_NO_REPLY:
            t += NO_REPLY_CLOSE_S + self.uniform(CLOSE_JOB_JITTER_S)
            self.emit(CLOSE, t, SYSTEM_AGENT, SYSTEM)
            raise _CaseEnd
        t = self.wall(t, "customer_reply")
        self.emit(CUSTOMER_REPLY, t, CUSTOMER_AGENT, NO_TEAM)
        return self.queue(t, "pickup_after_reply")

    def info_loop(self, t: int, a: int, p: float) -> int:
        while self.u() < p:
            t = self.ask_customer(t, a, L1)
            p *= REQUEST_INFO_DECAY
        return t

    def transfer(self, t: int, a: int, team_from: int, team_to: int) -> tuple[int, int]:
        """Hand the case to ``team_to``; L1 -> team transfers may be sent back (ping-pong)."""
        act = TRANSFER_ACTIVITY[team_to]
        queue = {BACK_OFFICE: "back_office_queue", FINANCE: "finance_queue", LOGISTICS: "logistics_queue"}[team_to]
        backs = 0
        while True:
            t = self.work(t, "transfer")
            self.emit(act, t, a, team_from)
            b = self.pick(team_to)
            t = self.queue(t, queue)
            self.emit(TAKE, t, b, team_to)
            if (
                team_from == L1 and backs < MAX_SEND_BACKS
                and self.u() < P_SEND_BACK[team_to] * SEND_BACK_DECAY**backs
            ):
                backs += 1
                t = self.work(t, "return_to_l1")
                self.emit(RETURN_L1, t, b, team_to)
                if self.u() >= P_SAME_L1_AGENT:
                    a = self.pick(L1)
                t = self.queue(t, "l1_queue_return")
                self.emit(TAKE, t, a, L1)
                t = self.ask_customer(t, a, L1)
                continue
            return t, b

    def escalate(self, t: int, a: int) -> tuple[int, int]:
        t = self.work(t, "escalate")
        self.emit(ESCALATE, t, a, L1)
        b = self.pick(L2)
        t = self.queue(t, "l2_queue")
        self.emit(TAKE, t, b, L2)
        return t, b

    def main_work(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        """Category-specific work up to ``Resolve ticket``; returns (time, resolver, team).

        ``rework`` (after a real reopen) skips the steps that need not be redone: the parcel
        return and refund approval, and blocking the card again.
        """
        flow = (self.flow_password_reset, self.flow_refund, self.flow_warranty,
                self.flow_lost_card, self.flow_billing)[self.cat]
        t, a, team = flow(t, a, team, rework)
        t = self.work(t, "resolve")
        self.emit(RESOLVE, t, a, team)
        return t, a, team

    def flow_password_reset(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        if self.u() < P_ESCALATE[PASSWORD_RESET]:
            t, b = self.escalate(t, a)
            t = self.work(t, "reset_password_l2")
            self.emit(RESET_PASSWORD, t, b, L2)
            return t, b, L2
        t = self.work(t, "reset_password")
        self.emit(RESET_PASSWORD, t, a, L1)
        return t, a, team

    def flow_billing(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        t = self.work(t, "explain_bill")
        self.emit(EXPLAIN_BILL, t, a, L1)
        if self.u() < P_BILLING_TO_FINANCE:
            t, a = self.transfer(t, a, L1, FINANCE)
            team = FINANCE
            t = self.work(t, "correct_invoice")
            self.emit(CORRECT_INVOICE, t, a, FINANCE)
        return t, a, team

    def flow_refund(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        if not rework and self.u() < P_REFUND_WITH_RETURN:
            t, a = self.transfer(t, a, L1, LOGISTICS)
            team = LOGISTICS
            t = self.human(self.wall(t, "return_parcel"), self.lognormal(BUSINESS["receive_return"]))
            self.emit(RECEIVE_RETURN, t, a, LOGISTICS)
        t, a = self.transfer(t, a, team, FINANCE)
        if not rework:
            t = self.work(t, "approve_refund")
            self.emit(APPROVE_REFUND, t, a, FINANCE)
        t = self.work(t, "issue_refund")
        self.emit(ISSUE_REFUND, t, a, FINANCE)
        return t, a, FINANCE

    def flow_warranty(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        t, a = self.transfer(t, a, L1, BACK_OFFICE)
        t = self.work(t, "schedule_repair")
        self.emit(SCHEDULE_REPAIR, t, a, BACK_OFFICE)
        t = self.human(self.wall(t, "repair_visit"), self.lognormal(BUSINESS["log_repair"]))
        self.emit(REPAIR_COMPLETED, t, a, BACK_OFFICE)
        return t, a, BACK_OFFICE

    def flow_lost_card(self, t: int, a: int, team: int, rework: bool) -> tuple[int, int, int]:
        if not rework:
            if self.u() < P_ESCALATE[LOST_CARD]:
                t, a = self.escalate(t, a)
                team = L2
                t = self.work(t, "block_card_l2")
            else:
                t = self.work(t, "block_card")
            self.emit(BLOCK_CARD, t, a, team)
        t, a = self.transfer(t, a, team, LOGISTICS)
        t = self.work(t, "ship_card")
        self.emit(SHIP_CARD, t, a, LOGISTICS)
        return t, a, LOGISTICS

    def after_resolve(self, t: int, ra: int, rt: int) -> None:
        """Real reopens with rework, thank-you reopens, then the auto-close."""
        reopens = 0
        while True:
            p = P_REOPEN[self.cat] * (SECOND_REOPEN_FACTOR if reopens else 1.0)
            if reopens < MAX_REOPENS and self.u() < p:
                d = int(self.lognormal(CALENDAR["reopen_reply"])) + 1
                if d >= AUTO_CLOSE_S:  # too late: the ticket was closed meanwhile
                    break
                t = self.reopen(t + d)
                self.n_real += 1
                reopens += 1
                a = ra if rt == L1 and self.u() < P_SAME_L1_AGENT else self.pick(L1)
                t = self.queue(t, "reopen_queue")
                self.emit(TAKE, t, a, L1)
                t, ra, rt = self.main_work(t, a, L1, rework=True)
                continue
            if self.u() < P_THANKS:
                d = int(self.lognormal(CALENDAR["thanks_reply"])) + 1
                if d >= AUTO_CLOSE_S:
                    break
                t = self.reopen(t + d)
                self.n_thanks += 1
                if self.u() < P_THANKS_AGENT_RESOLVES:
                    t = self.human(t, self.uniform(THANKS_RESOLVE_BUSINESS_S))
                    self.emit(RESOLVE, t, ra, rt)
                else:
                    t += self.uniform(THANKS_SYSTEM_CLOSE_S)
                    self.emit(CLOSE, t, SYSTEM_AGENT, SYSTEM)
                    return
            break
        self.auto_close(t)

    def reopen(self, t: int) -> int:
        self.emit(CUSTOMER_REPLY, t, CUSTOMER_AGENT, NO_TEAM)
        t += self.uniform(SYSTEM_REOPEN_S)
        self.emit(REOPEN, t, SYSTEM_AGENT, SYSTEM)
        return t

    def auto_close(self, t: int) -> None:
        self.emit(CLOSE, t + AUTO_CLOSE_S + self.uniform(CLOSE_JOB_JITTER_S), SYSTEM_AGENT, SYSTEM)


def calendars_for(config: SimulationConfig) -> tuple[WorkCalendar, WorkCalendar]:
    """(office, always) calendars materialised over the window plus two days each side."""
    lo, hi = config.window()
    office = WorkCalendar(office_spec(config.timezone, config.holiday_list()), lo - 2 * 86400, hi + 2 * 86400)
    always = WorkCalendar(always_spec(config.timezone), lo - 2 * 86400, hi + 2 * 86400)
    return office, always


def generate_raw(config: SimulationConfig, seed: int) -> RawLog:
    """Draw the cases and walk them through the process (deterministic for ``seed``)."""
    rng = np.random.default_rng(seed)
    office, _ = calendars_for(config)
    cases = draw_cases(config, rng, office)
    return _Generator(config, rng, office).run(cases)
