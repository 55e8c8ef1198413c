"""Lineages: entities that came back after a takedown, as chains of REAPPEARS_AS steps.

A lineage reads oldest → newest. It shows each generation's active span and its
takedown on one time axis, the gap before the next generation (the one the analysis
stored, in days and hours: :func:`graphinv.timefmt.format_gap`, as in the report), and,
per step, the signals that tie the two in plain words: shared
IDs, links and accounts (each a link), articles and posts by their titles (and the two
articles side by side, shared passages highlighted: :mod:`.compare`), images from their
captures as thumbnails, names.
"""

from __future__ import annotations

from urllib.parse import quote

from dash import dcc, html
import pandas as pd

from ...timefmt import format_gap
from .. import data, entity_data, ids, strips
from ..layout import (SHORT_TABLE, empty, export_bar, iso, kind_colour, link_table, page_header, section, stat,
                      table)
from .cases import panel as case_panel
from ..links import compare_href, entity_href, entity_link, open_on_click, thumbnail

PATH = "/lineages"
QUIET = ("params", "analysis_run")  # bookkeeping, not evidence: folded away
TITLE = "Lineages"
TAKEDOWN_COLOUR = "#d62728"


def href(uid: str) -> str:
    return "/lineages?uid=" + quote(uid, safe="")


def layout(ctx, params):
    frame = data.lineages(ctx.store)
    uid = params.get("uid")
    shown = frame.drop(columns=["members", "lineage_id"], errors="ignore")[
        ["chain", "kind", "generations", "min_score", "longest_gap", "lineage"]] if not frame.empty else frame
    parts = [page_header("Lineages", "Sites and accounts that reappeared after a takedown. Click a chain to "
                         "see its gaps and the signals that tie each step.")]
    parts.append(section("All lineages", listing(ids.LINEAGE_TABLE, shown)
                         if not frame.empty else empty("No REAPPEARS_AS links in this store: `graphinv analyze` "
                                                       "finds reappearing sites and accounts.")))
    if uid is None and not frame.empty:
        uid = frame.iloc[0]["lineage"]
    if uid:
        parts.append(detail(ctx, uid))
    return html.Div(parts)


def listing(id: str, shown: pd.DataFrame):
    """The lineages, each chain a link to its lineage: a plain table when short, else a
    DataTable to page, sort and filter (a row click opens the lineage)."""
    if len(shown) <= SHORT_TABLE:
        return link_table(id, shown, {"chain": lambda row: href(row["lineage"])}, hidden=["lineage"],
                          wide=["chain"])
    return table(id, shown, page_size=10, wide=["chain"], hidden=["lineage"])


def _num(value):
    value = data.plain(value)
    return None if value is None else int(value)


def _chain(gens: pd.DataFrame, steps: pd.DataFrame) -> html.Div:
    """One row per generation, oldest on top: its active span as a bar, its takedown as
    a red cross, and before it the gap since the generation it replaced."""
    rows, marks, spans = [], [], {}
    for row in gens.itertuples(index=False):
        start, end, down = _num(row.active_from), _num(row.active_to), _num(row.taken_down_at)
        if down is not None:
            end = min(end, down) if end is not None else down
            start = min(start, down) if start is not None else down
        name = str(data.plain(row.name) or row.uid)
        spans[row.uid] = (start, end)
        rows.append((row.uid, name, entity_href(row.uid)))
        if start is None:
            continue
        marks.append(strips.Mark(row.uid, start, max(end or start, start), colour=kind_colour(row.kind or "Account"),
                                 title=f"{name}: active {iso(start)} → {iso(max(end or start, start))}",
                                 shape="bar"))
        if down is not None:
            marks.append(strips.Mark(row.uid, down, colour=TAKEDOWN_COLOUR, shape="cross",
                                     title=f"{name}: {data.plain(row.takedown_status) or 'removed'} {iso(down)}"))
    for step in steps.itertuples(index=False):
        # The stored gap, drawn where the analysis measured it: from the predecessor's
        # last activity to the successor's first sign.
        gap, arrived = _num(step.gap), _num(step.successor_since)
        if arrived is None and step.successor in spans:
            arrived = spans[step.successor][0]
        if step.predecessor not in spans or step.successor not in spans or gap is None or arrived is None:
            continue
        marks.append(strips.Mark(step.successor, arrived - gap, arrived, colour="#6b7280", shape="gap",
                                 label=f"gap {format_gap(gap)}",
                                 title=f"gap {format_gap(gap)}: {step.predecessor_name or step.predecessor} "
                                       f"last active {iso(arrived - gap)}, {step.successor_name or step.successor} "
                                       f"first seen {iso(arrived)}"))
    kinds = sorted({str(k or "Account") for k in gens["kind"]})
    return strips.strip(ids.LINEAGE_TIMELINE, rows, marks,
                        [(f"{k} active", kind_colour(k)) for k in kinds] + [("takedown", TAKEDOWN_COLOUR)],
                        tall=True)


