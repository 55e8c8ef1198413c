"""CSV tables investigators keep by hand or export from other tools.

The kind of table is told by its header (or forced with ``table=``); columns are
matched case-insensitively, and ``columns={"account_id": "user", …}`` maps our column
names to the file's. Delimiter: comma, or tab/semicolon when the header says so.
``.csv.gz``/``.tsv.gz`` are read transparently.

Tables
------
shares (CooRTweet): ``account_id, object_id, content_id, timestamp`` (or
  ``timestamp_share``; ``platform`` optional, else the ``platform`` option, default
  ``twitter``). When ``object_id`` is a URL (``object_kind="auto"`` sees ``://`` or
  ``www.``, or ``object_kind="url"``) the row is a post sharing a link:
  Account -POSTED{time}-> Post(content_id) -LINKS_TO{time}-> Url -ON_SITE-> Site.
  Otherwise (``object_kind="post"``) the object is a post being re-shared:
  Account -REPOSTED{time, repost_uid=Post(content_id)}-> Post(object_id), ``key`` =
  content_id. Both are what the coordination analysis reads ("same URL" and "repost of
  the same post" modalities). The shape with ``url_id``/``post_id`` columns (CooRTweet's
  German elections data) needs ``columns={"object_id": "url_id", "content_id": "post_id"}``.
shares (Coordination Network Toolkit CSV): ``message_id, user_id, username,
  repost_id, reply_id, message, timestamp, urls``: Post(message_id) with text,
  POSTED by ``username`` (or ``user_id``), REPOSTED to Post(repost_id) when set (then
  no Post of its own, as for retweets), REPLIED_TO Post(reply_id), LINKS_TO each of the
  ``urls`` (space-separated, or a Python or JSON list as the toolkit's sample generator
  writes them: ``['http://…']``); a value there that is not a URL is counted as
  ``Reject("bad_url")`` and the row kept.
observations: ``entity, status, observed_at`` (+ ``platform, source, http_status``):
  an Observation node ``observation_uid(entity uid, time, source)`` -OBSERVED{time}->
  the entity. The entity (resolved by :mod:`graphinv.resolve`) is an Account for a
  handle (``@x``, or any non-URL value with a platform) or a profile URL (twitter.com/x,
  x.com/x, t.me/x, host/@user), a Post for a tweet or t.me post URL, a Site for a bare
  domain or a home page, a Url otherwise. Statuses and their spellings are the
  vocabulary's (``graphinv/vocabulary.yaml``:
  active, moved, suspended, deleted, not_found, withheld, error, unreachable; HTTP codes
  too: 2xx/3xx active, 404 not_found, 410 deleted, 451 withheld); another status is
  ``Reject("bad_status")``.
reports: ``url, reported_at`` (+ ``report_id, reported_to, category, platform``):
  Report -REPORTED{time}-> the entity (resolved as for observations). Without a
  ``report_id`` the id is the first 16 hex of sha1(url|reported_at|reported_to).
targets: ``name`` (+ ``aliases, accounts, kind``, lists separated by ``|``): a Target
  with its aliases and its real accounts as account uids. An account is
  ``platform:handle``, a profile URL, or ``@handle`` (platform from the ``platform``
  column or option).

Bad input: a header that lacks required columns gives one
``Reject("missing_columns")`` naming them (and the columns found); a row with more or
fewer fields than the header ``Reject("bad_row")``; an unreadable time
``Reject("bad_time")``; an empty required value ``Reject("bad_row")``; a cut-off gzip
``Reject("truncated_gzip")``. The other rows are read.

Evidence: each row read is a ``Capture`` (its bytes, line terminator included, and their
offset in the gunzipped file), linked to what the row made. Its capture time is the
``observed_at`` of an observations row; the other tables do not say when their rows
were captured (a share's or report's own time is not a capture time).
"""

from __future__ import annotations

import ast
import codecs
import csv
import hashlib
import io
from pathlib import Path
from typing import Any, Iterator

from graphinv.normalize import (
    canonical_url,
    clean_int,
    normalise_handle,
    text_fingerprints,
    to_epoch,
)
from graphinv.records import (
    Edge,
    Node,
    Record,
    Reject,
    account_uid,
    observation_uid,
    post_uid,
    report_uid,
    target_uid,
)
from graphinv.resolve import account_ref, entity_of, is_urlish
from graphinv.vocabulary import STATUS_SPELLINGS, STATUSES, status_of_http

from .base import (MAX_LINE_BYTES, Accumulator, Captures, GzipTruncated, base_name, open_binary, peek, site_edges,
                   url_records)

