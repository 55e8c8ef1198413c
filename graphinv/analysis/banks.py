"""Hash banks: known content (hashes shared by GIFCT, ThreatExchange, a hotline) matched
against every captured image.

A bank is a named set of ``BankSignal`` nodes, imported from a CSV in the shape
ThreatExchange and Meta's Hasher-Matcher-Actioner (HMA) exchange: one signal a row,
``signal_type, signal_value, labels``. Read leniently: the value column may be called
``signal_value``, ``signal``, ``value``, ``hash`` or ``indicator``; the type column
``signal_type`` or ``type``; labels (``labels``, ``tags``) are separated by spaces,
commas or semicolons. Signal types (:data:`SIGNAL_TYPES`): ``pdq`` (64 hex digits),
``md5`` (32; ``photo_md5`` and ``video_md5`` are read as it) and ``sha256`` (64). A
bad row is counted by reason (``bad_type``, ``bad_value``, ``bad_row``), never fatal.

Matching (the ``banks`` analysis of :mod:`.registry`): a ``Media`` whose md5 or sha256
equals a signal's, or whose PDQ hash is within :attr:`BanksParams.max_pdq_distance`
bits (HMA's 31 of 256) of a PDQ signal, gets ``MATCHES{signal_type, distance}`` to it.
PDQ hashes of quality below :attr:`BanksParams.min_pdq_quality` (flat or tiny images,
which would match one another) are not matched; exact hashes always are.

>>> media = pd.DataFrame({"uid": ["media:a", "media:b"], "md5": ["0" * 32, "1" * 32],
...     "sha256": [None, None], "pdq": ["f" * 64, "0" * 64], "pdq_quality": [100, 100]})
>>> signals = pd.DataFrame({"uid": ["s1", "s2"], "signal_type": ["pdq", "md5"],
...     "value": ["f" * 62 + "00", "1" * 32]})
>>> match_frames(media, signals).values.tolist()
[['media:a', 's1', 'pdq', 8], ['media:b', 's2', 'md5', 0]]
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError, StoreError
from ..records import bank_signal_uid
from .runs import AnalysisRun, start_run

SIGNAL_TYPES = {"pdq": 64, "md5": 32, "sha256": 64}  # type -> hex digits of its value
TYPE_ALIASES = {"photo_md5": "md5", "video_md5": "md5", "pdq_hash": "pdq", "sha-256": "sha256"}
VALUE_COLUMNS = ("signal_value", "signal", "value", "hash", "indicator", "signal_str")
TYPE_COLUMNS = ("signal_type", "type", "indicator_type")
LABEL_COLUMNS = ("labels", "tags", "label")
EXPORT_COLUMNS = ("signal_type", "signal_value", "labels")
_HEX = re.compile(r"^[0-9a-f]+$")
_LABEL_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class BankFile:
    """What a bank CSV holds: the good signals (signal_type, value, labels) and the
    rejected rows counted by reason."""

    signals: pd.DataFrame
    rejected: Counter = field(default_factory=Counter)


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def read_bank_csv(text: str) -> BankFile:
    """The signals of a bank CSV's text (see the module docstring).

    >>> got = read_bank_csv("signal_type,signal_value,labels\\npdq," + "a" * 64 + ",terror gifct\\n"
    ...                     "md5,xyz,\\nphoto_md5," + "B" * 32 + ",\\n")
    >>> got.signals.values.tolist(), dict(got.rejected)
    ([['pdq', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', ['terror', 'gifct']], \
['md5', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', []]], {'bad_value': 1})
    """
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise InputError("the bank file is empty")
    header = rows[0]
    value_at, type_at, labels_at = (_column(header, VALUE_COLUMNS), _column(header, TYPE_COLUMNS),
                                    _column(header, LABEL_COLUMNS))
    if value_at is None or type_at is None:
        raise InputError(f"a bank CSV needs a signal type and a value column "
                         f"(signal_type, signal_value[, labels]); found: {', '.join(header)}")
    out, rejected = [], Counter()
    for row in rows[1:]:
        if len(row) <= max(value_at, type_at):
            rejected["bad_row"] += 1
            continue
        kind = row[type_at].strip().lower()
        kind = TYPE_ALIASES.get(kind, kind)
        value = row[value_at].strip().lower()
        if kind not in SIGNAL_TYPES:
            rejected["bad_type"] += 1
            continue
        if len(value) != SIGNAL_TYPES[kind] or not _HEX.match(value):
            rejected["bad_value"] += 1
            continue
        labels = row[labels_at].strip() if labels_at is not None and labels_at < len(row) else ""
        out.append((kind, value, [x for x in _LABEL_SPLIT.split(labels) if x]))
    return BankFile(pd.DataFrame(out, columns=["signal_type", "value", "labels"]), rejected)


def _read(store, cypher: str, params: dict | None = None, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A read that gives an empty frame on a store made before banks existed."""
    try:
        found = store.query(cypher, params or {})
    except StoreError as exc:
        if "does not exist" in str(exc) or "not exist" in str(exc):
            return pd.DataFrame(columns=list(columns))
        raise
    return found if not found.empty else pd.DataFrame(columns=list(columns))


