"""Parse event timestamps into UTC instants, stating every assumption (pure, no I/O).

A column's format is planned once from a sample of its values (:func:`plan_timestamps`) and then
applied batch by batch (:func:`parse_timestamps`). What the plan assumes is returned as notes for
the ingest summary: the zone given to zone-less values, the day/month order when the data cannot
decide it, how DST repeats and gaps were resolved.

Rules
-----
* Values with a UTC offset or ``Z`` are converted to UTC (mixed offsets are fine).
* Zone-less values are wall-clock times in ``timezone`` (default UTC). A wall time that occurs
  twice (the repeated hour when DST ends) is read as the first occurrence (summer time); a wall
  time that does not exist (the skipped hour when DST starts) is moved forward by the gap. Both
  are counted and reported.
* Values that do not parse are not guessed: they become rejects with their row.
* Numbers are read as Unix epoch seconds or milliseconds only when the column is all numbers in a
  plausible range (1973-2128).
"""

from __future__ import annotations

import re
import warnings
import zoneinfo
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

ISO = "ISO8601"
EPOCH_S = "epoch_s"
EPOCH_MS = "epoch_ms"
NATIVE = "native"
UTC_DTYPE = "datetime64[us, UTC]"

_ZONE_RE = re.compile(r"(?:Z|[+-]\d{2}(?::?\d{2})?)$")
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)?$")
_NUMBER_RE = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_DATEISH_RE = re.compile(
    r"^\s*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{8}|\d{1,2}[ -][A-Za-z]{3,9}[ -]\d{2,4}|[A-Za-z]{3,9} \d{1,2},? \d{4})"
)

