"""One page per entity, by uid: ``/entity?uid=account:twitter:x`` (also post, site, URL,
identifier, hashtag, media, target, report and observation).

What it is (its kind and properties), the findings it takes part in with their reasons
and confidence (campaigns, lineages, impersonation, reports and their takedown status),
what it did (an account's co-actions and posts, a site's pages), its captures (time as
the capture says, file:line or file@offset, sha256, a link to the captured thing) and
its neighbours, each a link to its own page. A target's page says who attacks it,
ranked, its real accounts beside the accounts impersonating it, and what became of
each reported item.

Captured text reaches Dash only as plain strings and link texts (React escapes them).
"""

from __future__ import annotations

from dash import dcc, html

from ...records import kind_of
from ...schema import SCHEMA
from ...timefmt import format_gap
from .. import data, entity_data, ids, timerange
from ..layout import empty, iso, page_header, section
from .cases import panel as case_panel
from ..links import capture_href, capture_link, compare_href, entity_link, explore_href, thumbnail

PATH = "/entity"
TITLE = "Entity"
NEIGHBOURS = 300  # neighbours read per page; the count says how many more there are
ATTACKERS_SHOWN = 100  # attackers listed on a target's page, highest ranked first
TIMES = ("first_seen", "last_seen", "created_at", "edited_at", "observed_at", "reported_at", "started_at",
         "finished_at", "added_at", "first_time", "last_time", "captured_at")
QUIET = {"uid", "kind", "runs", "text_minhash", "text_hash", "source_file", "warc_file", "warc_offset", "text"}


# -- small building blocks, shared with the capture and comparison pages ----------------
def grid(id: str | None, headers: list[str], body: list[list], className: str = "") -> html.Div:
    """A plain table whose cells are components (links, thumbnails); it scrolls
    sideways inside its card on a narrow screen instead of widening the page."""
    table = html.Table(className=f"grid {className}".strip(), children=[
        html.Thead(html.Tr([html.Th(h) for h in headers])),
        html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in body])],
        **({"id": id} if id else {}))
    return html.Div(table, className="grid-wrap")


def text(value, limit: int | None = None) -> str:
    value = data.plain(value)
    if value is None or value == "":
        return "—"
    value = " ".join(str(value).split()) if limit else str(value)
    return value if limit is None or len(value) <= limit else value[: limit - 1] + "…"


def when(value, source=None) -> html.Span:
    """A time as ISO 8601 UTC; ``unknown`` when the capture does not say."""
    shown = iso(value, seconds=True)
    if shown is None:
        return html.Span("unknown", className="muted", title="the capture does not say when it was made")
    return html.Span(shown, className="mono nowrap", title=f"from {source}" if isinstance(source, str) else None)


def short_sha(value) -> html.Span:
    sha = data.plain(value)
    if not isinstance(sha, str) or not sha:
        return html.Span("—", className="muted")
    return html.Span(sha[:12] + "…", title=sha, className="mono")


def listed(value) -> list:
    """A list cell as a list (a missing one, NaN from some stores, as none)."""
    return list(value) if isinstance(value, (list, tuple)) or hasattr(value, "tolist") else []


def score(value) -> str:
    value = data.plain(value)
    return "—" if value is None else f"{float(value):.0%}"


def captures_section(ctx, uid: str, span: timerange.Span = timerange.ALL_TIME) -> html.Section:
    frame = timerange.within(entity_data.captures(ctx.store, uid), span)
    if frame.empty:
        return section("Captures", empty("No capture of this in the store."), className="entity-captures")
    shown = frame.head(entity_data.CAPTURE_LIMIT)
    body = [[when(r["time"], r.get("time_source")), r["what"], html.Span(text(r["url"], 90), className="mono"),
             html.Span(r["place"], className="mono"), short_sha(r["sha256"]),
             capture_link(r["capture"], "open") if isinstance(r["capture"], str) else "—"]
            for r in shown.to_dict("records")]
    more = f" (the newest {len(shown)} of {len(frame)})" if len(frame) > len(shown) else ""
    return section(f"Captures: {len(frame)}{more}",
                   grid(ids.ENTITY_CAPTURES, ["Captured (UTC)", "What", "URL", "File", "sha256", ""], body),
                   note="Each capture is the bytes the store read this from: its time as the capture itself says "
                        "(unknown when it does not), the file and line or byte offset, and the sha256 of those "
                        "bytes. Open one to see the captured page or line.", className="entity-captures")


# -- findings -------------------------------------------------------------------------
def _campaigns(ctx, uid: str) -> list:
    frame = entity_data.memberships(ctx.store, uid)
    if frame.empty:
        return []
    body = [[entity_link(r["campaign"], r["label"] or r["campaign"]), text(r["role"]), score(r["confidence"]),
             html.Ul([html.Li(str(x)) for x in listed(r["reasons"])][:3],
                     className="reasons")] for r in frame.to_dict("records")]
    return [html.H3("Campaigns"), grid("entity-campaigns", ["Campaign", "Role", "Confidence", "Why"], body)]


