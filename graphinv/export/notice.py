"""Notices of illegal content, one per recipient: text, ``.eml`` and PDF. Nothing is sent.

``graphinv notice`` chooses reports (:class:`Selection`), groups them by recipient (the
report's ``reported_to``, else its platform) and writes for each recipient one notice
holding what a valid notice must hold:

- EU Digital Services Act, art. 16(2): (a) a substantiated explanation of why each item
  is illegal (the category's ``why`` from ``graphinv/vocabulary.yaml``, the reporter's
  note, the legal grounds and the capture), (b) the exact URL of each item, (c) the
  notifier's name and email, (d) a statement of good faith;
- French LCEN (loi n° 2004-575), art. 6: the date of the notice, the notifier, a
  description of the content, its precise location, and the legal grounds
  (``report_categories`` in the vocabulary: ``grounds``);
- per item, the capture taken at intake (:mod:`graphinv.capture.intake`): its time as the
  capture says, the sha256 of the captured bytes (and of the page as served for a WARC
  response), the file and offset, so that the recipient and a court can check it.

Files: ``notice-<recipient>-<time>.txt`` (the text), ``.pdf`` (the same, rendered by
WeasyPrint as the report is) and ``.eml`` (an RFC 5322 message from the notifier: the
text as its body and the PDF attached; ``To`` only when given). The user sends them.

The store records the notice: a ``Notice`` node (files and their sha256) ``NOTICE_OF``
each report, ``Report.noticed_at`` (the first notice time: the 48-hour ledger's clock,
:mod:`graphinv.analysis.ledger`) and the notice uids on ``Report.notices``; and each
noticed URL joins the watchlist, so ``graphinv watch run --due`` re-checks it.

>>> chosen = parse_selection(["report=R-1,R-2 category=threat", "since=2026-11-01", "until=2026-11-30"])
>>> chosen.reports, chosen.categories, (chosen.until - chosen.since + 1) / 86400  # November, whole days
(('R-1', 'R-2'), ('threat',), 30.0)
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from .. import __version__
from ..errors import InputError
from ..normalize import to_epoch
from ..records import notice_uid
from ..timefmt import iso
from ..vocabulary import report_category

NOTICED_CHOICES = ("no", "yes", "any")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;]+$")


@dataclass(frozen=True)
class Selection:
    """Which reports a notice lists (every field narrows; empty: no narrowing).

    ``noticed``: ``no`` (default: reports not noticed yet), ``yes`` (a reminder for
    noticed ones) or ``any``. ``since``/``until``: on the report's time, inclusive."""

    reports: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    platform: str | None = None
    recipient: str | None = None
    since: int | None = None
    until: int | None = None
    noticed: str = "no"


def _time(key: str, value: str) -> int:
    when = to_epoch(value)
    if when is None:
        raise InputError(f"--selection {key}={value!r}: not a time (write 2026-11-30 or 2026-11-30T18:00:00Z)")
    if key == "until" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        when += 86399  # a day: to its end
    return when


def parse_selection(items, platform: str | None = None) -> Selection:
    """``KEY=VALUE`` terms (each may also be several, separated by spaces): ``report=ID[,ID…]``,
    ``category=NAME[,NAME…]``, ``to=RECIPIENT``, ``since=TIME``, ``until=TIME`` (a day
    counts to its end), ``noticed=no|yes|any``."""
    fields: dict = {"platform": platform.strip().lower() if platform else None}
    for term in (t for item in items or () for t in str(item).split()):
        key, sep, value = term.partition("=")
        key, value = key.strip().lower(), value.strip()
        if not sep or not value:
            raise InputError(f"--selection {term!r}: write KEY=VALUE (report=, category=, to=, since=, until=, "
                             "noticed=)")
        if key in ("report", "reports"):
            fields["reports"] = fields.get("reports", ()) + tuple(v.strip() for v in value.split(",") if v.strip())
        elif key in ("category", "categories"):
            fields["categories"] = fields.get("categories", ()) + tuple(
                v.strip() for v in value.split(",") if v.strip())
        elif key in ("to", "recipient"):
            fields["recipient"] = value
        elif key in ("since", "until"):
            fields[key] = _time(key, value)
        elif key == "noticed":
            if value not in NOTICED_CHOICES:
                raise InputError(f"--selection noticed={value!r}: one of {', '.join(NOTICED_CHOICES)}")
            fields["noticed"] = value
        else:
            raise InputError(f"--selection {key!r}: not a selection key (report, category, to, since, until, "
                             "noticed)")
    return Selection(**fields)


