"""A real RFC 3161 time-stamping authority on 127.0.0.1, for testing evidence packages.

It answers ``POST`` ``application/timestamp-query`` with a ``TimeStampResp``: a CMS
SignedData over a TSTInfo (the request's imprint and nonce, the current time), signed
with a fresh P-256 key whose self-signed certificate is marked for time-stamping and
included when the request asks for it. The same structures a public TSA returns, so
the client and the offline check are exercised end to end.

Test modules import it as they import http_sites (tests/ is on sys.path)::

    from tsa_server import tsa  # a pytest fixture: tsa.url, tsa.certificate_pem
"""

from __future__ import annotations

import hashlib
import http.server
import itertools
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from asn1crypto import algos, cms, core, tsp, x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["TimeStampingAuthority", "make_certificate", "tsa"]

POLICY = "1.3.6.1.4.1.55555.1.1"  # a private-arc policy: this TSA vouches for nothing


def make_certificate(name: str = "graphinv test TSA", time_stamping: bool = True):
    """A P-256 key and a self-signed certificate (time-stamping purpose unless told)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
               .not_valid_after(now + timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True))
    if time_stamping:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return key, builder.sign(key, hashes.SHA256())


def time_stamp_response(query: bytes, key, certificate: x509.Certificate, serial: int) -> bytes:
    """The DER TimeStampResp for the DER TimeStampReq ``query``."""
    request = tsp.TimeStampReq.load(query)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    info = {"version": "v1", "policy": POLICY, "message_imprint": request["message_imprint"],
            "serial_number": serial, "gen_time": now}
    if request["nonce"].native is not None:
        info["nonce"] = request["nonce"].native
    tst_der = tsp.TSTInfo(info).dump()
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    attrs = cms.CMSAttributes([
        {"type": "content_type", "values": ["tst_info"]},
        {"type": "signing_time", "values": [cms.Time({"utc_time": now})]},
        {"type": "message_digest", "values": [hashlib.sha256(tst_der).digest()]},
    ])
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": {"issuer_and_serial_number": {"issuer": cert.issuer, "serial_number": cert.serial_number}},
        "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
        "signed_attrs": attrs,
        "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
        # Signed as a SET OF (its own DER, tag 0x31), as RFC 5652 5.4 says.
        "signature": key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256())),
    })
    signed = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
        "encap_content_info": {"content_type": "tst_info", "content": core.ParsableOctetString(tst_der)},
        "certificates": [cert] if request["cert_req"].native else None,
        "signer_infos": [signer],
    })
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
    return tsp.TimeStampResp({"status": {"status": "granted"}, "time_stamp_token": token}).dump()


@dataclass
class TimeStampingAuthority:
    url: str
    certificate_pem: bytes
    requests: list


@pytest.fixture
def tsa():
    """A TSA listening on a free loopback port for the test's duration."""
    key, certificate = make_certificate()
    serials = itertools.count(1)
    seen: list[bytes] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            query = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.headers.get("Content-Type") != "application/timestamp-query":
                self.send_error(415)
                return
            seen.append(query)
            body = time_stamp_response(query, key, certificate, next(serials))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):  # quiet: pytest shows failures, not every request
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TimeStampingAuthority(f"http://127.0.0.1:{server.server_address[1]}/tsa",
                                    certificate.public_bytes(serialization.Encoding.PEM), seen)
    finally:
        server.shutdown()
        server.server_close()
