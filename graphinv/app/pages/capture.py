"""One capture: ``/capture?uid=capture:…``. Where its bytes are (file, offset and length
or line, their sha256, when it was captured as the capture says), what was read from
it (links to those entities), and the captured thing itself: a WARC response or a
saved page replayed in a sandboxed frame (``/replay/<uid>``, see
:mod:`graphinv.app.replay`), an image as an image, a JSONL line or Telegram message
as indented JSON, a CSV row as a table under its file's header.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from dash import dcc, html

from ...capture.evidence import locate, store_folders
from .. import data, entity_data, ids, replay
from ..layout import empty, error_box, iso, page_header, section
from ..links import entity_link, replay_href
from .entity import grid, short_sha, when

PATH = "/capture"
TITLE = "Capture"
MAX_SHOWN = 200_000  # characters of a line or message shown on the page


def frame(uid: str, title: str, id: str = ids.CAPTURE_FRAME, className: str = "replay-frame") -> html.Iframe:
    """The captured page, sandboxed: no scripts, no forms, no popups, no same-origin."""
    return html.Iframe(src=replay_href(uid), sandbox="", title=title, id=id, className=className,
                       referrerPolicy="no-referrer")


def _metadata(row: dict) -> html.Table:
    length = data.plain(row.get("length"))
    rows = [("captured", [when(row.get("captured_at"), row.get("time_source")),
                          html.Span(f"  (from {row.get('time_source') or 'unknown'})", className="muted")]),
            ("format", row.get("format")), ("URL", html.Span(str(row.get("capture_url") or "—"), className="mono")),
            ("file", html.Span(str(row.get("source_file")), className="mono")),
            ("where in it", f"{row['place']}" + (f" ({int(length):,} bytes)" if length is not None else "")),
            ("sha256 of the bytes", html.Span(str(row.get("bytes_sha256")), className="mono")),
            ("sha256 of the file", short_sha(row.get("source_sha256"))),
            ("WARC record", row.get("record_id") or "—"), ("ingest run", row.get("run") or "—")]
    return html.Table([html.Tr([html.Th(k), html.Td(v if v is not None else "—")]) for k, v in rows],
                      className="props")


def _csv_header(ctx, row: dict) -> list[str] | None:
    """The first line of the capture's CSV file: the names of the row's columns."""
    from collectors.base import open_binary

    path = locate(str(row.get("source_file")), store_folders(ctx.store))
    if not path.is_file():
        return None
    with open_binary(path) as handle:
        first = handle.readline(65536).decode("utf-8-sig", "replace")
    return next(csv.reader([first]), None)


def _text_view(ctx, row: dict, content: replay.Payload) -> html.Component:
    """A line, message or row: indented JSON, or a table for a CSV row."""
    raw = content.body.decode("utf-8", "replace")
    if row.get("format") == "csv":
        values = next(csv.reader(io.StringIO(raw)), [])
        header = _csv_header(ctx, row) or [f"column {i + 1}" for i in range(len(values))]
        return grid(ids.CAPTURE_CONTENT, ["column", "value"], [[h, v] for h, v in zip(header, values)])
    try:
        shown = json.dumps(json.loads(raw.rstrip().rstrip(",")), indent=2, ensure_ascii=False)
    except ValueError:
        shown = raw
    return html.Pre(shown[:MAX_SHOWN], className="capture-text", id=ids.CAPTURE_CONTENT)


def _content(ctx, uid: str, row: dict) -> html.Component:
    data_bytes = entity_data.capture_bytes(ctx.store, row)
    if data_bytes is None:
        return error_box(f"The file of this capture is not where the store says ({row.get('source_file')}).")
    try:
        content = replay.payload(row, data_bytes)
    except Exception as exc:  # noqa: BLE001 - a damaged record is reported, not raised
        return error_box(f"This capture could not be read: {exc}")
    if content.is_image:
        return html.Img(src=replay_href(uid), alt="the captured image", className="thumb thumb-large",
                        id=ids.CAPTURE_CONTENT)
    if content.is_html:
        status = f"HTTP {content.http_status} · " if content.http_status else ""
        return html.Div([
            html.P(f"{status}{content.mime} · {len(content.body):,} bytes. Replayed from the capture with scripts "
                   "off; images captured in this store are shown, nothing is loaded from the web.",
                   className="note"),
            frame(uid, "the captured page"),
            html.A("Open the replay alone ↗", href=replay_href(uid), target="_blank", rel="noopener noreferrer",
                   className="more-link")])
    if content.record_type:
        status = f"HTTP {content.http_status} · " if content.http_status else ""
        return html.Div([html.P(f"{status}{content.record_type} record · {content.mime} · "
                                f"{len(content.body):,} bytes", className="note"),
                         html.Pre(content.body[:MAX_SHOWN].decode("utf-8", "replace") or "(empty body)",
                                  className="capture-text", id=ids.CAPTURE_CONTENT)])
    return _text_view(ctx, row, content)


def layout(ctx, params):
    uid = (params.get("uid") or "").strip()
    row = entity_data.capture(ctx.store, uid) if uid else None
    if row is None:
        return html.Div([page_header("Capture not found", f"No capture {uid or '(none given)'} in this store."),
                         dcc.Link("← overview", href="/", className="back-link")])
    items = row.get("items") or []
    read = html.Ul([html.Li([entity_link(i["uid"], entity_data.short(i.get("name") or i["uid"], 100)),
                             html.Span(f" {i['kind']}", className="muted")]) for i in items],
                   className="neighbour-list") if items else empty("Nothing in the graph was read from it.")
    name = Path(str(row.get("source_file"))).name
    captured = iso(row.get("captured_at")) or "time unknown"
    return html.Div(id=ids.CAPTURE_PAGE, className="capture-page", children=[
        page_header(f"Capture: {row['place']}", f"{captured} · {name} · {uid}"),
        html.Div(className="grid-2", children=[
            section("Where the bytes are", _metadata(row),
                    note="`graphinv evidence … --verify` cuts these bytes out of the file again and checks "
                         "their sha256."),
            section("Read from it", read)]),
        section("The captured thing", _content(ctx, uid, row)),
    ])


def register(app, ctx):
    replay.register(app, ctx)