@dataclass(frozen=True)
class Notifier:
    """Who signs the notice (DSA art. 16(2)(c): name and email)."""

    name: str
    email: str
    organisation: str = ""

    def __post_init__(self):
        if not (self.name or "").strip():
            raise InputError("the notifier's name is required (--name, or GRAPHINV_NOTIFIER_NAME)")
        if not _EMAIL.match((self.email or "").strip()):
            raise InputError(f"the notifier's email {self.email!r} is not an address (--email, or "
                             "GRAPHINV_NOTIFIER_EMAIL)")


_ITEMS = (
    "MATCH (r:Report)-[:REPORTED]->(e) "
    "RETURN r.uid AS report, r.report_id AS report_id, r.url AS url, e.uid AS entity, r.category AS category, "
    "r.note AS note, r.reporter AS reporter, r.reported_at AS reported_at, r.reported_to AS reported_to, "
    "r.platform AS stated_platform, r.noticed_at AS noticed_at, r.capture AS capture, e.text AS text, "
    "e.title AS title ORDER BY report")
ITEM_COLUMNS = ("report", "report_id", "url", "entity", "category", "note", "reporter", "reported_at",
                "reported_to", "platform", "recipient", "noticed_at", "capture", "text")


def read_reports(store) -> pd.DataFrame:
    """Every report with its platform and recipient (columns ``ITEM_COLUMNS``)."""
    from ..analysis.takedown import platform_of_url

    frame = store.query(_ITEMS)
    if frame.empty:
        return pd.DataFrame(columns=list(ITEM_COLUMNS))
    frame["platform"] = [platform_of_url(u, s if isinstance(s, str) else None)
                         for u, s in zip(frame["url"], frame["stated_platform"])]
    frame["recipient"] = [t if isinstance(t, str) and t.strip() else p
                          for t, p in zip(frame["reported_to"], frame["platform"])]
    frame["text"] = frame["text"].where(frame["text"].notna(), frame["title"])
    return frame[list(ITEM_COLUMNS)]


def select(reports: pd.DataFrame, selection: Selection) -> pd.DataFrame:
    """The reports ``selection`` chooses; pure.

    >>> frame = pd.DataFrame({"report": ["report:a", "report:b"], "report_id": ["a", "b"],
    ...     "category": ["threat", "spam"], "platform": ["twitter", "telegram"], "recipient": ["twitter", "telegram"],
    ...     "reported_at": [10, 20], "noticed_at": [None, None]})
    >>> select(frame, Selection(platform="twitter"))["report"].tolist()
    ['report:a']
    """
    keep = pd.Series(True, index=reports.index)
    if selection.reports:
        wanted = {r if r.startswith("report:") else f"report:{r}" for r in selection.reports}
        unknown = wanted - set(reports["report"])
        if unknown:
            raise InputError(f"no such report: {', '.join(sorted(unknown))}")
        keep &= reports["report"].isin(wanted)
    if selection.categories:
        names = {(report_category(c).name if report_category(c) else c.strip().lower()) for c in selection.categories}
        keep &= pd.Series([(report_category(c).name if report_category(c) else str(c).strip().lower()) in names
                           for c in reports["category"]], index=reports.index)
    if selection.platform:
        keep &= reports["platform"] == selection.platform
    if selection.recipient:
        keep &= reports["recipient"].str.lower() == selection.recipient.strip().lower()
    times = pd.to_numeric(reports["reported_at"], errors="coerce")
    if selection.since is not None:
        keep &= times >= selection.since
    if selection.until is not None:
        keep &= times <= selection.until
    noticed = pd.to_numeric(reports["noticed_at"], errors="coerce").notna()
    if selection.noticed == "no":
        keep &= ~noticed
    elif selection.noticed == "yes":
        keep &= noticed
    return reports[keep].reset_index(drop=True)


def _with_captures(store, items: pd.DataFrame) -> pd.DataFrame:
    """Each item's capture (the intake's, else the latest the store holds of its post)."""
    from ..capture.evidence import capture_rows
    from ..capture.intake import existing_capture

    items = items.copy()
    items["capture"] = [c if isinstance(c, str) and c else existing_capture(store, e)
                        for c, e in zip(items["capture"], items["entity"])]
    uids = [c for c in items["capture"] if isinstance(c, str)]
    found = capture_rows(store, uids).drop_duplicates("capture")
    items = items.merge(found, on="capture", how="left")
    # What the capture holds, for the description: the post or page it was read as.
    held = store.query("MATCH (c:Capture)-[:CAPTURES]->(p:Post) WHERE c.uid IN $uids "
                       "RETURN c.uid AS capture, coalesce(p.text, p.title) AS held", {"uids": uids})
    if not held.empty:
        held = held.dropna().drop_duplicates("capture")
        items = items.merge(held, on="capture", how="left")
        items["text"] = items["text"].where(items["text"].notna(), items["held"])
    return items