name = "csv_tables"
description = "CSV tables: shares (CooRTweet, Coordination Network Toolkit), observations, reports, targets"

csv.field_size_limit(64 * 1024 * 1024)

# table -> (required columns, optional columns); aliases map other spellings.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "shares": (("account_id", "object_id", "content_id", "timestamp"), ("platform",)),
    "cnt_shares": (("message_id", "user_id", "repost_id", "timestamp"),
                   ("username", "reply_id", "message", "urls", "platform")),
    "observations": (("entity", "status", "observed_at"), ("platform", "source", "http_status", "final_url")),
    "reports": (("url", "reported_at"), ("report_id", "reported_to", "category", "platform")),
    "targets": (("name",), ("aliases", "accounts", "kind", "platform")),
}
ALIASES = {
    "timestamp_share": "timestamp",
    "time": "timestamp",
    "share_time": "timestamp",
    "observed": "observed_at",
    "checked_at": "observed_at",
    "date_reported": "reported_at",
    "reported": "reported_at",
    "handle": "entity",
}
_EXTENSIONS = (".csv", ".tsv")


def url_list(value: str) -> list[str]:
    """The URLs of a ``urls`` cell, written space-separated (the toolkit's documented
    form), or as a Python or JSON list (its sample generator writes ``['http://…']``).

    >>> url_list("['http://a.example/x', 'https://b.example']"), url_list('["http://c.example"]')
    (['http://a.example/x', 'https://b.example'], ['http://c.example'])
    >>> url_list("http://a.example http://b.example"), url_list("[]")
    (['http://a.example', 'http://b.example'], [])
    """
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        try:
            items = ast.literal_eval(value)  # a Python list; JSON's list of strings is one too
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if isinstance(items, (list, tuple)):
            return [str(item).strip() for item in items if str(item).strip()]
        value = value[1:-1]
    return [part.strip("'\"") for part in value.replace(",", " ").split() if part.strip("'\"")]


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in (",", "\t", ";")}
    return max(counts, key=lambda d: (counts[d], d == ","))


def read_header(path: Path) -> tuple[list[str], str] | None:
    """A table's header cells (stripped, case kept) and its delimiter; None when the file
    is empty or unreadable. The coordination analysis reads share tables with it too, so
    ingest and analysis see the same columns (a header ``Account_ID;"object_id"`` gives
    ``(["Account_ID", "object_id"], ";")``).
    """
    head = peek(path, 65536).decode("utf-8-sig", errors="replace")
    line = head.splitlines()[0] if head else ""
    if not line:
        return None
    delimiter = _delimiter(line)
    return [c.strip() for c in next(csv.reader([line], delimiter=delimiter), [])], delimiter


def _header(path: Path) -> list[str] | None:
    found = read_header(path)
    return [c.lower() for c in found[0]] if found else None


def _known(col: str) -> str:
    return ALIASES.get(col, col)


def detect(path: Path) -> bool:
    """A ``.csv``/``.tsv`` (optionally ``.gz``) whose header names a column of a known
    table (so that a table missing a column is reported, not ignored)."""
    if not base_name(path).endswith(_EXTENSIONS):
        return False
    header = _header(path)
    if not header:
        return False
    known = {c for req, opt in TABLES.values() for c in req}
    return any(_known(c) in known for c in header)


def _choose(header: list[str]) -> tuple[str, list[str]]:
    """The table kind that best fits the header, and its missing required columns."""
    cols = set(header)
    best = None
    for table, (required, _optional) in TABLES.items():
        missing = [c for c in required if c not in cols]
        score = (len(required) - len(missing)) / len(required), len(required) - len(missing)
        if best is None or score > best[0]:
            best = (score, table, missing)
    return best[1], best[2]


# ------------------------------------------------------------------ rows


