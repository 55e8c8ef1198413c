"""Evidence packages: the captures behind a set of findings, byte for byte, in a signed
WACZ (https://specs.webrecorder.net/wacz/1.1.1/) that ``graphinv verify`` checks offline.

Inside the zip:

- ``archive/*.warc[.gz]``: per source WARC, its warcinfo records, the captured records
  and the records concurrent to them (request, metadata), each copied byte for byte
  (a ``.warc.gz`` record is one gzip member, so the copies form a valid ``.warc.gz``);
  ``indexes/index.cdx`` (CDXJ) and ``pages/pages.jsonl`` let replay tools open them.
- ``evidence/sources/*``: per other source (JSONL, CSV, Telegram export, saved page),
  its captured lines or objects with their bytes intact (a CSV keeps its header line).
- ``evidence/captures.jsonl``: one line per capture, the capture row as the store holds
  it plus where its bytes now are (``package_path``, ``package_offset``,
  ``package_length``); ``evidence/findings.json``; ``evidence/environment.json`` (the
  software here, and what each source WARC recorded of its capture environment);
  ``evidence/custody.jsonl`` (:mod:`.custody`); ``evidence/signing-key.pub.pem``.
- ``datapackage.json``: every file above with its sha256 and size;
  ``datapackage-digest.json``: the manifest's sha256, signed with the investigator's
  Ed25519 key (:mod:`.signing`, under ``graphinvSignature``: the WACZ signing spec's
  ``signedData`` is ECDSA with a domain certificate, which this is not) and optionally
  time-stamped by an RFC 3161 authority (:mod:`.timestamp`).

:func:`write_package` does the work from capture rows (the columns of
``graphinv.capture.evidence.capture_rows``); :func:`build_package` reads those, the
findings and the custody facts from a store. :mod:`.package_warc` copies the WARC
records; :mod:`.package_verify` checks a package.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import platform
import re
import zipfile
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pandas as pd

from .. import __version__
from ..errors import InputError
from . import custody, signing
from .package_warc import Part, cdxj_index, copy_warc_records, pages_jsonl

WACZ_VERSION = "1.1.1"
SOFTWARE = f"graphinv {__version__}"
CAPTURES_PATH = "evidence/captures.jsonl"
FINDINGS_PATH = "evidence/findings.json"
CASE_PATH = "case/case.json"  # a saved case's entries (pins, notes, tags, views): beside the evidence, not in it
ENVIRONMENT_PATH = "evidence/environment.json"
CUSTODY_PATH = "evidence/custody.jsonl"
PUBLIC_KEY_PATH = "evidence/signing-key.pub.pem"
MANIFEST, DIGEST = "datapackage.json", "datapackage-digest.json"
# Fields of a capture row, as graphinv.capture.evidence returns them (the contract).
CAPTURE_FIELDS = ("uid", "captured_at", "time_source", "format", "source_file", "source_sha256", "offset",
                  "length", "line", "bytes_sha256", "content_sha256", "url", "record_id", "run")


def _plain(value):
    """A frame cell as JSON: numpy numbers as Python ones, NaN and NA as None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str, bytes)):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else (int(value) if value.is_integer() else value)
    return value


def plain_rows(captures: pd.DataFrame) -> list[dict]:
    """The capture rows as plain dicts, one per uid, in source file and offset order."""
    missing = [c for c in CAPTURE_FIELDS if c not in captures.columns]
    if missing:
        raise InputError(f"capture rows lack {', '.join(missing)}")
    rows = {}
    for record in captures[list(CAPTURE_FIELDS)].to_dict("records"):
        row = {k: _plain(v) for k, v in record.items()}
        rows.setdefault(row["uid"], row)
    return sorted(rows.values(), key=lambda r: (str(r["source_file"]), r["offset"] or 0))


def _capture_bytes(row: dict, folders) -> bytes:
    """The bytes the capture row names, read from its source (InputError if they cannot be)."""
    from ..capture.evidence import read_capture

    try:
        data = read_capture(row, folders)
    except (OSError, EOFError, TypeError, ValueError) as exc:
        raise InputError(f"capture {row['uid']}: {row['source_file']} cannot be read there ({exc})") from None
    if data is None:
        raise InputError(f"capture {row['uid']}: its source {row['source_file']} is missing")
    return data


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)[-80:] or "source"


