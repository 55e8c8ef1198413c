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

Reader processes: a collector that declares ``PARALLEL = True`` (its records depend on
nothing but the file and its options: snscrape, twarc) is read in a reader process
while this process writes: file *i* goes to reader *i mod n*, which turns its records
into one frame per kind and sends each batch back through its own bounded queue, so
batches arrive in input order and memory stays flat whatever the input size. Files
are never cut: what a file gives depends on its whole order (the first sight of a
post wins, a t.co link is expanded by what earlier lines taught, an account's latest
activity picks its properties), so each file is read whole, as in one process, and
the store receives the same records. ``workers=1`` (``GRAPHINV_INGEST_WORKERS=1``)
reads everything in this process; by default readers start for inputs of 16 MB or more
when the machine has a core free.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import pickle
import queue as queue_module
import stat
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

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
# Inputs a reader process can read smaller than this together are read in this process:
# starting a reader costs about a second.
PARALLEL_MIN_BYTES = 16 << 20
# Batches a reader may hold ready before this process takes them (memory bound).
_READY_BATCHES = 2
# Python's cyclic garbage collector, at its default thresholds, scans the millions of
# rows an ingest holds over and over: a third of a reader's CPU time. Records make no
# cycles, so while files are read it runs a hundred times less often.
_GC_THRESHOLDS = (100_000, 50, 100)


