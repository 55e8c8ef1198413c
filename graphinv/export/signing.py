"""The Ed25519 key that signs evidence packages, made on first use.

The private key lives in ``$GRAPHINV_KEY_DIR`` (default ``~/.config/graphinv/keys``),
readable by its owner only; the public key beside it is what a package carries and
what a recipient compares with the key the investigator gave them out of band.

>>> import tempfile
>>> key = load_or_create_key(tempfile.mkdtemp())
>>> signature = sign(key, b"sha256:abc")
>>> verify(public_pem(key), b"sha256:abc", signature), verify(public_pem(key), b"sha256:abd", signature)
(True, False)
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..errors import InputError

PRIVATE_NAME = "graphinv-ed25519.pem"
PUBLIC_NAME = "graphinv-ed25519.pub.pem"


def key_dir(given: str | Path | None = None) -> Path:
    """``given``, else ``$GRAPHINV_KEY_DIR``, else ``~/.config/graphinv/keys``."""
    return Path(given or os.environ.get("GRAPHINV_KEY_DIR") or Path.home() / ".config" / "graphinv" / "keys")


def load_or_create_key(folder: str | Path | None = None) -> Ed25519PrivateKey:
    """The signing key in ``folder`` (see :func:`key_dir`), made there on first use."""
    folder = key_dir(folder)
    private = folder / PRIVATE_NAME
    if private.exists():
        try:
            key = serialization.load_pem_private_key(private.read_bytes(), password=None)
        except ValueError as exc:
            raise InputError(f"{private} is not a readable private key: {exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError(f"{private} is not an Ed25519 key")
        return key
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    # Created 0600 from the start: the key is never readable by others, not even briefly.
    descriptor = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    (folder / PUBLIC_NAME).write_bytes(public_pem(key))
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    """The public half of ``key`` as PEM (SubjectPublicKeyInfo)."""
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(pem: bytes) -> str:
    """``sha256:`` and the hex sha256 of the raw public key: a short name to compare by ear."""
    key = serialization.load_pem_public_key(pem)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def sign(key: Ed25519PrivateKey, message: bytes) -> str:
    """The Ed25519 signature of ``message``, base64."""
    return base64.b64encode(key.sign(message)).decode("ascii")


def verify(pem: bytes, message: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) signs ``message`` under the public key ``pem``."""
    try:
        key = serialization.load_pem_public_key(pem)
        if not isinstance(key, Ed25519PublicKey):
            return False
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
