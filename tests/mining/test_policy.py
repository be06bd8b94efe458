"""The SLA policy file: exact parse of a full example, every kind of bad input, matching."""

from __future__ import annotations

import datetime as dt
import doctest
import textwrap

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pipelines.mining.policy as policy_module
from pipelines.mining.calendar import BusinessCalendar
from pipelines.mining.policy import (
    SLA_TARGET,
    Milestones,
    ReopenRule,
    SlaPolicy,
    SlaTarget,
    assign_targets,
    format_duration,
    match_target,
    parse_duration,
    parse_policy,
    policy_from_dict,
    policy_to_dict,
    read_policy,
    to_toml,
)

H = 3600
EVERY_DAY = "\n".join(f'{d} = ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri",
                                                          "sat", "sun"))
FULL = f"""
[calendars.office]            # any number of named calendars
timezone = "Europe/Rome"
mon = ["09:00-13:00", "14:00-18:00"]   # working intervals per weekday; absent day = closed
tue = ["09:00-18:00"]
holidays = ["2025-12-25", "2025-12-26"]

[calendars.always]
timezone = "UTC"
{EVERY_DAY}

[milestones]
first_response = ["Take in charge ticket"]
resolved = ["Resolve ticket"]
closed = ["Closed"]
reopened = ["Reopened"]
pause = ["Wait", "Wait - User", "Wait - Customer"]

[reopen]
ignore_thank_you = false
thank_you_window = "2h"

[[targets]]
name = "P1"
when = {{ priority = "1" }}
calendar = "always"
first_response = "1h"
resolution = "4h"

[[targets]]
name = "default"
calendar = "office"
first_response = "8h"
resolution = "40h"
"""

EXPECTED = SlaPolicy(
    calendars={
        "office": BusinessCalendar(
            name="office",
            timezone="Europe/Rome",
            weekly=(((9 * H, 13 * H), (14 * H, 18 * H)), ((9 * H, 18 * H),), (), (), (), (), ()),
            holidays=frozenset({dt.date(2025, 12, 25), dt.date(2025, 12, 26)}),
        ),
        "always": BusinessCalendar("always", "UTC", (((0, 86400),),) * 7),
    },
    milestones=Milestones(
        first_response=("Take in charge ticket",),
        resolved=("Resolve ticket",),
        closed=("Closed",),
        reopened=("Reopened",),
        pause=("Wait", "Wait - User", "Wait - Customer"),
    ),
    reopen=ReopenRule(ignore_thank_you=False, thank_you_window_s=7200.0),
    targets=(
        SlaTarget("P1", (("priority", ("1",)),), "always", 3600.0, 14400.0),
        SlaTarget("default", (), "office", 28800.0, 144000.0),
    ),
)

MINIMAL = {
    "calendars": {"c": {"timezone": "UTC", "mon": ["09:00-17:00"]}},
    "milestones": {"resolved": ["Resolve"]},
    "targets": [{"name": "all", "calendar": "c", "resolution": "4h"}],
}


def with_(**changes) -> dict:
    """MINIMAL with top-level keys replaced (a value of None removes the key)."""
    d = {**MINIMAL, **changes}
    return {k: v for k, v in d.items() if v is not None}


def target(**changes) -> dict:
    t = {"name": "t", "calendar": "c", "resolution": "4h", **changes}
    return {k: v for k, v in t.items() if v is not None}


# -- a full valid file ----------------------------------------------------------------------


def test_full_example_parses_to_the_exact_objects():
    policy = parse_policy(FULL)
    assert policy == EXPECTED
    assert list(policy.calendars) == ["office", "always"]
    assert policy.calendars["always"] == BusinessCalendar.always("UTC")
    assert policy.calendar_of(policy.targets[1]) is policy.calendars["office"]
    assert hash(policy) == hash(parse_policy(FULL))
    with pytest.raises(TypeError):
        policy.calendars["other"] = BusinessCalendar.always()  # type: ignore[index]


def test_read_policy_from_a_file(tmp_path):
    path = tmp_path / "sla.toml"
    path.write_text(FULL, encoding="utf-8")
    assert read_policy(path) == EXPECTED
    path.write_text(FULL.replace('"40h"', '"40x"'), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}: targets\[1\] \('default'\)\.resolution: "
                                         r"bad duration '40x'"):
        read_policy(str(path))


def test_defaults_when_optional_parts_are_absent():
    policy = policy_from_dict(MINIMAL)
    assert policy.milestones == Milestones(resolved=("Resolve",))
    assert policy.reopen == ReopenRule(ignore_thank_you=False, thank_you_window_s=7200.0)
    assert policy.targets == (SlaTarget("all", (), "c", None, 14400.0),)


