"""The Dash investigation app: ``create_app(store_uri)`` builds it, ``serve`` runs it.

The store is opened read-only (LadybugDB allows one read-write process, and the app
never writes). Each page is a module of :mod:`graphinv.app.pages` with a ``layout(ctx,
params)`` that builds the page from the store, and optionally ``register(app, ctx)``
for its callbacks. Routing is one callback on the URL, so several apps (one per store)
can live in one process, as the tests need.
"""

from __future__ import annotations

import hmac
import io
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from ..errors import GraphinvError, InputError
from ..store import GraphStore, default_store_uri, open_store
from . import ids

LOOPBACK = ("127.0.0.1", "localhost", "::1")
ASSETS = Path(__file__).resolve().parent / "assets"


@dataclass
class AppContext:
    """What every page needs: the open store and how to name it."""

    store: GraphStore
    store_uri: str
    backend: str
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.backend == "embedded":
            return f"{Path(self.store_uri.split(':', 1)[1]).name} · embedded · read-only"
        return f"{self.store_uri} · neo4j · read-only"


def _pages():
    from .pages import campaigns, console, explorer, lineages, overview, watch

    return {"/": overview, "/campaigns": campaigns, "/campaign": campaigns, "/lineages": lineages,
            "/watch": watch, "/explorer": explorer, "/console": console}


def create_app(store_uri: str | None = None, store: GraphStore | None = None,
               auth: tuple[str, str] | None = None):
    """The Dash app over the store at ``store_uri`` (opened read-only), or over an
    already open ``store``. ``auth`` = (user, password) turns on HTTP basic auth."""
    import dash
    from dash import Input, Output, State, ctx as callback_ctx, html

    from ..queries import backend_of
    from .layout import error_box, shell

    if store is None:
        store = open_store(store_uri or default_store_uri(), read_only=True)
    context = AppContext(store=store, store_uri=store.uri, backend=backend_of(store))
    app = dash.Dash(__name__, assets_folder=str(ASSETS), title="graphinv", update_title=None,
                    suppress_callback_exceptions=True)
    app.layout = shell(context.label)
    app.server.config["GRAPHINV_CONTEXT"] = context
    pages = _pages()

    @app.callback(Output(ids.PAGE, "children"), Input(ids.URL, "pathname"), Input(ids.URL, "search"))
    def route(pathname, search):
        page = pages.get((pathname or "/").rstrip("/") or "/")
        if page is None:
            return html.Div([html.H1("Not found"), html.P(f"No page at {pathname}.")], className="card")
        params = {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
        if pathname and pathname.rstrip("/") == "/campaign":
            params["detail"] = "1"
        try:
            return page.layout(context, params)
        except GraphinvError as exc:
            return error_box(f"This page could not be built: {exc}")

    for module in {id(m): m for m in pages.values()}.values():
        register = getattr(module, "register", None)
        if register:
            register(app, context)

    @app.callback(Output(ids.EXPORT_DOWNLOAD, "data"), Output(ids.EXPORT_STATUS, "children"),
                  *[Input(button, "n_clicks") for button in ids.EXPORT_BUTTONS],
                  State(ids.EXPORT_SELECTION, "data"), prevent_initial_call=True)
    def export(*args):
        selection = args[-1]
        fmt = ids.EXPORT_BUTTONS.get(callback_ctx.triggered_id)
        if not fmt or not selection or not any(args[:-1]):
            return dash.no_update, dash.no_update
        try:
            name, content = export_bytes(context.store, fmt, selection)
        except GraphinvError as exc:
            return dash.no_update, f"Export failed: {exc}"
        return dash.dcc.send_bytes(content, name), f"{name} ready"

    if auth:
        require_basic_auth(app.server, *auth)
    return app


def export_bytes(store, fmt: str, selection: dict) -> tuple[str, bytes]:
    """Run a graphinv.export writer on a selection; returns a file name and its bytes
    (CSV node and edge lists come as one zip)."""
    from ..export import export_selection

    allowed = {k: selection[k] for k in ("campaign", "lineage", "query", "params") if selection.get(k)}
    if not allowed:
        raise InputError("nothing selected to export")
    stem = _slug(allowed.get("campaign") or allowed.get("lineage") or allowed.get("query") or "selection")
    suffix = {"gexf": ".gexf", "html": ".html", "report-html": "-report.html", "csv": ""}[fmt]
    with tempfile.TemporaryDirectory(prefix="graphinv-export-") as tmp:
        out = Path(tmp) / (stem + suffix if fmt != "csv" else stem)
        written = export_selection(store, fmt, out, **allowed)
        if fmt == "csv":
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in written:
                    archive.write(path, Path(path).name)
            return f"{stem}-csv.zip", buffer.getvalue()
        return Path(written[0]).name, Path(written[0]).read_bytes()


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_")[:80] or "selection"


def require_basic_auth(server, user: str, password: str) -> None:
    """Every request needs HTTP basic auth with ``user``/``password`` (compared in
    constant time)."""
    from flask import Response, request

    expected_user, expected_password = user.encode(), password.encode()

    @server.before_request
    def _check_credentials():
        given = request.authorization
        if given is not None and given.type == "basic":
            ok_user = hmac.compare_digest((given.username or "").encode(), expected_user)
            ok_password = hmac.compare_digest((given.password or "").encode(), expected_password)
            if ok_user and ok_password:
                return None
        return Response("graphinv: credentials required\n", 401,
                        {"WWW-Authenticate": 'Basic realm="graphinv", charset="UTF-8"'})


def credentials_for(host: str, environ: dict | None = None) -> tuple[str, str] | None:
    """Basic-auth credentials the app needs to bind to ``host``: none on loopback;
    elsewhere GRAPHINV_APP_USER and GRAPHINV_APP_PASSWORD, or an error."""
    environ = os.environ if environ is None else environ
    user, password = environ.get("GRAPHINV_APP_USER"), environ.get("GRAPHINV_APP_PASSWORD")
    if host in LOOPBACK:
        return (user, password) if user and password else None
    if not user or not password:
        raise InputError(f"refusing to serve on {host} without credentials: set GRAPHINV_APP_USER and "
                         "GRAPHINV_APP_PASSWORD (or bind to 127.0.0.1)")
    return user, password


def serve(store_uri: str | None = None, host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    """Serve the app (credentials checked before the store is opened)."""
    auth = credentials_for(host)
    app = create_app(store_uri, auth=auth)
    print(f"graphinv app on http://{'[' + host + ']' if ':' in host else host}:{port}/ "
          f"(store {app.server.config['GRAPHINV_CONTEXT'].label}{', basic auth on' if auth else ''}); "
          "Ctrl+C stops it", flush=True)
    app.run(host=host, port=port, debug=debug)


__all__ = ["AppContext", "create_app", "serve", "credentials_for", "export_bytes", "require_basic_auth"]