# Each signal of a REAPPEARS_AS step in plain words.
SIGNAL_WORDS = {"ids": "Same tracking IDs", "articles": "Same articles", "images": "Same images",
                "audience": "Same audience (accounts sharing both)", "outlinks": "Same links out",
                "profile_link": "Same profile link", "display_name": "Same display name", "bio": "Same bio",
                "posts": "Same posts", "name": "Similar name", "avatar": "Same avatar"}


def _tokens(evidence: dict) -> list[str]:
    """Every uid an evidence block names (old/new pairs and shared tokens)."""
    found = []
    for value in evidence.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                found += [str(item[k]) for k in ("old", "new", "token") if isinstance(item.get(k), str)]
    return found


def _share(item: dict) -> str:
    holders = item.get("holders")
    return f" · seen on {int(holders)} in all" if isinstance(holders, (int, float)) and holders > 2 else ""


def _pair(item: dict, name: str, names: dict, shots: dict) -> html.Div:
    """One old → new pair: two images, two posts or articles, or two values."""
    old, new = str(item.get("old")), str(item.get("new"))
    if "hamming" in item or name in ("images", "avatar"):
        bits = data.plain(item.get("hamming"))
        how = "identical picture" if bits == 0 else f"{bits} of 64 bits differ" if bits is not None else ""
        return html.Div([html.Div([thumbnail(shots.get(old), "before"), thumbnail(shots.get(new), "after")],
                                  className="thumbs"), html.Span(how, className="muted")], className="pair")
    if old.startswith(("post:", "account:", "site:")):
        similarity = data.plain(item.get("jaccard"))
        # Plain strings between the links: each component costs (Dash's renderer slows
        # with the square of their number).
        parts = [entity_link(old, names.get(old)), " → ", entity_link(new, names.get(new))]
        if similarity is not None:
            parts.append(f"  {float(similarity):.0%} of their words shared")
        if name == "articles":
            parts += [" · ", dcc.Link("side by side", href=compare_href(old, new), className="compare-link")]
        return html.Div(parts, className="pair")
    similarity = data.plain(item.get("similarity"))
    return html.Div([html.Q(old), " → ", html.Q(new), f"  {float(similarity):.0%} alike" if similarity is not None
                      else ""], className="pair")


def _signal_block(name: str, value, contribution, names: dict, shots: dict) -> html.Div:
    """One signal's evidence in plain words: pairs side by side, shared things as links."""
    words = SIGNAL_WORDS.get(name, name.replace("_", " ").capitalize())
    title = html.H4(f"{words}, adding {float(contribution):.2f} to the score" if contribution is not None else words)
    items = value if isinstance(value, list) else [value]
    shown = []
    for item in items:
        if isinstance(item, dict) and "old" in item and "new" in item:
            shown.append(_pair(item, name, names, shots))
        elif isinstance(item, dict) and "token" in item:
            token = str(item["token"])
            shown.append(entity_link(token, names.get(token, token.split(":", 1)[-1]) + _share(item),
                                     className="entity-link chip"))
        elif isinstance(item, dict) and "more" in item:
            shown.append(html.Span(f"and {item['more']} more", className="muted"))
        elif isinstance(item, dict) and "value" in item:
            shown.append(html.Q(str(item["value"]), className="chip"))
        else:
            shown.append(html.Span(str(data.plain(item)), className="chip"))
    return html.Div([title, html.Div(shown, className="chips")], className="signal")