class _Rows:
    def __init__(self, path: Path, platform: str, object_kind: str, minhash: bool, num_perm: int):
        self.platform = platform
        self.object_kind = object_kind
        self.minhash = minhash
        self.num_perm = num_perm
        self.acc = Accumulator()
        self.posts: set[str] = set()
        self.observations: dict[str, int] = {}

    def time(self, row: dict, column: str) -> int:
        raw = row.get(column, "")
        value = to_epoch(raw)
        if value is None:
            raise _RowError("bad_time", f"{column}={raw!r} is not a time")
        return value

    def shares(self, row: dict, out: list) -> None:
        account, obj, content = row["account_id"].strip(), row["object_id"].strip(), row["content_id"].strip()
        if not account or not obj or not content:
            raise _RowError("bad_row", "empty account_id, object_id or content_id")
        time = self.time(row, "timestamp")
        platform = (row.get("platform") or self.platform).strip().lower()
        author = account_uid(platform, account)
        self.acc.add("Account", author, {"platform": platform, "handle": normalise_handle(account)}, time)
        content_uid = post_uid(platform, content)
        is_url = self.object_kind == "url" or (self.object_kind == "auto" and is_urlish(obj))
        if is_url:
            link = url_records(self.acc, obj, None, time)
            if link is None:
                raise _RowError("bad_row", f"object_id {obj!r} is not a usable URL")
            if content_uid not in self.posts:
                self.posts.add(content_uid)
                out.append(Node("Post", content_uid, {"platform": platform, "post_id": content, "account": author,
                                                      "created_at": time,
                                                      "first_seen": time, "last_seen": time}))
                out.append(Edge("POSTED", author, content_uid, {"time": time}))
            out.append(Edge("LINKS_TO", content_uid, link, {"time": time}))
        else:
            target = post_uid(platform, obj)
            if target not in self.posts:
                self.posts.add(target)
                out.append(Node("Post", target, {"platform": platform, "post_id": obj}))
            out.append(Edge("REPOSTED", author, target, {"time": time, "repost_uid": content_uid}, key=content))

    def cnt_shares(self, row: dict, out: list) -> None:
        mid, user = row["message_id"].strip(), row["user_id"].strip()
        if not mid or not user:
            raise _RowError("bad_row", "empty message_id or user_id")
        time = self.time(row, "timestamp")
        platform = (row.get("platform") or self.platform).strip().lower()
        handle = (row.get("username") or "").strip() or user
        author = account_uid(platform, handle)
        self.acc.add("Account", author, {"platform": platform, "handle": normalise_handle(handle)}, time)
        uid = post_uid(platform, mid)
        repost = (row.get("repost_id") or "").strip()
        if repost:
            target = post_uid(platform, repost)
            if target not in self.posts:
                self.posts.add(target)
                out.append(Node("Post", target, {"platform": platform, "post_id": repost}))
            out.append(Edge("REPOSTED", author, target, {"time": time, "repost_uid": uid}, key=mid))
            return
        if uid in self.posts:
            return
        self.posts.add(uid)
        props: dict[str, Any] = {"platform": platform, "post_id": mid, "account": author, "created_at": time,
                                 "first_seen": time, "last_seen": time}
        text = row.get("message") or ""
        if text:
            props["text"] = text
            prints = text_fingerprints(text, self.num_perm, self.minhash)
            if prints:
                props["text_hash"] = prints[0]
                if prints[1]:
                    props["text_minhash"] = prints[1]
        out.append(Node("Post", uid, props))
        out.append(Edge("POSTED", author, uid, {"time": time}))
        reply = (row.get("reply_id") or "").strip()
        if reply:
            out.append(Edge("REPLIED_TO", uid, post_uid(platform, reply), {"time": time}))
        seen = set()
        unread = []
        for raw in url_list(row.get("urls") or ""):
            link = url_records(self.acc, raw, None, time)
            if link is None:
                unread.append(raw)
            elif link not in seen:
                seen.add(link)
                out.append(Edge("LINKS_TO", uid, link, {"time": time}))
        if unread:  # the row is kept; the values that are not URLs are counted
            out.append(Reject("bad_url", f"{len(unread)} value(s) of urls not read as a URL: {unread[0][:80]!r}"))

    def observations_row(self, row: dict, out: list) -> None:
        raw_status = (row.get("status") or "").strip()
        time = self.time(row, "observed_at")
        platform = (row.get("platform") or "").strip().lower() or None
        http_status = None
        code = (row.get("http_status") or "").strip()
        if code.isdigit():
            http_status = clean_int(code)  # None for digits beyond 64 bits or not ASCII
        key = raw_status.lower().replace(" ", "_").replace("-", "_").replace("'", "")
        if key.isdigit() and clean_int(key) is not None:
            http_status = clean_int(key)
            status = status_of_http(http_status, other=None)
        else:
            status = STATUS_SPELLINGS.get(key)
        if status is None:
            raise _RowError("bad_status", f"status {raw_status!r} is not one of {', '.join(STATUSES)}")
        entity = entity_of(row["entity"], platform, self.acc)
        if entity is None:
            raise _RowError("bad_row", f"entity {row['entity']!r} is neither a URL, a domain nor a handle")
        source = (row.get("source") or "").strip()
        uid = observation_uid(entity, time, source)
        props = {"entity": entity, "platform": platform, "status": status, "observed_at": time,
                 "source": source or None, "http_status": http_status,
                 "final_url": canonical_url(row.get("final_url") or "") if row.get("final_url") else None,
                 "first_seen": time, "last_seen": time}
        out.append(Node("Observation", uid, {k: v for k, v in props.items() if v is not None}))
        out.append(Edge("OBSERVED", uid, entity, {"time": time}))

    def reports(self, row: dict, out: list) -> None:
        raw_url = row["url"].strip()
        if not raw_url:
            raise _RowError("bad_row", "empty url")
        time = self.time(row, "reported_at")
        platform = (row.get("platform") or "").strip().lower() or None
        entity = entity_of(raw_url, platform, self.acc)
        if entity is None:
            raise _RowError("bad_row", f"url {raw_url!r} is neither a URL nor a handle")
        reported_to = (row.get("reported_to") or "").strip()
        rid = (row.get("report_id") or "").strip()
        if not rid:
            rid = hashlib.sha1(f"{raw_url}|{time}|{reported_to}".encode()).hexdigest()[:16]
        uid = report_uid(rid)
        props = {"report_id": rid, "url": canonical_url(raw_url) or raw_url, "entity": entity,
                 "reported_at": time, "reported_to": reported_to or None, "platform": platform,
                 "category": (row.get("category") or "").strip() or None,
                 "first_seen": time, "last_seen": time}
        out.append(Node("Report", uid, {k: v for k, v in props.items() if v is not None}))
        out.append(Edge("REPORTED", uid, entity, {"time": time}))

    def targets(self, row: dict, out: list) -> None:
        name_ = " ".join(row["name"].split())
        if not name_:
            raise _RowError("bad_row", "empty name")
        platform = (row.get("platform") or "").strip().lower() or None
        aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
        accounts = []
        for ref in (row.get("accounts") or "").split("|"):
            uid = account_ref(ref, platform or self.platform, self.acc)
            if uid and uid not in accounts:
                accounts.append(uid)
        props: dict[str, Any] = {"name": name_, "aliases": aliases, "accounts": accounts}
        if (row.get("kind") or "").strip():
            props["kind"] = row["kind"].strip()
        out.append(Node("Target", target_uid(name_), props))