def _lineage(ctx, uid: str) -> list:
    from . import lineages

    frame = entity_data.reappearances(ctx.store, uid)
    if frame.empty:
        return []
    body = []
    for r in frame.to_dict("records"):
        signals = ", ".join(lineages.SIGNAL_WORDS.get(str(s), str(s).replace("_", " "))
                            for s in listed(r["signals"]))
        pair = (uid, r["other"]) if r["how"] == "came back as" else (r["other"], uid)
        body.append([r["how"], entity_link(r["other"], r["other_name"]), score(r["score"]),
                     format_gap(r["gap"]), signals,
                     html.Span([dcc.Link("lineage", href=lineages.href(uid)), " · ",
                                dcc.Link("side by side", href=compare_href(*pair))])])
    return [html.H3("Came back after a takedown"),
            grid("entity-lineage", ["", "Other", "Score", "Gap", "What ties them", ""], body)]


def _impersonation(ctx, uid: str) -> list:
    frame = entity_data.impersonations(ctx.store, uid)
    if frame.empty or uid.startswith("target:"):
        return []
    body = [[entity_link(r["target"], r["target_name"]), score(r["score"]),
             html.Ul([html.Li(x) for x in r["reasons"]], className="reasons")] for r in frame.to_dict("records")]
    return [html.H3("Impersonates"), grid("entity-impersonates", ["Target", "Score", "Why"], body)]


def reports_block(ctx, uids: list[str], title: str = "Reported") -> list:
    frame = entity_data.reports(ctx.store, uids)
    if frame.empty:
        return []
    body = []
    for r in frame.to_dict("records"):
        hours = data.plain(r.get("hours"))
        outcome = (f"removed after {hours:.0f} h" if hours is not None else text(r["status"]))
        body.append([entity_link(r["entity"], text(r["url"], 70)), html.Span(iso(r["reported_at"]), className="nowrap"),
                     text(r["reported_to"]), text(r.get("category")),
                     html.Span(outcome, className=f"takedown takedown-{r['status'].replace(' ', '-')}"),
                     html.Span([text(r.get("last_status")), " ", html.Span(iso(r.get("last_seen")) or "",
                                                                          className="muted nowrap")])])
    return [html.H3(title), grid(ids.ENTITY_REPORTS, ["Item", "Reported (UTC)", "To", "Category", "Takedown",
                                                      "Last seen"], body)]


def findings_section(ctx, uid: str) -> html.Section | None:
    blocks = _campaigns(ctx, uid) + _lineage(ctx, uid) + _impersonation(ctx, uid)
    if not uid.startswith("target:"):
        blocks += reports_block(ctx, [uid])
    if not blocks:
        return None
    return section("Findings", *blocks, className="entity-findings",
                   note="What the analyses found about this, with how sure they are and why.")


# -- what it did ----------------------------------------------------------------------
def coactions_section(ctx, uid: str, span: timerange.Span = timerange.ALL_TIME) -> html.Section | None:
    frame = timerange.within(entity_data.coactions(ctx.store, uid), span)
    if frame.empty:
        return None
    body = []
    for r in frame.to_dict("records"):
        others = listed(r["with"])
        body.append([
            when(r["time"]), text(r["action"]), entity_link(r["post"], text(r["text"] or r["shown"], 110)),
            f"+{int(r['seconds_after_first'])} s", html.Span(", ".join(others[:6]) + (
                f" and {len(others) - 6} more" if len(others) > 6 else ""), title=", ".join(others)),
            capture_link(r["capture"], "capture"), entity_link(r["campaign"], r["campaign"])])
    return section(f"Co-actions: {len(frame)}",
                   grid(ids.ENTITY_COACTIONS, ["Time (UTC)", "Action", "The post", "After first", "Together with",
                                               "Read from", "Campaign"], body),
                   note="Each act of this account on an object that other members of its campaign acted on "
                        "within the campaign's window: seconds after the first of them, and the capture it was "
                        "read from.", className="entity-coactions")


def posts_section(ctx, uid: str, span: timerange.Span = timerange.ALL_TIME) -> html.Section | None:
    newest = entity_data.posts(ctx.store, uid)
    frame = timerange.within(newest, span)
    if frame.empty:
        return None if newest.empty else section("Posts", empty(f"None of the newest {len(newest)} in {span.label}."),
                                                 className="entity-posts")
    title = {"site:": "Pages", "account:": "Posts"}.get(uid.split(":", 1)[0] + ":", "Posts using it")
    body = [[when(r["time"]), text(r["how"]), entity_link(r["post"], text(r["text"], 140)),
             capture_link(r["capture"], "capture") if isinstance(r["capture"], str) else ""]
            for r in frame.to_dict("records")]
    return section(f"{title} (newest {len(frame)})" if len(frame) >= entity_data.POST_LIMIT else title,
                   grid(ids.ENTITY_POSTS, ["Time (UTC)", "", "Text", ""], body), className="entity-posts")


