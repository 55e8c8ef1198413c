"""The Dash investigation app: ``create_app(store_uri)`` builds it, ``serve`` runs it.

The store is opened read-only (LadybugDB allows one read-write process, and the app
never writes). Each page is a module of :mod:`graphinv.app.pages` with a ``layout(ctx,
params)`` that builds the page from the store, and optionally ``register(app, ctx)``
for its callbacks. Routing is one callback on the URL, so several apps (one per store)
can live in one process, as the tests need.
"""

from __future__ import annotations

import contextlib
import hmac
import io
import os
import tempfile
import threading
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
        return f"{self.store.label} · read-only"


def _pages():
    from .pages import (campaigns, capture, cases, compare, console, entity, explorer, intake, lineages, overview,
                        search, triage, watch)

    return {"/": overview, "/campaigns": campaigns, "/campaign": campaigns, "/lineages": lineages,
            "/watch": watch, "/explorer": explorer, "/console": console, "/search": search,
            "/entity": entity, "/capture": capture, "/compare": compare, "/cases": cases, "/case": cases,
            "/triage": triage, "/report": intake}


def create_app(store_uri: str | None = None, store: GraphStore | None = None,
               auth: tuple[str, str] | None = None, allowed_hosts: set[str] | None = None):
    """The Dash app over the store at ``store_uri`` (opened read-only), or over an
    already open ``store``. ``auth`` = (user, password) turns on HTTP basic auth;
    ``allowed_hosts`` are the host names it answers to (default: loopback and
    $GRAPHINV_APP_HOSTS, see :func:`guard_requests`)."""
    import dash
    import dash_cytoscape
    from dash import Input, Output, State, ctx as callback_ctx, html

    from .layout import error_box, shell

    # The Cytoscape bundle with the extensions, among them the SVG export of a graph view.
    dash_cytoscape.load_extra_layouts()

    if store is None:
        store = open_store(store_uri or default_store_uri(), read_only=True)
    context = AppContext(store=store, store_uri=store.uri, backend=store.backend)
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

    from . import timerange

    timerange.register(app)
    guard_requests(app, allowed_hosts)
    if auth:
        require_basic_auth(app.server, *auth)
    return app


def allowed_host_names(bind_host: str = "127.0.0.1", environ: dict | None = None) -> set[str]:
    """Host names the app answers to: the loopback names, the address it binds to, and
    the comma-separated names of $GRAPHINV_APP_HOSTS (a proxy's public name, say).

    >>> sorted(allowed_host_names("127.0.0.1", {"GRAPHINV_APP_HOSTS": "graphinv.lan"}))
    ['127.0.0.1', '::1', 'graphinv.lan', 'localhost']
    """
    environ = os.environ if environ is None else environ
    extra = [h.strip().lower() for h in environ.get("GRAPHINV_APP_HOSTS", "").split(",") if h.strip()]
    names = {*LOOPBACK, *extra}
    if bind_host not in ("0.0.0.0", "::", ""):
        names.add(bind_host.lower())
    return names


def _host_name(host: str) -> str:
    """``[::1]:8050`` → ``::1``, ``Example.ORG:80`` → ``example.org``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# Dash renders inline JSON config and one inline bootstrap script (allowed by its hash);
# styles are inline throughout Dash's components; plotly needs eval for some traces.
_CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval' {hashes}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def guard_requests(app, allowed_hosts: set[str] | None = None) -> None:
    """Refuse requests that name another host or come from another origin, and send
    headers that keep the app out of other sites' frames.

    A page the user visits can resolve its own name to 127.0.0.1 (DNS rebinding) and
    then talk to the app as if it were the app's own page; the ``Host`` header still
    carries the page's name, so only the names in ``allowed_hosts`` are served. A
    cross-origin request (another port, another site) is refused by its ``Origin``.
    """
    from flask import Response, request

    names = allowed_hosts if allowed_hosts is not None else allowed_host_names()
    csp = _CSP.format(hashes=" ".join(app.csp_hashes()))

    @app.server.before_request
    def _check_host_and_origin():
        host = _host_name(request.host or "")
        if host not in names:
            return Response(f"graphinv: this app does not answer to the host name {host[:100]!r}; "
                            "set GRAPHINV_APP_HOSTS to serve it under that name\n", 403,
                            {"Content-Type": "text/plain; charset=utf-8"})
        origin = request.headers.get("Origin")
        same = {f"http://{request.host}", f"https://{request.host}"}
        if origin is not None and origin.lower() not in {o.lower() for o in same}:
            return Response("graphinv: cross-origin requests are refused\n", 403,
                            {"Content-Type": "text/plain; charset=utf-8"})
        if request.method != "GET" and request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            return Response("graphinv: cross-site requests are refused\n", 403,
                            {"Content-Type": "text/plain; charset=utf-8"})
        return None

    @app.server.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response


def export_bytes(store, fmt: str, selection: dict) -> tuple[str, bytes]:
    """Run a graphinv.export writer on a selection; returns a file name and its bytes
    (a format writing a directory of files, like the CSV lists, comes as one zip)."""
    from ..export import FORMATS, export_selection

    allowed = {k: selection[k] for k in ("campaign", "lineage", "query", "params") if selection.get(k)}
    if not allowed:
        raise InputError("nothing selected to export")
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}")
    stem = _slug(allowed.get("campaign") or allowed.get("lineage") or allowed.get("query") or "selection")
    suffix = FORMATS[fmt].suffix
    with tempfile.TemporaryDirectory(prefix="graphinv-export-") as tmp:
        written = export_selection(store, fmt, Path(tmp) / (stem + suffix), **allowed)
        if not suffix:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in written:
                    archive.write(path, Path(path).name)
            return f"{stem}-{fmt}.zip", buffer.getvalue()
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


def port_busy(host: str, port: int) -> str:
    """Why ``host:port`` cannot be served on ("" when it can)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host, port))
    except OSError as exc:
        return exc.strerror or str(exc)
    return ""


