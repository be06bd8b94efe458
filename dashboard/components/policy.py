"""SLA policy pieces shared by pages: the session store of the user's selection, the policy shown
as tables and TOML, the upload box, and the message shown when there is no policy yet."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, clientside_callback, dcc, html

from dashboard import data, ids, policies
from dashboard.components.tables import empty_state, grid
from dashboard.figures.sla import policy_tables
from pipelines.mining.policy import SlaPolicy


def policy_store() -> dcc.Store:
    """The user's policy selection (a name), kept in the browser session: every page that uses the
    active policy includes it (a store of the same id in each page layout reads the same value)."""
    return dcc.Store(id=ids.POLICY_STORE, storage_type="session")


def _valid_names() -> list[str]:
    """The valid policies' names (none when the folder cannot be read: the pages say so elsewhere)."""
    try:
        return policies.names()
    except data.DataError:
        return []


def active_name(stored: str | None) -> str | None:
    """The name of the active policy for a stored selection (DataError is not raised: None when none)."""
    try:
        return policies.resolve(stored)
    except data.DataError:
        return None


NO_POLICY = "none"
"""The value of the "no policy" choice of a page's own policy dropdown (automation, compare)."""


def policy_choices(stored: str | None, param: str | None, no_policy_label: str) -> tuple[list[dict], str]:
    """Options and value of a page's policy dropdown: "no policy" and every valid policy; the URL's
    choice ``param`` when it is one of them, else the session's active policy, else "no policy".

    Layouts call it with ``stored=None`` (the server does not see the session): the browser then
    switches to the session's choice at once (:func:`pick_in_browser`), with no round trip."""
    names = _valid_names()
    options = [{"label": no_policy_label, "value": NO_POLICY}] + [{"label": n, "value": n} for n in names]
    if param == NO_POLICY or param in names:
        return options, param
    return options, active_name(stored) or NO_POLICY


# The session's choice lives in sessionStorage under the policy store's key (what dcc.Store with
# storage_type="session" reads), written in the browser: every page holds a store with that id, and a
# server callback writing it from one page's inputs would fire (and fail) on the others.
_SESSION_JS = """
    var key = "__STORE__", stored = null;
    try { stored = JSON.parse(window.sessionStorage.getItem(key)); } catch (e) { stored = null; }
    function remember(name) {
        window.sessionStorage.setItem(key, JSON.stringify(name));
        window.sessionStorage.setItem(key + "-timestamp", String(Date.now()));
    }
""".replace("__STORE__", ids.POLICY_STORE)

_PICK = """
function(param, options, value) {""" + _SESSION_JS + """
    var names = (options || []).map(function (o) { return o.value; });
    if (param !== null && param !== undefined && names.indexOf(param) >= 0) {
        if (__REMEMBER__ && param !== stored) { remember(param); }
        return window.dash_clientside.no_update;
    }
    if (stored && names.indexOf(stored) >= 0 && stored !== value) { return stored; }
    return window.dash_clientside.no_update;
}
"""

_REMEMBER = """
function(name) {""" + _SESSION_JS + """
    if (!name || name === stored) { return window.dash_clientside.no_update; }
    remember(name);
    return name;
}
"""


def pick_in_browser(dropdown_id: str, param_id: str, *, remember_param: bool = False) -> None:
    """Register the browser-side choice of a page's policy dropdown when the page opens.

    The layout sets the dropdown to the URL's ``?policy=`` (``param_id``'s store) or the default;
    this switches it to the session's choice (``ids.POLICY_STORE`` in sessionStorage) when the URL
    names none and the choice still exists. In the browser, so a page's analyses (which take the
    dropdown's value as an Input, and wait for any callback that writes it) start without waiting
    for a server round trip. ``remember_param``: a policy named by the URL becomes the session's
    choice (the /sla page: a shared link's policy is the one the user now looks at).
    """
    clientside_callback(
        _PICK.replace("__REMEMBER__", "true" if remember_param else "false"),
        Output(dropdown_id, "value"),
        Input(param_id, "data"),
        State(dropdown_id, "options"),
        State(dropdown_id, "value"),
    )


def remember_in_browser(dropdown_id: str, done_id: str) -> None:
    """Register: a change of the dropdown after the page opened (the user's pick, an upload, the
    session's choice restored) becomes the session's choice; never the default it opened on.
    ``done_id``: a dcc.Store the callback writes (a callback needs an output)."""
    clientside_callback(_REMEMBER, Output(done_id, "data"), Input(dropdown_id, "value"), prevent_initial_call=True)