_DATES_YMD = ("%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
_DATES_DMY = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y")
_DATES_MDY = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y", "%m-%d-%y")
_DATES_TEXT = ("%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d %Y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y")
_TIMES = ("%H:%M:%S.%f", "%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")


@dataclass(frozen=True)
class TimestampOptions:
    """What the user told us. ``format`` is a strftime pattern (``--timestamp-format``)."""

    format: str | None = None
    dayfirst: bool | None = None
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        check_timezone(self.timezone)


@dataclass(frozen=True)
class TimestampPlan:
    """How one column is parsed: a strftime pattern, ``ISO8601``, ``epoch_s``/``epoch_ms`` or ``native``."""

    format: str
    notes: tuple[str, ...] = ()
    example: str | None = None


@dataclass
class ParseStats:
    """Counts accumulated over batches, for the ingest summary."""

    zoneless: int = 0
    with_offset: int = 0
    ambiguous: int = 0
    nonexistent: int = 0
    offsets: set[str] = field(default_factory=set)

    def notes(self, timezone: str) -> list[str]:
        out = []
        if self.zoneless:
            out.append(f"{_n(self.zoneless, 'timestamp')} without a time zone: read as {timezone} wall-clock time "
                       "(pass --timezone to change)")
        if self.with_offset and len(self.offsets) > 1:
            shown = ", ".join(sorted(self.offsets)[:6])
            out.append(f"timestamps carry mixed UTC offsets ({shown}); all converted to UTC")
        if self.ambiguous:
            out.append(f"{_n(self.ambiguous, 'wall-clock time')} in the repeated hour when DST ends in {timezone}: "
                       "read as the first (summer-time) occurrence")
        if self.nonexistent:
            out.append(f"{_n(self.nonexistent, 'wall-clock time')} in the hour skipped when DST starts in {timezone}: "
                       "moved forward by the gap")
        return out


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def check_timezone(name: str) -> None:
    """Fail fast on an unknown IANA zone name."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as 'UTC' or 'Europe/Rome'") from None


def candidate_formats(dayfirst: bool | None) -> list[str]:
    """strftime patterns tried when no format is given, most specific first."""
    dates = list(_DATES_YMD)
    dates += list(_DATES_DMY + _DATES_MDY) if dayfirst is not False else list(_DATES_MDY + _DATES_DMY)
    dates += list(_DATES_TEXT)
    out = []
    for d in dates:
        for t in _TIMES:
            for sep in (" ", "T"):
                if sep == "T" and "%p" in t:
                    continue
                for zone in ("", " %z", "%z"):
                    out.append(f"{d}{sep}{t}{zone}")
        out.append(d)
    return out


def plan_timestamps(
    sample: pd.Series,
    options: TimestampOptions,
    *,
    first_field_max: int | None = None,
    second_field_max: int | None = None,
) -> TimestampPlan:
    """Choose how to parse a column from a sample of its non-empty values.

    ``first_field_max``/``second_field_max`` are the largest first and second numbers of
    ``NN/NN/...``-style values over the *whole* column (computed by the loader); they decide
    day/month order when the sample alone cannot.

    Raises ``ValueError`` when no value of the sample parses (the loader turns it into an
    :class:`~pipelines.etl.errors.IngestError` naming the column).
    """
    if pd.api.types.is_datetime64_any_dtype(sample.dtype):
        return TimestampPlan(NATIVE)
    values = _clean(sample).dropna()
    values = values[values != ""]
    if values.empty:
        raise ValueError("the column has no values")
    example = str(values.iloc[0])
    if options.format:
        ok = _parses(values, options.format).sum()
        if not ok:
            raise ValueError(f"no value matches --timestamp-format {options.format!r} (e.g. {example!r})")
        return TimestampPlan(options.format, example=example)
    if pd.api.types.is_numeric_dtype(values.dtype) or values.str.fullmatch(_NUMBER_RE).all():
        return _plan_epoch(values, example)
    iso_share = values.str.fullmatch(_ISO_RE).mean()
    if iso_share >= 0.5 and _parses(values, ISO).mean() >= iso_share * 0.99:
        return TimestampPlan(ISO, example=example)
    return _plan_strftime(values, options, first_field_max, second_field_max, example)


def timestamp_share(values: pd.Series) -> float:
    """Share of non-empty ``values`` that parse as timestamps (0 for numbers; cheap pre-filter first)."""
    values = _clean(values).dropna()
    values = values[values != ""]
    if values.empty:
        return 0.0
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return 1.0
    if not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return 0.0
    values = values.astype("string")
    if values.str.match(_DATEISH_RE).mean() < 0.5:
        return 0.0
    try:
        plan = plan_timestamps(values, TimestampOptions())
    except ValueError:
        return 0.0
    return float(_parses(values, plan.format).mean())


def numeric_share(values: pd.Series) -> float:
    """Share of non-empty ``values`` that are plain numbers."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return 1.0
    values = _clean(values).dropna()
    values = values[values != ""]
    if values.empty:
        return 0.0
    return float(pd.to_numeric(values, errors="coerce").notna().mean())


def _plan_epoch(values: pd.Series, example: str) -> TimestampPlan:
    nums = pd.to_numeric(values, errors="coerce")
    lo, hi = nums.min(), nums.max()
    if lo >= 1e8 and hi < 5e9:
        return TimestampPlan(EPOCH_S, notes=("numeric timestamps read as Unix epoch seconds (UTC)",), example=example)
    if lo >= 1e11 and hi < 5e12:
        return TimestampPlan(EPOCH_MS, notes=("numeric timestamps read as Unix epoch milliseconds (UTC)",), example=example)
    raise ValueError(f"numbers such as {example!r} are not plausible Unix epoch seconds or milliseconds")


def _plan_strftime(values, options, first_max, second_max, example) -> TimestampPlan:
    probe = values.iloc[:2000]
    best, best_ok = None, 0
    for fmt in _guessed_formats(probe, options.dayfirst) + candidate_formats(options.dayfirst):
        ok = int(_parses(probe, fmt).sum())
        if ok > best_ok:
            best, best_ok = fmt, ok
            if ok == len(probe):
                break
    if best is None:
        raise ValueError(f"no known date format matches values such as {example!r}; pass --timestamp-format")
    notes: list[str] = []
    swapped = _swap_day_month(best)
    if swapped and int(_parses(probe, swapped).sum()) == best_ok:
        best, note = _decide_day_month(best, swapped, options.dayfirst, first_max, second_max)
        if note:
            notes.append(note)
    if best_ok < len(probe):
        notes.append(f"format {best!r} fits {best_ok:,} of {len(probe):,} sampled values; the others are rejected")
    return TimestampPlan(best, notes=tuple(notes), example=example)


def _guessed_formats(values: pd.Series, dayfirst: bool | None) -> list[str]:
    from pandas.tseries.api import guess_datetime_format

    out = []
    for v in values.iloc[:5]:
        for df in ([dayfirst] if dayfirst is not None else [False, True]):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fmt = guess_datetime_format(str(v), dayfirst=df)
            if fmt and fmt not in out:
                out.append(fmt)
    return out


def _swap_day_month(fmt: str) -> str | None:
    """The day/month-swapped pattern of a ``d/m/y``-style format (year-first is never swapped)."""
    if fmt.startswith(("%d", "%m")) and "%d" in fmt and "%m" in fmt:
        return fmt.replace("%d", "\0").replace("%m", "%d").replace("\0", "%m")
    return None


def _decide_day_month(fmt, swapped, dayfirst, first_max, second_max) -> tuple[str, str | None]:
    def is_dayfirst(f: str) -> bool:
        return f.index("%d") < f.index("%m")

    day_first_fmt, month_first_fmt = (fmt, swapped) if is_dayfirst(fmt) else (swapped, fmt)
    if dayfirst is not None:
        return (day_first_fmt if dayfirst else month_first_fmt), None
    if first_max is not None and first_max > 12:
        return day_first_fmt, None
    if second_max is not None and second_max > 12:
        return month_first_fmt, None
    return month_first_fmt, (
        "day/month order is ambiguous (no day above 12 in the column): read as month/day "
        "(pass --dayfirst if the dates are day/month)"
    )


def _clean(values: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(values.dtype) or values.dtype == object:
        return values.astype("string").str.strip()
    return values


def _parses(values: pd.Series, fmt: str) -> pd.Series:
    """Which values parse with ``fmt`` (used for planning only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt == ISO:
            zoned = values.str.contains(_ZONE_RE)
            ok = pd.Series(False, index=values.index)
            if zoned.any():
                ok[zoned] = pd.to_datetime(values[zoned], format=ISO, utc=True, errors="coerce").notna()
            if not zoned.all():
                ok[~zoned] = pd.to_datetime(values[~zoned], format=ISO, errors="coerce").notna()
            return ok
        return pd.to_datetime(values, format=fmt, errors="coerce", utc="%z" in fmt).notna()


def parse_timestamps(
    values: pd.Series, plan: TimestampPlan, options: TimestampOptions, stats: ParseStats | None = None
) -> pd.Series:
    """UTC instants (``datetime64[us, UTC]``) for ``values``; NaT where a value does not parse.

    Empty strings and nulls give NaT as well; the caller tells "missing" from "unparseable".
    ``stats`` (if given) accumulates counts of zone-less values, offsets and DST resolutions.
    """
    stats = stats if stats is not None else ParseStats()
    tz = options.timezone
    if plan.format == NATIVE:
        return _from_native(values, tz, stats)
    if plan.format in (EPOCH_S, EPOCH_MS):
        nums = pd.to_numeric(_clean(values), errors="coerce")
        unit = "s" if plan.format == EPOCH_S else "ms"
        return pd.to_datetime(nums, unit=unit, utc=True, errors="coerce").dt.as_unit("us").astype(UTC_DTYPE)
    text = _clean(values)
    out = pd.Series(pd.NaT, index=values.index, dtype=UTC_DTYPE)
    present = text.notna() & (text != "")
    if not present.any():
        return out
    text = text[present]
    if plan.format == ISO or "%z" in plan.format:
        zoned = text.str.contains(_ZONE_RE)
    else:
        zoned = pd.Series(False, index=text.index)
    if zoned.any():
        z = text[zoned]
        fmt = plan.format
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed = pd.to_datetime(z, format=fmt, utc=True, errors="coerce")
        out[z.index] = parsed.dt.as_unit("us")
        ok = parsed.notna()
        stats.with_offset += int(ok.sum())
        stats.offsets.update(_offsets(z[ok]))
    naive_text = text[~zoned]
    if len(naive_text):
        fmt = plan.format.replace("%z", "").strip() if "%z" in plan.format else plan.format
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            naive = pd.to_datetime(naive_text, format=fmt, errors="coerce")
        localized = localize(naive, tz, stats)
        out[naive_text.index] = localized
    return out


def _offsets(values: pd.Series) -> set[str]:
    found = values.iloc[:: max(1, len(values) // 500)].str.extract(r"(Z|[+-]\d{2}(?::?\d{2})?)$")[0]
    return {("+00:00" if v == "Z" else v) for v in found.dropna().unique().tolist()}


def _from_native(values: pd.Series, tz: str, stats: ParseStats) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        stats.with_offset += int(values.notna().sum())
        return values.dt.tz_convert("UTC").dt.as_unit("us")
    return localize(values, tz, stats)


def localize(naive: pd.Series, tz: str, stats: ParseStats) -> pd.Series:
    """Wall-clock times in ``tz`` -> UTC, resolving DST repeats/gaps as the module says."""
    naive = naive.dt.as_unit("us")
    n_present = int(naive.notna().sum())
    stats.zoneless += n_present
    if tz == "UTC":
        return naive.dt.tz_localize("UTC")
    strict = naive.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    problems = strict.isna() & naive.notna()
    if problems.any():
        as_dst = naive[problems].dt.tz_localize(tz, ambiguous=np.ones(int(problems.sum()), dtype=bool), nonexistent="NaT")
        stats.nonexistent += int(as_dst.isna().sum())
        stats.ambiguous += int(as_dst.notna().sum())
    resolved = naive.dt.tz_localize(tz, ambiguous=np.ones(len(naive), dtype=bool), nonexistent="shift_forward")
    return resolved.dt.tz_convert("UTC")
