"""SLA policies in the app (dashboard/policies.py) and the sample policy `deskmine samples` installs."""

from __future__ import annotations

import base64

import pytest

from dashboard import data, policies
from pipelines.mining.policy import parse_policy
from pipelines.samples import SAMPLE_DIR, SAMPLE_POLICY, install_sample_policy, policy_dir
from pipelines.store import MEMORY

SAMPLE_TEXT = (SAMPLE_DIR / SAMPLE_POLICY).read_text(encoding="utf-8")


@pytest.fixture
def warehouse(tmp_path):
    """The process-default gateway on a warehouse path in tmp_path (no Flask app needed)."""
    db = tmp_path / "w.duckdb"
    gw = data.configure(str(db))
    yield db
    gw.close()


def upload(text: str | bytes) -> str:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return "data:application/toml;base64," + base64.b64encode(raw).decode()


@pytest.mark.parametrize(("file_name", "expected"), [
    ("sla_policy.toml", "sla_policy"), ("Office SLA 2025.TOML", "office_sla_2025"), ("2025.toml", "policy_2025"),
    ("../../etc/x.toml", "x"), ("é.toml", "policy"), ("a" * 80 + ".toml", "a" * 64),
])
def test_policy_name_from_a_file_name(file_name, expected):
    assert policies.policy_name(file_name) == expected


def test_the_folder_is_beside_the_warehouse(warehouse):
    assert policies.folder() == warehouse.parent / "policies"
    assert policies.entries() == [] and policies.names() == [] and policies.resolve("x") is None
    assert policies.active() is None


def test_a_valid_upload_is_saved_listed_and_loaded(warehouse):
    name = policies.save_upload("My SLA.toml", upload(SAMPLE_TEXT))
    assert name == "my_sla"
    assert (warehouse.parent / "policies" / "my_sla.toml").read_text(encoding="utf-8") == SAMPLE_TEXT
    assert policies.names() == ["my_sla"]
    assert policies.load("my_sla") == parse_policy(SAMPLE_TEXT)
    assert policies.text("my_sla") == SAMPLE_TEXT
    assert list((warehouse.parent / "policies").iterdir()) == [warehouse.parent / "policies" / "my_sla.toml"]


def test_a_bad_policy_is_refused_with_the_parser_message_and_not_saved(warehouse):
    broken = SAMPLE_TEXT.replace('resolution = "8h"', 'resolution = "1.5h"')
    with pytest.raises(data.DataError, match=r"broken.toml: targets\[0\] \('P1'\).resolution: bad duration '1.5h'"):
        policies.save_upload("broken.toml", upload(broken))
    with pytest.raises(data.DataError, match="not valid TOML"):
        policies.save_upload("nonsense.toml", upload("this is = = not toml"))
    assert not (warehouse.parent / "policies").exists() or policies.entries() == []


@pytest.mark.parametrize(("file_name", "payload", "message"), [
    ("policy.txt", upload(SAMPLE_TEXT), r"policy.txt: an SLA policy is a TOML file \(.toml\)"),
    ("big.toml", upload("#" * (policies.MAX_POLICY_BYTES + 10)), "big.toml is too large for a policy file"),
    ("latin.toml", upload("name = 'caf\xe9'".encode("latin-1")), "latin.toml is not UTF-8 text"),
    ("cut.toml", "data:application/toml;base64,@@@", "not received completely"),
])
def test_uploads_that_are_not_policy_files_are_refused(warehouse, file_name, payload, message):
    with pytest.raises(data.DataError, match=message):
        policies.save_upload(file_name, payload)


def test_an_existing_policy_is_replaced_only_when_asked(warehouse):
    policies.save_upload("p.toml", upload(SAMPLE_TEXT))
    stricter = SAMPLE_TEXT.replace('resolution = "8h"', 'resolution = "2h"')
    with pytest.raises(data.DataError, match="a policy named 'p' exists already"):
        policies.save_upload("p.toml", upload(stricter))
    assert policies.load("p").targets[0].resolution_s == 8 * 3600
    policies.save_upload("p.toml", upload(stricter), replace=True)
    assert policies.load("p").targets[0].resolution_s == 2 * 3600  # re-read: the file changed


