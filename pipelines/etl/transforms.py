"""Turn one batch of raw source rows into canonical event fields (pure: frames in, frames out).

For every raw row the result holds the canonical role values (trimmed, empty and ``--null``
tokens as missing, the timestamp parsed to UTC) or, when the row cannot be an event, why not:
rows missing a case id, activity or timestamp, or whose timestamp does not parse, are rejects with
their row number and reason, never NaT rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pipelines import schema
from pipelines.etl.mapping import ColumnMapping
from pipelines.etl.sources import ROW
from pipelines.etl.timestamps import ParseStats, TimestampOptions, TimestampPlan, parse_timestamps

FILE = "__file"
REJECT_REASON = "reject_reason"
REJECT_COLUMN = "reject_column"
TEXT_ROLES = tuple(r for r in schema.ROLES if r != schema.TIMESTAMP)

OUTPUT_COLUMNS = (
    FILE, ROW, schema.EVENT_SEQ, *TEXT_ROLES, schema.TIMESTAMP, REJECT_COLUMN, REJECT_REASON,
)
"""Columns of :func:`transform_batch`'s result, in order."""


@dataclass
class TransformStats:
    """Counts over all batches, for the summary."""

    timestamps: ParseStats = field(default_factory=ParseStats)
    trimmed: dict[str, int] = field(default_factory=dict)


def transform_batch(
    raw: pd.DataFrame,
    mapping: ColumnMapping,
    plan: TimestampPlan,
    options: TimestampOptions,
    *,
    file_index: int,
    seq_start: int,
    null_tokens: frozenset[str] = frozenset(),
    stats: TransformStats | None = None,
) -> pd.DataFrame:
    """Canonical fields for each row of ``raw`` (same order); see :data:`OUTPUT_COLUMNS`.

    ``event_seq`` numbers rows from ``seq_start`` in source order (rejected rows keep their number,
    so the sequence may have gaps; only its order matters).
    """
    stats = stats if stats is not None else TransformStats()
    n = len(raw)
    out = pd.DataFrame(index=raw.index)
    out[FILE] = np.full(n, file_index, dtype=np.int32)
    out[ROW] = raw[ROW].astype("int64").to_numpy()
    out[schema.EVENT_SEQ] = np.arange(seq_start, seq_start + n, dtype=np.int64)
    for role in TEXT_ROLES:
        col = mapping.column(role)
        if col is None or col not in raw.columns:
            out[role] = pd.Series(pd.NA, index=raw.index, dtype="string")
            continue
        out[role] = _clean_text(raw[col], null_tokens, stats, role)
    ts_col = mapping.column(schema.TIMESTAMP)
    ts_raw = raw[ts_col] if ts_col in raw.columns else pd.Series(pd.NA, index=raw.index, dtype="string")
    out[schema.TIMESTAMP] = parse_timestamps(_null_tokens(ts_raw, null_tokens), plan, options, stats.timestamps)
    reason, column = _reject_reasons(out, ts_raw, mapping, plan)
    out[REJECT_REASON] = reason
    out[REJECT_COLUMN] = column
    return out[list(OUTPUT_COLUMNS)]


def _null_tokens(values: pd.Series, null_tokens: frozenset[str]) -> pd.Series:
    if not null_tokens or not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return values
    return values.mask(values.astype("string").str.strip().isin(null_tokens))


def _clean_text(values: pd.Series, null_tokens: frozenset[str], stats: TransformStats, role: str) -> pd.Series:
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        text = values.astype("string")
        if pd.api.types.is_float_dtype(values.dtype):
            whole = values.notna() & (values == values.round())
            text = text.mask(whole, values[whole].astype("int64").astype("string"))
        return text
    text = values.astype("string")
    stripped = text.str.strip()
    changed = int(((stripped != text) & text.notna()).sum())
    if changed:
        stats.trimmed[role] = stats.trimmed.get(role, 0) + changed
    missing = stripped.isna() | (stripped == "")
    if null_tokens:
        missing |= stripped.isin(null_tokens)
    return stripped.mask(missing)


def _reject_reasons(out: pd.DataFrame, ts_raw: pd.Series, mapping: ColumnMapping, plan: TimestampPlan):
    reasons = pd.Series(pd.NA, index=out.index, dtype="string")
    columns = pd.Series(pd.NA, index=out.index, dtype="string")

    def add(mask: pd.Series, text: pd.Series | str, column: str) -> None:
        if not mask.any():
            return
        new = text[mask] if isinstance(text, pd.Series) else pd.Series(text, index=mask[mask].index, dtype="string")
        old = reasons[mask]
        reasons[mask] = old.where(old.isna(), old + "; " + new).fillna(new)
        columns[mask] = columns[mask].fillna(column)

    for role, label in ((schema.CASE_ID, "case id"), (schema.ACTIVITY, "activity")):
        col = mapping.column(role)
        add(out[role].isna(), f"empty {label} (column {col!r})", col)
    ts_col = mapping.column(schema.TIMESTAMP)
    if pd.api.types.is_string_dtype(ts_raw.dtype) or ts_raw.dtype == object:
        ts_text = ts_raw.astype("string").str.strip()
        empty_ts = ts_text.isna() | (ts_text == "")
    else:  # typed (Parquet): missing is missing; never format values as text just to test them
        empty_ts = ts_raw.isna()
    add(empty_ts, f"empty timestamp (column {ts_col!r})", ts_col)
    bad_ts = out[schema.TIMESTAMP].isna() & ~empty_ts
    if bad_ts.any():
        ts_text = ts_raw.astype("string").str.strip()
        hint = f"expected like {plan.example!r}" if plan.example else f"format {plan.format}"
        text = ("unparseable timestamp '" + ts_text[bad_ts].str.slice(0, 60) + f"' (column {ts_col!r}; {hint})")
        add(bad_ts, text.astype("string"), ts_col)
    return reasons, columns
