"""Markdown tables of ``sample_logs/README.md`` (``python -m pipelines.simulate report``)."""

from __future__ import annotations

import pandas as pd

from .truth import KPIS

STATUSES = ("met", "breached", "open", "open_breached")
TARGET_ORDER = ("P1", "P2", "P3", "default")
COMPACT_KPIS = (
    "resolution_business_median_h", "resolution_calendar_median_h", "resolution_breach_rate",
    "first_response_breach_rate", "first_contact_resolution_rate", "handoffs_per_case",
    "no_human_touch_share",
)


def md(df: pd.DataFrame) -> str:
    """A GitHub Markdown table (values printed with ``str``)."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def breach_table(truth: pd.DataFrame, column: str) -> pd.DataFrame:
    """Cases per SLA target (rows, plus ``all``) and status (columns, plus ``total``)."""
    tab = pd.crosstab(truth["target"], truth[column]).reindex(
        index=list(TARGET_ORDER), columns=list(STATUSES), fill_value=0
    )
    tab["total"] = tab.sum(axis=1)
    tab.loc["all"] = tab.sum()
    return tab.rename_axis(None, axis=1).reset_index(names="target")


def truth_counts(truth: pd.DataFrame) -> dict[str, int]:
    return {
        "cases": len(truth),
        "resolved (resolution milestone reached)": int(truth["is_resolved"].sum()),
        "closed (has Close ticket)": int(truth["is_closed"].sum()),
        "not resolved at log end (right-censored)": int((~truth["is_resolved"]).sum()),
        "real reopens (events)": int(truth["real_reopens"].sum()),
        "thank-you reopens (events)": int(truth["thankyou_reopens"].sum()),
        "cases with a request for information (paused_s > 0)": int((truth["paused_s"] > 0).sum()),
        "automated password resets": int(truth["automated_password_reset"].sum()),
        "no human touch": int(truth["no_human_touch"].sum()),
        "auto-triaged": int(truth["auto_triage"].sum()),
        "first response breached (incl. open_breached)": int(truth["first_response_breached"].sum()),
        "resolution breached (incl. open_breached)": int(truth["resolution_breached"].sum()),
    }


def sample_report(pair: dict) -> str:
    out = []
    for name, res in pair.items():
        out.append(
            f"#### {name}: {len(res.events):,} events, {len(res.truth):,} cases, "
            f"log end {res.log_end.isoformat()}\n"
        )
        out.append("Resolution (`status`):\n\n" + md(breach_table(res.truth, "status")) + "\n")
        out.append("First response (`first_response_status`):\n\n"
                   + md(breach_table(res.truth, "first_response_status")) + "\n")
    counts = pd.DataFrame({n: truth_counts(r.truth) for n, r in pair.items()})
    out.append("#### Truth counts\n\n" + md(counts.reset_index(names="count")) + "\n")
    return "\n".join(out)


def _fmt(v: float) -> str:
    return "nan" if pd.isna(v) else f"{v:.3f}"


def population_overall(pop: pd.DataFrame, segment_type: str, segment: str) -> str:
    sub = pop[(pop["segment_type"] == segment_type) & (pop["segment"] == segment)].set_index("kpi")
    sub = sub.reindex(list(KPIS)).reset_index()
    rows = pd.DataFrame({
        "kpi": sub["kpi"],
        "before": sub["before"].map(_fmt),
        "after": sub["after"].map(_fmt),
        "after - before": sub["difference"].map(lambda v: "nan" if pd.isna(v) else f"{v:+.3f}"),
        "MC s.e. (before / after)": [f"{_fmt(a)} / {_fmt(b)}" for a, b in zip(sub["before_se"], sub["after_se"], strict=True)],
        "injected effect": sub["injected_effect"].map({True: "yes", False: "**no**"}),
    })
    return md(rows)


def population_compact(pop: pd.DataFrame) -> str:
    """One row per segment, ``before -> after`` for :data:`COMPACT_KPIS`."""
    rows = []
    for (stype, seg), sub in pop.groupby(["segment_type", "segment"], sort=False):
        if stype == "overall":
            continue
        sub = sub.set_index("kpi")
        row = {"segment": f"{stype}: {seg}",
               "injected": "yes" if sub["injected_effect"].drop("cases_per_week").any() else "**no**",
               "cases/week": f"{sub.loc['cases_per_week', 'before']:.1f}"}
        for k in COMPACT_KPIS:
            b, a = sub.loc[k, "before"], sub.loc[k, "after"]
            digits = 2 if k.endswith("_h") or k == "handoffs_per_case" else 3
            row[k] = f"{b:.{digits}f} → {a:.{digits}f}"
        rows.append(row)
    return md(pd.DataFrame(rows))


def population_report(pop: pd.DataFrame) -> str:
    return "\n".join([
        "#### Overall\n", population_overall(pop, "overall", "all"), "",
        "#### The segment with no injected effect (not password reset, phone/chat)\n",
        population_overall(pop, "no injected effect", "not password reset, phone/chat"), "",
        "#### Per segment (before → after)\n", population_compact(pop), "",
    ])