def _grounds(category, extra_grounds: tuple[str, ...]) -> tuple[str, str, list[str]]:
    known = report_category(category)
    if known is not None:
        return known.label, known.why, list(known.grounds) + list(extra_grounds)
    return (str(category) if isinstance(category, str) and category else "unspecified"), "", list(extra_grounds)


def build(items: pd.DataFrame, notifier: Notifier, now: int, grounds: tuple[str, ...] = (),
          selection: Selection | None = None, to_email: str | None = None) -> list[dict]:
    """One notice (a dict the templates read) per recipient of ``items`` (from
    :func:`select` with their captures, and :func:`unfit` ones left out); pure."""
    stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    notices = []
    for recipient, group in items.groupby("recipient", sort=True):
        slug = re.sub(r"[^a-z0-9.]+", "-", str(recipient).lower()).strip("-")[:40] or "recipient"
        rows = []
        for n, row in enumerate(group.sort_values(["reported_at", "report"], kind="stable").to_dict("records"), 1):
            label, why, legal = _grounds(row["category"], grounds)
            note = row["note"] if isinstance(row["note"], str) and row["note"].strip() else ""
            content = row["text"] if isinstance(row["text"], str) and row["text"].strip() else ""
            location = Path(row["source_file"]).name + (
                f", line {int(row['line'])}" if row.get("line") == row.get("line") and row.get("line") is not None
                else f", offset {int(row['offset'])}, {int(row['length'])} bytes")
            rows.append({
                "n": n, "report_id": row["report_id"], "url": row["url"], "platform": row["platform"],
                "category": label, "why": why, "note": note, "content": " ".join(content.split())[:600],
                "grounds": legal, "reporter": row["reporter"] if isinstance(row["reporter"], str) else "",
                "reported_at": iso(row["reported_at"]),
                "captured_at": iso(row["captured_at"]) or "unknown (the capture does not say)",
                "time_source": row["time_source"] if isinstance(row["time_source"], str) else "",
                "bytes_sha256": row["bytes_sha256"],
                "content_sha256": row["content_sha256"] if isinstance(row.get("content_sha256"), str) else "",
                "captured_url": row["capture_url"] if isinstance(row.get("capture_url"), str) else "",
                "location": location,
                "record_id": row["record_id"] if isinstance(row.get("record_id"), str) else "",
                "report": row["report"], "entity": row["entity"]})
        notices.append({
            "uid": notice_uid(f"{slug}-{stamp}"), "id": f"{slug}-{stamp}", "slug": slug, "recipient": recipient,
            "to_email": to_email or "", "platforms": sorted(group["platform"].unique().tolist()),
            "date": iso(now), "written_at": now, "notifier": asdict(notifier), "items": rows,
            "selection": asdict(selection) if selection else {}, "version": __version__})
    return notices


def unfit(items: pd.DataFrame, grounds: tuple[str, ...] = ()) -> dict[str, str]:
    """Items a valid notice cannot list, by report id, with the reason: no capture (the
    notice would lack its evidence), or a category without legal grounds (none given).

    >>> unfit(pd.DataFrame({"report_id": ["a", "b", "c"], "bytes_sha256": ["x", None, "y"],
    ...                     "category": ["threat", "threat", "spam"]}))
    {'b': 'no capture: graphinv report capture b', 'c': "no legal grounds for the category 'spam': --grounds TEXT"}
    """
    out = {}
    for rid, sha, category in zip(items["report_id"], items["bytes_sha256"], items["category"]):
        if not isinstance(sha, str):
            out[rid] = f"no capture: graphinv report capture {rid}"
        elif report_category(category) is None and not grounds:
            out[rid] = f"no legal grounds for the category {category!r}: --grounds TEXT"
    return out


def _env(autoescape: bool) -> Environment:
    return Environment(loader=PackageLoader("graphinv.export", "templates"), keep_trailing_newline=True,
                       autoescape=select_autoescape(["html"], default=True) if autoescape else False,
                       trim_blocks=True, lstrip_blocks=True)


def render_text(notice: dict) -> str:
    return _env(False).get_template("notice.txt.j2").render(n=notice)


