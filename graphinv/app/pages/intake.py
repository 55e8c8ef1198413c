"""Report a URL (``/report``): the intake form of ``graphinv report add``.

A reporter gives the URL, what it is (a category of ``graphinv/vocabulary.yaml``, whose
legal grounds a notice will cite), why it is illegal and their name; the app captures it
at once (:mod:`graphinv.capture.intake`: the post's capture when the store already holds
it, else the page fetched into a dated WARC.gz) and records the report. The fetch runs
while the store stays readable; only the writes take the store for a moment
(``store.writable()``). Fetches follow the same rules as ``collect web``: public
addresses only, unless ``GRAPHINV_RESOLVE`` / ``GRAPHINV_ALLOW_NETWORKS`` say otherwise;
captures go to ``GRAPHINV_CAPTURES`` (default ``data/captures``).

The other pages show the store as it was when the app started: the new report is in
Triage after a restart; its capture has its page at once (the link under the form).
"""

from __future__ import annotations

import os
from pathlib import Path

import dash
from dash import Input, Output, State, dcc, html

from ...errors import GraphinvError
from ...vocabulary import REPORT_CATEGORIES
from ..layout import error_box, page_header, section
from ..links import capture_link

PATH = "/report"
TITLE = "Report a URL"
URL, CATEGORY, NOTE, REPORTER, RECIPIENT = "report-url", "report-category", "report-note", "report-reporter", \
    "report-recipient"
SUBMIT, STATUS = "report-submit", "report-status"


def layout(ctx, params):
    options = [{"label": f"{c.label} ({c.name})", "value": c.name} for c in REPORT_CATEGORIES.values()]
    return html.Div([
        page_header(TITLE, "Record a report of illegal content and capture it now, before anyone asks for its "
                           "removal."),
        section("New report", html.Div(className="case-form report-form", children=[
            html.Label("URL of the post, account or page", htmlFor=URL),
            dcc.Input(id=URL, type="url", placeholder="https://x.com/someone/status/…", className="input",
                      maxLength=2000, value=params.get("url") or ""),
            html.Label("What it is", htmlFor=CATEGORY),
            dcc.Dropdown(id=CATEGORY, options=options, placeholder="Choose a category", clearable=False,
                         className="report-category"),
            html.Label("Why it is illegal (goes into the notice)", htmlFor=NOTE),
            dcc.Textarea(id=NOTE, placeholder="e.g. names the mayor's street and says tonight",
                         className="input case-note-input", maxLength=4000),
            html.Label("Reported by", htmlFor=REPORTER),
            dcc.Input(id=REPORTER, placeholder="Your name or the hotline (kept in this browser)", className="input",
                      maxLength=120, persistence=True, persistence_type="local"),
            html.Label("To be notified (optional: the platform of the URL by default)", htmlFor=RECIPIENT),
            dcc.Input(id=RECIPIENT, placeholder="twitter, telegram, a host's domain…", className="input",
                      maxLength=120),
            html.Button("Capture and record", id=SUBMIT, className="btn", n_clicks=0),
            dcc.Loading(html.Div(id=STATUS, className="case-status", role="status"), type="dot")]),
            note="The capture is the evidence a notice cites (its time and sha256): graphinv notice writes the "
                 "notices, graphinv ledger follows what the platform did."),
    ])


def _policy():
    from ...capture.fetch import FetchPolicy, parse_resolve

    networks = [n.strip() for n in os.environ.get("GRAPHINV_ALLOW_NETWORKS", "").split(",") if n.strip()]
    return FetchPolicy(resolve=parse_resolve([os.environ.get("GRAPHINV_RESOLVE", "")]),
                       allow_networks=networks or None)


def outcome(result) -> html.Div:
    """What the intake did, in words, with the capture's page."""
    [item] = result.items
    rid = item.report.split(":", 1)[1]
    if item.capture is None:
        return html.Div(className="error-box", role="alert", children=[
            f"Report {rid} recorded, but the page could not be captured: {item.detail}. ",
            "Try again later with graphinv report capture ", html.Code(rid), "."])
    how = "the capture already in the store" if item.how == "linked" else \
        f"fetched now into {Path(result.warc).name}"
    return html.Div(className="report-done", children=[
        html.P([html.B(f"Report {rid} recorded"), f" for {item.entity}: {how}. "]),
        html.P(["Its evidence: ", capture_link(item.capture, "the capture"), " (time, file, sha256)."]),
        html.P("It joins the Triage queue when the app is next started; graphinv notice lists it in the next "
               "notice to its recipient.", className="note")])


def register(app, ctx):
    @app.callback(Output(STATUS, "children"), Input(SUBMIT, "n_clicks"), State(URL, "value"),
                  State(CATEGORY, "value"), State(NOTE, "value"), State(REPORTER, "value"),
                  State(RECIPIENT, "value"), prevent_initial_call=True)
    def _submit(clicks, url, category, note, reporter, recipient):
        from ...capture import intake

        if not clicks:
            return dash.no_update
        if not (url or "").strip():
            return error_box("Give the URL to report.")
        if not category:
            return error_box("Choose what it is: its category gives the notice its legal grounds.")
        try:
            result = intake.add(ctx.store, url, category=category, note=(note or "").strip() or None,
                                reporter=(reporter or "").strip() or None,
                                reported_to=(recipient or "").strip() or None, policy=_policy(),
                                out_dir=Path(os.environ.get("GRAPHINV_CAPTURES", "data/captures")), delay=0,
                                writing=ctx.store.writable)
        except GraphinvError as exc:
            return error_box(str(exc))
        return outcome(result)
