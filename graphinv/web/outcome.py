r"""graphinv's own WARC ``metadata`` records: the outcome of a fetch or a watch check.

A fetch that got no response (``graphinv collect web``) and every check of
``graphinv watch run`` is written as a ``metadata`` record of ``CONTENT_TYPE`` whose
body is warc-fields, one ``graphinv-NAME: value`` line each: ``outcome`` (a status of
:mod:`graphinv.vocabulary`), and as known ``entity``, ``source``, ``platform``,
``http-status``, ``final-url``, ``redirects`` (space-separated), ``detail``,
``change``, ``fingerprint`` and ``response-record`` (the WARC-Record-ID of the response
the check saw). :func:`outcome_payload` writes that body (``graphinv/capture/warc.py``)
and :func:`read_outcome_fields` reads it back (``collectors/web.py``), so the WARC alone
holds everything the store was told.

>>> read_outcome_fields(outcome_payload({"outcome": "deleted", "http-status": 410}))
{'outcome': 'deleted', 'http-status': '410'}
"""

from __future__ import annotations

from ..vocabulary import STATUSES, status_of_http

FIELD_PREFIX = "graphinv-"
CONTENT_TYPE = "application/warc-fields"
OUTCOME_STATUSES = frozenset(STATUSES)


def observation_status(http_status: int | None) -> str:
    """The Observation status for an HTTP status (None: a capture without HTTP, active);
    the map is :mod:`graphinv.vocabulary`'s.

    >>> [observation_status(s) for s in (200, 301, 404, 410, 451, 403, 503, None)]
    ['active', 'active', 'not_found', 'deleted', 'withheld', 'error', 'error', 'active']
    """
    return status_of_http(http_status)


def _field(value) -> str:
    # warc-fields are one line each: no line breaks inside a value.
    return " ".join(str(value).split())


def outcome_payload(fields: dict) -> bytes:
    """The warc-fields body of a graphinv metadata record (empty values left out).

    >>> outcome_payload({"outcome": "withheld", "http-status": 451, "detail": ""})
    b'graphinv-outcome: withheld\\r\\ngraphinv-http-status: 451\\r\\n'
    """
    return "".join(f"{FIELD_PREFIX}{k}: {_field(v)}\r\n" for k, v in fields.items()
                   if v not in (None, "", [])).encode("utf-8")


def read_outcome_fields(payload: bytes) -> dict[str, str]:
    r"""The ``graphinv-`` fields of a metadata record's payload, prefix removed.

    >>> read_outcome_fields(b"graphinv-outcome: not_found\r\nother: x\r\n")
    {'outcome': 'not_found'}
    """
    out = {}
    for line in payload.decode("utf-8", "replace").splitlines():
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key.startswith(FIELD_PREFIX):
            out[key[len(FIELD_PREFIX):]] = value.strip()
    return out
