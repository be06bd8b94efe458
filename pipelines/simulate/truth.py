"""Ground truth computed from the simulator's own records: SLA clocks, per-case KPIs, and the
population effect sizes of the before/after pair.

Nothing here reads a log file or imports deskmine's mining code: the SLA elapsed times are
computed from the generated event arrays with :mod:`pipelines.simulate.calendar`, and the
reopen / automation flags are recorded by the generator when it makes the decision.

SLA contract (``sample_logs/sla_policy.toml``; what deskmine's SLA engine must reproduce)
-----------------------------------------------------------------------------------------
* Each event sets the case's status to its activity; the interval between two consecutive
  events of a case has the status of the earlier event; after a case's last event its status
  lasts until the **log end** = the latest timestamp in the whole log.
* The case's target is the first ``[[targets]]`` entry whose ``when`` matches its attributes;
  all clock arithmetic uses that target's calendar.
* Case start = its first event. First-response instant = first event whose activity is a
  ``first_response``, ``resolved`` or ``closed`` activity (a case resolved without a reply
  reaches the milestone when resolved). Resolution instant = first ``resolved`` or ``closed``
  event after the case's last ``reopened`` event (or anywhere if never reopened): a case
  resolved, reopened and resolved again is measured to its final resolution.
* Elapsed = working seconds of the calendar in ``[start, instant]`` minus working seconds of
  intervals (clipped to ``[start, instant]``) whose status is a ``pause`` activity. For a
  milestone not reached, elapsed is measured to the log end.
* ``met`` = reached and elapsed <= target; ``breached`` = reached and elapsed > target;
  ``open`` = not reached and elapsed at log end <= target; ``open_breached`` = not reached and
  elapsed at log end > target. ``*_breached`` is True for ``breached`` and ``open_breached``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import model as m
from .calendar import WorkCalendar, format_iso_local
from .policy import SlaPolicy

TRUTH_COLUMNS = (
    "case_id", "target", "priority", "category", "channel", "created_at",
    "first_response_s", "resolution_s", "paused_s",
    "first_response_target_s", "resolution_target_s",
    "first_response_breached", "resolution_breached", "first_response_status", "status",
    "first_response_open_s", "resolution_open_s", "first_resolution_s", "resolution_calendar_s", "resolution_business_s",
    "real_reopens", "thankyou_reopens", "no_human_touch", "automated_password_reset",
    "auto_triage", "triage_wait_s", "triage_wait_business_s",
    "n_events", "handoffs", "escalated", "transferred", "first_contact_resolution",
    "is_resolved", "is_closed",
)
"""Columns of the truth table, in file order (see ``sample_logs/README.md`` for meanings)."""


def case_bounds(raw: m.RawLog) -> tuple[np.ndarray, np.ndarray]:
    """Index of each case's first event and one past its last (events are grouped by case)."""
    n = raw.cases.arrival.size
    first = np.searchsorted(raw.ev_case, np.arange(n), side="left")
    last = np.searchsorted(raw.ev_case, np.arange(n), side="right")
    return first, last


def _codes(names: tuple[str, ...]) -> np.ndarray:
    return np.array([m.ACTIVITIES.index(a) for a in names if a in m.ACTIVITIES], dtype=np.int8)


def _per_case_min(case: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int, empty: int) -> np.ndarray:
    out = np.full(n, empty, dtype=np.int64)
    np.minimum.at(out, case[mask], values[mask])
    return out


def _per_case_max(case: np.ndarray, values: np.ndarray, mask: np.ndarray, n: int, empty: int) -> np.ndarray:
    out = np.full(n, empty, dtype=np.int64)
    np.maximum.at(out, case[mask], values[mask])
    return out


def _nullable(values: np.ndarray, keep: np.ndarray) -> pd.Series:
    """Int64 series with <NA> where ``keep`` is False."""
    return pd.Series(np.asarray(values, dtype=np.int64), dtype="Int64").mask(~np.asarray(keep))


NONE = np.iinfo(np.int64).max
"""Marker for 'milestone not reached' in int64 instant arrays."""


