"""Value cleaners: each case says what it checks."""

from __future__ import annotations

import doctest
import socket
import zlib
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest
from datasketch import MinHash

import graphinv.normalize as normalize
from graphinv.normalize import (
    canonical_url,
    minhash_from_hex,
    normalise_handle,
    normalise_text,
    registered_domain,
    text_fingerprints,
    text_hash,
    text_minhash,
    to_epoch,
)


def test_doctests():
    assert doctest.testmod(normalize).failed == 0


@pytest.mark.parametrize(
    "raw, expected",
    [
        # scheme, host case, www. and default ports are spelling, not identity
        ("HTTP://WWW.Example.ORG:80/a", "https://example.org/a"),
        ("https://example.org:443/a", "https://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        # fragment and click tracking go; other parameters are sorted
        ("https://example.org/a?z=1&utm_source=tw&a=2#comments", "https://example.org/a?a=2&z=1"),
        ("https://example.org/a?fbclid=X&gclid=Y&mc_cid=1&mc_eid=2&igshid=3&ref_src=4&si=5", "https://example.org/a"),
        # a bare host gets "/", a trailing slash elsewhere is dropped
        ("https://example.org", "https://example.org/"),
        ("https://example.org/news/", "https://example.org/news"),
        # "?a" and "?a=" are one URL; escapes of unreserved characters are decoded
        ("https://example.org/p?a=", "https://example.org/p?a"),
        ("https://example.org/%7Euser", "https://example.org/~user"),
        # Twitter share parameters, trailing dot of the host
        ("https://twitter.com/a/status/1?s=20&t=AbC", "https://twitter.com/a/status/1"),
        ("https://example.org./x", "https://example.org/x"),
        # pasted without scheme, protocol-relative
        ("www.example.org/path", "https://example.org/path"),
        ("//cdn.example.org/x.js", "https://cdn.example.org/x.js"),
        # a www-only registered domain keeps its name
        ("https://www.com/", "https://www.com/"),
        ("http://[::1]:8080/x", "https://[::1]:8080/x"),
        # garbage: None, never an exception
        ("javascript:alert(1)", None),
        ("mailto:a@example.org", None),
        ("ftp://example.org/file", None),
        ("http://", None),
        ("not a url", None),
        ("http://exa mple.org/", None),
        ("http://a..b/", None),
        ("", None),
    ],
)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected


def test_canonical_url_non_string_is_none():
    assert canonical_url(None) is None  # type: ignore[arg-type]
    assert canonical_url(42) is None  # type: ignore[arg-type]


def test_tco_expansion():
    expansions = {"https://t.co/abc": "http://www.example.org/story/?utm_medium=social"}
    assert canonical_url("https://t.co/abc", expansions) == "https://example.org/story"
    # the key may be the canonical spelling of the short link
    assert canonical_url("http://t.co/abc?amp=1", {"https://t.co/abc?amp=1": "https://e.org/"}) == "https://e.org/"
    # unknown short links stay as they are
    assert canonical_url("https://t.co/zzz", expansions) == "https://t.co/zzz"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://news.bbc.co.uk/a", "bbc.co.uk"),
        ("WWW.Example.ORG", "example.org"),
        ("sub.example.com.", "example.com"),
        ("http://alice.blogspot.com/2020/x", "alice.blogspot.com"),  # private PSL section
        ("192.168.0.1", "192.168.0.1"),
        ("https://10.0.0.1:8080/", "10.0.0.1"),
        ("https://www.ostervale-truth.example/a", "ostervale-truth.example"),  # reserved TLD
        ("a.b.corp.internal", "corp.internal"),
        ("localhost", None),
        ("nonsense", None),
        ("", None),
    ],
)
def test_registered_domain(value, expected):
    assert registered_domain(value) == expected


def test_registered_domain_needs_no_network(monkeypatch):
    """A guard only: any connection attempt fails the test instead of faking a result."""

    def refuse(*args, **kwargs):
        raise AssertionError("registered_domain tried to use the network")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    normalize._registered.cache_clear()
    assert registered_domain("https://a.b.example.co.uk/x") == "example.co.uk"
    assert registered_domain("shop.example.com.au") == "example.com.au"