def test_lenient_forms_that_are_documented():
    policy = policy_from_dict(with_(
        milestones={"resolved": "Resolve", "pause": []},
        reopen={"ignore_thank_you": True, "thank_you_window": 900},
        targets=[target(when={"priority": [1, "2", 1], "channel": "email"},
                        first_response=0.5, resolution=None)],
    ))
    assert policy.milestones == Milestones(resolved=("Resolve",))
    assert policy.reopen == ReopenRule(True, 900.0)
    assert policy.targets == (
        SlaTarget("t", (("priority", ("1", "2")), ("channel", ("email",))), "c", 0.5, None),)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("4h", 4 * H), ("1h30m", 5400), ("2d", 172800),
     ("1d12h", 36 * H), ("1d2h3m4s", 93784), ("90m", 5400), (5400, 5400), (0.25, 0.25)],
)
def test_duration_forms(text, seconds):
    assert parse_duration(text) == seconds
    assert isinstance(parse_duration(text), float)


@pytest.mark.parametrize("bad", ["1.5h", "4 h", "4H", "h", "", "30m1h", "1h1h", "-5m", "4",
                                 "PT4H", True, None, [4], float("inf"), float("nan")])
def test_bad_durations(bad):
    with pytest.raises(ValueError, match=rf"^x: bad duration {_re(repr(bad))}; expected a "
                                         r"string such as \"90s\".* or a number of seconds$"):
        parse_duration(bad, where="x")


@pytest.mark.parametrize("bad", ["0s", 0, -60])
def test_durations_must_be_positive(bad):
    with pytest.raises(ValueError, match=rf"^x: duration {_re(repr(bad))} must be positive$"):
        parse_duration(bad, where="x")


def test_format_duration():
    assert [format_duration(s) for s in (90, 5400, 172800, 93784, 7200.0, 0.5)] == [
        "1m30s", "1h30m", "2d", "1d2h3m4s", "2h", 0.5]


def _re(text: str) -> str:
    import re
    return re.escape(text)