def milestones(raw: m.RawLog, policy: SlaPolicy) -> dict[str, np.ndarray]:
    """Per-case instants: start, first_response, resolution, first_resolution (NONE if absent)."""
    n = raw.cases.arrival.size
    case, act, t = raw.ev_case, raw.ev_act, raw.ev_time
    ms = policy.milestones
    fr = np.isin(act, _codes(ms["first_response"]))
    done = np.isin(act, _codes(ms["resolved"] + ms["closed"]))
    reopened = np.isin(act, _codes(ms["reopened"]))
    start = _per_case_min(case, t, np.ones(t.size, bool), n, NONE)
    last_reopen = _per_case_max(case, t, reopened, n, -1)
    return {
        "start": start,
        "first_response": _per_case_min(case, t, fr | done, n, NONE),
        "resolution": _per_case_min(case, t, done & (t > last_reopen[case]), n, NONE),
        "first_resolution": _per_case_min(case, t, done, n, NONE),
    }


def _target_table(raw: m.RawLog, policy: SlaPolicy) -> tuple[list, np.ndarray]:
    """The target of each case (index into ``policy.targets``)."""
    c = raw.cases
    idx = np.zeros(c.arrival.size, dtype=np.int64)
    for pi, prio in enumerate(m.PRIORITIES):
        for ci, cat in enumerate(m.CATEGORIES):
            for hi, ch in enumerate(m.CHANNELS):
                sel = (c.priority == pi) & (c.category == ci) & (c.channel == hi)
                if sel.any():
                    tg = policy.target_for({"priority": prio, "category": cat, "channel": ch})
                    idx[sel] = policy.targets.index(tg)
    return list(policy.targets), idx