def no_policy(what: str = "SLA numbers") -> html.Div:
    """What to do when there is no policy yet."""
    return empty_state(
        "No SLA policy yet",
        f"{what} need an SLA policy: the business calendars, the milestone activities (first response, "
        "resolved, pause...) and the targets per priority, in a small TOML file.",
        f"Upload one on the SLA page, or put a .toml file in {policies.describe_folder()}. "
        "'deskmine samples' installs the sample logs' policy there.",
        children=[dcc.Link("Go to the SLA page", href="/sla", className="btn btn-primary btn-sm mt-2")],
    )


def no_policy_note(what: str) -> html.Div:
    """A short inline note (for a section of another page)."""
    return html.P([f"{what} needs an SLA policy (its pause statuses say when the case waits for the customer). ",
                   dcc.Link("Add or choose one on the SLA page", href="/sla"), "."],
                  className="text-muted small no-policy-note")


def _small_grid(name: str, frame, height: int) -> html.Div:
    # the box keeps the grid's height while AG Grid's script loads, so the page below does not jump
    return html.Div(grid(ids.grid(name), frame, height=height, file_name=f"{name}.csv"),
                    style={"minHeight": f"{height}px"})


def policy_view(name: str, policy: SlaPolicy, raw: str) -> html.Div:
    """The selected policy: targets, calendars and milestones as tables, and the raw TOML."""
    tables = policy_tables(policy)
    rule = policy.reopen
    reopen = (f"Thank-you rule: {'on' if rule.ignore_thank_you else 'off'} (a reopen closed again within "
              f"{rule.thank_you_window_s / 3600:g} h with no agent work {'is' if rule.ignore_thank_you else 'is not'} "
              "ignored).")
    tabs = dbc.Tabs([
        dbc.Tab(_small_grid("policy-targets", tables["targets"], 40 + 42 * (len(tables["targets"]) + 1)),
                label="Targets", tab_id="targets"),
        dbc.Tab(_small_grid("policy-calendars", tables["calendars"], 40 + 42 * (len(tables["calendars"]) + 1)),
                label="Calendars", tab_id="calendars"),
        dbc.Tab([_small_grid("policy-milestones", tables["milestones"], 260), html.P(reopen, className="small mt-2")],
                label="Milestones", tab_id="milestones"),
        dbc.Tab(html.Pre(raw, className="policy-toml small bg-light border rounded p-2 mb-0",
                         style={"maxHeight": "320px", "overflow": "auto"}), label="TOML", tab_id="toml"),
    ], active_tab="targets", className="mt-2")
    return html.Div([
        html.Div([html.Span("Policy ", className="text-muted"), html.Strong(name, className="policy-name"),
                  html.Span(f" · {len(policy.targets)} targets, {len(policy.calendars)} calendars. Targets are tried "
                            "in order; the first that matches a case applies. Durations are working time on the "
                            "target's calendar.", className="text-muted small")]),
        tabs,
    ], className="policy-view")


def upload_box() -> html.Div:
    limit = policies.MAX_POLICY_BYTES
    box = dcc.Upload(
        id=ids.SLA_POLICY_UPLOAD, multiple=False, accept=".toml",  # the size is checked on the server, in words
        children=html.Div(["Drop a policy file (.toml) here, or ", html.A("choose one", className="link-primary")]),
        className="upload-box py-2",
    )
    return html.Div([
        box,
        dbc.Checkbox(id=ids.SLA_POLICY_REPLACE, value=False, label="replace a policy of the same name",
                     className="small mt-1"),
        html.Div(id=ids.SLA_POLICY_MESSAGE),
        html.P(["Saved as a .toml file in the ", html.Span("policies folder", title=policies.describe_folder(),
                                                           className="text-decoration-underline"),
                f" beside the warehouse (up to {data.format_size(limit)}); it is checked first, and a file that is "
                "not a valid policy is not saved."], className="small text-muted mb-0"),
    ])


def invalid_files_note() -> html.Div | None:
    """The policy files in the folder that do not parse, with their errors."""
    bad = [e for e in policies.entries() if not e.valid]
    if not bad:
        return None
    return dbc.Alert([html.Div("Policy files that cannot be used:", className="fw-semibold small")]
                     + [html.Div(f"{e.name}: {e.error}", className="small") for e in bad],
                     color="warning", className="py-2 mt-2 invalid-policies")


def sla_choices(param: str | None) -> tuple[list[dict], str | None]:
    """Options and value of the /sla policy dropdown as the page opens: every valid policy; the URL's
    ``param`` when it is one of them, else the first (the browser then switches to the session's
    choice, :func:`pick_in_browser`); no option and None when there is no policy."""
    names = _valid_names()
    return [{"label": n, "value": n} for n in names], (param if param in names else names[0] if names else None)