def package_name(row: dict) -> str:
    """Where a source's captures go in the package: ``archive/`` for WARCs (keeping
    ``.warc``/``.warc.gz``), ``evidence/sources/`` for the rest (gunzipped, as read).

    >>> package_name({"format": "warc", "source_sha256": "ab" * 32, "source_file": "/c/x y.warc.gz"})
    'archive/abababababababab-x_y.warc.gz'
    >>> package_name({"format": "jsonl", "source_sha256": "cd" * 32, "source_file": "/c/t.jsonl.gz"})
    'evidence/sources/cdcdcdcdcdcdcdcd-t.jsonl'
    """
    name = _safe_name(Path(row["source_file"]).name)
    prefix = str(row["source_sha256"] or "unknown")[:16]
    if row["format"] == "warc":
        return f"archive/{prefix}-{name}"
    return f"evidence/sources/{prefix}-{name.removesuffix('.gz')}"


def _csv_header(source: Path) -> bytes:
    from collectors.base import open_binary

    with open_binary(source) as handle:
        return handle.readline()


def _assemble(rows: list[dict], folders=()) -> tuple[dict[str, Part], list[dict], list[dict]]:
    """The package files holding the captures' bytes, the capture lines (rows plus their
    place in the package) and the environment each source WARC recorded. ``folders``:
    where a relative source path of an older store may start (``store_folders``)."""
    from ..capture.evidence import locate

    parts: dict[str, Part] = {}
    lines, environment = [], []
    by_source: dict[str, list[dict]] = {}
    for row in rows:
        by_source.setdefault(row["source_file"], []).append(row)
    for source, group in by_source.items():
        name = package_name(group[0])
        part = parts.setdefault(name, Part(name))
        pieces = {}
        for row in group:
            data = _capture_bytes(row, folders)
            if hashlib.sha256(data).hexdigest() != row["bytes_sha256"]:
                raise InputError(f"capture {row['uid']}: the bytes at {source} offset {row['offset']} no longer "
                                 "match its sha256; `graphinv evidence --verify` shows which captures changed")
            pieces[row["uid"]] = data
        if group[0]["format"] == "warc":
            places, recorded = copy_warc_records(part, locate(source, folders), group, pieces)
            environment.append(recorded)
        else:
            if group[0]["format"] == "csv" and min(r["offset"] or 0 for r in group) > 0:
                part.add(_csv_header(locate(source, folders)))
            places = {row["uid"]: part.add(pieces[row["uid"]], separate=True) for row in group}
        lines += [{**row, "package_path": name, "package_offset": places[row["uid"]],
                   "package_length": len(pieces[row["uid"]])} for row in group]
    return parts, lines, environment


