"""RFC 3161 time-stamps: ask a time-stamping authority (TSA) to sign a digest with its
time, and check such a token later, offline.

A token is a CMS SignedData over a TSTInfo that holds the digest (the message imprint)
and the TSA's time. The request asks for the TSA's certificate to be included
(``certReq``), so the token carries what it is checked against; a recipient who holds
the TSA's certificate from elsewhere passes it as ``trusted`` to tie the two.

The TSA is configurable (``--tsa URL`` or ``$GRAPHINV_TSA_URL``); nothing is sent but
the sha256 being time-stamped and a random nonce.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field

from asn1crypto import algos, cms, tsp, x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa

from ..errors import InputError

QUERY_TYPE = "application/timestamp-query"
HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


def request_timestamp(url: str, digest: bytes, *, timeout: float = 30) -> bytes:
    """The DER time-stamp token the TSA at ``url`` returns for the sha256 ``digest``."""
    nonce = secrets.randbits(63)
    query = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                            "hashed_message": digest},
        "nonce": nonce,
        "cert_req": True,
    }).dump()
    request = urllib.request.Request(url, data=query, method="POST",
                                     headers={"Content-Type": QUERY_TYPE})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except (urllib.error.URLError, OSError) as exc:
        raise InputError(f"the time-stamping authority {url} did not answer: {exc}") from None
    try:
        answer = tsp.TimeStampResp.load(body)
        status = answer["status"]["status"].native
        token = answer["time_stamp_token"]
        if status not in ("granted", "granted_with_mods") or not token:
            raise InputError(f"the time-stamping authority {url} refused: {status}")
        info = _tst_info(token)
        if info["nonce"].native != nonce or info["message_imprint"]["hashed_message"].native != digest:
            raise InputError(f"the time-stamping authority {url} answered for another request")
    except (ValueError, TypeError, KeyError) as exc:
        raise InputError(f"the time-stamping authority {url} sent no readable answer: {exc}") from None
    return token.dump()


@dataclass
class TimestampCheck:
    """What checking a token found: its time and TSA, and each problem in words."""

    time: str = ""
    tsa: str = ""
    problems: list[str] = field(default_factory=list)


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("the token holds no TSTInfo")
    return tsp.TSTInfo.load(encap["content"].contents)


def verify_timestamp(token_der: bytes, digest: bytes, trusted: bytes | None = None) -> TimestampCheck:
    """Check a token against the sha256 ``digest`` it should stamp, offline: the imprint,
    the digest of the TSTInfo in the signed attributes, the TSA's signature with the
    certificate in the token, that certificate's time-stamping purpose, and (given
    ``trusted``, a certificate as DER or PEM) that it is that certificate."""
    check = TimestampCheck()
    try:
        token = cms.ContentInfo.load(token_der)
        signed = token["content"]
        tst_der = signed["encap_content_info"]["content"].contents
        info = _tst_info(token)
        check.time = info["gen_time"].native.strftime("%Y-%m-%dT%H:%M:%SZ")
        imprint = info["message_imprint"]
        if imprint["hash_algorithm"]["algorithm"].native != "sha256" or imprint["hashed_message"].native != digest:
            check.problems.append("the token stamps another digest")
        signer = signed["signer_infos"][0]
        hash_name = signer["digest_algorithm"]["algorithm"].native
        attrs = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
        if attrs.get("message_digest") is None or attrs["message_digest"].native != hashlib.new(
                hash_name, tst_der).digest():
            check.problems.append("the signed attributes do not hold the TSTInfo's digest")
        cert = _signer_certificate(signed, signer)
        if cert is None:
            check.problems.append("the token carries no certificate of its signer")
            return check
        check.tsa = cert.subject.rfc4514_string()
        # The signature covers the signed attributes DER-encoded as a SET OF (tag 0x31),
        # not with the [0] tag they carry inside SignerInfo (RFC 5652, 5.4).
        signed_bytes = b"\x31" + signer["signed_attrs"].dump()[1:]
        if not _signature_holds(cert.public_key(), signer["signature"].native, signed_bytes, hash_name):
            check.problems.append("the TSA's signature does not hold")
        try:
            purposes = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            if x509.ExtendedKeyUsageOID.TIME_STAMPING not in purposes:
                check.problems.append("the signing certificate is not for time-stamping")
        except x509.ExtensionNotFound:
            check.problems.append("the signing certificate is not for time-stamping")
        if trusted is not None and _as_der(trusted) != cert.public_bytes(Encoding.DER):
            check.problems.append("the token was not signed by the given TSA certificate")
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        check.problems.append(f"the token is not readable: {exc}")
    return check


def _as_der(certificate: bytes) -> bytes:
    if certificate.lstrip().startswith(b"-----BEGIN"):
        return x509.load_pem_x509_certificate(certificate).public_bytes(Encoding.DER)
    return certificate


def _signer_certificate(signed: cms.SignedData, signer: cms.SignerInfo) -> x509.Certificate | None:
    """The certificate ``signer`` names (by issuer and serial, or key identifier)."""
    sid = signer["sid"]
    for choice in signed["certificates"] or []:
        cert = choice.chosen
        if not isinstance(cert, asn1_x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if cert.serial_number != wanted["serial_number"].native or cert.issuer != wanted["issuer"]:
                continue
        elif cert.key_identifier != sid.chosen.native:
            continue
        return x509.load_der_x509_certificate(cert.dump())
    return None


def _signature_holds(key, signature: bytes, data: bytes, hash_name: str) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), HASHES[hash_name]())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(HASHES[hash_name]()))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, KeyError):
        return False
    return True


__all__ = ["TimestampCheck", "request_timestamp", "verify_timestamp"]
