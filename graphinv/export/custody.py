"""The custody log of an evidence package: what was done to the data, by whom and when,
as JSON lines chained by hash.

Each entry holds ``prev``, the sha256 of the previous entry's line (64 zeros for the
first), so changing, removing or reordering any entry breaks the link after it; the
package's signed digest records the last line's hash (the head), so the last entry
cannot be changed either.

>>> log = chain([{"action": "ingest", "who": None, "when": "2026-04-06T10:00:00Z", "what": {}},
...              {"action": "export", "who": "ana", "when": "2026-05-01T09:00:00Z", "what": {}}])
>>> check_chain(log, head(log))
[]
>>> check_chain(log.replace(b'"ingest"', b'"analyse"'), head(log))
['entry 2 (export) does not follow entry 1: entry 1 was changed, removed or moved']
"""

from __future__ import annotations

import getpass
import hashlib
import json
import platform
import socket
from datetime import datetime, timezone

from ..timefmt import iso

GENESIS = "0" * 64


def _line(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def chain(entries: list[dict]) -> bytes:
    """``entries`` as JSON lines, each given its number (``seq``, from 1) and ``prev``."""
    lines, prev = [], GENESIS
    for seq, entry in enumerate(entries, 1):
        line = _line({**entry, "seq": seq, "prev": prev})
        lines.append(line)
        prev = hashlib.sha256(line).hexdigest()
    return b"".join(line + b"\n" for line in lines)


def head(log: bytes) -> str:
    """The sha256 of the log's last line (of nothing: the genesis hash)."""
    lines = log.splitlines()
    return hashlib.sha256(lines[-1]).hexdigest() if lines else GENESIS


def check_chain(log: bytes, expected_head: str | None = None) -> list[str]:
    """The breaks in ``log``, in words (empty: the chain holds and ends at ``expected_head``)."""
    problems, prev = [], GENESIS
    for number, line in enumerate(log.splitlines(), 1):
        try:
            entry = json.loads(line)
        except ValueError:
            problems.append(f"entry {number} is not JSON")
            prev = hashlib.sha256(line).hexdigest()
            continue
        if entry.get("seq") != number:
            problems.append(f"entry {number} says it is entry {entry.get('seq')}")
        if entry.get("prev") != prev:
            problems.append(f"entry {number} ({entry.get('action')}) does not follow entry {number - 1}: "
                            f"entry {number - 1} was changed, removed or moved" if number > 1 else
                            "entry 1 does not start the chain")
        prev = hashlib.sha256(line).hexdigest()
    if expected_head is not None and prev != expected_head:
        problems.append("the last entry is not the one the package signed (changed, removed or added)")
    return problems


def ingest_entries(runs: list[dict]) -> list[dict]:
    """One ``ingest`` entry per IngestRun (dicts of its properties, with ``uid``), oldest
    first. Who ran an ingest is not recorded by the store, so ``who`` stays empty."""
    ordered = sorted(runs, key=lambda r: (r.get("started_at") or 0, r.get("uid") or ""))
    return [{"action": "ingest", "who": None, "when": iso(run.get("finished_at")) or None,
             "what": {"run": run.get("uid"), "source": run.get("source"), "sha256": run.get("sha256"),
                      "collector": run.get("collector"), "started_at": iso(run.get("started_at")) or None,
                      "finished_at": iso(run.get("finished_at")) or None, "state": run.get("state"),
                      "items": run.get("items"), "rejected": run.get("rejected")}}
            for run in ordered]


def analyse_entries(analyses: list[dict]) -> list[dict]:
    """One ``analyse`` entry per analysis run behind the findings (``run``: its id,
    ``params``: its recorded parameters). The store keeps neither when nor by whom."""
    return [{"action": "analyse", "who": None, "when": None,
             "what": {"analysis_run": a.get("run"), "params": a.get("params")}}
            for a in sorted(analyses, key=lambda a: str(a.get("run")))]


def export_entry(content_hashes: dict[str, str], selection: dict, now: datetime | None = None) -> dict:
    """The ``export`` entry: now, this user and host, and the sha256 of every file the
    package holds besides its manifest and this log."""
    now = now or datetime.now(timezone.utc)
    try:
        who = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        who = None
    return {"action": "export", "who": who, "when": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "what": {"host": socket.gethostname(), "system": platform.platform(), "selection": selection,
                     "files": dict(sorted(content_hashes.items()))}}