def _version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def environment_record(sources: list[dict]) -> dict:
    """The software that made the package, and what each source WARC recorded."""
    return {"software": {"graphinv": __version__, "python": platform.python_version(),
                         **{name: _version(name) for name in ("warcio", "cdxj-indexer", "cryptography",
                                                              "asn1crypto")}},
            "note": "Each WARC's fields are as recorded in it (warcinfo, WARC-IP-Address, the request's "
                    "User-Agent); a field its capture tool did not record is null, never filled in.",
            "warc_sources": sources}


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str).encode() + b"\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def signed_message(digest: dict) -> bytes:
    """What the signature covers: the digest's fields other than the signature and the
    time-stamp, as sorted compact JSON."""
    fields = {k: v for k, v in digest.items() if k not in ("graphinvSignature", "graphinvTimestamp")}
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def write_package(captures: pd.DataFrame, findings: list[dict], custody_entries: list[dict], out: str | Path, *,
                  selection: dict | None = None, title: str | None = None, tsa_url: str | None = None,
                  key_dir: str | Path | None = None, now: datetime | None = None, folders=(),
                  extra: dict[str, bytes] | None = None) -> Path:
    """Write the evidence package of ``findings`` (dicts: ``kind``, ``uid``, ``summary``,
    ``captures``: the uids it rests on) to ``out``, with the public key beside it
    (``out`` + ``.pub.pem``); ``custody_entries`` are the ingest and analysis entries
    (:mod:`.custody`), to which the export entry is added; ``extra`` are more files by
    path (a case's entries), sealed with the rest. Returns ``out``.

    Refuses (InputError) when a capture's bytes no longer match its sha256: a package
    never seals bytes other than those captured."""
    out, now = Path(out), now or datetime.now(timezone.utc)
    created = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    rows = plain_rows(captures)
    known = {row["uid"] for row in rows}
    for finding in findings:
        unknown = [uid for uid in finding.get("captures", []) if uid not in known]
        if unknown:
            raise InputError(f"finding {finding.get('uid')} rests on {unknown[0]}, which is not among the captures")
    parts, lines, warc_sources = _assemble(rows, folders)
    key = signing.load_or_create_key(key_dir)
    public = signing.public_pem(key)
    files = {name: bytes(part.data) for name, part in sorted(parts.items())}
    files["indexes/index.cdx"] = cdxj_index(parts)
    files["pages/pages.jsonl"] = pages_jsonl(warc_sources)
    files[CAPTURES_PATH] = b"".join(json.dumps(line, ensure_ascii=False, sort_keys=True).encode() + b"\n"
                                    for line in lines)
    files[FINDINGS_PATH] = _json({"selection": selection, "findings": findings})
    files[ENVIRONMENT_PATH] = _json(environment_record(warc_sources))
    files[PUBLIC_KEY_PATH] = public
    files.update(extra or {})
    content = {name: sha256(data) for name, data in files.items()}
    files[CUSTODY_PATH] = custody.chain([*custody_entries, custody.export_entry(content, selection or {}, now)])
    pages = [json.loads(line) for line in files["pages/pages.jsonl"].splitlines()[1:]]
    manifest = {"profile": "data-package", "wacz_version": WACZ_VERSION,
                "title": title or "graphinv evidence package", "created": created, "software": SOFTWARE,
                "resources": [{"name": Path(name).name, "path": name, "hash": f"sha256:{sha256(data)}",
                               "bytes": len(data)} for name, data in sorted(files.items())]}
    if pages:
        manifest |= {"mainPageUrl": pages[0]["url"], "mainPageDate": pages[0]["ts"]}
    files[MANIFEST] = _json(manifest)
    digest = {"path": MANIFEST, "hash": f"sha256:{sha256(files[MANIFEST])}", "created": created,
              "software": SOFTWARE, "custodyHead": custody.head(files[CUSTODY_PATH]),
              "publicKey": signing.fingerprint(public)}
    digest["graphinvSignature"] = {"algorithm": "Ed25519", "publicKeyPem": public.decode("ascii"),
                                   "signature": signing.sign(key, signed_message(digest))}
    if tsa_url:
        from .timestamp import request_timestamp

        token = request_timestamp(tsa_url, hashlib.sha256(files[MANIFEST]).digest())
        digest["graphinvTimestamp"] = {"tsa": tsa_url, "imprint": digest["hash"],
                                       "token": base64.b64encode(token).decode("ascii")}
    files[DIGEST] = _json(digest)
    _write_zip(files, out, now)
    out.with_name(out.name + ".pub.pem").write_bytes(public)
    return out