EPOCH_2023 = 1672531200  # 2023-01-01T00:00:00Z


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-01-01T00:00:00Z", EPOCH_2023),
        ("2023-01-01T00:00:00", EPOCH_2023),  # naive = UTC
        ("2023-01-01 01:00:00+01:00", EPOCH_2023),
        ("2023-01-01T00:00:00.999Z", EPOCH_2023),  # fractions are floored
        ("2023-01-01", EPOCH_2023),
        ("2023-01-01 00:00:00 UTC", EPOCH_2023),
        ("Sun Jan 01 00:00:00 +0000 2023", EPOCH_2023),  # Twitter v1.1
        ("Sun, 01 Jan 2023 00:00:00 GMT", EPOCH_2023),  # RFC 2822
        (EPOCH_2023, EPOCH_2023),
        (float(EPOCH_2023) + 0.5, EPOCH_2023),
        (str(EPOCH_2023), EPOCH_2023),  # Telegram's date_unixtime
        (EPOCH_2023 * 1000, EPOCH_2023),  # milliseconds
        (str(EPOCH_2023 * 1000 + 123), EPOCH_2023),
        (EPOCH_2023 * 1_000_000, EPOCH_2023),  # microseconds
        (datetime(2023, 1, 1, tzinfo=timezone.utc), EPOCH_2023),
        (datetime(2023, 1, 1, 2, tzinfo=timezone(timedelta(hours=2))), EPOCH_2023),
        (datetime(2023, 1, 1), EPOCH_2023),
        (date(2023, 1, 1), EPOCH_2023),
        (np.int64(EPOCH_2023), EPOCH_2023),
        # garbage
        ("yesterday", None),
        ("2023-13-01", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (-5, None),  # before 1970: a misread value
        ("9999-01-01", None),  # after 2099
        ([EPOCH_2023], None),
    ],
)
def test_to_epoch(value, expected):
    assert to_epoch(value) == expected


def test_handles_and_text():
    assert normalise_handle("@Alice_2 ") == "alice_2"
    assert normalise_handle(None) == ""
    # URLs and mentions removed, case and spacing folded, hashtags kept
    assert normalise_text("RT  @Bob  Look https://t.co/x #Tag\nNOW") == "rt look #tag now"
    # NFKC: full-width letters match their ASCII forms
    assert normalise_text("ＨＥＬＬＯ") == "hello"
    assert text_hash("Hello   WORLD https://x.org") == text_hash("hello world")
    assert len(text_hash("x")) == 40
    assert text_fingerprints("https://only.a/link @and_mention") is None


def test_minhash_format_and_equivalence():
    text = "we will all meet at the old square tonight and bring flags"
    hexed = text_minhash(text)
    assert len(hexed) == 64 * 8  # 64 unsigned 32-bit values, 8 hex digits each
    assert len(text_minhash(text, num_perm=128)) == 128 * 8
    assert text_minhash("") == ""
    # the same values datasketch computes with the documented parameters
    words = normalise_text(text).split()
    reference = MinHash(num_perm=64, seed=1, scheme="affine32", hashfunc=zlib.crc32)
    reference.update_batch({" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)})
    assert np.array_equal(minhash_from_hex(hexed).hashvalues, reference.hashvalues)
    # near-duplicates are close, unrelated texts are not
    near = minhash_from_hex(text_minhash(text + " now"))
    other = minhash_from_hex(text_minhash("completely different words about the weather in spring"))
    assert minhash_from_hex(hexed).jaccard(near) > 0.7
    assert minhash_from_hex(hexed).jaccard(other) < 0.2
    # a text shorter than 3 words is one shingle
    assert text_minhash("two words") == text_minhash("Two   WORDS")


def test_minhash_from_hex_rejects_bad_strings():
    with pytest.raises(ValueError, match="not a text_minhash string"):
        minhash_from_hex("abc")