def _step_card(step, ctx) -> html.Div:
    evidence = data.parse_evidence(step.evidence)
    signals = [str(s) for s in (step.signals if step.signals is not None else [])]
    contributions = evidence.get("contributions") if isinstance(evidence.get("contributions"), dict) else {}
    tokens = _tokens(evidence)
    names = entity_data.names(ctx.store, tokens)
    shots = entity_data.image_capture(ctx.store, [t for t in tokens if t.startswith(("media:", "avatar:"))])
    blocks = [_signal_block(name, value, contributions.get(name), names, shots)
              for name, value in evidence.items() if name not in QUIET and name != "contributions"]
    quiet = [f"{name}: {data.plain(evidence[name])}" for name in QUIET if name in evidence]
    return html.Div(className="step", children=[
        html.Div(className="step-head", children=[
            entity_link(step.predecessor, step.predecessor_name or step.predecessor, className="step-name"),
            html.Span("→", className="step-arrow"),
            entity_link(step.successor, step.successor_name or step.successor, className="step-name"),
            html.Span(f"score {float(step.score):.2f}" if step.score == step.score and step.score is not None
                      else "score —", className="chip chip-strong"),
            html.Span(f"gap {format_gap(step.gap)}", className="chip"),
            dcc.Link("the two side by side →", href=compare_href(step.predecessor, step.successor),
                     className="btn btn-small compare-sites"),
        ]),
        html.Div([html.Span("signals: ", className="muted")] +
                 [html.Span(SIGNAL_WORDS.get(s, s.replace("_", " ")), className="chip chip-signal")
                  for s in signals], className="chips"),
        html.Div(blocks or [html.P("No per-signal evidence recorded.", className="muted")], className="signals"),
        html.Details([html.Summary("analysis parameters"), html.P(" · ".join(quiet), className="muted")])
        if quiet else None,
    ])


def _lineage_id(steps, uid: str) -> str:
    """The analysis's name of the lineage (``lineage:<its first member>``), else ``uid``."""
    named = steps["lineage"].dropna() if "lineage" in steps.columns else []
    return str(named.iloc[0]) if len(named) else uid


def detail(ctx, uid):
    steps = data.steps_in_time_order(data.lineage_steps(ctx.store, uid))
    if steps.empty:
        return section(f"Lineage of {uid}", empty("No REAPPEARS_AS steps through this entity."))
    order = data.oldest_first(steps)
    gens = data.generations(ctx.store, order)
    gens_table = gens[["name", "kind", "active_from", "active_to", "taken_down_at", "takedown_status", "posts",
                       "uid"]].copy()
    names = [str(n) for n in gens_table["name"]]
    chain = " → ".join(names) if len(names) <= 4 else f"{names[0]} → … → {names[-1]}"
    return html.Div(id=ids.LINEAGE_TITLE, children=[
        page_header(chain, f"{len(order)} generations, oldest first · lineage through {uid}",
                    export_bar({"lineage": uid}, "this lineage")),
        html.Div(className="stats", children=[
            stat("generations", len(order)), stat("steps", len(steps)),
            stat("longest gap", format_gap(steps["gap"].max())),
            stat("lowest score", f"{steps['score'].min():.2f}" if steps["score"].notna().any() else "—")]),
        case_panel(ctx, _lineage_id(steps, uid), chain),
        section("Chain over time", _chain(gens, steps),
                note="Bars: each generation's active span (creation, posts, pages, 'active' observations). "
                     "Red ✕: its takedown (first suspended/deleted/not found/withheld observation). "
                     "Dotted: the gap, from a generation's last activity to the next one's first sign. "
                     "Hover a mark for its dates."),
        section("Generations", link_table("lineage-generations", gens_table,
                                          {"name": lambda row: entity_href(row["uid"])}, wide=["name", "uid"])),
        section("What ties each step", html.Div([_step_card(s, ctx) for s in steps.itertuples(index=False)],
                                                id=ids.LINEAGE_STEPS),
                note="Per step, the signals the analysis found and their evidence: articles and posts by their "
                      "titles and text, images from their captures (a missing one was not captured), shared "
                      "IDs, links and accounts as links to their pages."),
    ])


def register(app, ctx):
    # A long list is a DataTable: a click on a row opens its lineage.
    open_on_click(app, ids.LINEAGE_TABLE, lambda row, _: href(row["lineage"]) if row.get("lineage") else None)