def _write_zip(files: dict[str, bytes], out: Path, now: datetime) -> None:
    """The zip, written under a temporary name and renamed: never half a package."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
            # WARCs are stored, not deflated, so replay tools can read a record by range.
            info.compress_type = zipfile.ZIP_STORED if name.startswith("archive/") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    os.replace(partial, out)


def build_package(store, selection: dict, out: str | Path, *, tsa_url: str | None = None,
                  key_dir: str | Path | None = None) -> Path:
    """The evidence package of ``selection`` (``{"campaign": uid}``, ``{"lineage": uid}``
    or ``{"case": name}``) in ``store``, written to ``out``."""
    from ..capture.evidence import case_selections, finding_captures, store_folders

    # The store-side frame names a capture's uid and URL ``capture`` and ``capture_url``
    # (beside an entity's own columns); the package keeps the contract's names.
    captures = finding_captures(store, selection).rename(columns={"capture": "uid", "capture_url": "url"})
    for column in CAPTURE_FIELDS:
        if column not in captures.columns:
            captures[column] = None
    if len(captures) == 0:
        raise InputError(f"no captures rest behind {_describe(selection)}: nothing to package")
    pinned = case_selections(store, selection["case"]) if selection.get("case") else None
    extra = {}
    if pinned is None:
        findings = _findings(store, captures, selection)
        runs = _analysis_runs(store, selection)
    else:
        from .. import cases

        findings, runs = [], []
        for part in pinned:
            own = set(finding_captures(store, part)["capture"])
            findings += _findings(store, captures[captures["uid"].isin(own)], part)
            runs += _analysis_runs(store, part)
        runs = list({run["run"]: run for run in runs}.values())
        extra[CASE_PATH] = _json(cases.load(store, selection["case"]).summary())
    entries = custody.ingest_entries(_ingest_runs(store, sorted(set(captures["run"].dropna()))))
    entries += custody.analyse_entries(runs)
    return write_package(captures, findings, entries, out, selection=selection, title=_describe(selection),
                         tsa_url=tsa_url, key_dir=key_dir, folders=store_folders(store), extra=extra)


def _describe(selection: dict) -> str:
    return ", ".join(f"{kind} {value}" for kind, value in selection.items())


def _findings(store, captures: pd.DataFrame, selection: dict) -> list[dict]:
    """The findings of the selection, each with the captures it rests on: a campaign as
    one finding; each REAPPEARS_AS step of a lineage, resting on the captures of its two
    ends; anything else as the selection itself."""
    from ..capture.evidence import evidence, lineage_entities
    from ..timefmt import format_gap, iso

    every = sorted(set(captures["uid"]))
    if selection.get("campaign"):
        uid = selection["campaign"]
        frame = store.query("MATCH (c:Campaign) WHERE c.uid = $uid RETURN c.size AS size, c.objects AS objects, "
                            "c.first_time AS first, c.last_time AS last, c.modalities AS modalities", {"uid": uid})
        facts = {k: _plain(v) for k, v in frame.iloc[0].items()} if len(frame) else {}
        summary = (f"{facts.get('size')} accounts acting together on {facts.get('objects')} objects "
                   f"({', '.join(facts.get('modalities') or [])}) from {iso(facts.get('first'))} to "
                   f"{iso(facts.get('last'))}") if facts else f"the campaign {uid}"
        return [{"kind": "campaign", "uid": uid, "summary": summary, "captures": every}]
    if selection.get("lineage"):
        members = set(lineage_entities(store, selection["lineage"]))
        steps = store.query("MATCH (a)-[r:REAPPEARS_AS]->(b) RETURN a.uid AS a, b.uid AS b, r.score AS score, "
                            "r.signals AS signals, r.gap AS gap")
        steps = steps[steps["a"].isin(members) & steps["b"].isin(members)]
        known, findings = set(every), []
        for step in steps.to_dict("records"):
            rests = {c for end in (step["a"], step["b"]) for c in evidence(store, end)["capture"].dropna()}
            findings.append({"kind": "reappearance", "uid": f"{step['a']} -> {step['b']}",
                             "summary": f"{step['a']} reappears as {step['b']} after {format_gap(step['gap'])} "
                                        f"(score {_plain(step['score'])}; signals: "
                                        f"{', '.join(_plain(step['signals']) or [])})",
                             "captures": sorted(rests & known)})
        if findings:
            return findings
    (kind, uid), = selection.items()
    return [{"kind": kind, "uid": uid, "summary": f"the {kind} {uid}", "captures": every}]


def _ingest_runs(store, uids: list[str]) -> list[dict]:
    if not uids:
        return []
    frame = store.query("MATCH (r:IngestRun) WHERE r.uid IN $uids RETURN r.uid AS uid, r.source AS source, "
                        "r.sha256 AS sha256, r.collector AS collector, r.started_at AS started_at, "
                        "r.finished_at AS finished_at, r.state AS state, r.items AS items, "
                        "r.rejected AS rejected", {"uids": uids})
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _analysis_runs(store, selection: dict) -> list[dict]:
    """The analysis runs the store records behind the selection: a campaign's parameters
    (Campaign.params), the REAPPEARS_AS steps of a lineage (their analysis_run and
    evidence). A case names no analysis of its own."""
    runs = {}
    if "campaign" in selection:
        frame = store.query("MATCH (c:Campaign) WHERE c.uid = $uid RETURN c.params AS params",
                            {"uid": selection["campaign"]})
        for text in frame["params"].dropna():
            params = json.loads(text)
            runs[params.get("analysis_run")] = {"run": params.get("analysis_run"), "params": params}
    if "lineage" in selection:
        frame = store.query("MATCH (a)-[r:REAPPEARS_AS]->(b) WHERE a.uid = $uid OR b.uid = $uid OR "
                            "r.lineage = $uid RETURN r.analysis_run AS run, r.evidence AS evidence",
                            {"uid": selection["lineage"]})
        for row in frame.to_dict("records"):
            evidence = json.loads(row["evidence"]) if isinstance(row["evidence"], str) else {}
            runs[row["run"]] = {"run": row["run"], "params": evidence.get("params")}
    return [run for key, run in runs.items() if key]
