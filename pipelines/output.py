"""Render results for the command line: ``table`` (aligned text), ``csv`` or ``json``."""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
import pandas as pd

from pipelines.schema import check_choice

Format = Literal["table", "csv", "json"]
FORMATS: tuple[str, ...] = ("table", "csv", "json")


def to_jsonable(value: Any) -> Any:
    """Plain JSON types: timestamps as ISO 8601 (UTC ``Z``), NaN/NaT as null, numpy as Python."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_jsonable(v) for v in value]
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp | datetime):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC")
            return ts.strftime("%Y-%m-%dT%H:%M:%S") + (f".{ts.microsecond:06d}".rstrip("0") if ts.microsecond else "") + "Z"
        return ts.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating | float):
        return None if math.isnan(value) or math.isinf(value) else float(value)
    return value


def frame_records(frame: pd.DataFrame) -> list[dict]:
    """A DataFrame as a list of JSON-ready dicts."""
    return [to_jsonable(r) for r in frame.to_dict(orient="records")]


def render(result: Any, fmt: str) -> str:
    """Text for ``result`` (a DataFrame, dict or list) in format ``fmt``."""
    check_choice("format", fmt, FORMATS)
    if fmt == "json":
        data = frame_records(result) if isinstance(result, pd.DataFrame) else to_jsonable(result)
        return json.dumps(data, indent=2, ensure_ascii=False)
    frame = result if isinstance(result, pd.DataFrame) else pd.DataFrame(_rows(result))
    if fmt == "csv":
        return frame.to_csv(index=False).rstrip("\n")
    if frame.empty:
        return "(no rows)"
    shown = frame.map(_cell)
    return shown.to_string(index=False)


def _rows(result: Any) -> list[dict]:
    if isinstance(result, dict):
        return [{"key": k, "value": v} for k, v in result.items()]
    return list(result)


def _cell(value: Any) -> Any:
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if not math.isnan(value) else ""
    if isinstance(value, list | tuple | np.ndarray):
        return ", ".join(str(v) for v in value)
    return value
