"""Business-time arithmetic: hand-computed cases, DST in both directions, and properties.

The office calendar used throughout (Europe/Rome, CET = UTC+1, CEST = UTC+2 from 2025-03-30
02:00 CET to 2025-10-26 03:00 CEST):

    mon       09:00-13:00, 14:00-18:00   (8 h)
    tue..fri  09:00-13:00, 14:00-18:00   (8 h)
    holidays  2025-12-25 (Thu), 2025-12-26 (Fri)
"""

from __future__ import annotations

import datetime as dt
import doctest
import zoneinfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipelines.mining.calendar as calendar_module
from pipelines.mining.calendar import (
    WORKING_S,
    BusinessCalendar,
    add_working_seconds,
    working_intervals,
    working_seconds,
)
from pipelines.schema import END_TIME, START_TIME

H = 3600
ROME = "Europe/Rome"
UTC = dt.UTC
WORKDAY = ["09:00-13:00", "14:00-18:00"]
OFFICE = BusinessCalendar.from_dict(
    "office",
    {"timezone": ROME, **{d: WORKDAY for d in ("mon", "tue", "wed", "thu", "fri")},
     "holidays": ["2025-12-25", "2025-12-26"]},
)
ROME24 = BusinessCalendar.always(ROME)
UTC24 = BusinessCalendar.always()


def rome(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz=ROME)


def w(cal: BusinessCalendar, a, b) -> float:
    return float(working_seconds(cal, a, b))


# -- the calendar object --------------------------------------------------------------------


def test_from_dict_builds_the_exact_calendar():
    cal = BusinessCalendar.from_dict("office", {
        "timezone": ROME,
        "mon": ["14:00-18:00", "09:00-13:00"],
        "sat": ["08:00:30-24:00"],
        "holidays": ["2025-12-26", dt.date(2025, 12, 25)],
    })
    assert cal == BusinessCalendar(
        name="office",
        timezone=ROME,
        weekly=(((9 * H, 13 * H), (14 * H, 18 * H)), (), (), (), (), ((8 * H + 30, 86400),), ()),
        holidays=frozenset({dt.date(2025, 12, 25), dt.date(2025, 12, 26)}),
    )
    assert cal.weekly_seconds == 8 * H + (86400 - 8 * H - 30)
    assert cal.to_dict() == {
        "timezone": ROME,
        "mon": ["09:00-13:00", "14:00-18:00"],
        "sat": ["08:00:30-24:00"],
        "holidays": ["2025-12-25", "2025-12-26"],
    }
    assert BusinessCalendar.from_dict("office", cal.to_dict()) == cal


