"""The canonical event schema: every column name deskmine uses is named here, once.

A log in the warehouse is a set of *events*; each event belongs to one *case* (a ticket,
incident or request). Roles are what a source column means; the loader maps source columns to
roles (see :mod:`pipelines.etl.mapping`) and stores them under the canonical names below.

Event order inside a case is ``(timestamp, event_seq)`` everywhere: ``event_seq`` is the event's
position in the source (files in the order given, rows in file order), so source order breaks
timestamp ties. SQL, pandas and the pm4py adapter all sort that way.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

SCHEMA_VERSION: Final = 1
"""Version of the warehouse layout; bumped with a migration in ``pipelines/sql/migrations``."""

# -- canonical event columns ---------------------------------------------------------------
LOG: Final = "log"
CASE_ID: Final = "case_id"
ACTIVITY: Final = "activity"
TIMESTAMP: Final = "timestamp"
RESOURCE: Final = "resource"
LIFECYCLE: Final = "lifecycle"
TEAM: Final = "team"
EVENT_SEQ: Final = "event_seq"
ATTRIBUTES: Final = "attributes"
SOURCE_FILE: Final = "source_file"
SOURCE_ROW: Final = "source_row"

# -- columns materialised at ingest (so interactive queries are group-bys, not sorts) --------
CASE_IDX: Final = "case_idx"
CASE_POS: Final = "case_pos"
NEXT_ACTIVITY: Final = "next_activity"
NEXT_TIMESTAMP: Final = "next_timestamp"
NEXT_RESOURCE: Final = "next_resource"
NEXT_TEAM: Final = "next_team"
NEXT_LIFECYCLE: Final = "next_lifecycle"
NEXT_GAP_US: Final = "next_gap_us"
FIRST_EDGE_IN_CASE: Final = "first_edge_in_case"
FIRST_ACTIVITY_IN_CASE: Final = "first_activity_in_case"

# -- case columns ---------------------------------------------------------------------------
START_TIME: Final = "start_time"
END_TIME: Final = "end_time"
DURATION_S: Final = "duration_s"
N_EVENTS: Final = "n_events"
N_ACTIVITIES: Final = "n_activities"
FIRST_ACTIVITY: Final = "first_activity"
LAST_ACTIVITY: Final = "last_activity"
VARIANT_ID: Final = "variant_id"
IS_CLOSED: Final = "is_closed"
PRIORITY: Final = "priority"
CHANNEL: Final = "channel"
CATEGORY: Final = "category"
CUSTOMER: Final = "customer"

# -- roles a source column can play ---------------------------------------------------------
Role = Literal[
    "case_id", "activity", "timestamp", "resource", "lifecycle",
    "team", "priority", "channel", "category", "customer",
]
ROLES: Final[tuple[str, ...]] = get_args(Role)
REQUIRED_ROLES: Final = (CASE_ID, ACTIVITY, TIMESTAMP)
EVENT_ROLES: Final = (CASE_ID, ACTIVITY, TIMESTAMP, RESOURCE, LIFECYCLE, TEAM)
"""Roles stored as columns of ``events``."""
CASE_ROLES: Final = (PRIORITY, CHANNEL, CATEGORY, CUSTOMER)
"""Roles stored as columns of ``cases`` (the case's last non-empty value; see ``cases`` docs)."""

CASE_ATTRIBUTE_PREFIX: Final = "case:"
"""Source columns with this prefix (pm4py's flattening of XES trace attributes) are case attributes."""

# Names of the columns of each warehouse table, in table order (the DDL lives in pipelines/sql).
EVENT_COLUMNS: Final = (
    LOG, CASE_ID, CASE_IDX, CASE_POS, ACTIVITY, TIMESTAMP, RESOURCE, LIFECYCLE, TEAM, EVENT_SEQ,
    SOURCE_FILE, SOURCE_ROW, NEXT_ACTIVITY, NEXT_TIMESTAMP, NEXT_RESOURCE, NEXT_TEAM,
    NEXT_LIFECYCLE, NEXT_GAP_US, FIRST_EDGE_IN_CASE, FIRST_ACTIVITY_IN_CASE, ATTRIBUTES,
)
CASE_COLUMNS: Final = (
    LOG, CASE_ID, CASE_IDX, START_TIME, END_TIME, DURATION_S, N_EVENTS, N_ACTIVITIES,
    FIRST_ACTIVITY, LAST_ACTIVITY, VARIANT_ID, IS_CLOSED, PRIORITY, CHANNEL, CATEGORY, TEAM,
    CUSTOMER, ATTRIBUTES,
)
REJECT_COLUMNS: Final = (LOG, SOURCE_FILE, SOURCE_ROW, "column_name", "raw", "reason")

LOG_NAME_PATTERN: Final = r"^[a-z][a-z0-9_]{0,62}$"
"""Log names are snake_case so SQL never needs quoting and URLs stay readable."""


def check_choice(name: str, value: object, allowed: tuple[str, ...] | list[str]) -> None:
    """Fail fast when ``value`` is not one of ``allowed`` (a closed option set).

    >>> check_choice("format", "xml", ("table", "csv", "json"))
    Traceback (most recent call last):
    ...
    ValueError: format must be one of 'table', 'csv', 'json'; got 'xml'
    """
    if value not in allowed:
        choices = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
