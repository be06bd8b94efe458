"""The analyst notebooks (notebooks/*.ipynb): they run end to end, are stored clean, use only the
public API (no SQL, no pm4py), and the numbers they show equal the app's data gateway's.

Each notebook is executed once per session with nbclient in a fresh ``python3`` kernel (the project
venv's), against a warehouse in a temporary folder (``DESKMINE_NOTEBOOK_DB``). Notebooks record the
numbers the app must reproduce as a JSON output (``{"deskmine_check": ..., "log", "filter", ...}``);
the gateway tests read those outputs and ask ``dashboard.data`` for the same log and filter.
"""

from __future__ import annotations

import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = ("01_getting_started", "02_bottlenecks_and_sla", "03_automation_opportunities", "04_before_after")
TIME_LIMIT_S = 60.0
"""Each notebook must run end to end in well under a minute (kernel start included)."""
CELL_TIMEOUT_S = 120


# -- execution (once per notebook per session) ---------------------------------------------------

@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("notebooks") / "notebooks.duckdb"


@pytest.fixture(scope="module")
def executed(warehouse):
    """``executed(name)`` -> (executed notebook, seconds); runs each notebook at most once."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    results: dict[str, tuple[object, float] | str] = {}

    def run(name: str):
        if name not in results:
            nb = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
            client = NotebookClient(nb, kernel_name="python3", timeout=CELL_TIMEOUT_S,
                                    resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
            env = {**os.environ, "DESKMINE_NOTEBOOK_DB": str(warehouse), "PM4PY_SHOW_PROGRESS_BAR": "False"}
            started = time.perf_counter()
            try:
                client.execute(env=env)
                results[name] = (nb, time.perf_counter() - started)
            except CellExecutionError as exc:
                results[name] = f"{name}.ipynb failed:\n{exc}"
        outcome = results[name]
        if isinstance(outcome, str):
            pytest.fail(outcome, pytrace=False)
        return outcome

    return run


def checks(nb) -> dict[str, dict]:
    """The JSON records a notebook emitted, by their ``deskmine_check`` name."""
    out = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            payload = output.get("data", {}).get("application/json")
            if isinstance(payload, dict) and "deskmine_check" in payload:
                out[payload["deskmine_check"]] = payload
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_end_to_end_in_under_a_minute(executed, name):
    nb, seconds = executed(name)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    assert all(c.get("execution_count") for c in nb.cells if c.cell_type == "code"), "a cell did not run"
    assert seconds < TIME_LIMIT_S, f"{name} took {seconds:.1f} s"


def test_the_notebooks_are_the_four_of_the_issue():
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")) == sorted(NOTEBOOKS)


# -- stored form ----------------------------------------------------------------------------------

def stored(name: str):
    return nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_stored_with_outputs_cleared(name):
    nb = stored(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: a code cell has stored outputs:\n{cell.source[:200]}"
            assert cell.execution_count is None, f"{name}: a code cell has an execution count"
        assert "execution" not in cell.metadata, f"{name}: a cell keeps execution timing metadata"


SQL = re.compile(r"(?is)\b(select\b.+?\bfrom|insert\s+into|create\s+(or\s+replace\s+)?(table|view)|"
                 r"delete\s+from|update\b.+?\bset\b|drop\s+table|with\s+\w+\s+as\s*\()")
FORBIDDEN_CALLS = re.compile(r"\bimport\s+duckdb|\bfrom\s+duckdb\b|\bduckdb\.\w+\(|\.query(_rows)?\(|\.sql\(|\.execute\(|\.cursor\(|\bread_sql")
PM4PY = re.compile(r"\bimport\s+pm4py|\bfrom\s+pm4py\b|\bpm4py\.|_pm4py")
IMPORT = re.compile(r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", re.MULTILINE)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_sql_and_no_pm4py(name):
    for cell in stored(name).cells:
        source = cell.source
        assert not PM4PY.search(source), f"{name}: pm4py is reached directly:\n{source[:300]}"
        if cell.cell_type != "code":
            continue
        assert not SQL.search(source), f"{name}: SQL text in a code cell:\n{source[:300]}"
        assert not FORBIDDEN_CALLS.search(source), f"{name}: the warehouse is queried directly:\n{source[:300]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_only_the_public_api_and_dashboard_figures(name):
    """Convention 12: notebooks import ``pipelines`` (its flat public API) and ``dashboard.figures``."""
    for cell in stored(name).cells:
        if cell.cell_type != "code":
            continue
        for match in IMPORT.finditer(cell.source):
            module = match.group(1) or match.group(2)
            if module.split(".")[0] in ("pipelines", "dashboard"):
                assert module == "pipelines" or module.startswith("dashboard.figures"), (
                    f"{name} imports {module}: use the public API (from pipelines import ...) or dashboard.figures")


# -- the notebooks' numbers are the app's numbers -----------------------------------------------

@contextmanager
def gateway(warehouse: Path):
    """The app's data gateway on the notebooks' warehouse (the app, as served, in an app context)."""
    from dashboard import create_app
    from dashboard import data as data_module

    app = create_app(str(warehouse))
    try:
        with app.server.app_context():
            yield data_module
    finally:
        app.server.extensions[data_module.EXTENSION_KEY].close()


def state_of(record: dict):
    from dashboard.state import FilterState

    return FilterState.from_store({"log": record["log"], "filter": record["filter"]})


@pytest.mark.slow
def test_filtered_kpis_in_notebook_01_equal_the_gateway(executed, warehouse):
    from dashboard.state import from_query

    record = checks(executed("01_getting_started")[0])["filtered_kpis"]
    state = state_of(record)
    assert len(state.filter) == 1, "the notebook's example filters on one attribute"
    # the link the notebook prints opens the same view in the app
    assert from_query(urlsplit(record["app_link"]).query) == state
    with gateway(warehouse) as data:
        kpis = data.kpis(state)
        assert data.n_cases(state) == record["cases"]
        # the overview's resolution cards (no policy selected): Kaplan-Meier on calendar time
        times = data.resolution_times(state, None).summary.set_index("measure").loc["calendar"]
    assert kpis["cases"] == record["cases"] > 0
    assert kpis["closed_cases"] == record["closed_cases"]
    assert kpis["open_cases"] == record["open_cases"]
    assert kpis["median_duration_s"] == record["median_duration_s"]
    assert times["km_median_s"] == record["km_median_s"]
    assert times["km_p90_s"] == record["km_p90_s"]


@pytest.mark.slow
def test_bottlenecks_in_notebook_02_equal_the_gateway(executed, warehouse):
    record = checks(executed("02_bottlenecks_and_sla")[0])["bottlenecks"]
    with gateway(warehouse) as data:
        frame = data.bottlenecks(state_of(record), by=record["by"])
    columns = list(record["top"][0])
    assert record["top"] == frame.head(len(record["top"]))[columns].to_dict(orient="records")


@pytest.mark.slow
def test_sla_numbers_in_notebook_02_equal_the_gateway(executed, warehouse):
    from pipelines import read_policy

    record = checks(executed("02_bottlenecks_and_sla")[0])["sla"]
    policy = read_policy(ROOT / record["policy"])
    with gateway(warehouse) as data:
        rates = data.breach_rates(state_of(record), policy, "target")
        times = data.resolution_times(state_of(record), policy)
    columns = list(record["by_target"][0])
    assert record["by_target"] == rates[columns].to_dict(orient="records")
    summary = times.summary.set_index("measure")
    assert record["km_median_s"] == {m: float(v) for m, v in summary["km_median_s"].items()}
    assert record["naive_median_s"] == {m: float(v) for m, v in summary["naive_median_s"].items()}
    assert record["first_contact_resolution_rate"] == times.fcr_rate


@pytest.mark.slow
def test_helpdesk_sla_numbers_in_notebook_02_are_the_readme_s(executed):
    """Notebook 02 shows the helpdesk breach rates (and resolution, FCR, reopens) the README states."""
    record = checks(executed("02_bottlenecks_and_sla")[0])["sla"]
    if record["log"] != "helpdesk":
        pytest.skip("the shared datasets are absent: notebook 02 ran on the sample log")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())  # line breaks as spaces

    def row(cases: int, fr: float, res: float) -> str:
        return f"| {cases:,} | {100 * fr:.1f} % | {100 * res:.1f} % |"

    for target in record["by_target"]:
        assert row(target["cases"], target["first_response_breach_rate"], target["resolution_breach_rate"]) in readme
    overall = record["all"]
    assert "| all " + row(overall["cases"], overall["first_response_breach_rate"],
                          overall["resolution_breach_rate"]) in readme
    assert (f"Median resolution is {record['km_median_s']['business'] / 3600:.1f} office hours by Kaplan-Meier "
            f"({record['naive_median_s']['business'] / 3600:.1f} naive)") in readme
    assert f"first-contact resolution {100 * record['first_contact_resolution_rate']:.1f} %" in readme
    assert f"reopens {100 * record['reopen_rate']:.1f} %" in readme
    assert f"affect {record['thank_you_affected_cases']} tickets" in readme


# -- the API reference is generated from the docstrings and committed fresh ----------------------

def _generator():
    import importlib.util

    spec = importlib.util.spec_from_file_location("deskmine_generate_api", ROOT / "docs" / "generate_api.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_every_public_name_is_in_one_api_reference_family():
    assert _generator().undocumented() == [], "add the name to a family in docs/generate_api.py"


def test_committed_api_reference_equals_a_fresh_generation():
    generator = _generator()
    files = generator.render()
    stale = [str(p.relative_to(ROOT)) for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    extra = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs" / "api").glob("*.md") if p not in files)
    assert not stale and not extra, (
        f"docs are stale ({', '.join(stale + extra)}): run .venv/bin/python docs/generate_api.py and commit")