def test_always_is_24x7():
    cal = BusinessCalendar.always("Asia/Tokyo")
    assert (cal.name, cal.timezone, cal.holidays) == ("always", "Asia/Tokyo", frozenset())
    assert cal.weekly == (((0, 86400),),) * 7
    assert cal.tzinfo == zoneinfo.ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"mon": WORKDAY}, r"calendar 'c': missing key 'timezone'"),
        ({"timezone": "Europe/Roma", "mon": WORKDAY},
         r"calendar 'c': unknown time zone 'Europe/Roma'"),
        ({"timezone": 1, "mon": WORKDAY}, r"calendar 'c', key 'timezone': expected a string"),
        ({"timezone": ROME, "monday": WORKDAY},
         r"calendar 'c': unknown key 'monday'; allowed keys are 'timezone', 'mon', 'tue', "
         r"'wed', 'thu', 'fri', 'sat', 'sun', 'holidays'"),
        ({"timezone": ROME}, r"calendar 'c': no working intervals"),
        ({"timezone": ROME, "mon": "09:00-18:00"},
         r"calendar 'c', key 'mon': expected a list of intervals"),
        ({"timezone": ROME, "mon": ["9:00-18:00"]},
         r"calendar 'c', key 'mon': bad interval '9:00-18:00'; expected 'HH:MM-HH:MM'"),
        ({"timezone": ROME, "tue": ["09:60-18:00"]}, r"key 'tue': bad interval '09:60-18:00'"),
        ({"timezone": ROME, "tue": ["09:00-24:30"]}, r"key 'tue': bad interval '09:00-24:30'"),
        ({"timezone": ROME, "tue": ["24:00-24:00"]}, r"key 'tue': bad interval '24:00-24:00'"),
        ({"timezone": ROME, "tue": [900]}, r"key 'tue': bad interval 900"),
        ({"timezone": ROME, "wed": ["18:00-09:00"]},
         r"calendar 'c', key 'wed': interval '18:00-09:00' must end after it starts"),
        ({"timezone": ROME, "wed": ["09:00-09:00"]},
         r"key 'wed': interval '09:00-09:00' must end after it starts"),
        ({"timezone": ROME, "thu": ["12:00-18:00", "09:00-13:00"]},
         r"calendar 'c', key 'thu': intervals '09:00-13:00' and '12:00-18:00' overlap"),
        ({"timezone": ROME, "mon": WORKDAY, "holidays": ["25/12/2025"]},
         r"calendar 'c', key 'holidays': bad date '25/12/2025'; expected 'YYYY-MM-DD'"),
        ({"timezone": ROME, "mon": WORKDAY, "holidays": ["2025-02-30"]},
         r"key 'holidays': bad date '2025-02-30'"),
        ({"timezone": ROME, "mon": WORKDAY, "holidays": "2025-12-25"},
         r"key 'holidays': expected a list of dates"),
    ],
)
def test_from_dict_rejects_bad_tables(mapping, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_dict("c", mapping)


def test_touching_intervals_are_allowed():
    cal = BusinessCalendar.from_dict("c", {"timezone": "UTC", "mon": ["13:00-18:00", "09:00-13:00"]})
    assert cal.weekly[0] == ((9 * H, 13 * H), (13 * H, 18 * H))


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        (((),) * 6, r"weekly must hold 7 days"),
        ((((9 * H, 8 * H),),) + ((),) * 6, r"calendar 'c', mon: interval '09:00-08:00' must"),
        ((((0, 86401),),) + ((),) * 6, r"must satisfy 0 <= start < end <= 86400"),
        (((), ((10 * H, 12 * H), (9 * H, 11 * H))) + ((),) * 5,
         r"calendar 'c', tue: intervals '10:00-12:00' and '09:00-11:00' overlap or are not sorted"),
        ((((9.5, 10),),) + ((),) * 6, r"an interval must be a pair of whole seconds"),
    ],
)
def test_constructor_validates_weekly(weekly, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("c", "UTC", weekly)


def test_constructor_validates_name_and_holidays():
    with pytest.raises(ValueError, match=r"calendar name must be a non-empty string"):
        BusinessCalendar("", "UTC", ((),) * 7)
    with pytest.raises(ValueError, match=r"holidays must be datetime.date values"):
        BusinessCalendar("c", "UTC", ((),) * 7, frozenset({dt.datetime(2025, 1, 1)}))


# -- working_seconds: hand-computed --------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025-03-03 10:00", "2025-03-03 11:30", 1.5 * H),            # inside the morning
        ("2025-03-03 07:00", "2025-03-03 09:30", 0.5 * H),            # starts before hours
        ("2025-03-03 17:00", "2025-03-03 20:00", 1 * H),              # ends after hours
        ("2025-03-03 13:10", "2025-03-03 13:50", 0.0),                # inside the lunch break
        ("2025-03-03 12:30", "2025-03-03 14:30", 1 * H),              # across the lunch break
        ("2025-03-04 17:30", "2025-03-05 09:30", 1 * H),              # overnight Tue -> Wed
        ("2025-03-07 17:00", "2025-03-10 10:00", 2 * H),              # over a weekend
        ("2025-03-08 10:00", "2025-03-09 18:00", 0.0),                # inside a weekend
        ("2025-03-03 00:00", "2025-03-10 00:00", 40 * H),             # a whole week
        ("2025-12-24 17:00", "2025-12-29 10:00", 2 * H),              # two holidays + weekend
        ("2025-12-25 09:00", "2025-12-25 18:00", 0.0),                # on a holiday
        ("2025-03-28 17:00", "2025-03-31 10:00", 2 * H),              # spring DST weekend
        ("2025-10-24 17:00", "2025-10-27 10:00", 2 * H),              # autumn DST weekend
        ("2025-03-03 10:00:00.25", "2025-03-03 10:00:01", 0.75),      # sub-second
        ("2025-03-03 11:00", "2025-03-03 10:00", 0.0),                # reversed
        ("2025-03-03 10:00", "2025-03-03 10:00", 0.0),                # empty
    ],
)
def test_office_hours(start, end, expected):
    assert w(OFFICE, rome(start), rome(end)) == expected