class _Lines:
    """The file's lines as text, each with where it starts in the file: split at LF only
    (a lone CR inside a row is that row's problem, not a new line; line numbers are an
    editor's), or at CR in a file with no LF at all; then decoded as UTF-8, bad bytes replaced and a BOM dropped.
    :meth:`take` gives the bytes of the lines read since the last call and their offset."""

    def __init__(self, handle):
        head = handle.peek(1 << 16)[: 1 << 16] if hasattr(handle, "peek") else b""
        # Excel for Mac's "CSV (Macintosh)" ends lines with CR alone: there, CR is the line end.
        self.readline = (io.TextIOWrapper(handle, encoding="latin-1", newline="").readline
                         if b"\r" in head and b"\n" not in head else None)
        self.raw = handle
        self.too_long: list[tuple[int, int]] = []  # (line, bytes) of lines skipped as too long
        self.offset = 0  # of the next line
        self.lineno = 0  # lines read
        self.read: list[bytes] = []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.readline is None:
            data = self.raw.readline(MAX_LINE_BYTES + 1)
            if len(data) > MAX_LINE_BYTES and not data.endswith(b"\n"):
                data = self._skip_rest(data)
        else:
            data = self.readline(MAX_LINE_BYTES + 1).encode("latin-1")
            if len(data) > MAX_LINE_BYTES:
                data = self._skip_rest(data)
        if not data:
            raise StopIteration
        self.read.append(data)
        self.offset += len(data)
        self.lineno += 1
        if self.lineno == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        return data.decode("utf-8", "replace")

    def _skip_rest(self, start: bytes) -> bytes:
        """A line over MAX_LINE_BYTES (a gzip bomb, a file with no line ends) is read on
        in bounded chunks, not kept: it counts as ``line_too_long`` (see :attr:`too_long`)
        and stands as an empty line, so memory stays bounded."""
        skipped = len(start)
        read = self.raw.readline if self.readline is None else (lambda n: self.readline(n).encode("latin-1"))
        tail = start
        while not tail.endswith((b"\n", b"\r")):
            tail = read(1 << 20)
            if not tail:
                break
            skipped += len(tail)
        self.too_long.append((self.lineno + 1, skipped))
        self.offset += skipped - 1
        return b"\n"

    def take(self) -> tuple[int, bytes]:
        data = b"".join(self.read)
        self.read = []
        return self.offset - len(data), data