@contextlib.contextmanager
def _fewer_collections():
    before = gc.get_threshold()
    gc.set_threshold(*_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
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


class _Columns:
    """Rows of one kind kept as columns: what ``pd.DataFrame(list of row dicts)`` would
    give (the same columns in the same order, NaN where a row has no value), built
    without a dict per row or pandas' row-to-column pass, the costliest part of
    turning records into frames."""

    __slots__ = ("columns", "n")

    def __init__(self) -> None:
        self.columns: dict[str, list] = {}
        self.n = 0

    def add(self, values: dict, extra: dict) -> None:
        n, columns = self.n, self.columns
        if not values.keys().isdisjoint(extra):
            values, extra = {**values, **extra}, {}  # as dict(props) | extra would be
        for part in (values, extra):
            for key, value in part.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = [_MISSING] * n
                elif len(column) < n:
                    column.extend([_MISSING] * (n - len(column)))
                column.append(value)
        self.n = n + 1

    def frame(self) -> pd.DataFrame:
        n = self.n
        for column in self.columns.values():
            if len(column) < n:
                column.extend([_MISSING] * (n - len(column)))
        # Held as the run's uid until now: one string, where a list per row would be
        # one more object per record for the garbage collector to scan.
        self.columns["runs"] = [[run] for run in self.columns["runs"]]
        try:
            return pd.DataFrame(self.columns)
        except UnicodeEncodeError:  # a lone surrogate: rows_to_frame's slow path
            names = list(self.columns)
            return rows_to_frame([dict(zip(names, row)) for row in zip(*self.columns.values())])


_MISSING = float("nan")  # what pandas puts where a row dict has no key


class _Rows:
    """Records gathered per kind, turned into one frame per kind."""

    def __init__(self, run: str):
        self.run = run
        self.nodes: dict[str, _Columns] = {}
        self.edges: dict[str, _Columns] = {}
        self.size = 0

    def add(self, record: Node | Edge) -> None:
        if isinstance(record, Node):
            columns = self.nodes.get(record.kind)
            if columns is None:
                columns = self.nodes[record.kind] = _Columns()
            columns.add(record.props, {"uid": record.uid, "runs": self.run})
        else:
            columns = self.edges.get(record.kind)
            if columns is None:
                columns = self.edges[record.kind] = _Columns()
            columns.add(record.props, {"src": record.src, "dst": record.dst, "key": record.key, "runs": self.run})
        self.size += 1

    def frames(self) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        """The records as ``({node kind: frame}, {edge kind: frame})``, emptied."""
        nodes = {kind: columns.frame() for kind, columns in self.nodes.items()}
        edges = {kind: columns.frame() for kind, columns in self.edges.items()}
        self.nodes, self.edges, self.size = {}, {}, 0
        return nodes, edges


class _Batch(_Rows):
    """Records (and frames made by reader processes) of one or more files gathered per
    kind, flushed to the store as one frame per kind."""

    def __init__(self, store: GraphStore, run: str):
        super().__init__(run)
        self.store = store
        self.pieces: list[tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]] = []
        self.framed = 0  # records in pieces; self.size counts them and the rows after them
        self.written = 0

    def add_frames(self, nodes: dict[str, pd.DataFrame], edges: dict[str, pd.DataFrame], size: int) -> None:
        # Rows gathered before these frames are written before them (a property's
        # "latest" and a list's order follow the order records came in).
        rows = self.size - self.framed
        if rows:
            self.pieces.append(self.frames())
        self.pieces.append((nodes, edges))
        self.framed += rows + size
        self.size = self.framed

    def frames(self) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
        nodes, edges = super().frames()
        self.size = self.framed
        return nodes, edges

    def flush(self) -> None:
        size = self.size
        node_parts: dict[str, list[pd.DataFrame]] = defaultdict(list)
        edge_parts: dict[str, list[pd.DataFrame]] = defaultdict(list)
        for nodes, edges in [*self.pieces, self.frames()]:
            for kind, frame in nodes.items():
                node_parts[kind].append(frame)
            for kind, frame in edges.items():
                edge_parts[kind].append(frame)
        # Nodes first so that edges find their ends with their properties already set.
        with self.store.transaction():
            for kind, parts in node_parts.items():
                self.store.upsert_nodes(kind, _concat(parts))
            for kind, parts in edge_parts.items():
                self.store.upsert_edges(kind, _concat(parts))
        self.written += size
        self.pieces, self.framed, self.size = [], 0, 0


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


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

    def open_file(self, path: Path, collector) -> tuple[FileResult, dict | None]:
        """The file's result and IngestRun properties; None for the properties when the
        file is not to be read (unreadable, or complete and not forced)."""
        try:
            sha = file_sha256(path)
        except OSError as exc:
            return FileResult(path_text(path), collector.name, skipped=f"unreadable: {exc.strerror or exc}"), None
        run = run_uid(sha, collector.name)
        source_sha256(path, sha)  # the collector keys its captures by it: hashed once
        result = FileResult(path_text(path), collector.name, run)
        if not self.force and _run_state(self.store, run) == "complete":
            result.skipped = "already ingested"
            return result, None
        return result, {"uid": run, "source": path_text(path), "sha256": sha, "collector": collector.name,
                        "started_at": int(time.time()), "state": "running"}

    def add_file(self, path: Path, collector, on_record=None, options: dict | None = None) -> FileResult:
        result, run_props = self.open_file(path, collector)
        if run_props is None:
            return result
        self.start(run_props)
        # Absolute (symlinks kept, so a Telegram export still finds its media beside it):
        # the source_file / warc_file paths stored as evidence must resolve from any folder.
        records = collector.collect(Path(os.path.abspath(path)), **(options or {}))
        tally = _Tally()
        count = 0
        try:
            for record in records:
                if tally.add(record):
                    self.batch.add(record)
                    count += 1
                    if self.batch.size >= BATCH_RECORDS:
                        self.flush()
                    if on_record is not None and count % 5000 == 0:
                        on_record(count, tally.position)
        except OSError as exc:
            # The file went away or turned unreadable mid-way: what was read is kept,
            # and the run is marked failed so that the next ingest reads the file again.
            result.skipped = f"read error: {exc.strerror or exc}"
        tally.fill(result)
        self.pending.append((result, run_props))
        return result

    def add_read_file(self, result: FileResult, run_props: dict, messages: Iterator[tuple],
                      on_record=None) -> FileResult:
        """A file read by a reader process: its batches as they come (see :func:`_read_file`)."""
        self.start(run_props)
        count = 0
        for message in messages:
            if message[0] == "batch":
                _, nodes, edges, size, position = message
                self.batch.add_frames(nodes, edges, size)
                count += size
                if self.batch.size >= BATCH_RECORDS:
                    self.flush()
                if on_record is not None:
                    on_record(count, position)
            elif message[0] == "end":
                _, rejects, counts, skipped = message
                result.rejects.update(rejects)
                result.items, result.nodes, result.edges = counts
                result.skipped = skipped
            else:  # "error": the reader failed as reading in this process would have
                raise message[1]
        self.pending.append((result, run_props))
        return result

    def start(self, run_props: dict) -> None:
        self.store.upsert_nodes("IngestRun", pd.DataFrame([run_props]))
        self.batch.run = run_props["uid"]

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


class _Tally:
    """What a file gave: rejects by reason, distinct nodes, edges and items, and how far
    into the file its captures have gone (for the progress bar)."""

    def __init__(self) -> None:
        self.rejects: Counter = Counter()
        self.nodes: set[str] = set()
        self.edges: set[str] = set()
        self.items: set[str] = set()
        self.position = 0

    def add(self, record) -> bool:
        """Count ``record``; False for a Reject (counted, not written)."""
        if isinstance(record, Reject):
            self.rejects[record.reason] += 1
            return False
        if isinstance(record, Node):
            self.nodes.add(record.uid)
            if record.kind in PRIMARY_KINDS:
                self.items.add(record.uid)
            elif record.kind == "Capture":
                self.position = record.props.get("offset") or self.position
        else:
            self.edges.add(record.uid)
        return True

    def counts(self) -> tuple[int, int, int]:
        return len(self.items), len(self.nodes), len(self.edges)

    def fill(self, result: FileResult) -> None:
        result.rejects.update(self.rejects)
        result.items, result.nodes, result.edges = self.counts()