def test_whole_years():
    # 2025 has 261 weekdays (52 weeks + Wednesday 1 Jan); 25 and 26 Dec are weekdays.
    assert w(OFFICE, rome("2025-01-01"), rome("2026-01-01")) == 259 * 8 * H
    # 2024 is a leap year starting on Monday: 52 weeks + Mon + Tue = 262 weekdays.
    assert w(OFFICE, rome("2024-01-01"), rome("2026-01-01")) == (262 + 259) * 8 * H
    assert w(UTC24, pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2026-01-01", tz="UTC")) \
        == 731 * 86400
    # ten years of 24x7 in Rome is wall time: 2020..2029 has 3 leap years
    assert w(ROME24, rome("2020-01-01"), rome("2030-01-01")) == 3653 * 86400


def test_24x7_across_dst_days_is_23_and_25_hours():
    assert w(ROME24, rome("2025-03-30"), rome("2025-03-31")) == 23 * H
    assert w(ROME24, rome("2025-10-26"), rome("2025-10-27")) == 25 * H
    assert w(ROME24, rome("2025-03-29 12:00"), rome("2025-03-30 12:00")) == 23 * H
    # the 24x7 calendar of any zone is elapsed time
    a, b = pd.Timestamp("2025-10-25 21:17:03", tz="UTC"), pd.Timestamp("2025-10-26 05:00", tz="UTC")
    assert w(ROME24, a, b) == w(UTC24, a, b) == (b - a).total_seconds()


def test_boundaries_in_dst_gap_and_fold():
    night = {"timezone": ROME, "sun": ["01:00-04:00"]}
    cal = BusinessCalendar.from_dict("night", night)
    # 2025-03-30: 01:00 CET = 00:00 UTC, 04:00 CEST = 02:00 UTC
    assert w(cal, rome("2025-03-29"), rome("2025-03-31")) == 2 * H
    # 2025-10-26: 01:00 CEST = 2025-10-25 23:00 UTC, 04:00 CET = 03:00 UTC
    assert w(cal, rome("2025-10-25"), rome("2025-10-27")) == 4 * H
    # a normal Sunday: 3 h
    assert w(cal, rome("2025-03-22"), rome("2025-03-24")) == 3 * H

    gap = BusinessCalendar.from_dict("gap", {"timezone": ROME, "sun": ["02:30-05:00"]})
    # 02:30 does not exist on 2025-03-30: it maps to 03:00 CEST = 01:00 UTC; 05:00 CEST = 03:00 UTC
    assert w(gap, rome("2025-03-29"), rome("2025-03-31")) == 2 * H
    # 02:30 occurs twice on 2025-10-26: first occurrence 02:30 CEST = 00:30 UTC; 05:00 CET = 04:00 UTC
    assert w(gap, rome("2025-10-25"), rome("2025-10-27")) == 3.5 * H

    swallowed = BusinessCalendar.from_dict("s", {"timezone": ROME, "sun": ["02:00-02:45"]})
    assert w(swallowed, rome("2025-03-29"), rome("2025-03-31")) == 0.0
    # fold: 02:00 and 02:45 both first occurrences (CEST): 45 minutes
    assert w(swallowed, rome("2025-10-25"), rome("2025-10-27")) == 45 * 60


def test_instants_inside_the_fold():
    cal = BusinessCalendar.from_dict("s", {"timezone": ROME, "sun": ["02:00-03:00"]})
    # on 2025-10-26, 02:00 (first, CEST) = 00:00 UTC and 03:00 CET = 02:00 UTC: two hours,
    # and the second pass of 02:xx (CET, 01:00-02:00 UTC) is inside the interval
    second_pass = pd.Timestamp("2025-10-26 01:30", tz="UTC")
    assert second_pass.tz_convert(ROME).hour == 2
    assert w(cal, second_pass, pd.Timestamp("2025-10-27", tz="UTC")) == 0.5 * H
    assert w(cal, pd.Timestamp("2025-10-25", tz="UTC"), second_pass) == 1.5 * H


def test_midnight_dst_gap():
    # America/Santiago springs forward at 24:00 -> 01:00 (2025-09-07 00:00 does not exist)
    cal = BusinessCalendar.from_dict("cl", {"timezone": "America/Santiago",
                                            "sun": ["00:00-02:00"], "sat": ["23:00-24:00"]})
    # Sat 23:00 -04 = Sun 03:00 UTC; 24:00 = Sun 00:00 -> 01:00 -03 = 04:00 UTC: 1 h
    # Sun 00:00 -> 04:00 UTC; 02:00 -03 = 05:00 UTC: 1 h
    a = pd.Timestamp("2025-09-06", tz="UTC")
    b = pd.Timestamp("2025-09-08", tz="UTC")
    assert w(cal, a, b) == 2 * H
    frame = working_intervals(cal, a, b)
    assert frame[START_TIME].tolist() == [pd.Timestamp("2025-09-07 03:00", tz="UTC"),
                                          pd.Timestamp("2025-09-07 04:00", tz="UTC")]
    assert frame[END_TIME].tolist() == [pd.Timestamp("2025-09-07 04:00", tz="UTC"),
                                        pd.Timestamp("2025-09-07 05:00", tz="UTC")]


def test_two_calendars_on_the_same_instants():
    new_york = BusinessCalendar.from_dict(
        "ny", {"timezone": "America/New_York", **{d: ["09:00-17:00"] for d in ("mon", "tue")}})
    a = pd.Timestamp("2025-03-03 08:00", tz="UTC")  # Monday: 09:00 in Rome, 03:00 in New York
    b = pd.Timestamp("2025-03-03 20:00", tz="UTC")  # 21:00 in Rome, 15:00 in New York
    assert w(OFFICE, a, b) == 8 * H
    assert w(new_york, a, b) == 6 * H
    # the US changes to DST on 2025-03-09, two weeks before Europe: Monday 10 March at
    # 13:00 UTC is 09:00 EDT (it would be 08:00 EST)
    assert w(new_york, pd.Timestamp("2025-03-10 12:00", tz="UTC"),
             pd.Timestamp("2025-03-10 14:00", tz="UTC")) == 1 * H


def test_missing_values_give_nan():
    start = pd.Series([rome("2025-03-03 10:00"), pd.NaT, rome("2025-03-03 10:00")])
    end = pd.Series([rome("2025-03-03 11:00"), rome("2025-03-03 11:00"), pd.NaT])
    out = working_seconds(OFFICE, start, end)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [3600.0, np.nan, np.nan])
    np.testing.assert_array_equal(working_seconds(OFFICE, [None, pd.NaT], [rome("2025-03-03")] * 2),
                                  [np.nan, np.nan])
    assert np.isnan(working_seconds(OFFICE, pd.NaT, rome("2025-03-03")))