def import_bank(store, path: str | Path, name: str, now: int | None = None) -> dict:
    """Import the bank CSV at ``path`` as bank ``name``: its signals as BankSignal nodes
    (labels merged with those already there). Returns ``{bank, signals, by_type, rejected}``."""
    path = Path(path)
    if not name or not name.strip():
        raise InputError("a bank needs a name (--name)")
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    found = read_bank_csv(text)
    signals = found.signals.drop_duplicates(["signal_type", "value"])
    now = int(time.time()) if now is None else now
    if not signals.empty:
        store.upsert_nodes("BankSignal", pd.DataFrame({
            "uid": [bank_signal_uid(name, k, v) for k, v in zip(signals["signal_type"], signals["value"])],
            "bank": name.strip(), "signal_type": signals["signal_type"], "value": signals["value"],
            "labels": signals["labels"], "imported_at": now, "source": str(path.resolve())}))
    return {"bank": name.strip(), "signals": len(signals),
            "by_type": {k: int(v) for k, v in signals["signal_type"].value_counts().sort_index().items()},
            "rejected": dict(found.rejected)}


SIGNALS_QUERY = ("MATCH (s:BankSignal) RETURN s.uid AS uid, s.bank AS bank, s.signal_type AS signal_type, "
                 "s.value AS value, s.labels AS labels ORDER BY bank, signal_type, value")


def bank_signals(store, name: str | None = None) -> pd.DataFrame:
    """The signals of bank ``name`` (every bank when None): uid, bank, signal_type, value, labels."""
    found = _read(store, SIGNALS_QUERY, columns=("uid", "bank", "signal_type", "value", "labels"))
    if name is not None:
        found = found[found["bank"] == name]
    return found.reset_index(drop=True)


def banks_summary(store) -> pd.DataFrame:
    """One row per bank: bank, signals, matches (captured images matching one of its signals)."""
    signals = bank_signals(store)
    matches = _read(store, "MATCH (m:Media)-[x:MATCHES]->(s:BankSignal) RETURN s.bank AS bank, "
                           "count(DISTINCT m) AS matches", columns=("bank", "matches"))
    if signals.empty:
        return pd.DataFrame(columns=["bank", "signals", "matches"])
    table = signals.groupby("bank").size().rename("signals").reset_index()
    table = table.merge(matches, on="bank", how="left")
    table["matches"] = table["matches"].fillna(0).astype(int)
    return table


