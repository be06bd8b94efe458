"""Small helpers for AG Grid column definitions."""

from __future__ import annotations


def wrapped(columns: list[dict]) -> list[dict]:
    """Column definitions whose long headers wrap onto a second line instead of being cut."""
    return [{**c, "wrapHeaderText": True, "autoHeaderHeight": True} for c in columns]