def serving_graphinv(host: str, port: int) -> bool:
    """A graphinv app answers at ``host:port`` (its page title says so)."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{host}:{port}/", timeout=2) as response:
            return b"<title>graphinv</title>" in response.read(65536)
    except OSError:
        return False


#: What a journalist opens first: the overview, the lists, the largest campaign (the
#: campaign list is ordered by size) and the Explorer, which opens on it.
WARM_PAGES = (("/", {}), ("/campaigns", {}), ("/lineages", {}), ("/explorer", {}), ("/watch", {}))


def warm(context: AppContext) -> threading.Thread | None:
    """Build the first pages once in the background so that their reads are memoised
    (:mod:`.memo`) before anyone asks: on a store of a million posts a first visit
    costs seconds of reading, a memoised one a fraction. Only where the memo holds (an
    embedded store opened read-only); a page that fails here fails again, with its
    message, when it is visited.

    >>> class Context: store = None
    >>> warm(Context()) is None
    True
    """
    from . import data
    from .memo import _memo

    if context.store is None or _memo(context.store) is None:
        return None
    pages = _pages()

    def build() -> None:
        wanted = list(WARM_PAGES)
        with contextlib.suppress(Exception):
            top = data.campaigns(context.store)
            if not top.empty and "uid" in top.columns:
                wanted.append(("/campaign", {"uid": str(top["uid"].iloc[0]), "detail": "1"}))
        for path, params in wanted:
            with contextlib.suppress(Exception):
                pages[path].layout(context, params)

    thread = threading.Thread(target=build, name="graphinv-warm", daemon=True)
    thread.start()
    return thread


def serve(store_uri: str | None = None, host: str = "127.0.0.1", port: int = 8050, debug: bool = False) -> None:
    """Serve the app (credentials checked before the store is opened, the port before
    anything is printed). Outside debug mode the terminal shows one line: where the app
    is; no development-server banner and no line per request."""
    auth = credentials_for(host)
    app = create_app(store_uri, auth=auth, allowed_hosts=allowed_host_names(host))
    if debug:
        app.run(host=host, port=port, debug=True)
        return
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # Werkzeug prints its own two lines and exits on a busy port: ask first.
    busy = port_busy(host, port)
    if busy:
        app.server.config["GRAPHINV_CONTEXT"].store.close()
        raise InputError(f"cannot serve on {host}:{port} ({busy}): another app may be running "
                         "there; stop it or pass --port")
    server = make_server(host, port, app.server, threaded=True)
    warm(app.server.config["GRAPHINV_CONTEXT"])
    print(f"graphinv app on http://{'[' + host + ']' if ':' in host else host}:{port}/ "
          f"(store {app.server.config['GRAPHINV_CONTEXT'].label}{', basic auth on' if auth else ''}); "
          "Ctrl+C stops it", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


__all__ = ["AppContext", "allowed_host_names", "create_app", "credentials_for", "export_bytes", "guard_requests",
           "port_busy", "require_basic_auth", "serve", "serving_graphinv"]
