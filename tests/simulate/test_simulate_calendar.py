"""The simulator's calendar arithmetic on hand-computed cases (weekend, holiday, overnight, DST)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

from pipelines.simulate.calendar import (
    FOREVER,
    CalendarSpec,
    WorkCalendar,
    always_spec,
    easter_sunday,
    format_iso_local,
    italian_holidays,
    local_epoch,
    office_spec,
    parse_span,
    utc_offsets,
)
from pipelines.simulate.policy import parse_duration

TZ = "Europe/Rome"
HOLIDAYS_2025 = [
    "2025-01-01", "2025-01-06", "2025-04-21", "2025-04-25", "2025-05-01", "2025-06-02",
    "2025-08-15", "2025-11-01", "2025-12-08", "2025-12-25", "2025-12-26",
]
LO, HI = local_epoch("2024-12-01T00:00:00+01:00"), local_epoch("2027-01-31T00:00:00+01:00")


@pytest.fixture(scope="module")
def office() -> WorkCalendar:
    return WorkCalendar(office_spec(TZ, italian_holidays([2024, 2025, 2026, 2027])), LO, HI)


@pytest.fixture(scope="module")
def always() -> WorkCalendar:
    return WorkCalendar(always_spec(TZ), LO, HI)


def ws(cal: WorkCalendar, a: str, b: str) -> int:
    return int(cal.working_seconds(local_epoch(a), local_epoch(b)))


def test_italian_holidays_2025_are_the_documented_list():
    assert list(italian_holidays([2025])) == HOLIDAYS_2025
    assert easter_sunday(2024) == dt.date(2024, 3, 31)
    assert "2026-04-06" in italian_holidays([2026])  # Easter Monday 2026


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # same morning
        ("2025-01-07T09:00:00+01:00", "2025-01-07T12:30:00+01:00", 3 * 3600 + 1800),
        # across the lunch break 12:30 -> 14:30 = 30 min + 30 min
        ("2025-01-07T12:30:00+01:00", "2025-01-07T14:30:00+01:00", 3600),
        # overnight Tue 17:30 -> Wed 09:30
        ("2025-01-07T17:30:00+01:00", "2025-01-08T09:30:00+01:00", 3600),
        # a whole working day, from midnight to midnight
        ("2025-01-08T00:00:00+01:00", "2025-01-09T00:00:00+01:00", 8 * 3600),
        # weekend: Fri 17:00 -> Mon 10:00
        ("2025-01-10T17:00:00+01:00", "2025-01-13T10:00:00+01:00", 7200),
        # Epiphany (Mon 2025-01-06) closed: Fri 2025-01-03 17:00 -> Tue 2025-01-07 10:00
        ("2025-01-03T17:00:00+01:00", "2025-01-07T10:00:00+01:00", 7200),
        # Liberation Day (Fri 2025-04-25) + weekend: Thu 17:00 -> Mon 10:00
        ("2025-04-24T17:00:00+02:00", "2025-04-28T10:00:00+02:00", 7200),
        # Easter Monday 2025-04-21: Fri 18 Apr 17:00 -> Tue 22 Apr 09:30
        ("2025-04-18T17:00:00+02:00", "2025-04-22T09:30:00+02:00", 5400),
        # DST spring forward (Sun 2025-03-30): Fri 17:00 +01 -> Mon 10:00 +02
        ("2025-03-28T17:00:00+01:00", "2025-03-31T10:00:00+02:00", 7200),
        # DST fall back (Sun 2025-10-26): Fri 17:00 +02 -> Mon 10:00 +01
        ("2025-10-24T17:00:00+02:00", "2025-10-27T10:00:00+01:00", 7200),
        # Christmas + St Stephen + weekend: Wed 24 Dec 17:00 -> Mon 29 Dec 10:00
        ("2025-12-24T17:00:00+01:00", "2025-12-29T10:00:00+01:00", 7200),
        # a full week Mon 00:00 -> Mon 00:00 = 5 x 8 h
        ("2025-02-03T00:00:00+01:00", "2025-02-10T00:00:00+01:00", 40 * 3600),
        # reversed or empty interval
        ("2025-01-07T10:00:00+01:00", "2025-01-07T10:00:00+01:00", 0),
        ("2025-01-07T11:00:00+01:00", "2025-01-07T10:00:00+01:00", 0),
    ],
)
def test_office_working_seconds(office, a, b, expected):
    assert ws(office, a, b) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-03-30T00:00:00+01:00", "2025-03-31T00:00:00+02:00", 23 * 3600),  # spring day
        ("2025-10-26T00:00:00+02:00", "2025-10-27T00:00:00+01:00", 25 * 3600),  # autumn day
        ("2025-03-29T23:00:00+01:00", "2025-03-30T03:30:00+02:00", 3 * 3600 + 1800),
        ("2025-01-04T10:00:00+01:00", "2025-01-06T10:00:00+01:00", 48 * 3600),  # weekend+holiday
    ],
)
def test_always_calendar_is_the_wall_clock_across_dst(always, a, b, expected):
    assert ws(always, a, b) == expected
    assert always.continuous


@pytest.mark.parametrize(
    ("t", "seconds", "expected"),
    [
        ("2025-01-07T10:00:00+01:00", 600, "2025-01-07T10:10:00+01:00"),
        # landing exactly on 13:00 moves to the next opening (results are always open instants)
        ("2025-01-07T12:30:00+01:00", 1800, "2025-01-07T14:00:00+01:00"),
        ("2025-01-07T12:30:00+01:00", 1801, "2025-01-07T14:00:01+01:00"),
        # from a closed instant, 0 s is the next opening
        ("2025-01-07T20:00:00+01:00", 0, "2025-01-08T09:00:00+01:00"),
        ("2025-01-10T17:30:00+01:00", 3600, "2025-01-13T09:30:00+01:00"),  # weekend
        ("2025-04-24T17:30:00+02:00", 3600, "2025-04-28T09:30:00+02:00"),  # holiday + weekend
        ("2025-03-28T17:30:00+01:00", 3600, "2025-03-31T09:30:00+02:00"),  # DST spring
        ("2025-10-24T17:30:00+02:00", 3600, "2025-10-27T09:30:00+01:00"),  # DST autumn
        ("2025-12-24T17:00:00+01:00", 7200, "2025-12-29T10:00:00+01:00"),
        ("2025-01-07T09:00:00+01:00", 8 * 3600, "2025-01-08T09:00:00+01:00"),
    ],
)
def test_office_add(office, t, seconds, expected):
    assert office.add(local_epoch(t), seconds) == local_epoch(expected)


def test_add_past_the_range_is_forever(office, always):
    assert office.add(HI - 10, 3600) == FOREVER
    assert always.add(HI - 10, 3600) == FOREVER


def test_add_inverts_working_seconds(office):
    rng = np.random.default_rng(3)
    ts = rng.integers(local_epoch("2025-01-01T00:00:00+01:00"), local_epoch("2026-12-01T00:00:00+01:00"), 500)
    ss = rng.integers(1, 40 * 3600, 500)
    for t, s in zip(ts.tolist(), ss.tolist(), strict=True):
        r = office.add(t, s)
        assert office.is_open(r)
        assert int(office.working_seconds(t, r)) == s
        assert r > t


def test_vector_and_scalar_cum_agree(office):
    ts = np.arange(local_epoch("2025-03-27T00:00:00+01:00"), local_epoch("2025-04-02T00:00:00+02:00"), 997)
    assert office.cum(ts).tolist() == [office.cum1(int(t)) for t in ts]
    assert office.open_mask(ts).tolist() == [office.is_open(int(t)) for t in ts]


def test_is_open_boundaries(office):
    assert office.is_open(local_epoch("2025-01-07T09:00:00+01:00"))
    assert not office.is_open(local_epoch("2025-01-07T13:00:00+01:00"))
    assert office.is_open(local_epoch("2025-01-07T12:59:59+01:00"))
    assert not office.is_open(local_epoch("2025-01-06T10:00:00+01:00"))  # Epiphany
    assert not office.is_open(local_epoch("2025-01-11T10:00:00+01:00"))  # Saturday


def test_format_iso_local_matches_pandas_and_shows_both_offsets():
    ts = np.array([local_epoch("2025-03-30T01:59:59+01:00"), local_epoch("2025-03-30T03:00:00+02:00"),
                   local_epoch("2025-10-26T02:30:00+02:00"), local_epoch("2025-10-26T02:30:00+01:00")])
    got = format_iso_local(ts, TZ).tolist()
    assert got == ["2025-03-30T01:59:59+01:00", "2025-03-30T03:00:00+02:00",
                   "2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00"]
    ref = pd.to_datetime(ts, unit="s", utc=True).tz_convert(TZ)
    assert [x.isoformat() for x in ref] == got
    assert utc_offsets(ts, TZ).tolist() == [3600, 7200, 7200, 3600]


def test_spec_validation_messages():
    with pytest.raises(ValueError, match="must look like 'HH:MM-HH:MM'; got '9-13'"):
        parse_span("9-13")
    with pytest.raises(ValueError, match="increasing within 00:00-24:00"):
        parse_span("13:00-09:00")
    with pytest.raises(ValueError, match="day keys must be among"):
        CalendarSpec.from_mapping(TZ, {"monday": ["09:00-13:00"]})
    with pytest.raises(ValueError, match="duration must look like"):
        parse_duration("2d")
    assert parse_duration("30m") == 1800 and parse_duration("8h") == 28800


def test_local_to_epoch_uses_the_zone():
    assert local_epoch("2025-07-01T09:00:00+02:00") == int(
        dt.datetime(2025, 7, 1, 9, tzinfo=ZoneInfo(TZ)).timestamp()
    )
