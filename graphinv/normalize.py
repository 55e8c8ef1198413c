"""Value cleaners shared by every collector: URLs, domains, times, handles and text.

Every cleaner returns None (or an empty string for the text helpers) for a value it
cannot read instead of raising, so one bad field never stops an ingest. (Longer than
our usual 600 lines: every value cleaner lives here, so collectors look in one place.)

>>> canonical_url("HTTP://www.Example.org:80/a/?utm_source=x&b=2&a=1#top")
'https://example.org/a?a=1&b=2'
>>> registered_domain("https://news.bbc.co.uk/x")
'bbc.co.uk'
>>> to_epoch("2023-01-01T00:00:10Z")
1672531210
>>> normalise_text("Look at THIS  @bob https://t.co/abc")
'look at this'
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import re
import unicodedata
import zlib
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlsplit, urlunsplit

import numpy as np
import tldextract
from datasketch import MinHash

from .vocabulary import PLATFORMS

__all__ = [
    "canonical_url",
    "registered_domain",
    "url_host",
    "to_epoch",
    "clean_int",
    "clean_text",
    "repair_surrogates",
    "path_text",
    "printable",
    "normalise_handle",
    "normalise_text",
    "text_hash",
    "text_minhash",
    "text_fingerprints",
    "minhash_words_batch",
    "minhash_from_hex",
    "MINHASH_SEED",
    "MINHASH_SCHEME",
    "MINHASH_HASHFUNC",
]

# --------------------------------------------------------------------------- URLs

# Query parameters that only track the click and never change the page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "msclkid", "yclid", "twclid", "ttclid",
        "mc_cid", "mc_eid", "igshid", "igsh", "ref_src", "ref_url", "si", "_ga", "_gl",
        "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "oly_anon_id", "oly_enc_id",
        "vero_id", "wickedid", "spm", "share", "s_cid", "cmpid", "ncid", "ocid",
        "at_medium", "at_campaign", "rb_clickid", "wt.mc_id", "__twitter_impression",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_", "mtm_")
# Twitter/X share links add ?s=20&t=… (the client and a share token).
TWITTER_HOSTS = frozenset(PLATFORMS["twitter"].hosts)
TWITTER_SHARE_PARAMS = frozenset({"s", "t", "ref_src", "ref_url"})
DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_OK = re.compile(r"^[a-z0-9\-._~\u0080-\U0010ffff]+$")
# Characters left as they are in a path (RFC 3986 pchar plus "/"), so that
# "%7Euser" and "~user" become the same string while "%2F" stays escaped.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
_QUERY_SAFE = "/:@!$'()*,;-._~"


def _clean_host(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if ":" in host:  # an IPv6 literal, with or without its brackets
        try:
            return f"[{ipaddress.IPv6Address(host.strip('[]')).compressed}]"
        except ValueError:
            return None
    if not _HOST_OK.match(host) or ".." in host or host.startswith((".", "-")):
        return None
    if "." not in host and host != "localhost":
        return None
    if host.startswith("www.") and host.count(".") >= 2:
        host = host[4:]
    return host


@lru_cache(maxsize=262_144)
def _canonical(url: str) -> str | None:
    url = url.strip()
    if not url or len(url) > 8192 or any(c in url for c in " \t\r\n\x00"):
        return None
    lower = url[:12].lower()
    if lower.startswith("//"):
        url = "https:" + url
    elif not (lower.startswith("http://") or lower.startswith("https://")):
        if "://" in url or lower.startswith(("mailto:", "javascript:", "data:", "tel:")):
            return None  # another scheme: not a web page
        url = "https://" + url  # a bare "example.org/path" as people paste it
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = _clean_host(parts.hostname or "")
    if host is None:
        return None
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"

    path = quote(unquote(parts.path), safe=_PATH_SAFE) if "%" in parts.path else parts.path
    # One spelling per page: no trailing slash except for the bare root "/".
    path = path.rstrip("/") or "/"

    query = ""
    if parts.query:
        pairs = []
        is_twitter = host in TWITTER_HOSTS
        for key, value in parse_qsl(parts.query, keep_blank_values=True):
            low = key.lower()
            if low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES):
                continue
            if is_twitter and low in TWITTER_SHARE_PARAMS:
                continue
            pairs.append((key, value))
        pairs.sort()
        # "?a" and "?a=" are one URL; otherwise the usual form encoding.
        query = "&".join(
            quote_plus(k, safe=_QUERY_SAFE) + ("=" + quote_plus(v, safe=_QUERY_SAFE) if v else "")
            for k, v in pairs
        )
    return urlunsplit(("https", netloc, path, query, ""))


def canonical_url(url: str, expansions: dict | None = None) -> str | None:
    """One spelling for one web page, or None when ``url`` is not an http(s) URL.

    The scheme becomes ``https``; the host is lowercased without ``www.``, a trailing
    dot or a default port; the fragment and click-tracking parameters (``utm_*``,
    ``fbclid``, ``gclid``, ``mc_cid``, ``igshid``, ``si``, Twitter's ``s``/``t``…)
    are removed; the remaining parameters are sorted; percent-escapes are
    normalised; a trailing slash is dropped except on the bare root (``/``).
    A ``t.co`` short link is replaced by its target when ``expansions`` (a mapping
    from the short link, as written or canonical, to the long URL) knows it.

    >>> canonical_url("example.org")
    'https://example.org/'
    >>> canonical_url("https://t.co/x1", {"https://t.co/x1": "http://example.org/a/"})
    'https://example.org/a'
    >>> canonical_url("javascript:alert(1)") is None
    True
    """
    if not isinstance(url, str):
        return None
    result = _canonical(url)
    if expansions and result is not None and result.startswith("https://t.co/"):
        target = expansions.get(url) or expansions.get(url.strip()) or expansions.get(result)
        if target and isinstance(target, str):
            expanded = _canonical(target)
            if expanded is not None:
                return expanded
    return result


_EXTRACT = tldextract.TLDExtract(
    cache_dir=None,  # no cache on disk
    suffix_list_urls=(),  # no download: the suffix list bundled with tldextract
    fallback_to_snapshot=True,
    include_psl_private_domains=True,
)


@lru_cache(maxsize=262_144)
def _registered(host: str) -> str | None:
    host = host.strip().rstrip(".").lower()
    if not host:
        return None
    if host.startswith("[") and host.endswith("]"):
        return host[1:-1]
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    ext = _EXTRACT.extract_str(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    labels = host.split(".")
    if not ext.suffix and len(labels) >= 2 and all(labels[-2:]):
        # A TLD the suffix list does not know (reserved .example/.test/.internal, a
        # TLD newer than the bundled list): its last two labels.
        return ".".join(labels[-2:])
    return None


def url_host(url_or_host: str) -> str | None:
    """The lowercased host of a URL (or of a bare host), without ``www.``."""
    if not isinstance(url_or_host, str):
        return None
    text = url_or_host.strip()
    if "/" in text or ":" in text:
        canon = _canonical(text)
        if canon is None:
            return None
        return urlsplit(canon).hostname
    return _clean_host(text)


def registered_domain(url_or_host: str) -> str | None:
    """The registered domain ("site") of a URL or host, offline.

    Uses the public suffix list bundled with tldextract (no download, no cache on
    disk), *including* its private section, so ``alice.blogspot.com`` and
    ``bob.substack.com`` are sites of their own rather than all ``blogspot.com``.
    A TLD missing from the list (``.example``, ``.test``, ``.internal``, or newer than
    the bundled list) gives the host's last two labels. An IP address is its own
    site; a bare word or garbage gives None.

    >>> registered_domain("www.Example.CO.UK")
    'example.co.uk'
    >>> registered_domain("http://foo.blogspot.com/2020/post")
    'foo.blogspot.com'
    >>> registered_domain("news.ostervale-truth.example")
    'ostervale-truth.example'
    >>> registered_domain("nonsense") is None
    True
    """
    host = url_host(url_or_host)
    if host is None:
        return None
    return _registered(host)


# --------------------------------------------------------------------------- times

_MIN_EPOCH = 0
_MAX_EPOCH = 4_102_444_800  # 2100-01-01: anything later is a misread value
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_EXTRA_FORMATS = (
    "%a %b %d %H:%M:%S %z %Y",  # Twitter API v1.1 created_at
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y-%m-%d %H:%M:%S.%f %Z",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
    "%d/%m/%Y %H:%M:%S",
    "%d.%m.%Y %H:%M:%S",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
)


def _from_number(value: float) -> int | None:
    if math.isnan(value) or math.isinf(value):
        return None
    size = abs(value)
    # Epoch seconds are ~1.7e9 today; milliseconds ~1.7e12, micro ~1.7e15, nano ~1.7e18.
    if size >= 1e17:
        value /= 1e9
    elif size >= 1e14:
        value /= 1e6
    elif size >= 1e11:
        value /= 1e3
    result = math.floor(value)
    return result if _MIN_EPOCH <= result < _MAX_EPOCH else None


def _from_datetime(value: datetime) -> int | None:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)  # a naive time is UTC
    try:
        result = math.floor(value.timestamp())
    except (OverflowError, OSError, ValueError):
        return None
    return result if _MIN_EPOCH <= result < _MAX_EPOCH else None


@lru_cache(maxsize=65_536)
def _from_string(text: str) -> int | None:
    text = text.strip()
    if not text or len(text) > 64:
        return None
    if _NUMBER.match(text):
        return _from_number(float(text))
    iso = text
    if iso.endswith(("Z", "z")):
        iso = iso[:-1] + "+00:00"
    if iso.endswith(" UTC"):
        iso = iso[:-4] + "+00:00"
    try:
        return _from_datetime(datetime.fromisoformat(iso))
    except ValueError:
        pass
    for fmt in _EXTRA_FORMATS:
        try:
            return _from_datetime(datetime.strptime(text, fmt))
        except ValueError:
            continue
    try:
        return _from_datetime(parsedate_to_datetime(text))  # RFC 2822 (HTTP, e-mail)
    except (TypeError, ValueError, IndexError):
        return None


def to_epoch(value) -> int | None:
    """Integer epoch seconds UTC, or None for a value that is not a time.

    Reads ISO 8601 strings with or without a zone (a naive time is UTC), ``datetime``
    and ``date`` objects, epoch seconds as int, float or string (milliseconds,
    microseconds and nanoseconds are recognised by their size), Telegram's
    ``date_unixtime`` strings, Twitter's v1.1 ``created_at`` and RFC 2822 dates.
    Times before 1970 or after 2099 are treated as misreads (None).

    >>> to_epoch("2023-01-01 00:00:00+01:00")
    1672527600
    >>> to_epoch(1672531200000)
    1672531200
    >>> to_epoch("1672531200")
    1672531200
    >>> to_epoch("yesterday") is None
    True
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _from_number(float(value)) if abs(value) < 10**20 else None
    if isinstance(value, float):
        return _from_number(value)
    if isinstance(value, datetime):
        return _from_datetime(value)
    if isinstance(value, date):
        return _from_datetime(datetime(value.year, value.month, value.day))
    if isinstance(value, bytes):
        try:
            value = value.decode("ascii")
        except UnicodeDecodeError:
            return None
    if isinstance(value, str):
        return _from_string(value)
    if isinstance(value, (np.integer, np.floating)):
        return to_epoch(value.item())
    return None


# --------------------------------------------------------------------------- numbers, strings

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1  # what both stores hold in an int property


def clean_int(value) -> int | None:
    """An int the stores can hold (64 bits), from an int, a finite float or a numeric
    string; None for anything else (``Infinity``, ``1e400``, 2**70, "n/a").

    >>> clean_int("12"), clean_int(7.9), clean_int("1e3")
    (12, 7, 1000)
    >>> clean_int(2**70), clean_int(float("inf")), clean_int(True), clean_int("²")
    (None, None, None, None)
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, int):
        result = value
    else:
        if isinstance(value, str):
            try:
                value = int(value.strip(), 10)  # exact, where float() would round
            except ValueError:
                pass
        if not isinstance(value, int):
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                return None
            if not math.isfinite(number):
                return None
            value = int(number)
        result = value
    return result if INT64_MIN <= result <= INT64_MAX else None


# A surrogate code point is legal in JSON ("\ud800") and in a Python str, but not in
# UTF-8: the stores refuse it. A tweet cut inside an emoji leaves one behind.
_SURROGATE = re.compile("[\ud800-\udfff]")
_REPLACEMENT = "\ufffd"


def clean_text(value: str) -> str:
    """``value`` with each lone surrogate replaced by U+FFFD, so it encodes as UTF-8.

    >>> clean_text("cut \\ud83d") == "cut \\ufffd"
    True
    """
    return _SURROGATE.sub(_REPLACEMENT, value) if _SURROGATE.search(value) else value


def repair_surrogates(value):
    """``(value, changed)``: parsed JSON with lone surrogates in its strings (and keys)
    replaced by U+FFFD, in place, and how many strings that changed. Iterative, so a
    deeply nested value cannot overflow the stack.

    >>> repair_surrogates({"name": "a\\ud800", "tags": ["ok", "\\udfff"]})
    ({'name': 'a\ufffd', 'tags': ['ok', '\ufffd']}, 2)
    """
    if isinstance(value, str):
        fixed = clean_text(value)
        return fixed, int(fixed is not value)
    changed = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key in list(node):
                item = node[key]
                if isinstance(item, str):
                    if _SURROGATE.search(item):
                        node[key] = _SURROGATE.sub(_REPLACEMENT, item)
                        changed += 1
                elif isinstance(item, (dict, list)):
                    stack.append(item)
                if isinstance(key, str) and _SURROGATE.search(key):
                    node[_SURROGATE.sub(_REPLACEMENT, key)] = node.pop(key)
                    changed += 1
        elif isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    if _SURROGATE.search(item):
                        node[i] = _SURROGATE.sub(_REPLACEMENT, item)
                        changed += 1
                elif isinstance(item, (dict, list)):
                    stack.append(item)
    return value, changed


def path_text(path) -> str:
    """A file path as valid UTF-8 text: bytes of a name that are not UTF-8 (which
    Python keeps as lone surrogates) are written ``\\xNN``.

    >>> path_text(b"caf\\xe9.jsonl".decode("utf-8", "surrogateescape"))
    'caf\\\\xe9.jsonl'
    """
    raw = str(path)
    if not _SURROGATE.search(raw):
        return raw
    return raw.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# Control characters, and the bidirectional overrides that can make a name read as
# another on screen ("cod\u202egnp.exe").
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text) -> str:
    """``text`` (a path, a name) safe to print on a terminal: control characters and
    bidi overrides escaped, undecodable bytes of a path as ``\\xNN``.

    >>> printable("evil\\x1b[2Jname\\n.jsonl")
    'evil\\\\x1b[2Jname\\\\n.jsonl'
    """
    text = path_text(text)
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


# --------------------------------------------------------------------------- handles, text


def normalise_handle(handle) -> str:
    """A handle as it is keyed: stripped, without a leading ``@``, lowercased.

    >>> normalise_handle("  @Alice_2 ")
    'alice_2'
    >>> normalise_handle("@Bob@Mastodon.Social")
    'bob@mastodon.social'
    """
    if handle is None:
        return ""
    return str(handle).strip().lstrip("@").strip().lower()


_URL_RE = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION_RE = re.compile(r"(?<!\w)@[\w.]+(?:@[\w.-]+)?")


def normalise_text(text) -> str:
    """Text reduced for exact matching: NFKC, lowercased, URLs and @mentions removed,
    whitespace collapsed. Hashtags are kept (they are part of the message).

    >>> normalise_text("Join   us!\\n#Rally @someone https://x.org/a")
    'join us! #rally'
    """
    if not text:
        return ""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFKC", text).lower()
    if "http" in text or "www." in text:
        text = _URL_RE.sub(" ", text)
    if "@" in text:
        text = _MENTION_RE.sub(" ", text)
    # str.split() splits at exactly what \s matches (str.isspace), a few times faster.
    return " ".join(text.split())


def text_hash(text) -> str:
    """sha1 hex of :func:`normalise_text` (collectors store it only for non-empty text)."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


# MinHash format: datasketch ``MinHash(num_perm, seed=MINHASH_SEED, scheme="affine32",
# hashfunc=zlib.crc32)`` over the set of word 3-shingles of normalise_text(text) (three
# words joined by one space, UTF-8; a text of fewer than 3 words is one shingle of all
# its words). crc32 rather than datasketch's default sha1 because it is ~10x faster
# here and the affine32 scheme mixes every input hash with the MurmurHash3 finalizer
# anyway. The string is the hash values as unsigned 32-bit big-endian integers, 8 hex
# digits each, in permutation order: 64 permutations give 512 hex characters.
# Empty text gives "". Sketches are comparable only with the same num_perm.
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
MINHASH_HASHFUNC = zlib.crc32


@lru_cache(maxsize=8)
def _permutations(num_perm: int):
    # Building the permutations is the slow part of a MinHash; do it once per size.
    return MinHash(
        num_perm=num_perm, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, hashfunc=MINHASH_HASHFUNC
    ).permutations


def _shingles(words: list[str]) -> set[bytes]:
    if len(words) < 3:
        return {" ".join(words).encode("utf-8")}
    return {f"{x} {y} {z}".encode() for x, y, z in zip(words, words[1:], words[2:])}


def _fmix32(hv: np.ndarray) -> np.ndarray:
    # The MurmurHash3 32-bit finalizer, as datasketch's "affine32" scheme applies it.
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def text_fingerprints(text, num_perm: int = 64, minhash: bool = True) -> tuple[str, str] | None:
    """``(text_hash, text_minhash)`` of a text, normalising it once; None when the
    normalised text is empty (so blank posts never match each other). With
    ``minhash=False`` the second item is "".

    >>> text_fingerprints("  ") is None
    True
    >>> text_fingerprints("Hello World")[0] == text_hash("hello   world")
    True
    """
    norm = normalise_text(text)
    if not norm:
        return None
    digest = hashlib.sha1(norm.encode("utf-8")).hexdigest()
    return digest, (_minhash_words(norm.split(), num_perm) if minhash else "")


def _minhash_words(words: list[str], num_perm: int) -> str:
    a, b = _permutations(num_perm)
    shingles = _shingles(words)
    hv = np.fromiter(map(zlib.crc32, shingles), dtype=np.uint32, count=len(shingles))
    phv = _fmix32(hv)[:, None] * a + b  # uint32 array arithmetic wraps: mod 2^32
    return phv.min(axis=0).astype(">u4").tobytes().hex()


def minhash_words_batch(word_lists: list[list[str]], num_perm: int = 64) -> list[str]:
    """:func:`text_minhash` strings for many texts at once (given as their normalised
    word lists, each non-empty), in one vectorised pass: several times faster than
    one call per text, which is dominated by numpy's per-call overhead.
    """
    if not word_lists:
        return []
    a, b = _permutations(num_perm)
    crc = zlib.crc32
    hashes: list[int] = []
    starts: list[int] = []
    for words in word_lists:
        starts.append(len(hashes))
        hashes.extend(map(crc, _shingles(words)))
    hv = _fmix32(np.fromiter(hashes, dtype=np.uint32, count=len(hashes)))
    out = np.minimum.reduceat(hv[:, None] * a + b, np.asarray(starts, dtype=np.intp), axis=0)
    raw = out.astype(">u4").tobytes().hex()
    step = num_perm * 8
    return [raw[i * step : (i + 1) * step] for i in range(len(word_lists))]


def text_minhash(text, num_perm: int = 64) -> str:
    """A MinHash of the text's word 3-shingles, as a hex string (format above).

    Computes exactly what ``MinHash(num_perm, seed=1, scheme="affine32",
    hashfunc=zlib.crc32)`` with ``update_batch(shingles)`` would (a test checks it), without building a MinHash
    object per text, which is several times slower.

    >>> len(text_minhash("the quick brown fox jumps"))
    512
    >>> text_minhash("")
    ''
    """
    words = normalise_text(text).split()
    if not words:
        return ""
    return _minhash_words(words, num_perm)


def minhash_from_hex(s: str) -> MinHash:
    """The datasketch MinHash a :func:`text_minhash` string stands for.

    >>> a = minhash_from_hex(text_minhash("we will meet at the square tonight"))
    >>> b = minhash_from_hex(text_minhash("we will meet at the square tonight!"))
    >>> a.jaccard(b) > 0.5
    True
    """
    if not s or len(s) % 8:
        raise ValueError(f"not a text_minhash string (length {len(s or '')})")
    values = np.frombuffer(bytes.fromhex(s), dtype=">u4").astype(np.uint32)
    return MinHash(
        seed=MINHASH_SEED,
        hashfunc=MINHASH_HASHFUNC,
        hashvalues=values,
        permutations=_permutations(len(values)),
        scheme=MINHASH_SCHEME,
    )