def test_vectorised_inputs_of_every_kind():
    starts = ["2025-03-03 10:00", "2025-03-07 17:00", "2025-12-24 17:00"]
    ends = ["2025-03-03 11:30", "2025-03-10 10:00", "2025-12-29 10:00"]
    expected = np.array([1.5 * H, 2 * H, 2 * H])
    s_rome = pd.Series(pd.to_datetime(starts).tz_localize(ROME), index=[7, 8, 9])
    e_rome = pd.Series(pd.to_datetime(ends).tz_localize(ROME))
    s_utc = pd.DatetimeIndex(s_rome).tz_convert("UTC")
    e_utc = pd.DatetimeIndex(e_rome).tz_convert("UTC")
    kinds = [
        (s_rome, e_rome),                                            # Series, different indexes
        (s_utc, e_rome),                                             # DatetimeIndex + Series
        (s_utc.tz_localize(None).to_numpy(), e_utc.tz_localize(None).to_numpy()),  # numpy (UTC)
        (list(s_rome), [t.to_pydatetime() for t in e_utc]),          # lists of scalars
        (s_rome.to_numpy(), e_rome.array),                           # object array, DatetimeArray
    ]
    for start, end in kinds:
        out = working_seconds(OFFICE, start, end)
        assert isinstance(out, np.ndarray)
        np.testing.assert_array_equal(out, expected)
    # scalar against an array broadcasts
    np.testing.assert_array_equal(working_seconds(OFFICE, rome("2025-03-03 09:00"), e_rome),
                                  [2.5 * H, 41 * H, (43 * 5 - 2) * 8 * H + H])
    out = working_seconds(OFFICE, np.datetime64("2025-03-03T09:00"), np.datetime64("2025-03-03T10:00"))
    assert out.shape == () and float(out) == 1 * H  # 10:00-11:00 in Rome