def test_invalid_files_in_the_folder_are_listed_with_their_error_never_selected(warehouse):
    folder = warehouse.parent / "policies"
    folder.mkdir()
    (folder / "a_broken.toml").write_text("[calendars]\n", encoding="utf-8")
    (folder / "b_good.toml").write_text(SAMPLE_TEXT, encoding="utf-8")
    (folder / "Not A Name.toml").write_text(SAMPLE_TEXT, encoding="utf-8")  # not a policy name: ignored
    entries = policies.entries()
    assert [(e.name, e.valid) for e in entries] == [("a_broken", False), ("b_good", True)]
    assert "missing [calendars]" in entries[0].error
    assert policies.names() == ["b_good"]
    assert policies.resolve(None) == policies.resolve("a_broken") == "b_good"
    with pytest.raises(data.DataError, match="the SLA policy 'a_broken' cannot be used"):
        policies.load("a_broken")
    with pytest.raises(data.DataError, match="there is no SLA policy 'zzz'"):
        policies.load("zzz")
    with pytest.raises(data.DataError, match="bad policy name"):
        policies.load("../secret")


def test_the_active_policy_is_the_selection_else_the_first(warehouse):
    policies.save_upload("b.toml", upload(SAMPLE_TEXT))
    policies.save_upload("a.toml", upload(SAMPLE_TEXT.replace('resolution = "8h"', 'resolution = "2h"')))
    assert policies.active()[0] == "a"
    with policies.selected("b"):
        name, policy = policies.active()
        assert name == "b" and policy.targets[0].resolution_s == 8 * 3600
        with policies.selected("gone"):
            assert policies.active()[0] == "a"
    assert policies.active()[0] == "a"


def test_samples_install_their_policy_once_and_never_overwrite(tmp_path):
    db = tmp_path / "sub" / "w.duckdb"
    target = policy_dir(db) / SAMPLE_POLICY
    assert install_sample_policy(db) == target
    assert target.read_text(encoding="utf-8") == SAMPLE_TEXT
    target.write_text("# my own edits\n" + SAMPLE_TEXT, encoding="utf-8")
    assert install_sample_policy(db) is None
    assert target.read_text(encoding="utf-8").startswith("# my own edits")
    assert install_sample_policy(MEMORY) is None
    assert install_sample_policy(db, folder=tmp_path / "no_samples_here") is None


# -- the dropdowns' choice as a page opens (the session's choice is made in the browser) ----------------------

def test_the_sla_dropdown_opens_on_the_urls_policy_else_the_first(warehouse):
    from dashboard.components.policy import sla_choices

    assert sla_choices(None) == ([], None)
    for name in ("b_policy", "a_policy"):
        policies.save_upload(f"{name}.toml", upload(SAMPLE_TEXT))
    options = [{"label": "a_policy", "value": "a_policy"}, {"label": "b_policy", "value": "b_policy"}]
    assert sla_choices(None) == (options, "a_policy")
    assert sla_choices("b_policy") == (options, "b_policy")
    assert sla_choices("gone") == (options, "a_policy")


def test_a_pages_own_dropdown_offers_no_policy_and_opens_on_the_url_else_the_active(warehouse):
    from dashboard.components.policy import NO_POLICY, policy_choices

    assert policy_choices(None, None, "none please") == ([{"label": "none please", "value": NO_POLICY}], NO_POLICY)
    for name in ("b_policy", "a_policy"):
        policies.save_upload(f"{name}.toml", upload(SAMPLE_TEXT))
    options, value = policy_choices(None, None, "no policy")
    assert [o["value"] for o in options] == [NO_POLICY, "a_policy", "b_policy"] and value == "a_policy"
    assert policy_choices(None, NO_POLICY, "no policy")[1] == NO_POLICY
    assert policy_choices(None, "b_policy", "no policy")[1] == "b_policy"
    assert policy_choices("b_policy", None, "no policy")[1] == "b_policy"
    assert policy_choices("gone", "nope", "no policy")[1] == "a_policy"