# -- every kind of bad input ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("d", "message"),
    [
        (with_(version=2),
         r"^<dict>: top-level: unknown key 'version'; allowed keys are 'calendars', "
         r"'milestones', 'reopen', 'targets'$"),
        (with_(calendars=None), r"^<dict>: missing \[calendars\]: define at least one calendar$"),
        (with_(calendars={}), r"missing \[calendars\]"),
        (with_(milestones=None), r"^<dict>: missing \[milestones\]: at least `resolved`"),
        (with_(targets=None), r"^<dict>: missing \[\[targets\]\]: define at least one target$"),
        (with_(targets={"name": "t"}), r"targets: expected an array of tables"),
        # calendars
        (with_(calendars={"c": {"timezone": "Mars/Olympus", "mon": ["09:00-17:00"]}}),
         r"^<dict>: calendar 'c': unknown time zone 'Mars/Olympus'"),
        (with_(calendars={"c": {"timezone": "UTC", "mon": ["09:00-17:00"], "tz": "UTC"}}),
         r"^<dict>: calendar 'c': unknown key 'tz'; allowed keys are 'timezone', 'mon'"),
        (with_(calendars={"c": {"timezone": "UTC", "mon": ["17:00-09:00"]}}),
         r"^<dict>: calendar 'c', key 'mon': interval '17:00-09:00' must end after it starts$"),
        (with_(calendars={"c": "UTC"}), r"^<dict>: calendar 'c': expected a table"),
        # milestones
        (with_(milestones={"resolved": ["R"], "escalated": ["E"]}),
         r"^<dict>: \[milestones\]: unknown key 'escalated'; allowed keys are "
         r"'first_response', 'resolved', 'closed', 'reopened', 'pause'$"),
        (with_(milestones={"closed": ["Closed"]}),
         r"^<dict>: milestones.resolved: list at least one activity that resolves a case$"),
        (with_(milestones={"resolved": []}), r"milestones.resolved: list at least one activity"),
        (with_(milestones={"resolved": ["R", 3]}),
         r"^<dict>: milestones.resolved: expected a list of activity names such as "
         r"\[\"Resolve ticket\"\]; got \['R', 3\]$"),
        (with_(milestones={"resolved": ["R", ""]}), r"milestones.resolved: expected a list"),
        (with_(milestones={"resolved": ["R"], "pause": ["Wait", "Wait"]}),
         r"^<dict>: milestones.pause: activity 'Wait' is listed twice$"),
        (with_(milestones=["R"]), r"^<dict>: \[milestones\]: expected a table; got \['R'\]$"),
        # reopen
        (with_(reopen={"window": "2h"}),
         r"^<dict>: \[reopen\]: unknown key 'window'; allowed keys are 'ignore_thank_you', "
         r"'thank_you_window'$"),
        (with_(reopen={"ignore_thank_you": "yes"}),
         r"^<dict>: reopen.ignore_thank_you: expected true or false; got 'yes'$"),
        (with_(reopen={"thank_you_window": "two hours"}),
         r"^<dict>: reopen.thank_you_window: bad duration 'two hours'; expected"),
        # targets
        (with_(targets=[target(priority="1")]),
         r"^<dict>: targets\[0\] \('t'\): unknown key 'priority'; allowed keys are 'name', "
         r"'when', 'calendar', 'first_response', 'resolution'$"),
        (with_(targets=[target(name=None)]),
         r"^<dict>: targets\[0\]: missing `name` \(a non-empty string\)$"),
        (with_(targets=[target(), target()]),
         r"^<dict>: targets\[1\]: name 't' is already used by targets\[0\]$"),
        (with_(targets=[target(calendar="offce")]),
         r"^<dict>: targets\[0\] \('t'\): unknown calendar 'offce'; defined calendars are 'c'$"),
        (with_(targets=[target(calendar=None)]),
         r"^<dict>: targets\[0\] \('t'\): missing `calendar`; defined calendars are 'c'$"),
        (with_(targets=[target(resolution=None)]),
         r"^<dict>: targets\[0\] \('t'\): give `first_response`, `resolution` or both$"),
        (with_(targets=[target(first_response="1.5h")]),
         r"^<dict>: targets\[0\] \('t'\)\.first_response: bad duration '1.5h'; expected a "
         r"string such as \"90s\", \"30m\", \"4h\", \"1h30m\", \"2d\""),
        (with_(targets=[target(resolution="0m")]),
         r"^<dict>: targets\[0\] \('t'\)\.resolution: duration '0m' must be positive$"),
        (with_(targets=[target(when={"priority": 1.5})]),
         r"^<dict>: targets\[0\] \('t'\)\.when\.priority: values must be strings or integers; "
         r"got 1\.5 \(write it as a string, e.g. \"1\.5\"\)$"),
        (with_(targets=[target(when={"vip": True})]),
         r"targets\[0\] \('t'\)\.when\.vip: values must be strings or integers; got True"),
        (with_(targets=[target(when={"priority": []})]),
         r"^<dict>: targets\[0\] \('t'\)\.when\.priority: the list of values is empty$"),
        (with_(targets=[target(when="priority=1")]),
         r"^<dict>: targets\[0\] \('t'\)\.when: expected a table; got 'priority=1'$"),
        (with_(targets=[target(name="all"), target(name="P1", when={"priority": "1"})]),
         r"^<dict>: targets\[1\] \('P1'\) can never apply: every case it matches is matched "
         r"first by targets\[0\] \('all'\)$"),
        (with_(targets=[target(name="P1/2", when={"priority": ["1", "2"]}),
                        target(name="P1 mail", when={"priority": "1", "channel": "mail"})]),
         r"targets\[1\] \('P1 mail'\) can never apply: .* targets\[0\] \('P1/2'\)$"),
    ],
)
def test_bad_policies(d, message):
    with pytest.raises(ValueError, match=message):
        policy_from_dict(d)


def test_bad_toml_names_the_source():
    with pytest.raises(ValueError, match=r"^sla\.toml: not valid TOML: Unclosed array"):
        parse_policy("[milestones]\nresolved = [\"R\"", source="sla.toml")
    with pytest.raises(ValueError, match=r"^<string>: top-level: unknown key 'target'"):
        parse_policy(FULL.replace("[[targets]]", "[[target]]"))


def test_not_shadowed_when_conditions_differ():
    policy = policy_from_dict(with_(targets=[
        target(name="P1 mail", when={"priority": "1", "channel": "mail"}),
        target(name="P1", when={"priority": "1"}),
        target(name="mail", when={"channel": ["mail", "web"]}),
        target(name="all"),
    ]))
    assert [t.name for t in policy.targets] == ["P1 mail", "P1", "mail", "all"]


# -- matching -------------------------------------------------------------------------------

MATCHING = policy_from_dict(with_(targets=[
    target(name="P1 mail", when={"priority": 1, "channel": "mail"}),
    target(name="P1", when={"priority": [1, "0"]}),
    target(name="ACME", when={"customer": "ACME"}),
]))


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"priority": "1", "channel": "mail"}, "P1 mail"),
        ({"priority": "1", "channel": "phone"}, "P1"),
        ({"priority": "0"}, "P1"),
        ({"priority": 1}, "P1"),                  # non-strings are compared through str()
        ({"priority": 1.0}, None),                # "1.0" != "1"
        ({"priority": None, "customer": "ACME"}, "ACME"),
        ({"priority": float("nan"), "customer": "ACME"}, "ACME"),
        ({"customer": "acme"}, None),             # exact, case-sensitive
        ({}, None),
    ],
)
def test_match_target(attributes, expected):
    found = match_target(MATCHING, attributes)
    assert (found.name if found else None) == expected