def _too_long(path: Path, line: int, size: int) -> Reject:
    return Reject("line_too_long", f"{size:,} bytes without a line end (over {MAX_LINE_BYTES:,}): skipped",
                  f"{path}:{line}")


class _RowError(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


_HANDLERS = {
    "shares": _Rows.shares,
    "cnt_shares": _Rows.cnt_shares,
    "observations": _Rows.observations_row,
    "reports": _Rows.reports,
    "targets": _Rows.targets,
}


def collect(
    path: Path,
    *,
    columns: dict[str, str] | None = None,
    table: str | None = None,
    platform: str = "twitter",
    object_kind: str = "auto",
    minhash: bool = True,
    num_perm: int = 64,
    **_options: Any,
) -> Iterator[Record]:
    """Records of one CSV table (see the module docstring).

    ``columns`` maps our column names to the file's (``{"account_id": "user"}``);
    ``table`` forces the kind (shares, cnt_shares, observations, reports, targets);
    ``platform`` is used for accounts when the table has no platform column;
    ``object_kind`` is auto, url or post for share tables.
    """
    path = Path(path)
    if table is not None and table not in TABLES:
        yield Reject("bad_option", f"table={table!r}; known: {', '.join(TABLES)}", str(path))
        return
    if object_kind not in ("auto", "url", "post"):
        yield Reject("bad_option", f"object_kind={object_kind!r}; known: auto, url, post", str(path))
        return
    rename = {str(theirs).strip().lower(): ours for ours, theirs in (columns or {}).items()}
    rows = _Rows(path, platform, object_kind, minhash, num_perm)
    try:
        with open_binary(path) as binary:
            handle = _Lines(binary)
            first = next(handle, "")
            if handle.too_long:
                yield _too_long(path, *handle.too_long.pop())
                return
            if not first.strip():
                yield Reject("missing_columns", f"{path.name}: empty file, no header", str(path))
                return
            delimiter = _delimiter(first)
            raw_header = next(csv.reader([first], delimiter=delimiter))
            header = [rename.get(c.strip().lower(), _known(c.strip().lower())) for c in raw_header]
            kind, missing = (table, [c for c in TABLES[table][0] if c not in header]) if table else _choose(header)
            if missing and len(missing) == len(TABLES[kind][0]) and not table:
                yield Reject(
                    "missing_columns",
                    f"{path.name}: not a known table; "
                    + "; ".join(f"{t} needs {', '.join(req)}" for t, (req, _) in TABLES.items())
                    + f" (found: {', '.join(c.strip() for c in raw_header)}); map yours with columns={{…}}",
                    str(path),
                )
                return
            if missing:
                yield Reject(
                    "missing_columns",
                    f"{path.name}: a {kind} table needs column(s) {', '.join(missing)}"
                    f" (found: {', '.join(c.strip() for c in raw_header)}); map yours with columns={{…}}",
                    str(path),
                )
                return
            handler = _HANDLERS[kind]
            width = len(header)
            reader = csv.reader(handle, delimiter=delimiter)
            captures = Captures(path, "csv")
            handle.take()
            while True:
                line = handle.lineno + 1
                fields, error = None, None
                try:
                    fields = next(reader)
                except StopIteration:
                    pass
                except csv.Error as exc:  # e.g. a NUL byte: this row only
                    error = exc
                while handle.too_long:
                    yield _too_long(path, *handle.too_long.pop(0))
                if error is not None:
                    yield Reject("bad_row", f"CSV error: {error}", f"{path}:{reader.line_num}")
                    handle.take()
                    continue
                if fields is None:
                    break
                offset, data = handle.take()
                if not fields or (len(fields) == 1 and not fields[0].strip()):
                    continue
                where = f"{path}:{reader.line_num + 1}"
                if len(fields) != width:
                    yield Reject("bad_row", f"{len(fields)} fields, the header has {width}", where)
                    continue
                out: list[Record] = []
                try:
                    handler(rows, dict(zip(header, fields)), out)
                except _RowError as exc:
                    yield Reject(exc.reason, exc.detail, where)
                    continue
                for record in out:
                    if isinstance(record, Reject):
                        record.where = where
                observed = [r.props["observed_at"] for r in out if isinstance(r, Node) and r.kind == "Observation"]
                yield from captures.link(captures.node(
                    offset, data, line=line,
                    **({"captured_at": observed[0], "time_source": "observed_at"} if observed else {})), out)
    except GzipTruncated as exc:
        yield Reject("truncated_gzip", f"gzip stream ends early: {exc}", str(path))
    yield from site_edges(rows.acc)
    yield from rows.acc.drain()