def neighbours_section(ctx, uid: str) -> html.Section | None:
    rows, total = data.neighbours(ctx.store, uid, limit=NEIGHBOURS)
    if rows.empty:
        return None
    groups = []
    for (relation, direction), part in rows.groupby(["relation", "direction"], sort=True):
        arrow = f"{relation} →" if direction == "out" else f"← {relation}"
        items = [html.Li([entity_link(r["neighbour"], text(r["name"], 80)),
                          html.Span(f" {r['kind']}", className="muted")]) for r in part.to_dict("records")]
        groups.append(html.Div([html.H4(f"{arrow} ({len(part)})"), html.Ul(items, className="neighbour-list")],
                               className="neighbour-group"))
    more = f"; the first {len(rows)} of {total} are listed" if total > len(rows) else ""
    return section("Neighbours", html.Div(groups, className="neighbour-groups", id=ids.ENTITY_NEIGHBOURS),
                   note=f"Everything one step away in the graph, by relation{more}.", className="entity-neighbours")


# -- kinds ----------------------------------------------------------------------------
def _properties(props: dict) -> html.Table:
    rows = []
    for key, value in props.items():
        if key in QUIET:
            continue
        shown = iso(value) if key in TIMES else str(value)
        rows.append(html.Tr([html.Th(key.replace("_", " ")), html.Td(shown)]))
    return html.Table(rows, className="props")


def _post_body(ctx, uid: str, props: dict) -> list:
    body = []
    if props.get("text"):
        body.append(html.Blockquote(str(props["text"]), className="post-text"))
    if props.get("url"):
        body.append(html.P(["Address: ", html.Span(str(props["url"]), className="mono")], className="note"))
    newest = entity_data.post_capture(ctx.store, uid)
    if newest:
        body.append(dcc.Link("See the captured page or line →", href=capture_href(newest), className="btn btn-small",
                             id=ids.ENTITY_OPEN_CAPTURE))
    linked = entity_data.linked_pages(ctx.store, uid)
    if not linked.empty:
        body.append(html.Div([html.H3("Pages it links to, as captured"), html.Ul([html.Li([
            dcc.Link(text(r["title"] or r["url"], 100), href=capture_href(r["capture"]), className="linked-capture"),
            " · ", entity_link(r["page"], "page")]) for r in linked.to_dict("records")], className="neighbour-list",
            id=ids.ENTITY_LINKED_PAGES)]))
    media = [r["neighbour"] for r in data.neighbours(ctx.store, uid, ["Media"])[0].to_dict("records")]
    if media:
        shots = entity_data.image_capture(ctx.store, media)
        body.append(html.Div([html.Div([thumbnail(shots.get(m), "image of the post"), entity_link(m, "image")],
                                       className="thumb-card") for m in media], className="thumbs"))
    return body


def _media_body(ctx, uid: str, props: dict) -> list:
    shot = entity_data.image_capture(ctx.store, [uid]).get(uid)
    return [html.Div(thumbnail(shot, "the captured image", "thumb thumb-large"), className="thumbs")]


def _account_body(ctx, uid: str, props: dict) -> list:
    shot = entity_data.image_capture(ctx.store, ["avatar:" + uid]).get("avatar:" + uid)
    body = [html.Div(thumbnail(shot, "avatar"), className="thumbs")] if shot else []
    if props.get("bio"):
        body.append(html.Blockquote(str(props["bio"]), className="post-text"))
    return body


def _site_body(ctx, uid: str, props: dict) -> list:
    page = entity_data.page_of(ctx.store, uid)
    if not page or not page.get("capture"):
        return []
    return [dcc.Link("See its page as captured →", href=capture_href(page["capture"]), className="btn btn-small",
                     id=ids.ENTITY_OPEN_CAPTURE)]


SIDE = {"Post": _post_body, "Media": _media_body, "Account": _account_body, "Site": _site_body}