def render_html(notice: dict) -> str:
    return _env(True).get_template("notice.html.j2").render(n=notice)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def eml_bytes(notice: dict, text: str, pdf: bytes, pdf_name: str) -> bytes:
    """The notice as an email from the notifier: the text as body, the PDF attached."""
    who = notice["notifier"]
    msg = EmailMessage()
    msg["Subject"] = _one_line(f"Notice of illegal content (DSA art. 16, LCEN art. 6): {len(notice['items'])} "
                               f"item(s), {notice['recipient']} [{notice['id']}]")
    msg["From"] = formataddr((_one_line(who["name"]), who["email"].strip()))
    if notice["to_email"]:
        msg["To"] = _one_line(notice["to_email"])
    msg["Date"] = formatdate(notice["written_at"], usegmt=True)
    msg["Message-ID"] = make_msgid(idstring=notice["id"], domain=who["email"].rsplit("@", 1)[-1].strip())
    msg.set_content(text)
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return bytes(msg)


@dataclass
class Written:
    notice: dict
    files: list[Path] = field(default_factory=list)
    sha256s: list[str] = field(default_factory=list)


def write_files(notice: dict, out_dir: Path) -> Written:
    """The text, PDF and .eml of one notice under ``out_dir``."""
    from .report import render_pdf

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / f"notice-{notice['id']}"
    text = render_text(notice)
    txt, pdf, eml = base.with_suffix(".txt"), base.with_suffix(".pdf"), base.with_suffix(".eml")
    txt.write_text(text, encoding="utf-8")
    render_pdf(render_html(notice), pdf)
    eml.write_bytes(eml_bytes(notice, text, pdf.read_bytes(), pdf.name))
    files = [txt, eml, pdf]
    return Written(notice, files, [hashlib.sha256(p.read_bytes()).hexdigest() for p in files])


def record(store, written: list[Written]) -> None:
    """The notices in the store (see the module docstring) and their URLs on the watchlist."""
    from ..capture.watch import _put

    notices, reports, edges, watches = [], [], [], {}
    for w in written:
        n = w.notice
        notices.append({"uid": n["uid"], "recipient": n["recipient"], "platform": ",".join(n["platforms"]),
                        "notifier": n["notifier"]["name"], "notifier_email": n["notifier"]["email"],
                        "written_at": n["written_at"], "items": len(n["items"]),
                        "selection": json.dumps(n["selection"], sort_keys=True),
                        "files": [str(p.resolve()) for p in w.files], "sha256s": w.sha256s,
                        "first_seen": n["written_at"], "last_seen": n["written_at"]})
        for item in n["items"]:
            reports.append({"uid": item["report"], "noticed_at": n["written_at"], "notices": [n["uid"]]})
            edges.append({"src": n["uid"], "dst": item["report"], "time": n["written_at"]})
            # Re-checked where it was captured (the URL as fetched), else as reported.
            watches.setdefault(item["entity"], (item["entity"], item["captured_url"] or item["url"], []))
    with store.transaction():
        store.upsert_nodes("Notice", pd.DataFrame(notices))
        store.upsert_nodes("Report", pd.DataFrame(reports))
        store.upsert_edges("NOTICE_OF", pd.DataFrame(edges))
    if watches:
        first = written[0].notice
        found = store.query("MATCH (w:Watch) RETURN w.entity AS entity")
        known = set(found["entity"]) if not found.empty else set()
        fresh = [w for e, w in watches.items() if e not in known]
        if fresh:
            _put(store, fresh, note=f"noticed {first['date']}: the 48-hour ledger", now=first["written_at"])
        again = [w for e, w in watches.items() if e in known]
        if again:  # watched already: re-activated, its own note kept
            _put(store, again, now=first["written_at"])


def write_notices(store, selection: Selection, notifier: Notifier, out_dir: Path, *, now: int | None = None,
                  grounds: tuple[str, ...] = (), to_email: str | None = None) -> tuple[list[Written], dict[str, str]]:
    """Choose, write and record the notices; see the module docstring. Returns the
    notices written and the selected reports left out, with the reason (:func:`unfit`)."""
    now = int(now if now is not None else time.time())
    items = select(read_reports(store), selection)
    if items.empty:
        raise InputError("no report matches the selection (reports already noticed are left out unless "
                         "--selection noticed=yes or noticed=any)")
    items = _with_captures(store, items)
    skipped = unfit(items, grounds)
    items = items[~items["report_id"].isin(list(skipped))]
    if items.empty:
        reasons = "; ".join(f"{k}: {v}" for k, v in list(skipped.items())[:5])
        raise InputError(f"none of the {len(skipped)} selected report(s) can be noticed ({reasons})")
    written = [write_files(n, out_dir) for n in build(items, notifier, now, grounds, selection, to_email)]
    record(store, written)
    return written, skipped
