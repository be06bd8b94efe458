"""The command line as scripts use it: JSON shapes (contracts), filters, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.mining.dfg import discover_dfg
from pipelines.mining.filters import filter_case_attribute
from pipelines.mining.policy import read_policy
from pipelines.mining.sla import evaluate_sla
from pipelines.mining.variants import get_variants
from pipelines.samples import SAMPLE_DIR
from pipelines.store import Store

POLICY = SAMPLE_DIR / "sla_policy.toml"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "w.duckdb"
    assert main(["samples", "--db", str(path)]) == 0
    return path


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_dfg_json_contract_equals_the_api(db, capsys):
    code, out, _ = run(capsys, "dfg", "--db", db, "--log", "before", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"edges", "start_activities", "end_activities"}
    assert all(set(e) == {"source", "target", "frequency", "cases", "mean_s", "median_s", "p90_s", "total_s"}
               for e in data["edges"])
    api = discover_dfg(Store(db).log("before"))
    assert {(e["source"], e["target"]): e["frequency"] for e in data["edges"]} == \
        dict(zip(zip(api.edges["source"], api.edges["target"], strict=True), api.edges["frequency"], strict=True))
    assert data["start_activities"] == api.start_activities


def test_variants_json_contract_sorted_by_cases(db, capsys):
    code, out, _ = run(capsys, "variants", "--db", db, "--log", "before", "--format", "json", "--top", 5)
    assert code == 0
    data = json.loads(out)
    assert len(data) == 5
    assert all(set(v) == {"variant", "cases", "share", "median_duration_s"} for v in data)
    assert [v["cases"] for v in data] == sorted((v["cases"] for v in data), reverse=True)
    api = get_variants(Store(db).log("before"), top=5)
    assert [v["variant"] for v in data] == [list(a) for a in api["activities"]]


def test_filters_on_the_command_line_equal_the_api(db, capsys):
    code, out, _ = run(capsys, "dfg", "--db", db, "--log", "before", "--where", "priority=P1", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    api = discover_dfg(filter_case_attribute(Store(db).log("before"), "priority", ["P1"]))
    assert frame["frequency"].sum() == api.edges["frequency"].sum()


def test_sla_csv_has_the_issue_columns_and_equals_the_api(db, capsys):
    code, out, _ = run(capsys, "sla", "--db", db, "--log", "after", "--policy", POLICY, "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.columns[:10]) == ["case_id", "target", "first_response_s", "resolution_s", "paused_s",
                                        "first_response_target_s", "resolution_target_s",
                                        "first_response_breached", "resolution_breached", "status"]
    api = evaluate_sla(Store(db).log("after"), read_policy(POLICY))
    assert frame["status"].value_counts().to_dict() == api["status"].value_counts().to_dict()


@pytest.mark.parametrize("view", ["rates", "drivers", "waits", "resolution", "reopens", "at-risk"])
def test_every_sla_view_runs(db, capsys, view):
    code, out, _ = run(capsys, "sla", "--db", db, "--log", "before", "--policy", POLICY, "--view", view,
                       "--format", "json")
    assert code == 0
    assert isinstance(json.loads(out), list) and json.loads(out)


@pytest.mark.parametrize(("args", "message"), [
    (["dfg", "--log", "nope"], "no log 'nope'"),
    (["dfg", "--log", "before", "--where", "nope=1"], "has no case attribute 'nope'"),
    (["dfg", "--log", "before", "--paths", "2"], "paths must be a share in (0, 1]"),
    (["sla", "--log", "before", "--policy", "/no/such.toml"], "no such policy file"),
    (["bottlenecks", "--log", "before", "--by", "nope"], "invalid choice: 'nope'"),
    (["discover", "--log", "before", "--out", "model.png"], "--out must end in .bpmn or .pnml"),
])
def test_bad_input_exits_2_with_one_line(db, capsys, args, message):
    code, out, err = run(capsys, *args[:1], "--db", db, *args[1:])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_discover_writes_a_bpmn_that_pm4py_reads(db, capsys, tmp_path):
    from pipelines.mining import _pm4py

    out_file = tmp_path / "model.bpmn"
    code, out, _ = run(capsys, "discover", "--db", db, "--log", "before", "--out", out_file, "--format", "json")
    assert code == 0 and json.loads(out)["sound"] is True
    assert _pm4py.bpmn_task_labels(_pm4py.read_bpmn(out_file))


def test_compare_json_shape_and_found_effect(db, capsys):
    code, out, _ = run(capsys, "compare", "--db", db, "--before", "before", "--after", "after", "--policy", POLICY,
                       "--boot", 300, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert {"version", "before", "after", "settings", "kpis", "adjusted", "segments", "map_delta",
            "variant_shift", "notes"} <= set(data)
    kpis = {k["kpi"]: k for k in data["kpis"]}
    touch = next(k for name, k in kpis.items() if "human" in name)
    assert touch["before"] == 0 and touch["significant"] and touch["ci_low"] > 0


def test_compare_split_date_and_argument_errors(db, capsys):
    code, out, _ = run(capsys, "compare", "--db", db, "--before", "before", "--split-date", "2025-03-01",
                       "--boot", 200)
    assert code == 0 and "Before/after comparison" in out
    code, _, err = run(capsys, "compare", "--db", db, "--before", "before")
    assert code == 2 and "either --after LOG or --split-date DATE" in err


def test_automation_views(db, capsys):
    code, out, _ = run(capsys, "automation", "--db", db, "--log", "before", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    top = {r["activity"] for r in rows if r["rank"] <= 3}
    assert {"Assign to team", "Reset password"} <= top  # the steps the after log automated
    code, out, _ = run(capsys, "automation", "--db", db, "--log", "before", "--view", "triage", "--levels", 3,
                       "--format", "json")
    assert code == 0 and len(json.loads(out)["matrix"]) == 27
    code, out, _ = run(capsys, "automation", "--db", db, "--log", "before", "--view", "macros", "--format", "csv")
    assert code == 0 and out.startswith("sequence,")


def test_whatif_scenario_file_and_flags(db, capsys):
    scenario = Path(__file__).resolve().parent.parent / "docs" / "whatif_sample.toml"
    code, out, _ = run(capsys, "whatif", "--db", db, "--log", "before", "--scenario", scenario, "--policy", POLICY,
                       "--boot", 20, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["automations"]) == 2
    code, out, _ = run(capsys, "whatif", "--db", db, "--log", "before", "--activity", "Assign to team",
                       "--only", "channel=email,web form", "--boot", 20)
    assert code == 0 and "resolution_calendar_median_s" in out
    code, _, err = run(capsys, "whatif", "--db", db, "--log", "before")
    assert code == 2 and "give --activity NAME" in err
