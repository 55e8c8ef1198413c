"""Content hashes of files: the sha256 that keys an IngestRun and seals a capture.

Low layer (imports nothing from graphinv): ingest, capture and evidence all hash files
the same way, so a WARC's sha256 written beside it when captured is the one ingest
records and ``graphinv evidence --verify`` checks.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
>>> _ = path.write_bytes(b"abc")
>>> file_sha256(path)[:16]
'ba7816bf8f01cfea'
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The sha256 of the file's bytes, hex, read 1 MiB at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