def test_assign_targets_is_vectorised_and_keeps_the_index():
    cases = pd.DataFrame(
        {
            "priority": pd.array(["1", "1", "0", None, "2", "1"], dtype="str"),
            "channel": pd.Categorical(["mail", "phone", "mail", "mail", None, None]),
            "customer": ["x", "y", "z", "ACME", "ACME", np.nan],
        },
        index=[10, 11, 12, 13, 14, 15],
    )
    out = assign_targets(MATCHING, cases)
    assert out.name == SLA_TARGET and out.dtype == object
    assert out.index.tolist() == [10, 11, 12, 13, 14, 15]
    assert out.tolist() == ["P1 mail", "P1", "P1", "ACME", "ACME", "P1"]
    # numbers are compared through their text, like match_target
    ints = assign_targets(MATCHING, pd.DataFrame({"priority": [1, 2, 0]}))
    assert ints.tolist() == ["P1", None, "P1"]
    floats = assign_targets(MATCHING, pd.DataFrame({"priority": [1.0, np.nan]}))
    assert floats.tolist() == [None, None]
    # a `when` attribute that is not a column never matches
    assert assign_targets(MATCHING, pd.DataFrame({"customer": ["ACME", "x"]})).tolist() == [
        "ACME", None]
    assert assign_targets(MATCHING, pd.DataFrame({"priority": []})).tolist() == []
    catch_all = policy_from_dict(MINIMAL)
    assert assign_targets(catch_all, pd.DataFrame(index=[5, 6])).tolist() == ["all", "all"]


VALUES = st.sampled_from(["0", "1", "2", "mail", "ACME", None])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(VALUES, VALUES, VALUES), max_size=20))
def test_assign_targets_equals_match_target_row_by_row(rows):
    cases = pd.DataFrame(rows, columns=["priority", "channel", "customer"], dtype=object)
    expected = [(t.name if (t := match_target(MATCHING, r)) else None)
                for r in cases.to_dict("records")]
    assert assign_targets(MATCHING, cases).tolist() == expected


# -- writing ----------------------------------------------------------------------------------


def test_policy_to_dict_is_the_exact_file_form():
    assert policy_to_dict(EXPECTED) == {
        "calendars": {
            "office": {"timezone": "Europe/Rome", "mon": ["09:00-13:00", "14:00-18:00"],
                       "tue": ["09:00-18:00"], "holidays": ["2025-12-25", "2025-12-26"]},
            "always": {"timezone": "UTC",
                       **{d: ["00:00-24:00"]
                          for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}},
        },
        "milestones": {
            "first_response": ["Take in charge ticket"], "resolved": ["Resolve ticket"],
            "closed": ["Closed"], "reopened": ["Reopened"],
            "pause": ["Wait", "Wait - User", "Wait - Customer"],
        },
        "reopen": {"ignore_thank_you": False, "thank_you_window": "2h"},
        "targets": [
            {"name": "P1", "when": {"priority": "1"}, "calendar": "always",
             "first_response": "1h", "resolution": "4h"},
            {"name": "default", "calendar": "office", "first_response": "8h",
             "resolution": "1d16h"},
        ],
    }
    assert policy_from_dict(policy_to_dict(EXPECTED)) == EXPECTED


def test_to_toml_round_trips_awkward_names():
    policy = policy_from_dict({
        "calendars": {"site.milan": {"timezone": "Europe/Rome", "sat": ["08:00:30-12:00"]}},
        "milestones": {"resolved": ['Resolve "quick" fix\\ ✓\x7f\n'], "pause": ["Wait"]},
        "reopen": {"ignore_thank_you": True, "thank_you_window": 0.25},
        "targets": [
            {"name": "weird name", "when": {"team name": ["L1", "L2"], "priority": 3},
             "calendar": "site.milan", "first_response": 90},
            {"name": "rest", "calendar": "site.milan", "resolution": "2d"},
        ],
    })
    text = to_toml(policy)
    assert '[calendars."site.milan"]' in text
    assert 'when = { "team name" = ["L1", "L2"], priority = "3" }' in text
    assert parse_policy(text) == policy


def test_to_toml_of_the_full_example():
    text = to_toml(EXPECTED)
    assert text.startswith(textwrap.dedent("""\
        [calendars.office]
        timezone = "Europe/Rome"
        mon = ["09:00-13:00", "14:00-18:00"]
        tue = ["09:00-18:00"]
        holidays = ["2025-12-25", "2025-12-26"]

        [calendars.always]
        timezone = "UTC"
        """))
    assert text.endswith(textwrap.dedent("""\
        [[targets]]
        name = "default"
        calendar = "office"
        first_response = "8h"
        resolution = "1d16h"
        """))
    assert parse_policy(text) == EXPECTED


def test_docstring_examples():
    result = doctest.testmod(policy_module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 5 and result.failed == 0
