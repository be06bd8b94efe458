"""SLA aggregates: breach rates by segment and period, breach drivers, customer vs agent wait.

All of them read the clocks of :mod:`pipelines.mining.sla_clock` (same ``as_of`` rules) and, for
time by status, the case's *SLA window* ``[start, milestone instant or as_of]``: the time the
clock could run, so weeks of waiting for an automatic ``Closed`` after the resolution never count.
Business time is working time of the case's target calendar; calendar time is wall-clock time.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.log import Log
from pipelines.mining import compare_stats as st
from pipelines.mining.policy import SlaPolicy
from pipelines.mining.sla_clock import (
    MILESTONES,
    STATUSES,
    evaluate_sla,
    sla_clock,
    status_intervals,
    unique_sorted,
)

__all__ = [
    "BREACH_BY",
    "DRIVER_BY",
    "find_breach_drivers",
    "get_wait_by_status",
    "get_wait_split",
    "period_labels",
    "sla_breach_rates",
]

BreachBy = Literal["target", "priority", "category", "channel", "team", "week", "month"]
BREACH_BY: tuple[str, ...] = ("target", "priority", "category", "channel", "team", "week", "month")
DriverBy = Literal["status", "transition"]
DRIVER_BY: tuple[str, ...] = ("status", "transition")
PERIODS: tuple[str, ...] = ("week", "month")
_BREACHED = ("breached", "open_breached")


def period_labels(start_time: pd.Series, freq: str, tz: str) -> pd.Series:
    """Label of the week (``"2025-01-06"``, its Monday) or month (``"2025-01"``) of each instant,
    in the local calendar of ``tz``.

    >>> period_labels(pd.Series(pd.to_datetime(["2025-03-02T23:30Z"])), "week", "Europe/Rome").tolist()
    ['2025-03-03']
    """
    schema.check_choice("freq", freq, PERIODS)
    local = pd.DatetimeIndex(start_time).tz_convert(tz).tz_localize(None)
    if freq == "week":
        monday = local.normalize() - pd.to_timedelta(local.day_of_week, unit="D")
        labels = monday.strftime("%Y-%m-%d")
    else:
        labels = local.strftime("%Y-%m")
    return pd.Series(np.asarray(labels, dtype=object), index=start_time.index)


def _sla_frame(data: pd.DataFrame | Log, policy: SlaPolicy | None, as_of: Any) -> pd.DataFrame:
    if isinstance(data, Log):
        if policy is None:
            raise ValueError("sla_breach_rates on a log needs the policy: pass policy=read_policy(...)")
        return evaluate_sla(data, policy, as_of=as_of)
    if isinstance(data, pd.DataFrame):
        missing = [c for c in ("status", "first_response_status", schema.START_TIME) if c not in data]
        if missing:
            raise ValueError(f"expected a frame from evaluate_sla; missing columns {missing}")
        return data
    raise ValueError(f"expected an evaluate_sla frame or a Log; got {type(data).__name__}")


def sla_breach_rates(data: pd.DataFrame | Log, *, by: BreachBy = "target",
                     policy: SlaPolicy | None = None, as_of: Any = None,
                     tz: str | None = None) -> pd.DataFrame:
    """Counts per SLA status and breach rates of first response and resolution, grouped ``by``.

    Parameters
    ----------
    data:
        A frame from :func:`~pipelines.mining.sla_clock.evaluate_sla`, or a ``Log`` (then
        ``policy`` is required and ``as_of`` is passed on).
    by:
        ``"target"``, ``"priority"``, ``"category"``, ``"channel"``, ``"team"`` (the case's last
        team), ``"week"`` or ``"month"`` (of the case's start, in ``tz``); anything else raises
        ``ValueError`` listing these.
    tz:
        Zone for weeks and months; default the frame's ``attrs["timezone"]`` (the policy's first
        calendar), else UTC.

    Returns
    -------
    DataFrame, one row per key value (missing values form their own row, last), sorted by key:
    ``<by>``, ``cases``; for ``first_response`` and ``resolution`` each: ``<m>_met``,
    ``<m>_breached``, ``<m>_open``, ``<m>_open_breached`` (case counts) and ``<m>_breach_rate`` =
    (breached + open_breached) / cases with that SLA (NaN when none); plus
    ``resolution_breach_rate_resolved`` = breached / (met + breached), among resolved cases.
    Cases without a target count in ``cases`` only.
    """
    schema.check_choice("by", by, BREACH_BY)
    frame = _sla_frame(data, policy, as_of)
    if by in PERIODS:
        zone = tz or frame.attrs.get("timezone") or "UTC"
        key = period_labels(frame[schema.START_TIME], by, zone)
    else:
        key = frame[by].astype(object)
    out = pd.DataFrame({by: key.to_numpy(dtype=object)})
    for milestone, col in (("first_response", "first_response_status"), ("resolution", "status")):
        status = frame[col].to_numpy(dtype=object)
        for s in STATUSES:
            out[f"{milestone}_{s}"] = (status == s).astype(np.int64)
    out["cases"] = 1
    g = out.groupby(by, dropna=False, sort=True).sum().reset_index()
    for milestone in ("first_response", "resolution"):
        counted = sum(g[f"{milestone}_{s}"] for s in STATUSES)
        breached = g[f"{milestone}_breached"] + g[f"{milestone}_open_breached"]
        g[f"{milestone}_breach_rate"] = st.ratio(breached, counted)
    resolved = g["resolution_met"] + g["resolution_breached"]
    g["resolution_breach_rate_resolved"] = st.ratio(g["resolution_breached"], resolved)
    cols = [by, "cases"]
    for milestone in ("first_response", "resolution"):
        cols += [f"{milestone}_{s}" for s in STATUSES] + [f"{milestone}_breach_rate"]
    return g[cols + ["resolution_breach_rate_resolved"]]


# -- breach drivers ---------------------------------------------------------------------------


def find_breach_drivers(log: Log, policy: SlaPolicy, *, by: DriverBy = "status",
                        milestone: str = "resolution", as_of: Any = None) -> pd.DataFrame:
    """Where breached cases spent their SLA window, compared with met cases, ranked.

    Inside each case's SLA window (start -> milestone instant, or ``as_of`` when open), business
    time is summed per status (the activity of the event that started the interval) or per
    transition (that activity -> the next event's activity). *Breached* cases are those with
    ``<milestone>_breached`` (breached or open_breached); *met* cases have status ``met``; open
    cases not yet breached and cases without a target are left out.

    Parameters
    ----------
    by:
        ``"status"`` (key column ``status``) or ``"transition"`` (``status``, ``next_status``; the
        next status is None when the case still had the status at ``as_of``).
    milestone:
        ``"resolution"`` (default) or ``"first_response"``.

    Returns
    -------
    DataFrame, one row per key: the key(s); ``paused`` (the status is a pause: its time does not
    count on the SLA clock); ``breached_cases``, ``met_cases`` (cases of each group with time in
    the key); ``breached_mean_s``, ``met_mean_s`` (business seconds per case of the group, over
    *all* cases of the group); ``excess_s`` = breached_mean_s - met_mean_s; ``breached_share``,
    ``met_share`` (of the group's total business time in the window); ``share_diff`` =
    breached_share - met_share; ``rank``: 1, 2, ... by ``excess_s`` descending among the statuses
    that count, then the paused ones the same way. Over the non-paused rows, ``excess_s`` adds up
    to the difference of the mean SLA elapsed between breached and met cases.
    """
    schema.check_choice("by", by, DRIVER_BY)
    schema.check_choice("milestone", milestone, MILESTONES)
    clock = sla_clock(log, policy, as_of=as_of)
    iv = status_intervals(clock, milestone=milestone)
    frame = clock.frame
    status_col = "status" if milestone == "resolution" else "first_response_status"
    group = np.select([frame[status_col].isin(_BREACHED).to_numpy(),
                       (frame[status_col] == "met").to_numpy()], ["breached", "met"], "")
    n_group = {g: int((group == g).sum()) for g in ("breached", "met")}
    keep = group[iv.row] != ""
    n_act = len(iv.activities)
    code = iv.status[keep] * (n_act + 1) + (iv.next_status[keep] + 1 if by == "transition" else 0)
    size = n_act * (n_act + 1)
    rows, member, business = iv.row[keep], group[iv.row][keep], np.nan_to_num(iv.business_s[keep])
    present = unique_sorted(code)
    out = pd.DataFrame({"status": iv.activities[present // (n_act + 1)]})
    if by == "transition":
        nxt = present % (n_act + 1) - 1
        out["next_status"] = np.where(nxt >= 0, iv.activities[np.maximum(nxt, 0)], None)
    out["paused"] = np.isin(iv.activities, list(policy.milestones.pause))[present // (n_act + 1)]
    for g in ("breached", "met"):
        sel = member == g
        visits = unique_sorted(rows[sel] * size + code[sel]) % size  # one per case and key
        out[f"{g}_cases"] = np.bincount(visits, minlength=size)[present].astype(np.int64)
        out[f"{g}_total"] = np.bincount(code[sel], weights=business[sel], minlength=size)[present]
    key_cols = ["status", "next_status"] if by == "transition" else ["status"]
    for g in ("breached", "met"):
        n = n_group[g]
        out[f"{g}_mean_s"] = out[f"{g}_total"] / n if n else np.nan
        grand = out[f"{g}_total"].sum()
        out[f"{g}_share"] = out[f"{g}_total"] / grand if grand > 0 else np.nan
    out["excess_s"] = out["breached_mean_s"] - out["met_mean_s"]
    out["share_diff"] = out["breached_share"] - out["met_share"]
    out = out.sort_values(["paused", "excess_s"] + key_cols, ascending=[True, False] + [True] * len(key_cols),
                          kind="stable", na_position="last").reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out[key_cols + ["paused", "breached_cases", "met_cases", "breached_mean_s", "met_mean_s",
                           "excess_s", "breached_share", "met_share", "share_diff", "rank"]]


# -- customer wait vs agent wait ----------------------------------------------------------------


def _windowed(log: Log, policy: SlaPolicy, as_of: Any, milestone: str):
    schema.check_choice("milestone", milestone, MILESTONES)
    clock = sla_clock(log, policy, as_of=as_of)
    return clock, status_intervals(clock, milestone=milestone)


def get_wait_split(log: Log, policy: SlaPolicy, *, as_of: Any = None,
                   milestone: str = "resolution") -> pd.DataFrame:
    """Per case: how much of its SLA window it waited for the customer vs for the desk.

    *Customer wait* is time in a ``pause`` status (the clock is stopped: the case waits for the
    customer); *agent wait* is time in every other status (the desk owns the case). The window
    is ``[start, milestone instant or as_of]`` (``milestone`` ``"resolution"`` by default).

    Returns
    -------
    DataFrame, one row per case (case order): ``case_id``, ``target``, ``window_calendar_s``,
    ``window_business_s``, ``customer_wait_calendar_s``, ``customer_wait_business_s`` (equals
    ``paused_s`` of :func:`evaluate_sla` for the resolution window), ``agent_wait_calendar_s``,
    ``agent_wait_business_s`` (equals ``resolution_elapsed_s``), ``customer_share_business`` (of
    the window's business time; NaN when it is 0). Business columns are NaN without a target.
    """
    clock, iv = _windowed(log, policy, as_of, milestone)
    frame = clock.frame
    n = clock.n
    out = pd.DataFrame({schema.CASE_ID: frame[schema.CASE_ID], "target": frame["target"]})

    def per_case(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.bincount(iv.row[mask], weights=np.nan_to_num(values[mask]), minlength=n)

    no_target = frame["target"].isna().to_numpy()
    for kind, mask in (("customer_wait", iv.paused), ("agent_wait", ~iv.paused)):
        out[f"{kind}_calendar_s"] = per_case(iv.calendar_s, mask)
        out[f"{kind}_business_s"] = np.where(no_target, np.nan, per_case(iv.business_s, mask))
    out["window_calendar_s"] = out["customer_wait_calendar_s"] + out["agent_wait_calendar_s"]
    out["window_business_s"] = out["customer_wait_business_s"] + out["agent_wait_business_s"]
    window = out["window_business_s"]
    out["customer_share_business"] = out["customer_wait_business_s"].where(window > 0) / window.where(window > 0)
    return out[[schema.CASE_ID, "target", "window_calendar_s", "window_business_s",
                "customer_wait_calendar_s", "customer_wait_business_s", "agent_wait_calendar_s",
                "agent_wait_business_s", "customer_share_business"]].reset_index(drop=True)


def get_wait_by_status(log: Log, policy: SlaPolicy, *, as_of: Any = None,
                       milestone: str = "resolution") -> pd.DataFrame:
    """Time in each status inside the cases' SLA windows, and whom the case waited for.

    Returns
    -------
    DataFrame, one row per status, most business time first: ``status``, ``waits_for``
    (``"customer"`` for pause statuses, else ``"agent"``), ``intervals``, ``cases``,
    ``calendar_total_s``, ``business_total_s``, ``business_mean_s``, ``business_median_s`` (per
    interval), ``calendar_share``, ``business_share`` (of all time in the windows). Business time
    counts only cases with a target.
    """
    clock, iv = _windowed(log, policy, as_of, milestone)
    data = pd.DataFrame({"status": iv.activities[iv.status], "paused": iv.paused, "row": iv.row,
                         "calendar_s": iv.calendar_s, "business_s": iv.business_s})
    g = data.groupby("status", sort=True)
    out = pd.DataFrame({
        "paused": g["paused"].first(),
        "intervals": g.size(),
        "cases": g["row"].nunique(),
        "calendar_total_s": g["calendar_s"].sum(),
        "business_total_s": g["business_s"].sum(),
        "business_mean_s": g["business_s"].mean(),
        "business_median_s": g["business_s"].median(),
    }).reset_index()
    out.insert(1, "waits_for", np.where(out.pop("paused"), "customer", "agent"))
    for kind in ("calendar", "business"):
        total = out[f"{kind}_total_s"].sum()
        out[f"{kind}_share"] = out[f"{kind}_total_s"] / total if total > 0 else np.nan
    out = out.sort_values(["business_total_s", "status"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)