def export_rows(signals: pd.DataFrame, with_bank: bool) -> str:
    """Signals as bank CSV text (the shape :func:`read_bank_csv` reads): labels space-separated.

    >>> print(export_rows(pd.DataFrame({"bank": ["b"], "signal_type": ["md5"], "value": ["a" * 32],
    ...                                 "labels": [["x", "y"]]}), with_bank=False).strip())
    signal_type,signal_value,labels
    md5,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,x y
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*EXPORT_COLUMNS, *(["bank"] if with_bank else [])])
    for row in signals.itertuples(index=False):
        labels = row.labels.tolist() if hasattr(row.labels, "tolist") else list(row.labels or [])
        writer.writerow([row.signal_type, row.value, " ".join(labels), *([row.bank] if with_bank else [])])
    return buf.getvalue()


# ---------------------------------------------------------------------------- matching


def _pdq_words(values: pd.Series) -> np.ndarray:
    """64-hex PDQ hashes as an (n, 4) uint64 array."""
    return np.array([[int(v[i:i + 16], 16) for i in range(0, 64, 16)] for v in values], dtype=np.uint64).reshape(-1, 4)


def pdq_matches(media: pd.DataFrame, signals: pd.DataFrame, max_distance: int,
                chunk: int = 2048) -> pd.DataFrame:
    """Pairs (media uid, signal uid, distance) of PDQ hashes within ``max_distance`` bits:
    every media against every signal, vectorised in chunks (n × m popcounts)."""
    columns = ["media", "signal", "distance"]
    if media.empty or signals.empty:
        return pd.DataFrame(columns=columns)
    left, right = _pdq_words(media["pdq"]), _pdq_words(signals["value"])
    found = []
    for start in range(0, len(left), chunk):
        block = left[start:start + chunk]
        distance = np.bitwise_count(block[:, None, :] ^ right[None, :, :]).sum(axis=2)
        rows, cols = np.nonzero(distance <= max_distance)
        found.append(pd.DataFrame({"media": media["uid"].to_numpy()[start + rows],
                                   "signal": signals["uid"].to_numpy()[cols],
                                   "distance": distance[rows, cols].astype(int)}))
    return pd.concat(found, ignore_index=True)


def match_frames(media: pd.DataFrame, signals: pd.DataFrame, max_pdq_distance: int = 31,
                 min_pdq_quality: int = 50) -> pd.DataFrame:
    """Every match of ``media`` (uid, md5, sha256, pdq, pdq_quality) against ``signals``
    (uid, signal_type, value): media, signal, signal_type, distance (0 for md5/sha256)."""
    out = []
    for kind in ("md5", "sha256"):
        wanted = signals[signals["signal_type"] == kind]
        if kind in media.columns and not wanted.empty:
            hit = media[["uid", kind]].dropna().merge(wanted[["uid", "value"]], left_on=kind, right_on="value",
                                                      suffixes=("", "_signal"))
            out.append(pd.DataFrame({"media": hit["uid"], "signal": hit["uid_signal"], "signal_type": kind,
                                     "distance": 0}))
    wanted = signals[signals["signal_type"] == "pdq"]
    if "pdq" in media.columns and not wanted.empty:
        quality = pd.to_numeric(media.get("pdq_quality"), errors="coerce").fillna(0)
        usable = media[media["pdq"].notna() & (media["pdq"].astype(str).str.len() == 64)
                       & (quality >= min_pdq_quality)]
        hit = pdq_matches(usable, wanted, max_pdq_distance)
        out.append(hit.assign(signal_type="pdq")[["media", "signal", "signal_type", "distance"]])
    if not out:
        return pd.DataFrame(columns=["media", "signal", "signal_type", "distance"])
    found = pd.concat(out, ignore_index=True)
    return found.sort_values(["media", "distance", "signal"]).reset_index(drop=True)


@dataclass(frozen=True)
class BanksParams:
    """HMA's PDQ match threshold (Hamming distance of 256 bits) and the quality below
    which a captured image's PDQ hash is not matched."""

    max_pdq_distance: int = 31
    min_pdq_quality: int = 50


@dataclass
class BanksResult:
    matches: pd.DataFrame
    signals: int
    media: int
    run: AnalysisRun


MEDIA_QUERY = ("MATCH (m:Media) WHERE m.md5 IS NOT NULL OR m.pdq IS NOT NULL OR m.sha256 IS NOT NULL "
               "RETURN m.uid AS uid, m.md5 AS md5, m.sha256 AS sha256, m.pdq AS pdq, m.pdq_quality AS pdq_quality")


def read(store, params: BanksParams | None = None) -> dict:
    """``{"media": …, "signals": …}``: the captured images' hashes and every bank signal
    (no media read when no bank is imported)."""
    signals = bank_signals(store)
    media = (_read(store, MEDIA_QUERY, columns=("uid", "md5", "sha256", "pdq", "pdq_quality"))
             if not signals.empty else pd.DataFrame(columns=["uid", "md5", "sha256", "pdq", "pdq_quality"]))
    return {"media": media, "signals": signals}


def compute(frames: dict, params: BanksParams) -> BanksResult:
    """The matches of ``frames`` (from :func:`read`); pure."""
    matches = match_frames(frames["media"], frames["signals"], params.max_pdq_distance, params.min_pdq_quality)
    return BanksResult(matches, len(frames["signals"]), len(frames["media"]), start_run("banks", params))


def write(store, result: BanksResult) -> dict:
    """Replace the MATCHES edges; the run's summary."""
    store.delete_edges("MATCHES")
    found, run = result.matches, result.run
    if not found.empty:
        store.upsert_edges("MATCHES", pd.DataFrame({
            "src": found["media"], "dst": found["signal"], "signal_type": found["signal_type"],
            "distance": found["distance"].astype(int), "analysis_run": run.id}))
    return {"signals": result.signals, "media": result.media, "matches": len(found),
            "matched_media": int(found["media"].nunique()) if not found.empty else 0, "analysis_run": run.id}