# --------------------------------------------------------------------------- readers

def _read_file(collector_name: str, path: str, sha: str, run: str, options: dict) -> Iterator[tuple]:
    """A file's records as the messages a reader process sends: ``("batch", node frames,
    edge frames, records, position)`` every BATCH_RECORDS records, then ``("end",
    rejects, (items, nodes, edges), skipped)``."""
    from collectors import get_collector

    collector = get_collector(collector_name)
    source_sha256(Path(path), sha)
    rows, tally = _Rows(run), _Tally()
    skipped = ""
    try:
        for record in collector.collect(Path(path), **options):
            if tally.add(record):
                rows.add(record)
                if rows.size >= BATCH_RECORDS:
                    size = rows.size
                    yield ("batch", *rows.frames(), size, tally.position)
    except OSError as exc:
        skipped = f"read error: {exc.strerror or exc}"
    if rows.size:
        size = rows.size
        yield ("batch", *rows.frames(), size, tally.position)
    yield ("end", tally.rejects, tally.counts(), skipped)


def _reader_main(tasks, results) -> None:
    """A reader process: reads the files it is given, in order, into ``results``."""
    parent = multiprocessing.parent_process()
    results.cancel_join_thread()  # never wait at exit for a reader nobody reads
    gc.set_threshold(*_GC_THRESHOLDS)

    def send(message) -> None:
        # Pickled here, not in the queue's feeder thread, where a failure would be lost.
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        while True:
            try:
                results.put(data, timeout=1)
                return
            except queue_module.Full:
                if parent is not None and not parent.is_alive():
                    os._exit(0)  # the ingest was killed: nothing will read this

    while True:
        try:
            task = tasks.get(timeout=1)
        except queue_module.Empty:
            if parent is not None and not parent.is_alive():
                os._exit(0)
            continue
        if task is None:
            return
        try:
            for message in _read_file(*task):
                send(message)
        except Exception as exc:  # noqa: BLE001 - raised again where the ingest runs
            try:
                send(("error", exc))
            except Exception:  # noqa: BLE001 - an exception that cannot be pickled
                send(("error", RuntimeError("".join(traceback.format_exception(exc)))))


class _Readers:
    """``n`` reader processes; file *i* goes to reader *i mod n*, each with its own
    bounded queue, so the batches of each file are taken in input order."""

    def __init__(self, n: int):
        context = multiprocessing.get_context("spawn")  # no copy of an open store or its threads
        self.tasks = [context.Queue() for _ in range(n)]
        self.results = [context.Queue(_READY_BATCHES) for _ in range(n)]
        self.processes = [context.Process(target=_reader_main, args=(t, r), daemon=True, name=f"graphinv-reader-{i}")
                          for i, (t, r) in enumerate(zip(self.tasks, self.results))]
        for process in self.processes:
            process.start()
        self.sent = 0

    def submit(self, collector_name: str, path: Path, sha: str, run: str, options: dict) -> int:
        slot = self.sent % len(self.processes)
        self.tasks[slot].put((collector_name, os.path.abspath(path), sha, run, options))
        self.sent += 1
        return slot

    def messages(self, slot: int) -> Iterator[tuple]:
        """The messages of the next file of reader ``slot``, up to its "end"."""
        while True:
            try:
                message = self.results[slot].get(timeout=5)
            except queue_module.Empty:
                if not self.processes[slot].is_alive():
                    raise RuntimeError(f"ingest reader {slot} stopped "
                                       f"(exit code {self.processes[slot].exitcode})") from None
                continue
            message = pickle.loads(message)
            yield message
            if message[0] in ("end", "error"):
                return

    def close(self) -> None:
        for tasks in self.tasks:
            tasks.put(None)
        for process in self.processes:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()  # stopped mid-file by an error in this process
                process.join()


