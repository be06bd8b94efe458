"""The data-quality report of a log, computed on its staged events at ingest.

Each check is a dict ``{"check", "title", "count", "unit", "share", "severity", "examples",
"advice"}``; ``severity`` is ``"ok"`` (count 0), ``"info"`` or ``"warning"``. Nothing here changes
the data: the report says what a user should know before trusting the numbers.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime, timedelta

import duckdb

from pipelines.store import sql_text

PLAUSIBLE_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
MAX_LABELS_COMPARED = 400
SIMILARITY = 0.9


def _one(con: duckdb.DuckDBPyConnection, name: str, params: dict | None = None) -> tuple:
    return con.execute(sql_text(name), params).fetchone()


def _check(check, title, count, unit, total, examples, advice, *, warn_share: float = 0.0) -> dict:
    share = (count / total) if total else 0.0
    severity = "ok" if count == 0 else ("warning" if share > warn_share else "info")
    return {
        "check": check, "title": title, "count": int(count), "unit": unit, "share": round(share, 6),
        "severity": severity, "examples": [str(e) for e in (examples or [])], "advice": advice if count else "",
    }


def quality_report(con: duckdb.DuckDBPyConnection, n_events: int, n_cases: int, *, now: datetime | None = None) -> list[dict]:
    """All checks on the staging tables ``ev`` and ``cs`` of ``con``."""
    now = now or datetime.now(UTC)
    out = []
    n, n_cases_dup, ex = _one(con, "quality/duplicates")
    out.append(_check("duplicate_events", "Duplicate events", n, "events", n_events, ex,
                      "identical events (same case, activity, time, resource and attributes) are all loaded; "
                      "check the export did not repeat rows", warn_share=0.01))
    n, _, ex = _one(con, "quality/ties")
    out.append(_check("timestamp_ties", "Events sharing a timestamp within their case", n, "events", n_events, ex,
                      "their order is the file order (event_seq); coarse timestamps make the process map less certain",
                      warn_share=0.05))
    n, _, ex = _one(con, "quality/out_of_order")
    out.append(_check("out_of_file_order", "Events earlier than a preceding event of their case in the file", n,
                      "events", n_events, ex, "events are ordered by timestamp, not by file position; "
                      "check the clock of the source system if this is unexpected"))
    n, ex = _one(con, "quality/single_event_cases")
    out.append(_check("single_event_cases", "Cases with a single event", n, "cases", n_cases, ex,
                      "they have no transitions and zero duration; filter them out if they are noise", warn_share=0.05))
    n, total, ex = _one(con, "quality/missing_resources")
    out.append(_check("missing_resources", "Events without a resource", n, "events", total, ex,
                      "hand-off and workload views ignore these events", warn_share=0.2))
    latest = now + timedelta(days=1)
    n, first, last, ex = _one(con, "quality/date_range", {"earliest": PLAUSIBLE_EARLIEST, "latest": latest})
    check = _check("implausible_dates", f"Events dated before {PLAUSIBLE_EARLIEST:%Y-%m-%d} or in the future", n,
                   "events", n_events, ex, "check the timestamp format and time zone; filter these cases out if wrong")
    check["range"] = [first.isoformat() if first else None, last.isoformat() if last else None]
    out.append(check)
    labels = con.execute(sql_text("quality/activity_counts")).fetchall()
    pairs = near_duplicate_labels([label for label, _ in labels])
    out.append(_check("similar_activity_labels", "Activity labels that look like variants of each other", len(pairs),
                      "pairs", max(len(labels), 1), [f"{a!r} ~ {b!r}" for a, b in pairs[:5]],
                      "if they mean the same step, unify them in the source (they are kept apart here)"))
    roles = dict(zip(("priority", "channel", "category", "customer"), _one(con, "quality/role_changes"), strict=True))
    changing = {k: v for k, v in roles.items() if v}
    out.append(_check("changing_case_roles", "Cases whose priority/channel/category/customer changes", sum(changing.values()),
                      "cases", n_cases, [f"{k}: {v} cases" for k, v in changing.items()],
                      "the case's last value is used for the case (e.g. the final priority)"))
    nulls = con.execute(sql_text("quality/null_like_values")).fetchall()
    out.append(_check("null_like_values", "Role values that look like missing-value markers", sum(r[2] for r in nulls),
                      "values", n_events, [f"{role}={value!r} x{n}" for role, value, n in nulls[:5]],
                      "if they mean 'missing', ingest again with --null TOKEN"))
    return out


def _norm_label(label: str) -> str:
    return re.sub(r"[\W_]+", " ", label.lower()).strip()


def near_duplicate_labels(labels: list[str]) -> list[tuple[str, str]]:
    """Pairs of labels equal up to case/spacing/punctuation, or very similar (difflib >= 0.9).

    >>> near_duplicate_labels(["Resolve ticket", "resolve  ticket", "Close", "Closed"])
    [('Resolve ticket', 'resolve  ticket'), ('Close', 'Closed')]
    """
    labels = labels[:MAX_LABELS_COMPARED]
    norms = [_norm_label(label) for label in labels]
    pairs = []
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            a, b = norms[i], norms[j]
            if a == b or (abs(len(a) - len(b)) <= max(2, len(a) // 5)
                          and difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITY):
                pairs.append((labels[i], labels[j]))
    return pairs