def sla_clock(raw: m.RawLog, policy: SlaPolicy, log_end: int) -> pd.DataFrame:
    """Elapsed SLA seconds per case under ``policy`` (see the module docstring for the rules).

    Columns: target, first_response_s, resolution_s, paused_s, first_resolution_s,
    first_response_target_s, resolution_target_s, first_response_elapsed_end_s,
    resolution_elapsed_end_s (elapsed at the milestone, or at the log end when not reached).
    """
    n = raw.cases.arrival.size
    lo, hi = raw.window
    targets, tidx = _target_table(raw, policy)
    cal_names = sorted({t.calendar for t in targets})
    cals = {name: WorkCalendar(policy.calendars[name], lo - 2 * 86400, hi + 2 * 86400) for name in cal_names}
    case_cal = np.array([cal_names.index(targets[i].calendar) for i in range(len(targets))])[tidx]

    def work_cum(instants: np.ndarray, owner: np.ndarray) -> np.ndarray:
        out = np.zeros(instants.size, dtype=np.int64)
        for ci, name in enumerate(cal_names):
            sel = case_cal[owner] == ci
            out[sel] = cals[name].cum(instants[sel])
        return out

    ms = milestones(raw, policy)
    case, act, t = raw.ev_case, raw.ev_act, raw.ev_time
    nxt = np.empty_like(t)
    nxt[:-1] = t[1:]
    last_of_case = np.ones(t.size, bool)
    last_of_case[:-1] = case[1:] != case[:-1]
    nxt[last_of_case] = log_end
    pause = np.isin(act, _codes(policy.milestones["pause"]))
    p_case, p_t, p_next = case[pause], t[pause], nxt[pause]
    cases = np.arange(n)
    start_w = work_cum(ms["start"], cases)

    def elapsed(instant: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        reached = instant != NONE
        upto = np.where(reached, instant, log_end)
        cap = upto[p_case]
        paused_each = work_cum(np.minimum(p_next, cap), p_case) - work_cum(np.minimum(p_t, cap), p_case)
        paused = np.bincount(p_case, weights=np.maximum(paused_each, 0), minlength=n).astype(np.int64)
        return work_cum(upto, cases) - start_w - paused, paused

    fr_el, _ = elapsed(ms["first_response"])
    res_el, paused = elapsed(ms["resolution"])
    first_res_el, _ = elapsed(ms["first_resolution"])
    fr_target = np.array([tg.first_response_s for tg in targets])[tidx]
    res_target = np.array([tg.resolution_s for tg in targets])[tidx]
    fr_reached = ms["first_response"] != NONE
    res_reached = ms["resolution"] != NONE
    return pd.DataFrame(
        {
            "target": np.array([tg.name for tg in targets], dtype=object)[tidx],
            "first_response_s": _nullable(np.where(fr_reached, fr_el, 0), fr_reached),
            "resolution_s": _nullable(np.where(res_reached, res_el, 0), res_reached),
            "paused_s": paused,
            "first_resolution_s": _nullable(first_res_el, ms["first_resolution"] != NONE),
            "first_response_target_s": fr_target,
            "resolution_target_s": res_target,
            "first_response_elapsed_end_s": fr_el,
            "resolution_elapsed_end_s": res_el,
            "first_response_status": _status(fr_reached, fr_el > fr_target),
            "status": _status(res_reached, res_el > res_target),
        }
    )


def _status(reached: np.ndarray, over: np.ndarray) -> np.ndarray:
    return np.select(
        [reached & ~over, reached & over, ~reached & ~over],
        ["met", "breached", "open"],
        "open_breached",
    ).astype(object)


FCR_BREAKERS = (
    m.ESCALATE, m.TO_BACK_OFFICE, m.TO_FINANCE, m.TO_LOGISTICS, m.RETURN_L1, m.REOPEN, m.REQUEST_INFO,
)
"""A resolved case with none of these activities is a first-contact resolution."""


def case_metrics(raw: m.RawLog, policy: SlaPolicy, office: WorkCalendar) -> pd.DataFrame:
    """Per-case facts behind the KPIs (computed from the generator's arrays).

    Columns: n_events, handoffs (consecutive events whose non-empty Team differs, customer
    events skipped), escalated, transferred, reopened (any ``Reopen ticket``), is_resolved,
    is_closed, resolution_calendar_s and resolution_business_s (Create ticket -> resolution
    instant, wall clock / office calendar, no pause subtraction), first_contact_resolution,
    no_human_touch (resolved, and no event by a human agent: only customer, bots, system),
    triage_wait_business_s.
    """
    n = raw.cases.arrival.size
    case, act, team, agent = raw.ev_case, raw.ev_act, raw.ev_team, raw.ev_agent
    n_events = np.bincount(case, minlength=n)
    has_team = team != m.NO_TEAM
    tc, tt = case[has_team], team[has_team]
    change = np.zeros(tc.size, bool)
    change[1:] = (tc[1:] == tc[:-1]) & (tt[1:] != tt[:-1])
    handoffs = np.bincount(tc[change], minlength=n)

    def any_of(codes) -> np.ndarray:
        return np.bincount(case[np.isin(act, codes)], minlength=n) > 0

    escalated = any_of([m.ESCALATE])
    transferred = any_of([m.TO_BACK_OFFICE, m.TO_FINANCE, m.TO_LOGISTICS, m.RETURN_L1])
    reopened = any_of([m.REOPEN])
    fcr_broken = any_of(list(FCR_BREAKERS))
    human = ~np.isin(agent, list(m.NON_HUMAN_AGENTS))
    ms = milestones(raw, policy)
    resolved = ms["resolution"] != NONE
    no_human = resolved & (np.bincount(case[human], minlength=n) == 0)
    upto = np.where(resolved, ms["resolution"], ms["start"])
    res_cal = upto - ms["start"]
    res_bus = office.working_seconds(ms["start"], upto)
    tw = raw.triage_wait
    tw_bus = np.where(tw >= 0, office.working_seconds(ms["start"], ms["start"] + np.maximum(tw, 0)), -1)
    return pd.DataFrame(
        {
            "n_events": n_events,
            "handoffs": handoffs,
            "escalated": escalated,
            "transferred": transferred,
            "reopened": reopened,
            "is_resolved": resolved,
            "is_closed": any_of([m.CLOSE]),
            "resolution_calendar_s": _nullable(res_cal, resolved),
            "resolution_business_s": _nullable(res_bus, resolved),
            "first_contact_resolution": resolved & ~fcr_broken,
            "no_human_touch": no_human,
            "triage_wait_business_s": _nullable(tw_bus, tw >= 0),
        }
    )


def truth_table(
    raw: m.RawLog, case_ids: np.ndarray, policy: SlaPolicy, log_end: int, office: WorkCalendar
) -> pd.DataFrame:
    """One row per case, columns :data:`TRUTH_COLUMNS`."""
    c = raw.cases
    clock = sla_clock(raw, policy, log_end)
    facts = case_metrics(raw, policy, office)
    tw = raw.triage_wait
    df = pd.DataFrame(
        {
            "case_id": case_ids,
            "target": clock["target"],
            "priority": np.array(m.PRIORITIES, dtype=object)[c.priority],
            "category": np.array(m.CATEGORIES, dtype=object)[c.category],
            "channel": np.array(m.CHANNELS, dtype=object)[c.channel],
            "created_at": format_iso_local(c.arrival, raw.config.timezone),
            "first_response_s": clock["first_response_s"],
            "resolution_s": clock["resolution_s"],
            "paused_s": clock["paused_s"],
            "first_response_target_s": clock["first_response_target_s"],
            "resolution_target_s": clock["resolution_target_s"],
            "first_response_breached": clock["first_response_status"].isin(["breached", "open_breached"]),
            "resolution_breached": clock["status"].isin(["breached", "open_breached"]),
            "first_response_status": clock["first_response_status"],
            "status": clock["status"],
            "first_response_open_s": _nullable(
                clock["first_response_elapsed_end_s"], clock["first_response_s"].isna()
            ),
            "resolution_open_s": _nullable(clock["resolution_elapsed_end_s"], clock["resolution_s"].isna()),
            "first_resolution_s": clock["first_resolution_s"],
            "resolution_calendar_s": facts["resolution_calendar_s"],
            "resolution_business_s": facts["resolution_business_s"],
            "real_reopens": raw.real_reopens,
            "thankyou_reopens": raw.thankyou_reopens,
            "no_human_touch": facts["no_human_touch"],
            "automated_password_reset": raw.selfservice,
            "auto_triage": raw.auto_triage,
            "triage_wait_s": _nullable(tw, tw >= 0),
            "triage_wait_business_s": facts["triage_wait_business_s"],
            "n_events": facts["n_events"],
            "handoffs": facts["handoffs"],
            "escalated": facts["escalated"],
            "transferred": facts["transferred"],
            "first_contact_resolution": facts["first_contact_resolution"],
            "is_resolved": facts["is_resolved"],
            "is_closed": facts["is_closed"],
        }
    )
    return df[list(TRUTH_COLUMNS)]


# -- KPIs and population effect sizes ---------------------------------------------------------
KPIS = (
    "cases_per_week",
    "resolution_calendar_median_h", "resolution_calendar_p90_h",
    "resolution_business_median_h", "resolution_business_p90_h",
    "events_per_case", "handoffs_per_case",
    "reopen_rate", "real_reopen_rate", "first_contact_resolution_rate",
    "resolution_breach_rate", "first_response_breach_rate", "no_human_touch_share",
)
"""KPIs of a before/after comparison, in report order (definitions in sample_logs/README.md)."""

UNAFFECTED = "not password reset, phone/chat"


def segments(truth: pd.DataFrame) -> list[tuple[str, str, np.ndarray]]:
    """(segment_type, segment, row mask) for overall, category, channel, channel group,
    category x channel group, and the segment no injected change touches."""
    group = np.where(truth["channel"].isin(["phone", "chat"]), "phone/chat", "email/web form")
    out = [("overall", "all", np.ones(len(truth), bool))]
    out += [("category", c, (truth["category"] == c).to_numpy()) for c in m.CATEGORIES]
    out += [("channel", c, (truth["channel"] == c).to_numpy()) for c in m.CHANNELS]
    out += [("channel_group", g, group == g) for g in ("phone/chat", "email/web form")]
    out += [
        ("category x channel_group", f"{c} & {g}", (truth["category"] == c).to_numpy() & (group == g))
        for c in m.CATEGORIES for g in ("phone/chat", "email/web form")
    ]
    out.append(("no injected effect", UNAFFECTED,
                (truth["category"] != "password reset").to_numpy() & (group == "phone/chat")))
    return out


def _quantile_with_se(x: np.ndarray, q: float) -> tuple[float, float]:
    """Sample quantile (numpy 'linear') and a distribution-free SE from order statistics."""
    n = x.size
    if n == 0:
        return float("nan"), float("nan")
    xs = np.sort(x)
    half = 1.96 * np.sqrt(n * q * (1 - q))
    lo = int(np.clip(np.floor(n * q - half), 0, n - 1))
    hi = int(np.clip(np.ceil(n * q + half), 0, n - 1))
    return float(np.quantile(xs, q)), float((xs[hi] - xs[lo]) / (2 * 1.96))


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    if x.size == 0:
        return float("nan"), float("nan")
    x = x.astype(float)
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size)) if x.size > 1 else float("nan")


