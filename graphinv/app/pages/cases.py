"""Cases: ``/cases`` lists them and opens a new one, ``/case?uid=`` shows one (what is
pinned, its tags, its notes in the order written, its saved graph view), and
:func:`panel` puts "pin, tag, note" on every entity and campaign page.

Writing goes through :mod:`graphinv.cases` (the store opens for writing for a moment;
the app otherwise holds it read-only). The case chosen and the writer's name are kept
in the browser (local storage), so a journalist names herself once. A note or a tag
never changes the evidence: they are entries of the case, read by no analysis.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import dash
from dash import Input, Output, State, ctx as callback_ctx, dcc, html

from ... import cases
from ...errors import GraphinvError
from .. import graph_view, ids
from ..layout import empty, error_box, iso, page_header, section
from ..links import entity_link

PATH = "/cases"
TITLE = "Cases"
CASE_PATH = "/case"
UNTAG = "-"  # the tag menu's "take the tag off"
TAG_CLASS = {"verified": "tag-verified", "to check": "tag-check", "false positive": "tag-false"}


def case_href(uid: str) -> str:
    return f"{CASE_PATH}?uid={quote(uid, safe='')}"


def tag_chip(tag: str) -> html.Span:
    return html.Span(tag, className=f"chip case-tag {TAG_CLASS.get(tag, '')}".strip())


def layout(ctx, params):
    if params.get("uid"):
        return detail(ctx, params["uid"])
    return listing(ctx)


def listing(ctx):
    found = cases.cases(ctx.store)
    rows = [html.Tr([html.Td(dcc.Link(row["name"], href=case_href(row["uid"]), className="entity-link")),
                     html.Td(row["created_by"] or "—"), html.Td(iso(row["created_at"]) or "—"),
                     html.Td(f"{int(row['entries']):,}"), html.Td(iso(row["last_written"]) or "—")])
            for row in found.to_dict("records")]
    listed = html.Table([html.Thead(html.Tr([html.Th(h) for h in ("Case", "Opened by", "Opened", "Entries",
                                                                 "Last written")])), html.Tbody(rows)],
                        className="grid-table") if rows else empty("No case yet: open one below.")
    return html.Div([
        page_header("Cases", "An investigation you keep: the entities and findings you pin, your notes and tags "
                             "(verified, to check, false positive) and the graph views you save."),
        html.Div(className="grid-2", children=[
            section(f"Cases: {len(found):,}", listed, className="case-list"),
            section("Open a new case", html.Div(className="case-form", children=[
                dcc.Input(id=ids.CASE_NEW_NAME, placeholder="Name, e.g. Harassment of J. Doe", className="input",
                          maxLength=120),
                dcc.Input(id=ids.CASE_AUTHOR, placeholder="Your name (kept in this browser)", className="input",
                          maxLength=80, persistence=True, persistence_type="local"),
                dcc.Textarea(id=ids.CASE_NEW_DESCRIPTION, placeholder="What it is about (optional)",
                             className="input case-note-input", maxLength=2000),
                html.Button("Open the case", id=ids.CASE_CREATE, className="btn", n_clicks=0),
                html.Div(id=ids.CASE_STATUS, className="case-status", role="status")]),
                note="A case is kept in the store, beside the evidence; it goes with the evidence package "
                     "(graphinv export package --case NAME)."),
        ]),
    ])


def _about(row: dict) -> html.Component:
    """What an entry is about, linked to what it is now (a re-analysed finding may have
    a new number, or be gone)."""
    about, current = row.get("about") or "", row.get("current")
    if not about:
        return html.Span("the case", className="muted")
    label = row.get("about_label") or about
    if current is None or current != current:
        return html.Span([html.Span(label), html.Span(" (no longer found by the latest analysis)",
                                                      className="muted")])
    link = entity_link(current, label)
    return html.Span([link, html.Span(f" (now {current})", className="muted")]) if current != about else link


def detail(ctx, uid: str):
    try:
        case = cases.load(ctx.store, uid)
    except GraphinvError as exc:
        return html.Div([page_header("No such case", str(exc)), dcc.Link("All cases →", href=PATH,
                                                                         className="more-link")])
    pins = [html.Tr([html.Td(_about(row)), html.Td(row["author"]), html.Td(iso(row["written_at"]))])
            for row in case.pins.to_dict("records")]
    tags = [html.Tr([html.Td(_about(row)), html.Td(tag_chip(row["tag"])), html.Td(row["author"]),
                     html.Td(iso(row["written_at"]))]) for row in case.tags.to_dict("records")]
    notes = [html.Li(className="case-note", children=[
        html.Div(className="case-note-head", children=[html.Span(iso(row["written_at"]), className="mono"),
                                                       html.Span(row["author"], className="case-author"),
                                                       html.Span("on "), _about(row)]),
        html.P(row["text"], className="case-note-text")]) for row in case.notes.to_dict("records")]
    view = case.view
    drawn = section("Saved graph view", graph_view.panel(
        ids.CASE_VIEW, view.get("elements", []), view.get("stylesheet") or [], filename=f"{case.name} view",
        height="420px"),
        html.P(["Saved from ", dcc.Link(view.get("title") or view.get("source", "a page"),
                                        href=view.get("source") or "/"),
                f" by {case.entries[case.entries['entry'] == 'view'].iloc[-1]['author']}, the nodes where they "
                "were put."], className="note")) if view else None
    command = f'graphinv export package --case "{case.name}" --out "{_file_name(case.name)}.wacz"'
    return html.Div(className="case-page", id=ids.CASE_PAGE, children=[
        page_header(case.name, f"Opened by {case.created_by or '—'} on {iso(case.created_at) or '—'} · "
                               f"{len(case.entries):,} entries"),
        html.P(case.description, className="note") if case.description else None,
        html.Div(className="grid-2", children=[
            section(f"Pinned: {len(pins)}", _table(["Entity or finding", "Pinned by", "On"], pins)
                    if pins else empty("Nothing pinned: pin entities and findings from their pages."),
                    className="case-pins"),
            section(f"Tags: {len(tags)}", _table(["Entity or finding", "Tag", "By", "On"], tags)
                    if tags else empty("No tag yet."), className="case-tags"),
        ]),
        section(f"Notes: {len(notes)}", html.Ol(notes, className="case-notes", id=ids.CASE_NOTES)
                if notes else empty("No note yet."),
                html.Div(className="case-form", children=[
                    dcc.Store(id=ids.CASE_ABOUT, data={"case": case.uid, "about": "", "label": case.name}),
                    # The panel's other controls, unused here: one callback writes from both.
                    html.Div(hidden=True, children=[
                        dcc.Dropdown(id=ids.CASE_PICK, options=[case.uid], value=case.uid),
                        dcc.Dropdown(id=ids.CASE_TAG, options=list(cases.TAGS)),
                        html.Button(id=ids.CASE_PIN, n_clicks=0), html.Button(id=ids.CASE_TAG_BUTTON, n_clicks=0)]),
                    dcc.Input(id=ids.CASE_AUTHOR, placeholder="Your name (kept in this browser)", className="input",
                              maxLength=80, persistence=True, persistence_type="local"),
                    dcc.Textarea(id=ids.CASE_NOTE, placeholder="A note on the case", className="input case-note-input",
                                 maxLength=5000),
                    html.Button("Add note", id=ids.CASE_NOTE_BUTTON, className="btn btn-small", n_clicks=0),
                    html.Div(id=ids.CASE_STATUS, className="case-status", role="status")]),
                className="case-notes-section"),
        drawn,
        section("Evidence package", html.P("The captures behind what is pinned, sealed and signed, with this "
                                           "case's entries in case/case.json:", className="note"),
                html.Pre(command, className="mono case-command")),
    ])


def _file_name(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:60] or "case"


def _table(headers: list[str], rows: list) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(rows)], className="grid-table")


def panel(ctx, about: str, label: str) -> html.Section:
    """Pin, tag or note ``about`` (an entity or finding uid) in a case; what cases say
    of it already."""
    listed = cases.cases(ctx.store)
    options = [{"label": row["name"], "value": row["uid"]} for row in listed.to_dict("records")]
    said = cases.tags(ctx.store)
    said = said[said["current"] == about]
    existing = [html.Li([tag_chip(row["tag"]), " in ", dcc.Link(row["case_name"], href=case_href(row["case_file"])),
                         f" by {row['author']}, {iso(row['written_at'])}",
                         html.Span(f": {row['note']}", className="muted") if isinstance(row["note"], str) else None])
                for row in said.to_dict("records")]
    return section("In a case", html.Div(className="case-panel", children=[
        dcc.Store(id=ids.CASE_ABOUT, data={"about": about, "label": label}),
        html.Ul(existing, className="case-existing") if existing else None,
        html.Div(className="case-row", children=[
            dcc.Dropdown(id=ids.CASE_PICK, options=options, placeholder="Choose a case…", clearable=False,
                         className="case-pick", persistence=True, persistence_type="local"),
            dcc.Input(id=ids.CASE_AUTHOR, placeholder="Your name", className="input case-author-input",
                      maxLength=80, persistence=True, persistence_type="local"),
            dcc.Link("new case", href=PATH, className="more-link")]),
        html.Div(className="case-row", children=[
            html.Button("Pin", id=ids.CASE_PIN, className="btn btn-small", n_clicks=0),
            dcc.Dropdown(id=ids.CASE_TAG, options=[*({"label": t, "value": t} for t in cases.TAGS),
                                                   {"label": "(take the tag off)", "value": UNTAG}],
                         placeholder="Tag…", className="case-tag-pick"),
            html.Button("Tag", id=ids.CASE_TAG_BUTTON, className="btn btn-small", n_clicks=0)]),
        dcc.Textarea(id=ids.CASE_NOTE, placeholder="A note about this", className="input case-note-input",
                     maxLength=5000),
        html.Button("Add note", id=ids.CASE_NOTE_BUTTON, className="btn btn-small", n_clicks=0),
        html.Div(id=ids.CASE_STATUS, className="case-status", role="status"),
    ]), note="Your notes and tags stay in the case: they never change the evidence or the findings.",
        className="case-section")


def picker(ctx) -> html.Div:
    """Which case, and who writes: for pages that save to a case without the panel."""
    options = [{"label": row["name"], "value": row["uid"]} for row in cases.cases(ctx.store).to_dict("records")]
    return html.Div(className="case-row", children=[
        dcc.Dropdown(id=ids.CASE_PICK, options=options, placeholder="Choose a case…", clearable=False,
                     className="case-pick", persistence=True, persistence_type="local"),
        dcc.Input(id=ids.CASE_AUTHOR, placeholder="Your name", className="input case-author-input", maxLength=80,
                  persistence=True, persistence_type="local"),
        dcc.Link("new case", href=PATH, className="more-link")])


def save_view_button(graph_id: str, button_id: str) -> html.Div:
    """"Save this view to the case" under a graph (the case and name chosen in the page's
    panel or :func:`picker`)."""
    return html.Div(className="case-row", children=[
        html.Button("Save this view to the case", id=button_id, className="btn btn-small", n_clicks=0,
                    title="Keeps the drawn nodes where they are now in the case chosen below"),
        html.Span(id=f"{button_id}-status", className="case-status", role="status")])


def register_view_saver(app, ctx, button_id: str, graph_id: str, title: str) -> None:
    """Save the graph ``graph_id`` as drawn now (positions included) in the chosen case."""

    @app.callback(Output(f"{button_id}-status", "children"), Input(button_id, "n_clicks"),
                  State(graph_id, "elements"), State(graph_id, "stylesheet"), State(ids.CASE_PICK, "value"),
                  State(ids.CASE_AUTHOR, "value"), State(ids.URL, "pathname"), State(ids.URL, "search"),
                  prevent_initial_call=True)
    def _save(clicks, elements, stylesheet, case, author, pathname, search):
        if not clicks:
            return dash.no_update
        if not case:
            return error_box("Choose a case first (below).")
        view = {"source": (pathname or "") + (search or ""), "title": title, "elements": elements or [],
                "stylesheet": stylesheet}
        try:
            cases.write(ctx.store, case, "view", text=json.dumps(view), author=author or "", about_label=title)
        except GraphinvError as exc:
            return error_box(f"Not saved: {exc}")
        return html.Span(["Saved in ", dcc.Link("the case", href=case_href(case)), "."])


def register(app, ctx):
    graph_view.register(app, ids.CASE_VIEW)

    @app.callback(Output(ids.CASE_STATUS, "children", allow_duplicate=True), Output(ids.URL, "href",
                                                                                  allow_duplicate=True),
                  Input(ids.CASE_CREATE, "n_clicks"), State(ids.CASE_NEW_NAME, "value"),
                  State(ids.CASE_NEW_DESCRIPTION, "value"), State(ids.CASE_AUTHOR, "value"),
                  prevent_initial_call=True)
    def _create(clicks, name, description, author):
        if not clicks:
            return dash.no_update, dash.no_update
        try:
            uid = cases.create(ctx.store, name or "", author=author or "", description=description or "")
        except GraphinvError as exc:
            return error_box(str(exc)), dash.no_update
        return dash.no_update, case_href(uid)

    @app.callback(Output(ids.CASE_STATUS, "children", allow_duplicate=True),
                  Output(ids.CASE_NOTE, "value"),
                  Input(ids.CASE_PIN, "n_clicks"), Input(ids.CASE_TAG_BUTTON, "n_clicks"),
                  Input(ids.CASE_NOTE_BUTTON, "n_clicks"), State(ids.CASE_ABOUT, "data"),
                  State(ids.CASE_PICK, "value"), State(ids.CASE_TAG, "value"), State(ids.CASE_NOTE, "value"),
                  State(ids.CASE_AUTHOR, "value"), prevent_initial_call=True)
    def _write(_pin, _tag, _note, about, case, tag, note, author):
        trigger = callback_ctx.triggered_id
        if not about or not (callback_ctx.triggered and callback_ctx.triggered[0]["value"]):
            return dash.no_update, dash.no_update
        case = about.get("case") or case  # the case page writes in itself
        if not case:
            return error_box("Choose a case first, or open a new one."), dash.no_update
        entry = {ids.CASE_PIN: "pin", ids.CASE_TAG_BUTTON: "tag", ids.CASE_NOTE_BUTTON: "note"}[trigger]
        if entry == "tag" and not tag:
            return error_box("Choose a tag first."), dash.no_update
        tag = "" if tag == UNTAG else tag
        try:
            cases.write(ctx.store, case, entry, about=about.get("about", ""), about_label=about.get("label", ""),
                        tag=tag or "", text=note or "", author=author or "")
        except GraphinvError as exc:
            return error_box(str(exc)), dash.no_update
        done = {"pin": "Pinned", "tag": f"Tagged {tag!r}" if tag else "Tag taken off", "note": "Note added"}[entry]
        return html.Span([f"{done} in ", dcc.Link("the case", href=case_href(case)), "."]), \
            ("" if entry == "note" else dash.no_update)
