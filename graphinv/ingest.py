"""Ingest captures: dispatch files to collectors, batch their records into frames, upsert.

Provenance: each input file gets an IngestRun node keyed by the file's sha256 and the
collector (``run:<collector>:<sha256 prefix>``). Every node and edge written from the
file carries that uid in its ``runs`` list, so
``MATCH (p:Post) WHERE 'run:…' IN p.runs`` finds what a file contributed, and the
IngestRun holds the source path, times, counts and rejected lines by reason.

An IngestRun is written with ``state='running'`` before any record and set to
``'complete'`` at the end. A file whose run is complete is skipped on the next ingest;
a run left ``running`` by an interrupted ingest is redone, and since every write is an
idempotent upsert, the re-run completes the store.
"""

from __future__ import annotations

import json
import os
import stat
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from collectors.base import source_sha256

from .digest import file_sha256
from .errors import InputError
from .normalize import path_text, printable
from .records import Edge, Node, Reject, run_uid
from .store import GraphStore
from .store.frames import rows_to_frame

# Records per write batch; smaller batches bound memory, larger ones write faster.
BATCH_RECORDS = int(os.environ.get("GRAPHINV_INGEST_BATCH", 200_000))
PRIMARY_KINDS = ("Post", "Observation", "Report", "Target")


@dataclass
class FileResult:
    path: str
    collector: str
    run: str = ""
    items: int = 0
    nodes: int = 0
    edges: int = 0
    rejects: Counter = field(default_factory=Counter)
    skipped: str = ""  # why the file was not (wholly) read ("already ingested", "unreadable: …")


@dataclass
class IngestSummary:
    files: list[FileResult] = field(default_factory=list)

    @property
    def ingested(self) -> int:
        return sum(1 for f in self.files if f.run and not f.skipped)

    @property
    def unread(self) -> list[FileResult]:
        """Files no collector read (or whose reading failed), "already ingested" aside."""
        return [f for f in self.files if f.skipped and f.skipped != "already ingested"]

    def by_collector(self) -> dict[str, dict]:
        table: dict[str, dict] = {}
        for f in self.files:
            row = table.setdefault(f.collector, {"files": 0, "items": 0, "nodes": 0, "edges": 0,
                                                 "rejects": Counter(), "skipped": 0})
            row["files"] += 1
            row["items"] += f.items
            row["nodes"] += f.nodes
            row["edges"] += f.edges
            row["rejects"].update(f.rejects)
            row["skipped"] += bool(f.skipped)
        return table


class _Batch:
    """Records of one file gathered per kind, flushed to the store as frames."""

    def __init__(self, store: GraphStore, run: str):
        self.store, self.run = store, run
        self.nodes: dict[str, list[dict]] = defaultdict(list)
        self.edges: dict[str, list[dict]] = defaultdict(list)
        self.size = 0
        self.written = 0

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node):
            row = dict(record.props)
            row["uid"] = record.uid
            row["runs"] = [self.run]
            self.nodes[record.kind].append(row)
        else:
            row = dict(record.props)
            row["src"], row["dst"], row["key"] = record.src, record.dst, record.key
            row["runs"] = [self.run]
            self.edges[record.kind].append(row)
        self.size += 1

    def flush(self) -> None:
        # Nodes first so that edges find their ends with their properties already set.
        with self.store.transaction():
            for kind, rows in self.nodes.items():
                self.store.upsert_nodes(kind, rows_to_frame(rows))
            for kind, rows in self.edges.items():
                self.store.upsert_edges(kind, rows_to_frame(rows))
        self.written += self.size
        self.nodes.clear()
        self.edges.clear()
        self.size = 0


def _trace(line: str) -> None:
    """Append a line to $GRAPHINV_INGEST_TRACE, a log of write batches for watching a
    long ingest from outside (the tests use it to kill one half-way)."""
    path = os.environ.get("GRAPHINV_INGEST_TRACE")
    if path:
        with open(path, "a") as handle:
            handle.write(line + "\n")


def _run_state(store: GraphStore, uid: str) -> str | None:
    found = store.query("MATCH (r:IngestRun) WHERE r.uid = $uid RETURN r.state AS state", {"uid": uid})
    return None if found.empty else found.iloc[0, 0]