def test_bad_inputs_fail_fast():
    with pytest.raises(ValueError, match=r"start: naive timestamps"):
        working_seconds(OFFICE, pd.Series(pd.to_datetime(["2025-03-03"])), rome("2025-03-04"))
    with pytest.raises(ValueError, match=r"end: naive timestamp"):
        working_seconds(OFFICE, rome("2025-03-03"), dt.datetime(2025, 3, 4))
    with pytest.raises(ValueError, match=r"start: expected tz-aware instants; got int 5"):
        working_seconds(OFFICE, 5, rome("2025-03-04"))
    with pytest.raises(ValueError, match=r"start: expected tz-aware instants; got dtype int64"):
        working_seconds(OFFICE, pd.Series([1, 2]), rome("2025-03-04"))
    with pytest.raises(ValueError, match=r"start and end must have the same length"):
        working_seconds(OFFICE, [rome("2025-03-03")] * 2, [rome("2025-03-04")] * 3)


# -- add_working_seconds: hand-computed ----------------------------------------------------


@pytest.mark.parametrize(
    ("start", "seconds", "expected"),
    [
        ("2025-03-07 17:00", 2 * H, "2025-03-10 10:00"),     # over a weekend
        ("2025-03-03 09:00", 4 * H, "2025-03-03 13:00"),     # ends with the morning: 13:00
        ("2025-03-03 09:00", 4 * H + 1, "2025-03-03 14:00:01"),
        ("2025-03-03 07:00", 1 * H, "2025-03-03 10:00"),     # starts before hours
        ("2025-03-03 07:00", 0, "2025-03-03 07:00"),         # zero: the start itself
        ("2025-03-03 13:30", 0.5, "2025-03-03 14:00:00.5"),  # from the lunch break
        ("2025-12-24 17:00", 2 * H, "2025-12-29 10:00"),     # holidays
        ("2025-03-03 00:00", 40 * H, "2025-03-07 18:00"),    # a working week ends on Friday
        ("2025-01-01 00:00", 259 * 8 * H, "2025-12-31 18:00"),
    ],
)
def test_add_office_hours(start, seconds, expected):
    assert add_working_seconds(OFFICE, rome(start), seconds) == rome(expected)


def test_add_across_dst():
    assert add_working_seconds(ROME24, rome("2025-03-30"), 24 * H) == rome("2025-03-31 01:00")
    assert add_working_seconds(ROME24, rome("2025-10-26"), 24 * H) == rome("2025-10-26 23:00")
    gap = BusinessCalendar.from_dict("gap", {"timezone": ROME, "sun": ["02:30-05:00"]})
    assert add_working_seconds(gap, rome("2025-03-29"), 1) == \
        pd.Timestamp("2025-03-30 01:00:01", tz="UTC")


def test_add_keeps_the_container_kind():
    start = pd.Series([rome("2025-03-07 17:00"), pd.NaT, rome("2025-03-03 07:00")],
                      index=[3, 4, 5], name="opened")
    out = add_working_seconds(OFFICE, start, [2 * H, H, np.nan])
    assert isinstance(out, pd.Series)
    assert out.name == "opened" and out.index.tolist() == [3, 4, 5]
    assert str(out.dtype) == "datetime64[ns, Europe/Rome]"
    assert out.tolist()[0] == rome("2025-03-10 10:00")
    assert out.isna().tolist() == [False, True, True]

    idx = add_working_seconds(OFFICE, pd.DatetimeIndex([rome("2025-03-03 07:00")]), H)
    assert isinstance(idx, pd.DatetimeIndex) and idx.tz == zoneinfo.ZoneInfo(ROME)
    assert idx[0] == rome("2025-03-03 10:00")

    arr = add_working_seconds(OFFICE, np.array(["2025-03-03T06:00"], "datetime64[s]"), H)
    np.testing.assert_array_equal(arr, np.array(["2025-03-03T09:00"], "datetime64[ns]"))

    by_seconds = add_working_seconds(OFFICE, rome("2025-03-03 09:00"),
                                     pd.Series([H, 2 * H], index=["a", "b"]))
    assert by_seconds.index.tolist() == ["a", "b"]
    assert by_seconds.tolist() == [rome("2025-03-03 10:00"), rome("2025-03-03 11:00")]

    listed = add_working_seconds(OFFICE, [rome("2025-03-03 09:00").to_pydatetime()], [60])
    assert isinstance(listed, pd.DatetimeIndex)
    assert listed.tolist() == [pd.Timestamp("2025-03-03 08:01", tz="UTC")]
    assert add_working_seconds(OFFICE, pd.NaT, 60) is pd.NaT