def kpi_values(truth: pd.DataFrame, weeks: float) -> dict[str, tuple[float, float, int]]:
    """KPI -> (value, standard error, number of cases it is computed on) for one segment."""
    n = len(truth)
    res = truth[truth["is_resolved"]]
    cal = res["resolution_calendar_s"].to_numpy(dtype=float) / 3600
    bus = res["resolution_business_s"].to_numpy(dtype=float) / 3600
    reopen = (truth["real_reopens"] + truth["thankyou_reopens"] > 0).to_numpy()
    out = {"cases_per_week": (n / weeks, float("nan"), n)}
    out["resolution_calendar_median_h"] = (*_quantile_with_se(cal, 0.5), len(res))
    out["resolution_calendar_p90_h"] = (*_quantile_with_se(cal, 0.9), len(res))
    out["resolution_business_median_h"] = (*_quantile_with_se(bus, 0.5), len(res))
    out["resolution_business_p90_h"] = (*_quantile_with_se(bus, 0.9), len(res))
    out["events_per_case"] = (*_mean_se(truth["n_events"].to_numpy()), n)
    out["handoffs_per_case"] = (*_mean_se(truth["handoffs"].to_numpy()), n)
    out["reopen_rate"] = (*_mean_se(reopen), n)
    out["real_reopen_rate"] = (*_mean_se((truth["real_reopens"] > 0).to_numpy()), n)
    out["first_contact_resolution_rate"] = (*_mean_se(res["first_contact_resolution"].to_numpy()), len(res))
    out["resolution_breach_rate"] = (*_mean_se(truth["resolution_breached"].to_numpy()), n)
    out["first_response_breach_rate"] = (*_mean_se(truth["first_response_breached"].to_numpy()), n)
    out["no_human_touch_share"] = (*_mean_se(truth["no_human_touch"].to_numpy()), n)
    return out


