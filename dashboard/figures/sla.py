"""SLA figures and tables (pure): breach rates, drivers, Kaplan-Meier, reopens, waits, the at-risk
queue, calibration, the policy in readable tables, and the overview cards built on them.

Inputs are the frames of :mod:`pipelines.mining.sla` (column names as documented there). Rates
are shares in 0..1, durations seconds; conversion happens only when drawing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures.common import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    RED,
    STEP_RESOLUTION,
    duration_unit,
    empty_figure,
    format_count,
    format_duration,
    format_share,
    is_missing,
    styled,
    thin_steps,
)
from dashboard.figures.kpis import Kpi
from pipelines.mining.policy import SlaPolicy
from pipelines.mining.policy import format_duration as policy_duration

MILESTONE_LABELS = {"first_response": "first response", "resolution": "resolution"}
STATUSES = ("met", "breached", "open", "open_breached")
SEGMENTS = ("target", "priority", "category", "channel", "team")
PERIODS = ("week", "month")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
AT_RISK_THRESHOLD = 0.5
"""An open case is *at risk* when its breach probability is at least this."""
CUSTOMER_COLOUR, AGENT_COLOUR = GREY, ORANGE


# -- breach rates ------------------------------------------------------------------------------------

def overall_rates(rates: pd.DataFrame) -> dict[str, float | int]:
    """Totals of a ``sla_breach_rates`` frame (any ``by``): the breach rate of each milestone over
    every case with that objective, ``(breached + open_breached) / (met + breached + open +
    open_breached)``, and the counts behind it.

    Returns ``{"cases", "<m>_cases", "<m>_breached", "<m>_breach_rate"}`` for m in first_response,
    resolution (rate NaN when no case has the objective).
    """
    out: dict[str, float | int] = {"cases": int(rates["cases"].sum()) if len(rates) else 0}
    for m in MILESTONE_LABELS:
        counted = int(sum(rates[f"{m}_{s}"].sum() for s in STATUSES)) if len(rates) else 0
        breached = int(rates[f"{m}_breached"].sum() + rates[f"{m}_open_breached"].sum()) if len(rates) else 0
        out[f"{m}_cases"] = counted
        out[f"{m}_breached"] = breached
        out[f"{m}_breach_rate"] = breached / counted if counted else float("nan")
    return out


def _key_text(values: pd.Series) -> list[str]:
    return ["(none)" if is_missing(v) else str(v) for v in values]


def breach_rate_figure(rates: pd.DataFrame, by: str) -> go.Figure:
    """Breach rate of first response and resolution per segment (grouped horizontal bars, %)."""
    if rates.empty:
        return empty_figure("No case with an SLA target in scope")
    labels = _key_text(rates[by])
    fig = go.Figure()
    for m, colour in (("first_response", BLUE), ("resolution", RED)):
        counted = sum(rates[f"{m}_{s}"] for s in STATUSES)
        fig.add_trace(go.Bar(
            y=labels, x=(rates[f"{m}_breach_rate"] * 100).round(2).tolist(), name=MILESTONE_LABELS[m],
            orientation="h", marker_color=colour, customdata=np.asarray(counted, dtype=np.int64),
            hovertemplate="%{y}: %{x:.1f}% of %{customdata:,} cases<extra>" + MILESTONE_LABELS[m] + "</extra>"))
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="breach rate (%)", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return styled(fig, title=f"SLA breach rate by {by}", height=max(300, 40 * len(rates) + 110))


def breach_trend_figure(rates: pd.DataFrame, period: str) -> go.Figure:
    """Breach rates per week or month of case start (lines, %)."""
    if rates.empty:
        return empty_figure("No case with an SLA target in scope")
    fig = go.Figure()
    for m, colour, dash in (("first_response", BLUE, "dot"), ("resolution", RED, "solid")):
        fig.add_trace(go.Scatter(x=rates[period].astype(str).tolist(),
                                 y=(rates[f"{m}_breach_rate"] * 100).round(2).tolist(),
                                 name=MILESTONE_LABELS[m], mode="lines+markers",
                                 line={"color": colour, "dash": dash}))
    fig.update_yaxes(title_text="breach rate (%)", rangemode="tozero")
    fig.update_xaxes(title_text=f"{period} of case start", type="category")
    return styled(fig, title=f"SLA breach rate per {period} (cases started that {period})")


# -- breach drivers ---------------------------------------------------------------------------------

def driver_labels(drivers: pd.DataFrame) -> list[str]:
    """``status`` or ``status → next`` (``status → (still there)`` when the case had it at as_of)."""
    if "next_status" not in drivers:
        return [str(s) for s in drivers["status"]]
    return [f"{s} → {'(still there)' if is_missing(n) else n}" for s, n in zip(drivers["status"],
                                                                               drivers["next_status"], strict=True)]


def drivers_figure(drivers: pd.DataFrame, milestone: str = "resolution", top: int = 12) -> go.Figure:
    """Extra business time per breached case vs met cases (``excess_s``), the ``top`` counted keys."""
    counted = drivers[~drivers["paused"]] if len(drivers) else drivers
    if counted.empty or counted["excess_s"].isna().all():
        return empty_figure("No breached and met cases to compare")
    head = counted.sort_values("rank").head(top).iloc[::-1]
    unit, size = duration_unit(float(head["excess_s"].abs().max()))
    values = (head["excess_s"] / size).round(3)
    fig = go.Figure(go.Bar(
        y=driver_labels(head), x=values.tolist(), orientation="h",
        marker_color=[RED if v > 0 else GREEN for v in values],
        customdata=np.column_stack([head["breached_mean_s"] / size, head["met_mean_s"] / size]),
        hovertemplate=("%{y}: %{x:.2f} " + unit + " more per breached case<br>breached %{customdata[0]:.2f}, "
                       "met %{customdata[1]:.2f} " + unit + "<extra></extra>")))
    fig.update_xaxes(title_text=f"extra business {unit} per breached case (vs met)", zeroline=True)
    fig.update_yaxes(automargin=True)
    return styled(fig, title=f"Where breached cases lose time ({MILESTONE_LABELS.get(milestone, milestone)})",
                  height=max(300, 28 * len(head) + 100))


# -- resolution times -------------------------------------------------------------------------------

MEASURE_LABELS = {"calendar": "calendar time", "business": "business hours (target calendar)",
                  "sla": "SLA clock (pauses stopped)"}


def resolution_table(summary: pd.DataFrame) -> pd.DataFrame:
    """``ResolutionTimes.summary`` for people: one row per measure, Kaplan-Meier (open cases censored)
    and naive (resolved cases only, what /compare tests) side by side."""
    return pd.DataFrame({
        "measure": [MEASURE_LABELS.get(m, m) for m in summary["measure"]],
        "cases": summary["cases"].astype("int64"), "resolved": summary["resolved"].astype("int64"),
        "open (censored)": summary["censored"].astype("int64"),
        "Kaplan-Meier median": [format_duration(v) for v in summary["km_median_s"]],
        "Kaplan-Meier p90": [format_duration(v) for v in summary["km_p90_s"]],
        "median, resolved cases only": [format_duration(v) for v in summary["naive_median_s"]],
        "p90, resolved cases only": [format_duration(v) for v in summary["naive_p90_s"]],
    })


def km_curve(km: pd.DataFrame, *, resolution: float = STEP_RESOLUTION) -> tuple[list[float], list[float]]:
    """A Kaplan-Meier table as a step curve: ``([0, t1, t2, ...], [1, S(t1), S(t2), ...])``, its
    steps finer than ``resolution`` merged for drawing (:func:`~dashboard.figures.common.thin_steps`)."""
    t, s = thin_steps(km["time"], km["survival"], resolution)
    return [0.0, *t.tolist()], [1.0, *s.tolist()]


def km_figure(curves: Mapping[str, pd.DataFrame], medians: Mapping[str, float] | None = None) -> go.Figure:
    """Survival curves (share of cases still unresolved) of ``kaplan_meier`` tables, one per label.

    ``medians``: the Kaplan-Meier median of each label, marked with a dotted line at 50%.
    """
    curves = {k: v for k, v in curves.items() if len(v)}
    if not curves:
        return empty_figure("No case with a resolution time in scope")
    unit, size = duration_unit(max(float(v["time"].quantile(0.95)) for v in curves.values()))
    fig = go.Figure()
    colours = [BLUE, ORANGE, GREEN, RED]
    for i, (label, km) in enumerate(curves.items()):
        x, y = km_curve(km)
        fig.add_trace(go.Scatter(x=[v / size for v in x], y=[100 * v for v in y], name=label, mode="lines",
                                 line={"shape": "hv", "color": colours[i % len(colours)]},
                                 hovertemplate="%{x:.1f} " + unit + ": %{y:.1f}% still open<extra>" + label
                                 + "</extra>"))
        median = (medians or {}).get(label)
        if median is not None and not is_missing(median):
            fig.add_trace(go.Scatter(x=[0, median / size, median / size], y=[50, 50, 0], mode="lines",
                                     line={"dash": "dot", "width": 1, "color": colours[i % len(colours)]},
                                     showlegend=False, hoverinfo="skip"))
    fig.update_xaxes(title_text=f"time since the case opened ({unit})", rangemode="tozero")
    fig.update_yaxes(title_text="cases not yet resolved (%)", range=[0, 101])
    return styled(fig, title="Kaplan-Meier: share of cases still unresolved (open cases censored)")


def resolution_kpis(summary: pd.DataFrame, *, resolved_by: str | None) -> list[Kpi]:
    """The overview's "Median resolution" and "P90 resolution" cards from ``ResolutionTimes.summary``.

    Both are Kaplan-Meier estimates on calendar time (open cases right-censored), the numbers /sla
    shows; ``resolved_by`` names the resolution milestones (:func:`resolution_text`), None when the
    log has none (a closed case then resolves at its last event).
    """
    row = summary[summary["measure"] == "calendar"]
    if row.empty:
        return [Kpi("median_resolution", "Median resolution", None, "—", "no case in scope"),
                Kpi("p90_resolution", "P90 resolution", None, "—", "no case in scope")]
    r = row.iloc[0]
    until = (f"start to the first {resolved_by} after the last reopen" if resolved_by
             else "start to the last event of closed cases")
    out = []
    for key, label, km in (("median_resolution", "Median resolution", r["km_median_s"]),
                           ("p90_resolution", "P90 resolution", r["km_p90_s"])):
        value = None if is_missing(km) else float(km)
        detail = (f"{until} · Kaplan-Meier, calendar time, {format_count(r['censored'])} open cases censored"
                  if value is not None else f"not reached: too many cases still open ({until}, Kaplan-Meier)")
        out.append(Kpi(key, label, value, format_duration(value), detail))
    return out


# -- reopens ----------------------------------------------------------------------------------------

def reopen_figure(cycles: pd.DataFrame) -> go.Figure:
    """Cases by number of reopens, counting every reopen vs real ones (thank-you reopens left out)."""
    if cycles.empty or int(cycles["cycles"].max()) == 0:
        return empty_figure("No case was reopened")
    shown = cycles[cycles["cycles"] > 0]
    x = [f"{c}×" for c in shown["cycles"]]
    fig = go.Figure([
        go.Bar(x=x, y=shown["cases_all"].tolist(), name="every reopen", marker_color=ORANGE),
        go.Bar(x=x, y=shown["cases_real"].tolist(), name="without thank-you reopens", marker_color=BLUE),
    ])
    fig.update_layout(barmode="group")
    fig.update_xaxes(title_text="reopens per case")
    fig.update_yaxes(title_text="cases")
    return styled(fig, title="Reopened cases", height=280)


def reopen_lines(summary: Mapping) -> list[tuple[str, str]]:
    """(label, value) rows of ``get_reopens(...).summary`` (one row, as a dict)."""
    rule = "on (ignored)" if summary["rule_on"] else "off (they count)"
    return [
        ("reopened cases", f"{format_count(summary['reopened_cases'])} ({format_share(summary['reopen_rate'])})"),
        ("without thank-you reopens", f"{format_count(summary['real_reopened_cases'])} "
                                      f"({format_share(summary['real_reopen_rate'])})"),
        ("thank-you reopens", f"{format_count(summary['thank_you_events'])} in "
                              f"{format_count(summary['thank_you_cases'])} cases (closed again within "
                              f"{format_duration(summary['thank_you_window_s'])}, no agent work)"),
        ("thank-you rule in the policy", rule),
        ("resolution breaches, rule off → on", f"{format_count(summary['resolution_breached_rule_off'])} → "
                                               f"{format_count(summary['resolution_breached_rule_on'])} "
                                               f"({format_count(summary['affected_cases'])} cases' clocks move)"),
    ]


# -- customer vs agent wait ------------------------------------------------------------------------

def wait_totals(wait: pd.DataFrame) -> dict[str, float]:
    """Business seconds waited for the customer and for the desk, and the customer's share."""
    customer = float(wait.loc[wait["waits_for"] == "customer", "business_total_s"].sum()) if len(wait) else 0.0
    agent = float(wait.loc[wait["waits_for"] == "agent", "business_total_s"].sum()) if len(wait) else 0.0
    total = customer + agent
    return {"customer_s": customer, "agent_s": agent, "customer_share": customer / total if total else float("nan")}