class _Ingest:
    """Reads files into one shared batch, so that a folder of many small captures costs a
    few bulk writes rather than a few per file. A file's IngestRun is marked complete
    only by the flush that wrote its last records."""

    def __init__(self, store: GraphStore, force: bool = False):
        self.store, self.force = store, force
        self.batch = _Batch(store, "")
        self.pending: list[tuple[FileResult, dict]] = []

    def add_file(self, path: Path, collector, on_record=None, options: dict | None = None) -> FileResult:
        try:
            sha = file_sha256(path)
        except OSError as exc:
            return FileResult(path_text(path), collector.name, skipped=f"unreadable: {exc.strerror or exc}")
        run = run_uid(sha, collector.name)
        source_sha256(path, sha)  # the collector keys its captures by it: hashed once
        result = FileResult(path_text(path), collector.name, run)
        if not self.force and _run_state(self.store, run) == "complete":
            result.skipped = "already ingested"
            return result
        run_props = {"uid": run, "source": path_text(path), "sha256": sha, "collector": collector.name,
                     "started_at": int(time.time()), "state": "running"}
        self.store.upsert_nodes("IngestRun", pd.DataFrame([run_props]))
        self.batch.run = run
        nodes, edges, items = set(), set(), set()
        count = 0
        # Absolute (symlinks kept, so a Telegram export still finds its media beside it):
        # the source_file / warc_file paths stored as evidence must resolve from any folder.
        try:
            for record in collector.collect(Path(os.path.abspath(path)), **(options or {})):
                if isinstance(record, Reject):
                    result.rejects[record.reason] += 1
                    continue
                self.batch.add(record)
                if isinstance(record, Node):
                    nodes.add(record.uid)
                    if record.kind in PRIMARY_KINDS:
                        items.add(record.uid)
                else:
                    edges.add(record.uid)
                count += 1
                if self.batch.size >= BATCH_RECORDS:
                    self.flush()
                if on_record is not None and count % 5000 == 0:
                    on_record(count)
        except OSError as exc:
            # The file went away or turned unreadable mid-way: what was read is kept,
            # and the run is marked failed so that the next ingest reads the file again.
            result.skipped = f"read error: {exc.strerror or exc}"
        result.items, result.nodes, result.edges = len(items), len(nodes), len(edges)
        self.pending.append((result, run_props))
        return result

    def flush(self) -> None:
        self.batch.flush()
        _trace(f"flushed {self.batch.written} records")
        if not self.pending:
            return
        finished = int(time.time())
        self.store.upsert_nodes("IngestRun", pd.DataFrame([{
            **props, "finished_at": finished, "state": "failed" if r.skipped else "complete",
            "items": r.items, "nodes": r.nodes,
            "edges": r.edges, "rejected": sum(r.rejects.values()),
            "rejects": json.dumps(dict(sorted(r.rejects.items())))} for r, props in self.pending]))
        self.pending.clear()


def ingest_file(store: GraphStore, path: Path, collector, force: bool = False,
                on_record: Callable[[int], None] | None = None, options: dict | None = None) -> FileResult:
    """Ingest one file with ``collector``; see the module docstring for provenance."""
    job = _Ingest(store, force)
    result = job.add_file(Path(path), collector, on_record, options)
    job.flush()
    return result


def ingest_paths(store: GraphStore, paths: Iterable[str | Path], force: bool = False,
                 progress: bool = False, options: dict | None = None) -> IngestSummary:
    """Ingest files and folders of mixed formats; unknown files are counted, not fatal."""
    from collectors import iter_inputs

    paths = [Path(p) for p in paths]
    for p in paths:
        if not p.exists():
            what = "a broken symlink or a symlink loop" if p.is_symlink() else "no such file or folder"
            raise InputError(f"{printable(p)}: {what}")
        special = _special_kind(p)
        if special:
            # Opening a FIFO would wait for a writer forever.
            raise InputError(f"{printable(p)}: {special}, not a file or folder; not read")
    inputs = list(iter_inputs(paths))
    # WARC payload digests seen so far, shared by the WARC readers of this ingest: a
    # revisit in one crawl finds its page in an earlier crawl's file.
    digests: dict = {}
    summary = IngestSummary()
    job = _Ingest(store, force)
    total = sum(_size(p) for p, c in inputs if c is not None)
    with _progress(progress, total) as bar:
        for path, collector in inputs:
            if collector is None:
                summary.files.append(FileResult(path_text(path), "(none)", skipped=_skip_reason(path)))
                continue
            label = f"{collector.name}: {printable(path.name)}"
            bar.describe(label)
            given = dict((options or {}).get(collector.name) or {})
            if getattr(collector, "SHARES_DIGESTS", False):
                given.setdefault("digests", digests)
            summary.files.append(job.add_file(
                path, collector, options=given,
                on_record=lambda n, label=label: bar.describe(f"{label} ({n:,} records)")))
            bar.advance(_size(path))
        bar.describe("writing to the store")
        job.flush()
    return summary


_SPECIAL_FILES = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _special_kind(path: Path) -> str | None:
    """"a FIFO", "a socket"… for what is neither a file nor a folder, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    return next((name for test, name in _SPECIAL_FILES if test(mode)), None)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _skip_reason(path: Path) -> str:
    """Why no collector reads ``path``, as the ingest summary reports it."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if path.is_symlink():
            return "a broken symlink or a symlink loop"
        return f"unreadable: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        if path.is_symlink():
            return "a link to a folder (not followed)"
        try:
            with os.scandir(path):
                pass
        except OSError as exc:
            return f"unreadable folder: {exc.strerror or exc}"
        return "a folder that could not be listed"
    special = _special_kind(path)
    if special:
        return f"{special}, not a regular file"
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    if head.startswith((b"\xff\xfe\0\0", b"\0\0\xfe\xff")):
        return "UTF-32 text: no collector reads it; save it as UTF-8"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) == 4 and b"\0\0" in (head[::2], head[1::2])):
        return "UTF-16 text: no collector reads it; save it as UTF-8"
    return "no collector reads this file"


class _progress:
    """A rich progress bar over input bytes on a terminal; nothing in a pipe."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total
        self._bar = None

    def __enter__(self) -> "_progress":
        if self.enabled:
            from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                       TimeRemainingColumn)
            self._bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                                 TimeRemainingColumn(), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self.total)
        return self

    def describe(self, text: str) -> None:
        if self._bar is not None:
            from rich.markup import escape  # a file name is not rich markup

            self._bar.update(self._task, description=escape(text))

    def advance(self, size: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, size)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