def test_add_on_a_calendar_that_never_works():
    never = BusinessCalendar("never", "UTC", ((),) * 7)
    start = pd.Timestamp("2025-01-01", tz="UTC")
    assert add_working_seconds(never, start, 60) is pd.NaT
    assert add_working_seconds(never, start, 0) == start
    assert w(never, start, start + pd.Timedelta(days=30)) == 0.0


def test_add_rejects_bad_seconds():
    with pytest.raises(ValueError, match=r"seconds must be >= 0 and finite.*got -1.0"):
        add_working_seconds(OFFICE, rome("2025-03-03"), -1)
    with pytest.raises(ValueError, match=r"seconds must be >= 0 and finite.*got inf"):
        add_working_seconds(OFFICE, rome("2025-03-03"), [1, np.inf])
    with pytest.raises(ValueError, match=r"seconds must be numbers; got 'soon'"):
        add_working_seconds(OFFICE, rome("2025-03-03"), "soon")


def test_add_far_beyond_the_holidays():
    # one closed year of holidays (weekdays of 2026) pushes a one-hour deadline into 2027
    closed = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(365)]
    cal = BusinessCalendar(OFFICE.name, ROME, OFFICE.weekly, frozenset(closed))
    assert add_working_seconds(cal, rome("2025-12-31 17:30"), H) == rome("2027-01-01 09:30")


# -- working_intervals -------------------------------------------------------------------


def test_working_intervals_are_clipped_and_exact():
    frame = working_intervals(OFFICE, rome("2025-03-07 12:00"), rome("2025-03-10 10:00"))
    assert frame.columns.tolist() == [START_TIME, END_TIME, WORKING_S]
    assert frame[START_TIME].dt.tz_convert(ROME).tolist() == [
        rome("2025-03-07 12:00"), rome("2025-03-07 14:00"), rome("2025-03-10 09:00")]
    assert frame[END_TIME].dt.tz_convert(ROME).tolist() == [
        rome("2025-03-07 13:00"), rome("2025-03-07 18:00"), rome("2025-03-10 10:00")]
    assert frame[WORKING_S].tolist() == [H, 4 * H, H]
    with pytest.raises(ValueError, match=r"needs two valid instants"):
        working_intervals(OFFICE, pd.NaT, rome("2025-03-10"))