def wait_figure(wait: pd.DataFrame, top: int = 15) -> go.Figure:
    """Business time in each status inside the SLA windows, coloured by whom the case waited for."""
    if wait.empty or float(wait["business_total_s"].sum()) <= 0:
        return empty_figure("No waiting time inside SLA windows in scope")
    head = wait.sort_values(["business_total_s", "status"], ascending=[False, True]).head(top).iloc[::-1]
    unit, size = "hours", 3600.0  # business time: a "day" of it would read as 24 working hours
    fig = go.Figure()
    for who, colour, name in (("agent", AGENT_COLOUR, "the desk (clock runs)"),
                              ("customer", CUSTOMER_COLOUR, "the customer (clock paused)")):
        part = head[head["waits_for"] == who]
        fig.add_trace(go.Bar(y=part["status"].astype(str).tolist(), x=(part["business_total_s"] / size).round(3).tolist(),
                             name=f"waiting for {name}", orientation="h", marker_color=colour,
                             customdata=part["business_share"].tolist(),
                             hovertemplate="%{y}: %{x:.1f} " + unit + " (%{customdata:.1%})<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_yaxes(categoryorder="array", categoryarray=head["status"].astype(str).tolist(), automargin=True)
    fig.update_xaxes(title_text=f"business time in the status ({unit}, summed over cases)")
    return styled(fig, title="Customer vs agent wait, by status", height=max(300, 26 * len(head) + 100))


# -- at-risk queue and calibration -------------------------------------------------------------------

def at_risk_table(queue: pd.DataFrame, query: str = "") -> pd.DataFrame:
    """The at-risk queue for the grid, with ``case_href`` (``/cases?case=ID`` plus the filter query)."""
    out = queue.copy()
    suffix = f"&{query}" if query else ""
    out["case_href"] = [f"/cases?case={_quote(c)}{suffix}" for c in out["case_id"].astype(str)]
    out["milestone"] = [MILESTONE_LABELS.get(m, m) for m in out["milestone"]]
    return out


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def at_risk_count(queue: pd.DataFrame, threshold: float = AT_RISK_THRESHOLD) -> dict[str, int]:
    """Open cases at risk: distinct cases with a pending milestone whose breach probability is at
    least ``threshold`` (already breached ones included), and of them those already breached."""
    risky = queue[queue["breach_probability"] >= threshold]
    breached = risky[risky["already_breached"]]
    return {"open_cases": int(queue["case_id"].nunique()), "at_risk": int(risky["case_id"].nunique()),
            "already_breached": int(breached["case_id"].nunique())}


def calibration_lines(summary: pd.DataFrame) -> list[tuple[str, str]]:
    """(label, value) rows of the pooled row of ``calibrate_risk(...).summary``."""
    pooled = summary[summary["cutoff"].isna()]
    if pooled.empty or int(pooled.iloc[0]["cases"]) == 0:
        return [("calibration", "not enough history to replay")]
    r = pooled.iloc[0]
    return [
        ("replayed cut-offs", str(int(summary["cutoff"].notna().sum()))),
        ("cases scored with a known outcome", f"{format_count(r['cases'])} ({format_count(r['breached'])} breached)"),
        ("mean predicted vs observed", f"{format_share(r['mean_predicted'])} vs {format_share(r['base_rate'])}"),
        ("Brier score (lower is better)", f"{r['brier']:.3f} (target base rate alone: {r['brier_reference']:.3f})"),
        ("skill vs base rate", f"{r['skill']:.0%}" if not is_missing(r["skill"]) else "—"),
        ("ROC AUC", f"{r['auc']:.2f}" if not is_missing(r["auc"]) else "—"),
    ]


def reliability_figure(reliability: pd.DataFrame) -> go.Figure:
    """Predicted breach probability vs the observed breach rate per bin (a calibrated model is on
    the diagonal); marker size ~ cases."""
    shown = reliability[reliability["cases"] > 0] if len(reliability) else reliability
    if shown.empty:
        return empty_figure("Not enough history to replay the at-risk model")
    fig = go.Figure([
        go.Scatter(x=[0, 100], y=[0, 100], mode="lines", line={"dash": "dot", "color": GREY}, name="perfect",
                   hoverinfo="skip"),
        go.Scatter(x=(shown["mean_predicted"] * 100).round(2).tolist(), y=(shown["observed_rate"] * 100).round(2).tolist(),
                   mode="lines+markers", name="at-risk model", line={"color": BLUE},
                   marker={"size": [6 + 14 * math.sqrt(c / shown["cases"].max()) for c in shown["cases"]]},
                   customdata=shown["cases"].tolist(),
                   hovertemplate="predicted %{x:.0f}%: %{y:.0f}% breached (%{customdata} cases)<extra></extra>"),
    ])
    fig.update_xaxes(title_text="predicted breach probability (%)", range=[0, 100])
    fig.update_yaxes(title_text="observed breach rate (%)", range=[0, 100])
    return styled(fig, title="Calibration of the at-risk model (replayed)", height=320)


# -- the policy, readable ----------------------------------------------------------------------------

def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _span_text(value: float | None) -> str:
    """A target duration as written in policies, in hours from one hour up (``"40h"``, not
    ``"1d16h"``: targets are working time, and a working day is not 24 hours)."""
    if value is None or is_missing(value):
        return "—"
    v = float(value)
    if v >= 3600 and v % 60 == 0:
        hours, rest = divmod(int(v), 3600)
        return f"{hours}h" + (f"{rest // 60}m" if rest else "")
    return str(policy_duration(v))


def policy_tables(policy: SlaPolicy) -> dict[str, pd.DataFrame]:
    """The policy as three small tables: ``targets``, ``calendars`` and ``milestones``."""
    targets = pd.DataFrame({
        "order": list(range(1, len(policy.targets) + 1)),
        "target": [t.name for t in policy.targets],
        "applies to": [" and ".join(f"{a} = {' or '.join(v)}" for a, v in t.when) or "every other case"
                       for t in policy.targets],
        "calendar": [t.calendar for t in policy.targets],
        "first response": [_span_text(t.first_response_s) for t in policy.targets],
        "resolution": [_span_text(t.resolution_s) for t in policy.targets],
    })
    rows = []
    for name, cal in policy.calendars.items():
        hours = sum(e - s for day in cal.weekly for s, e in day) / 3600
        row = {"calendar": name, "time zone": cal.timezone, "hours per week": round(hours, 2)}
        for label, day in zip(WEEKDAY_NAMES, cal.weekly, strict=True):
            row[label] = ", ".join(f"{_clock(s)}–{_clock(e)}" for s, e in day) or "closed"
        row["holidays"] = len(cal.holidays)
        rows.append(row)
    calendars = pd.DataFrame(rows)
    m = policy.milestones
    milestones = pd.DataFrame({
        "milestone": ["first response", "resolved", "closed", "reopened", "pause (clock stops)"],
        "activities": [", ".join(v) or "—" for v in (m.first_response, m.resolved, m.closed, m.reopened, m.pause)],
    })
    return {"targets": targets, "calendars": calendars, "milestones": milestones}


def resolution_text(activities) -> str | None:
    """The resolution milestones (``definitions.resolution_activities``) as text, resolving ones
    before closing ones: ``"'Resolve ticket' or 'Close ticket'"``; None when there is none (a
    closed case then resolves at its last event)."""
    acts = sorted(dict.fromkeys(activities), key=lambda a: (not any(w in a.lower() for w in ("resol", "solv", "fix")), a))
    return " or ".join(f"'{a}'" for a in acts) if acts else None


# -- overview cards ---------------------------------------------------------------------------------

def sla_kpi(rates: pd.DataFrame, policy_name: str) -> Kpi:
    """"SLA breach rate": resolution breach rate of the cases with a target (open cases already over
    their target count as breached), first-response rate as the detail."""
    totals = overall_rates(rates)
    value = totals["resolution_breach_rate"]
    if is_missing(value):
        return Kpi("sla_breach_rate", "SLA breach rate", None, "—", f"no case has a resolution target in {policy_name}")
    tone = "danger" if value >= 0.15 else "warning" if value >= 0.05 else "success"
    return Kpi("sla_breach_rate", "SLA breach rate", float(value), format_share(value),
               f"resolution, {format_count(totals['resolution_breached'])} of {format_count(totals['resolution_cases'])} "
               f"cases; first response {format_share(totals['first_response_breach_rate'])} · policy {policy_name}",
               tone=tone)


def resolution_trend_figure(by_period: pd.DataFrame, period: str, measure: str = "calendar") -> go.Figure:
    """Kaplan-Meier median and p90 resolution time of the cases *started* in each week or month
    (``ResolutionTimes.by_week`` / ``by_month``), on ``measure`` (default calendar time)."""
    part = by_period[by_period["measure"] == measure] if len(by_period) else by_period
    if part.empty or part["km_median_s"].isna().all():
        return empty_figure("No resolved case in scope")
    unit, size = duration_unit(float(part[["km_p90_s", "km_median_s"]].max().max()))
    x = part[period].astype(str).tolist()
    fig = go.Figure([
        go.Scatter(x=x, y=(part["km_median_s"] / size).round(3).tolist(), name="median", mode="lines+markers",
                   line={"color": BLUE}),
        go.Scatter(x=x, y=(part["km_p90_s"] / size).round(3).tolist(), name="p90", mode="lines+markers",
                   line={"color": ORANGE, "dash": "dot"}),
    ])
    fig.update_yaxes(title_text=f"resolution ({unit})", rangemode="tozero")
    fig.update_xaxes(title_text=f"{period} the case started", type="category")
    return styled(fig, title=f"Resolution time of cases started per {period} (Kaplan-Meier, "
                             f"{MEASURE_LABELS.get(measure, measure)})")