def _workers(workers: int | None, parallel_bytes: int) -> int:
    """Reader processes to start: ``workers`` if given (1: none), else
    ``GRAPHINV_INGEST_WORKERS``, else one per core when the files they would read add up
    to PARALLEL_MIN_BYTES and a core is free (load average below the cores less one).
    Readers cost CPU (frames pickled across, a process started): on a machine busy with
    other work they only slow the ingest down (bench/RESULTS.md)."""
    if workers is None and os.environ.get("GRAPHINV_INGEST_WORKERS"):
        workers = int(os.environ["GRAPHINV_INGEST_WORKERS"])
    if workers is None:
        cores = os.cpu_count() or 1
        idle = os.getloadavg()[0] <= cores - 1
        workers = cores if parallel_bytes >= PARALLEL_MIN_BYTES and idle else 1
    return max(1, workers)


def ingest_file(store: GraphStore, path: Path, collector, force: bool = False,
                on_record: Callable[[int], None] | None = None, options: dict | None = None) -> FileResult:
    """Ingest one file with ``collector``; see the module docstring for provenance."""
    job = _Ingest(store, force)
    with _fewer_collections():
        result = job.add_file(Path(path), collector, on_record, options)
        job.flush()
    return result


def ingest_paths(store: GraphStore, paths: Iterable[str | Path], force: bool = False,
                 progress: bool = False, options: dict | None = None, workers: int | None = None) -> IngestSummary:
    """Ingest files and folders of mixed formats; unknown files are counted, not fatal.
    ``workers``: reader processes (see the module docstring; None: one per core for
    large inputs, 1: none)."""
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
    parallel = [p for p, c in inputs if c is not None and getattr(c, "PARALLEL", False)]
    n = _workers(workers, sum(map(_size, parallel)))
    readers = None
    try:
        with _fewer_collections(), _progress(progress, total) as bar:
            # Files for the readers are opened (hashed, skipped if complete) and handed
            # out first, so that they are read while this process writes what is before.
            opened: dict[int, tuple[FileResult, dict | None, int | None]] = {}
            for index, (path, collector) in enumerate(inputs):
                if n > 1 and collector is not None and getattr(collector, "PARALLEL", False):
                    result, run_props = job.open_file(path, collector)
                    slot = None
                    if run_props is not None:
                        readers = readers or _Readers(min(n, len(parallel)))
                        slot = readers.submit(collector.name, path, run_props["sha256"], run_props["uid"],
                                              dict((options or {}).get(collector.name) or {}))
                    opened[index] = (result, run_props, slot)
            done = 0
            for index, (path, collector) in enumerate(inputs):
                if collector is None:
                    summary.files.append(FileResult(path_text(path), "(none)", skipped=_skip_reason(path)))
                    continue
                label = f"{collector.name}: {printable(path.name)}"
                bar.describe(label)
                size = _size(path)

                def on_record(count: int, position: int, done=done, size=size) -> None:
                    bar.show(count, done + min(position, size))

                if index in opened:
                    result, run_props, slot = opened.pop(index)
                    if slot is not None:
                        job.add_read_file(result, run_props, readers.messages(slot), on_record)
                    summary.files.append(result)
                else:
                    given = dict((options or {}).get(collector.name) or {})
                    if getattr(collector, "SHARES_DIGESTS", False):
                        given.setdefault("digests", digests)
                    summary.files.append(job.add_file(path, collector, options=given, on_record=on_record))
                done += size
                bar.show(None, done)
            bar.describe("writing to the store")
            job.flush()
    finally:
        if readers is not None:
            readers.close()
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
    """A rich progress bar on a terminal: input bytes read, records and records per
    second; nothing in a pipe or CI (``progress`` is False there)."""

    def __init__(self, enabled: bool, total: int):
        self.enabled, self.total = enabled, total
        self._bar = None
        self._records = 0  # of the files before the current one
        self._current = 0
        self._started = time.perf_counter()

    def __enter__(self) -> "_progress":
        if self.enabled:
            from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                                       TimeRemainingColumn, TransferSpeedColumn)
            self._bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
                                 TransferSpeedColumn(), TextColumn("{task.fields[rows]}"),
                                 TimeRemainingColumn(), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=self.total, rows="")
        return self

    def describe(self, text: str) -> None:
        if self._bar is not None:
            from rich.markup import escape  # a file name is not rich markup

            self._bar.update(self._task, description=escape(text))

    def show(self, records: int | None, done_bytes: int) -> None:
        """``records`` read so far of the current file (None: the file is finished) and
        the input bytes done."""
        if records is None:
            self._records += self._current
            self._current = 0
        else:
            self._current = records
        if self._bar is not None:
            count = self._records + self._current
            rate = count / max(time.perf_counter() - self._started, 1e-9)
            self._bar.update(self._task, completed=done_bytes, rows=f"{count:,} records, {rate:,.0f}/s")

    def advance(self, size: int) -> None:
        if self._bar is not None:
            self._bar.advance(self._task, size)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
