"""Check an evidence package (:mod:`.package`) offline, one named check at a time.

Each check answers ok or FAILED with what failed: the zip, the manifest's hashes of
every file, the digest of the manifest, the Ed25519 signature (and, given a key file,
that it is that key), the RFC 3161 time-stamp if there is one, the custody chain, the
bytes of every capture, and that every WARC reads to its end.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import custody, signing
from .package import CAPTURES_PATH, CUSTODY_PATH, DIGEST, MANIFEST, signed_message

SHOWN = 5  # failures named per check; the rest are counted


@dataclass(frozen=True)
class Check:
    """One check of a package: its name, whether it holds, and what it found."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok' if self.ok else 'FAILED':<7} {self.name}: {self.detail}"


def _named(items: list[str]) -> str:
    more = f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
    return "; ".join(items[:SHOWN]) + more


def verify_package(path: str | Path, *, key: str | Path | None = None,
                   tsa_cert: str | Path | None = None) -> list[Check]:
    """The checks of the package at ``path``; ``key`` is a public key file the signature
    should be made with, ``tsa_cert`` the certificate the time-stamp should be from."""
    try:
        archive = zipfile.ZipFile(path)
        damaged = archive.testzip()
    except (OSError, zipfile.BadZipFile) as exc:
        return [Check("zip", False, f"{path} is not a readable zip ({exc})")]
    with archive:
        files = {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}
    checks = [Check("zip", damaged is None, f"{len(files)} files readable" if damaged is None
                    else f"{damaged} does not match its zip checksum")]
    try:
        manifest = json.loads(files[MANIFEST])
        digest = json.loads(files[DIGEST])
    except (KeyError, ValueError) as exc:
        return checks + [Check("manifest", False, f"{MANIFEST} or {DIGEST} missing or not JSON ({exc})")]
    checks.append(_check_files(files, manifest))
    manifest_hash = "sha256:" + hashlib.sha256(files[MANIFEST]).hexdigest()
    checks.append(Check("digest", digest.get("hash") == manifest_hash,
                        f"{MANIFEST} hashes to its signed digest" if digest.get("hash") == manifest_hash
                        else f"{MANIFEST} hashes to {manifest_hash}, the digest says {digest.get('hash')}"))
    checks.append(_check_signature(digest, key))
    checks.append(_check_timestamp(digest, files[MANIFEST], tsa_cert))
    chain_problems = custody.check_chain(files.get(CUSTODY_PATH, b""), digest.get("custodyHead"))
    if CUSTODY_PATH not in files:
        chain_problems = [f"{CUSTODY_PATH} is missing"]
    entries = len(files.get(CUSTODY_PATH, b"").splitlines())
    checks.append(Check("custody", not chain_problems,
                        _named(chain_problems) or f"{entries} entries, chained, ending where signed"))
    checks.append(_check_captures(files))
    checks.append(_check_warcs(files))
    return checks


def _check_files(files: dict[str, bytes], manifest: dict) -> Check:
    problems, listed = [], set()
    for resource in manifest.get("resources", []):
        name = resource.get("path")
        listed.add(name)
        data = files.get(name)
        if data is None:
            problems.append(f"{name} is missing")
        elif resource.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest():
            problems.append(f"{name} does not match its sha256")
        elif resource.get("bytes") != len(data):
            problems.append(f"{name} has {len(data)} bytes, not {resource.get('bytes')}")
    problems += [f"{name} is not listed" for name in sorted(set(files) - listed - {MANIFEST, DIGEST})]
    return Check("files", not problems, _named(problems) or f"{len(listed)} files match {MANIFEST}")


def _check_signature(digest: dict, key: str | Path | None) -> Check:
    signature = digest.get("graphinvSignature") or {}
    pem = str(signature.get("publicKeyPem", "")).encode()
    if not signature or not signing.verify(pem, signed_message(digest), str(signature.get("signature", ""))):
        return Check("signature", False, "the digest's signature does not hold with the key in the package")
    inside = signing.fingerprint(pem)
    if inside != digest.get("publicKey"):
        return Check("signature", False, f"the key in the package ({inside}) is not the one the digest names")
    if key is None:
        return Check("signature", True, f"signed by key {inside} (give --key to compare with a key you trust)")
    try:
        given = signing.fingerprint(Path(key).read_bytes())
    except (OSError, ValueError) as exc:
        return Check("signature", False, f"the key {key} cannot be read ({exc})")
    if given != inside:
        return Check("signature", False, f"signed by key {inside}, not by {key} ({given})")
    return Check("signature", True, f"signed by {key} ({inside})")


def _check_timestamp(digest: dict, manifest: bytes, tsa_cert: str | Path | None) -> Check:
    stamp = digest.get("graphinvTimestamp")
    if not stamp:
        if tsa_cert:
            return Check("timestamp", False, "the package is not time-stamped")
        return Check("timestamp", True, "none (the package was made without a time-stamping authority)")
    from .timestamp import verify_timestamp

    try:
        token = base64.b64decode(stamp.get("token", ""), validate=True)
        trusted = Path(tsa_cert).read_bytes() if tsa_cert else None
    except (OSError, ValueError) as exc:
        return Check("timestamp", False, f"the token or the TSA certificate cannot be read ({exc})")
    found = verify_timestamp(token, hashlib.sha256(manifest).digest(), trusted)
    if found.problems:
        return Check("timestamp", False, _named(found.problems))
    return Check("timestamp", True, f"{found.time} by {found.tsa} ({stamp.get('tsa')})")


def _check_captures(files: dict[str, bytes]) -> Check:
    problems, count = [], 0
    for line in files.get(CAPTURES_PATH, b"").splitlines():
        try:
            capture = json.loads(line)
            data = files[capture["package_path"]]
            start, length = int(capture["package_offset"]), int(capture["package_length"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"a line of {CAPTURES_PATH} names no bytes in the package")
            continue
        count += 1
        if hashlib.sha256(data[start:start + length]).hexdigest() != capture.get("bytes_sha256"):
            problems.append(f"{capture.get('uid')} ({capture['package_path']} at {start}) does not match its sha256")
    if CAPTURES_PATH not in files:
        problems.append(f"{CAPTURES_PATH} is missing")
    return Check("captures", not problems, _named(problems) or f"{count} captures match their sha256")


def _check_warcs(files: dict[str, bytes]) -> Check:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    problems, records = [], 0
    for name, data in sorted(files.items()):
        if not name.startswith("archive/"):
            continue
        try:
            for record in ArchiveIterator(io.BytesIO(data), check_digests=True):
                record.content_stream().read()
                if record.digest_checker.passed is False:
                    problems.append(f"{name}: record {record.rec_headers.get_header('WARC-Record-ID')} fails "
                                    "its own WARC digest")
                records += 1
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            problems.append(f"{name} does not read to its end ({exc})")
    return Check("warc", not problems, _named(problems) or f"{records} WARC records read, digests as recorded")
