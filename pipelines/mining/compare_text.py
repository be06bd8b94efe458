"""Plain-text report of a :class:`~pipelines.mining.compare.ComparisonResult` (``describe()``,
``deskmine compare --format table``): durations as ``1d 2h``, shares in percent, deltas signed."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from pipelines.mining.filters import format_seconds

if TYPE_CHECKING:
    from pipelines.mining.compare import ComparisonResult, Side


def fmt_value(value: float | None, unit: str, *, signed: bool = False) -> str:
    """A KPI value for people.

    >>> fmt_value(5400.0, "s"), fmt_value(-0.031, "share", signed=True), fmt_value(307.69, "cases/week")
    ('1h 30m', '-3.1 pp', '307.69')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    sign = ("+" if value > 0 else "-" if value < 0 else "±") if signed else ("-" if value < 0 else "")
    mag = abs(float(value))
    if unit == "s":
        text = format_seconds(round(mag)) if mag >= 1 else f"{mag:.2g}s"
        return sign + text
    if unit == "share":
        return f"{sign}{100 * mag:.1f}{' pp' if signed else '%'}"
    return f"{sign}{mag:,.2f}"


def _p(value: float) -> str:
    if value is None or math.isnan(value):
        return "-"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _side(side: Side) -> str:
    filt = f" where {'; '.join(side.filter)}" if side.filter else ""
    return (f"log {side.log!r}{filt}: {side.cases:,} cases, {side.window_start:%Y-%m-%d %H:%M} .. "
            f"{side.window_end:%Y-%m-%d %H:%M} UTC ({side.weeks:.1f} weeks)")


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return [fmt.format(*header), fmt.format(*["-" * w for w in widths]), *(fmt.format(*r) for r in rows)]


def _kpi_rows(frame: pd.DataFrame) -> list[list[str]]:
    rows = []
    for r in frame.itertuples(index=False):
        mark = " *" if r.significant else ""
        pct = "" if math.isnan(r.delta_pct) else f" ({r.delta_pct:+.0f}%)"
        rows.append([
            r.label, fmt_value(r.before, r.unit), fmt_value(r.after, r.unit),
            fmt_value(r.delta, r.unit, signed=True) + pct,
            f"[{fmt_value(r.ci_low, r.unit, signed=True)}, {fmt_value(r.ci_high, r.unit, signed=True)}]",
            _p(r.p_adjusted) + mark,
        ])
    return rows


def describe(result: ComparisonResult, *, top: int = 5) -> str:
    """The report (see the module docstring)."""
    s = result.settings
    lines = [
        "Before/after comparison",
        f"  before: {_side(result.before)}",
        f"  after:  {_side(result.after)}",
        f"  {s['ci']}, seed {s['seed']}; p-values corrected per table ({s['correction']}); "
        f"* = significant (adjusted p < {s['alpha']:g})",
        "",
    ]
    header = ["KPI", "before", "after", "delta", f"{100 * (1 - s['alpha']):g}% CI", "adj. p"]
    lines += _table(_kpi_rows(result.kpis), header)
    if len(result.adjusted):
        lines += ["", f"Adjusted to the pooled {' x '.join(s['mix_by'])} mix (direct standardisation):"]
        lines += _table(_kpi_rows(result.adjusted), header)
    seg = result.significant_segments().head(top)
    if len(seg):
        lines += ["", f"Segments that changed most (of {int(result.segments['significant'].sum())} significant "
                      "segment KPIs, by standardised effect size):"]
        rows = [[f"{r.dimension} = {r.segment}", r.label, fmt_value(r.before, r.unit), fmt_value(r.after, r.unit),
                 fmt_value(r.delta, r.unit, signed=True), f"{r.effect_size:+.2f}", _p(r.p_adjusted)]
                for r in seg.itertuples(index=False)]
        lines += _table(rows, ["segment", "KPI", "before", "after", "delta", "effect", "adj. p"])
    c = result.map_delta.counts()
    lines += ["", (f"Process map: {c['new']} new and {c['gone']} gone transitions; {c['more']} more and "
                   f"{c['less']} less frequent; {c['faster']} faster and {c['slower']} slower.")]
    movers = result.variant_shift.head(top)
    if len(movers):
        lines += ["Variants that moved most (share of cases):"]
        for r in movers.itertuples(index=False):
            steps = r.variant if len(r.variant) <= 90 else r.variant[:87] + "..."
            lines.append(f"  {r.share_before:6.1%} -> {r.share_after:6.1%}  {r.status:<6}  {steps}")
    if result.notes:
        lines += ["", "Notes:", *(f"  - {n}" for n in result.notes)]
    return "\n".join(lines)