def test_docstring_examples():
    result = doctest.testmod(calendar_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 10 and result.failed == 0


# -- a reference implementation with zoneinfo only, for the property tests ----------------


def _ref_utc(day: dt.date, seconds: int, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The documented rule, by brute force: gap -> first instant after it, fold -> first."""
    wall = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    lo = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # before the transition
    hi = first  # after it
    offset = lo.astimezone(tz).utcoffset()
    while hi - lo > dt.timedelta(seconds=1):  # transitions are on whole seconds
        mid = lo + (hi - lo) // 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == offset:
            lo = mid
        else:
            hi = mid
    return hi


def _ref_working_us(cal: BusinessCalendar, a: dt.datetime, b: dt.datetime) -> int:
    tz = cal.tzinfo
    day = a.astimezone(tz).date() - dt.timedelta(days=1)
    last = b.astimezone(tz).date() + dt.timedelta(days=1)
    total = dt.timedelta(0)
    while day <= last:
        if day not in cal.holidays:
            for s, e in cal.weekly[day.weekday()]:
                lo = max(_ref_utc(day, s, tz), a)
                hi = min(_ref_utc(day, e, tz), b)
                if hi > lo:
                    total += hi - lo
        day += dt.timedelta(days=1)
    return total // dt.timedelta(microseconds=1)


# -- property tests --------------------------------------------------------------------------

ZONES = ["Europe/Rome", "America/New_York", "America/Santiago", "Australia/Lord_Howe",
         "Asia/Kolkata", "UTC", "Europe/London"]
LO_US = int(pd.Timestamp("2024-01-01", tz="UTC").value // 1000)
HI_US = int(pd.Timestamp("2027-01-01", tz="UTC").value // 1000)
TRANSITIONS_US = [int(pd.Timestamp(t, tz="UTC").value // 1000) for t in (
    "2025-03-30 01:00", "2025-10-26 01:00", "2025-03-09 07:00", "2025-11-02 06:00",
    "2025-04-06 03:00", "2025-09-07 04:00", "2025-04-05 15:00", "2025-10-04 15:30",
)]

instants_us = st.one_of(
    st.integers(LO_US, HI_US),
    st.builds(lambda t, d: t + d, st.sampled_from(TRANSITIONS_US),
              st.integers(-3 * 86400 * 10**6, 3 * 86400 * 10**6)),
)


@st.composite
def calendars(draw) -> BusinessCalendar:
    tz = draw(st.sampled_from(ZONES))
    weekly = []
    for _ in range(7):
        # boundaries on a 30-minute grid plus odd seconds, to hit gaps, folds and midnight
        cuts = draw(st.lists(st.one_of(st.integers(0, 48).map(lambda q: q * 1800),
                                       st.integers(0, 86400)),
                             unique=True, max_size=6))
        cuts = sorted(cuts)[: len(cuts) // 2 * 2]
        weekly.append(tuple(zip(cuts[::2], cuts[1::2], strict=True)))
    holidays = draw(st.frozensets(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)),
                                  max_size=20))
    return BusinessCalendar("random", tz, tuple(weekly), holidays)


def _ts(us: int) -> pd.Timestamp:
    return pd.Timestamp(us, unit="us", tz="UTC")


def _us(seconds: float) -> int:
    return round(seconds * 1e6)


PROPS = settings(max_examples=150, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(calendars(), instants_us, st.integers(0, 8 * 86400 * 10**6))
def test_matches_the_zoneinfo_reference(cal, a, length):
    b = a + length
    got = _us(w(cal, _ts(a), _ts(b)))
    assert got == _ref_working_us(cal, _ts(a).to_pydatetime(), _ts(b).to_pydatetime())


@PROPS
@given(st.one_of(calendars(), st.just(OFFICE)), st.lists(instants_us, min_size=3, max_size=3))
def test_additive_over_split_intervals(cal, points):
    a, b, c = sorted(points)
    out = working_seconds(cal, [_ts(a), _ts(a), _ts(b)], [_ts(c), _ts(b), _ts(c)])
    whole, left, right = (_us(v) for v in out)
    assert whole == left + right


@PROPS
@given(st.one_of(calendars(), st.just(OFFICE)), instants_us, instants_us)
def test_bounded_by_wall_time_and_zero_when_reversed(cal, a, b):
    forward = _us(w(cal, _ts(min(a, b)), _ts(max(a, b))))
    assert 0 <= forward <= abs(b - a)
    assert w(cal, _ts(max(a, b)), _ts(min(a, b))) == 0.0
    assert w(cal, _ts(a), _ts(a)) == 0.0


@PROPS
@given(st.sampled_from(ZONES), instants_us, instants_us)
def test_24x7_is_wall_time_in_every_zone(zone, a, b):
    assert _us(w(BusinessCalendar.always(zone), _ts(a), _ts(b))) == max(b - a, 0)


@PROPS
@given(st.one_of(calendars(), st.just(OFFICE)), instants_us,
       st.integers(0, 30 * 86400 * 10**6))
def test_add_inverts_working_seconds(cal, a, amount_us):
    if cal.weekly_seconds == 0:
        return
    t = add_working_seconds(cal, _ts(a), amount_us / 1e6)
    assert t >= _ts(a)
    assert _us(w(cal, _ts(a), t)) == amount_us
    if amount_us > 0:  # and t is the earliest such instant
        assert _us(w(cal, _ts(a), t - pd.Timedelta(microseconds=1))) == amount_us - 1


@PROPS
@given(st.one_of(calendars(), st.just(OFFICE)),
       st.lists(st.tuples(instants_us, instants_us), min_size=1, max_size=8))
def test_vectorised_equals_elementwise(cal, pairs):
    starts = pd.Series([_ts(a) for a, _ in pairs])
    ends = pd.Series([_ts(b) for _, b in pairs])
    together = working_seconds(cal, starts, ends)
    one_by_one = [w(cal, a, b) for a, b in zip(starts, ends, strict=True)]
    np.testing.assert_array_equal(together, one_by_one)
    secs = np.nan_to_num(together) % (40 * 3600)
    if cal.weekly_seconds:
        deadlines = add_working_seconds(cal, starts, secs)
        assert deadlines.tolist() == [add_working_seconds(cal, a, s)
                                      for a, s in zip(starts, secs, strict=True)]