def target_sections(ctx, uid: str, props: dict) -> list:
    """Who attacks the target, its real accounts beside its impersonators, and reports."""
    real = entity_data.real_accounts(ctx.store, uid)
    fakes = entity_data.impersonations(ctx.store, uid)
    attackers = entity_data.attackers(ctx.store, uid)
    real_items = [html.Li([entity_link(r["account"], r["handle"]), html.Span(
        f" {text(r.get('display_name'))}", className="muted")]) for r in real.to_dict("records")]
    shots = entity_data.image_capture(ctx.store, ["avatar:" + u for u in fakes["impersonator"]]) \
        if not fakes.empty else {}
    fake_rows = [[thumbnail(shots.get("avatar:" + r["impersonator"]), "avatar", "thumb thumb-small")
                  if shots.get("avatar:" + r["impersonator"]) else "",
                  entity_link(r["impersonator"], r["name"]), text(r.get("display_name")), score(r["score"]),
                  html.Ul([html.Li(x) for x in r["reasons"]], className="reasons")]
                 for r in fakes.to_dict("records")]
    sides = html.Div(className="grid-2", children=[
        html.Div([html.H3(f"Real accounts ({len(real)})"),
                  html.Ul(real_items, className="neighbour-list", id=ids.TARGET_REAL) if real_items
                  else empty("No real accounts listed for this target (targets.csv: accounts).")]),
        html.Div([html.H3(f"Impersonating accounts ({len(fakes)})"),
                  grid(ids.TARGET_IMPERSONATORS, ["", "Account", "Display name", "Score", "Why"], fake_rows)
                  if fake_rows else empty("No impersonation found.")])])
    attack_rows = []
    # Dash draws a page in time quadratic in its components: the ranked head, not thousands.
    for r in attackers.head(ATTACKERS_SHOWN).to_dict("records"):
        evidence = listed(r["evidence"])
        attack_rows.append([entity_link(r["actor"], r["actor_name"]), text(r["relation"]), str(int(r["posts"])),
                            html.Span(iso(r["first_time"]) or "—", className="nowrap"),
                            html.Span(iso(r["last_time"]) or "—", className="nowrap"),
                            html.Span([entity_link(e, f"post {i + 1}") for i, e in enumerate(evidence)],
                                      className="links-inline")])
    shown = f" (the first {ATTACKERS_SHOWN})" if len(attackers) > ATTACKERS_SHOWN else ""
    attack = section(f"Who attacks {props.get('name') or uid}: {len(attackers)}{shown}",
                     grid(ids.TARGET_ATTACKERS, ["Who", "How", "Posts", "First (UTC)", "Last (UTC)",
                                                 "Earliest posts"], attack_rows) if attack_rows
                     else empty("Nobody in this store mentions, replies to or targets them."),
                     note="Accounts, sites and campaigns ranked by their posts that mention, reply to or quote the "
                          "target's real accounts or name the target; impersonators with the posts they made in "
                          "the target's name.")
    reported = [u for u in [*fakes.get("impersonator", []), *attackers.get("actor", [])] if str(u).startswith(
        ("account:", "site:"))]
    report_block = reports_block(ctx, reported, "Reported items and their takedown")
    return [section("Real and impersonating accounts", sides), attack,
            section("Takedowns", *(report_block or [empty("None of these accounts or their posts was reported.")]),
                    note="Each report about an impersonator, an attacker or one of their posts: removed (hours "
                         "after the report, from the first later observation that it was gone) or still up.")]


def layout(ctx, params):
    uid = (params.get("uid") or "").strip()
    props = data.node(ctx.store, uid) if uid else None
    if props is None:
        return html.Div([page_header("Not in the store", f"No entity {uid or '(none given)'} in this store."),
                         dcc.Link("Search for it →", href="/search?q=" + uid.rsplit(":", 1)[-1],
                                  className="more-link")])
    kind = kind_of(uid)  # not props["kind"]: a Target has a property of that name
    # A post is named by its title or the start of its text, not by its URL.
    name = next((props[k] for k in (("title", "text") if kind == "Post" else ()) + data.NAME_FIELDS
                 if props.get(k)), uid)
    description = SCHEMA.nodes[kind].description
    top = [html.Div(className="grid-2 grid-wide-left", children=[
        section(f"What it is: {kind}", html.P(description, className="note"), _properties(props),
                className="entity-what"),
        html.Div(SIDE[kind](ctx, uid, props) if kind in SIDE else [], className="entity-side")])]
    span = timerange.from_params(params)
    body = [findings_section(ctx, uid)]
    if kind == "Target":
        body = target_sections(ctx, uid, props)
    if kind == "Account":
        body.append(coactions_section(ctx, uid, span))
    body += [posts_section(ctx, uid, span), captures_section(ctx, uid, span), neighbours_section(ctx, uid),
             case_panel(ctx, uid, text(name, 120))]
    return html.Div(className="entity-page", id=ids.ENTITY_PAGE, children=[
        page_header(text(name, 120), f"{kind} · {uid}",
                    dcc.Link("Explore its neighbourhood →", href=explore_href(uid), className="more-link")),
        timerange.control(span, "Narrow the co-actions, posts and captures below to a span."), *top,
        *[b for b in body if b is not None]])