def kpi_table(truth: pd.DataFrame, days: int) -> pd.DataFrame:
    """Long table: segment_type, segment, kpi, value, se, n (cases the KPI is computed on)."""
    rows = []
    for stype, seg, mask in segments(truth):
        for kpi, (v, se, n) in kpi_values(truth[mask], days / 7).items():
            rows.append((stype, seg, kpi, v, se, n))
    return pd.DataFrame(rows, columns=["segment_type", "segment", "kpi", "value", "se", "n"])


def injected(segment_type: str, segment: str, kpi: str) -> bool:
    """Whether an injected change can move ``kpi`` in this segment (False = no injected effect)."""
    if kpi == "cases_per_week":
        return False
    if segment_type == "no injected effect":
        return False
    if segment_type == "category x channel_group":
        cat, group = segment.split(" & ")
        return cat == "password reset" or group == "email/web form"
    return True


def expected_cases_per_week(config: m.SimulationConfig) -> dict[str, float]:
    """Exact expected cases per week of every segment: n_cases x P(segment) / weeks."""
    p_cat = config.category_probabilities()
    cells = pd.DataFrame(
        [(c, ch, p_cat[ci] * m.CHANNEL_MIX[ci][hi])
         for ci, c in enumerate(m.CATEGORIES) for hi, ch in enumerate(m.CHANNELS)],
        columns=["category", "channel", "p"],
    )
    weeks = config.days / 7
    return {seg: config.n_cases * float(cells["p"][mask].sum()) / weeks for _, seg, mask in segments(cells)}


POPULATION_CASES = 200_000
POPULATION_SEEDS = {"before": 1_000_001, "after": 1_000_002}


def population_kpis(n_cases: int = POPULATION_CASES, seeds: dict[str, int] | None = None) -> pd.DataFrame:
    """Before/after KPI values of the sample pair's configs estimated on ``n_cases`` per side.

    Same windows, mix and switches as the committed pair, only more cases (cases are
    independent, so per-case distributions do not depend on volume; ``cases_per_week`` is
    rescaled to the sample's 4,000 cases). Columns: segment_type, segment, kpi, before,
    before_se, after, after_se, difference, injected_effect.
    """
    from .generate import before_after_configs, simulate_log
    from .policy import default_policy

    seeds = seeds or POPULATION_SEEDS
    sample_before, _ = before_after_configs()
    before, after = before_after_configs(n_cases=n_cases)
    expected = expected_cases_per_week(sample_before)
    tables = {}
    for name, cfg in (("before", before), ("after", after)):
        res = simulate_log(cfg, seed=seeds[name], policy=default_policy())
        tab = kpi_table(res.truth, cfg.days)
        cpw = tab["kpi"] == "cases_per_week"
        tab.loc[cpw, "value"] = [expected[s] for s in tab.loc[cpw, "segment"]]
        tables[name] = tab.set_index(["segment_type", "segment", "kpi"])
    out = tables["before"][["value", "se"]].rename(columns={"value": "before", "se": "before_se"})
    out = out.join(tables["after"][["value", "se"]].rename(columns={"value": "after", "se": "after_se"}))
    out["difference"] = out["after"] - out["before"]
    out = out.reset_index()
    out["injected_effect"] = [injected(a, b, k) for a, b, k in zip(out["segment_type"], out["segment"], out["kpi"], strict=True)]
    return out
