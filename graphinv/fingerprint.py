"""Page and image fingerprints: tracking and infrastructure IDs, image hashes.

Pure functions, shared by the web collector and by live capture. A site that is taken
down and comes back under a new domain usually keeps its analytics account, its ad
publisher ID, its donation wallets and its contact address; these functions pull them
out of a page so that reappearance analysis can match them.

:func:`extract_identifiers` returns ``(id_type, value)`` pairs, in order of first
appearance and without repeats; the collector turns each into an Identifier node
``identifier_uid(id_type, value)``. The patterns are strict on purpose: a false match
joins two unrelated sites, which is worse than a missed ID. Every pattern needs the
surrounding syntax of its snippet (a quote, ``ym(``, ``fbq('init'``…) or a checksum,
and never matches inside a longer word.

====================================  ==========================  =====================
what                                  id_type                     value
====================================  ==========================  =====================
Universal Analytics ``UA-1234-5``     ``ga``                      ``UA-1234`` (account)
  the same, full property             ``ga_property``             ``UA-1234-5``
GA4 measurement ID ``G-…``            ``ga4``                     ``G-ABC123DEF4``
Google Tag Manager                    ``gtm``                     ``GTM-AB12CD``
Google Ads conversion                 ``google_ads``              ``AW-123456789``
AdSense ``ca-pub-…`` / ``pub-…``      ``adsense``                 ``pub-`` + 16 digits
Yandex Metrika counter                ``yandex_metrika``          ``12345678``
Facebook (Meta) pixel                 ``fb_pixel``                ``123456789012345``
Matomo / Piwik site                   ``matomo``                  ``stats.example.org#3``
Hotjar site                           ``hotjar``                  ``1234567``
Cloudflare Web Analytics token        ``cf_beacon``               32 hex digits
Amazon Associates tag                 ``amazon_tag``              ``shop-21``
Site verification ``<meta>`` tokens   ``google_site_verification``, ``yandex_verification``,
                                      ``facebook_domain_verification``, ``bing_verification``,
                                      ``pinterest_verification``: the token
Bitcoin address                       ``btc``                     as written (bech32 lowercased)
Ethereum address                      ``eth``                     ``0x`` + 40 hex, lowercased
Monero address                        ``xmr``                     as written
contact e-mail                        ``email``                   lowercased
====================================  ==========================  =====================

Why the two GA types: a Universal Analytics ID is ``UA-<account>-<property>``. An
operator who rebuilds a banned site usually keeps the account and adds a property, so
the account (``ga``) is the reappearance signal and the full ID (``ga_property``) is
kept for the evidence.

Where each kind is looked for: tracking snippets anywhere in the HTML (they live in
scripts); wallets only in the visible text and in ``bitcoin:``/``ethereum:``/
``monero:`` links (scripts are full of long base58 and hex strings); e-mail addresses
only in the visible text and ``mailto:`` links. Bitcoin addresses must pass their
base58check or bech32 checksum; Ethereum and Monero addresses are matched on shape
(their checksums need Keccak, which the standard library lacks), and the all-zero
Ethereum address is ignored.

>>> extract_identifiers("<script>ga('create', 'UA-12345-2', 'auto');</script>")
[('ga', 'UA-12345'), ('ga_property', 'UA-12345-2')]
>>> extract_identifiers("<p>AQUA-1234-5 and a UA-12 are not IDs</p>")
[]
"""

from __future__ import annotations

import hashlib
import html as html_lib
import io
import re
import warnings

__all__ = ["extract_identifiers", "image_fingerprint", "pdq_of", "pdq_distance", "visible_text_of", "ID_TYPES"]

ID_TYPES = (
    "ga", "ga_property", "ga4", "gtm", "google_ads", "adsense", "yandex_metrika", "fb_pixel",
    "matomo", "hotjar", "cf_beacon", "amazon_tag", "google_site_verification",
    "yandex_verification", "facebook_domain_verification", "bing_verification",
    "pinterest_verification", "btc", "eth", "xmr", "email",
)

# Patterns start with their literal (Python's re then skips quickly to candidates);
# what may stand before a match is checked in code (:func:`_free_before`), and each
# family is only tried when a keyword of its snippet is on the page.
_E = r"(?![A-Za-z0-9_-])"  # not followed by a character that would extend the token

_UA = re.compile(r"UA-(\d{4,10})-(\d{1,4})" + _E)
# GA4, GTM and Ads IDs are short uppercase tokens; require the Google tag loader on the
# page and a quote or ``id=`` right before the ID.
_GOOGLE_TAG_CONTEXT = ("gtag(", "googletagmanager.com", "google-analytics.com", "dataLayer")
_GA4 = re.compile(r"G-([A-Z0-9]{6,12})(?=['\"&])")
_GTM = re.compile(r"GTM-([A-Z0-9]{4,9})" + _E)
_AW = re.compile(r"AW-(\d{8,11})(?=['\"&/])")
# AdSense publisher IDs are exactly 16 digits; "ca-pub-N" and "pub-N" are the same ID.
_ADSENSE = re.compile(r"pub-(\d{16})(?!\d)")
_YM = (
    ("ym(", re.compile(r"ym\(\s*(\d{4,12})\s*,\s*['\"]init['\"]")),
    ("mc.yandex.", re.compile(r"mc\.yandex\.(?:ru|com|by|kz|ua|com\.tr)/watch/(\d{4,12})(?!\d)")),
    ("yaCounter", re.compile(r"yaCounter(\d{4,12})(?!\d)")),
)
_FBQ = (
    ("fbq(", re.compile(r"fbq\(\s*['\"]init['\"]\s*,\s*['\"]?(\d{12,20})(?!\d)")),
    ("facebook.com/tr", re.compile(r"facebook\.com/tr/?\?(?:[^\"'\s<>]*?&(?:amp;)?)?id=(\d{12,20})(?!\d)")),
)
_HOTJAR = (
    ("hjid", re.compile(r"hjid\s*:\s*(\d{5,10})(?!\d)")),
    ("hotjar-", re.compile(r"static\.hotjar\.com/c/hotjar-(\d{5,10})\.js")),
)
_CF_BEACON = re.compile(r"data-cf-beacon\s*=\s*(?:'([^']*)'|\"([^\"]*)\")")
_CF_TOKEN = re.compile(r"token(?:&quot;|[\"'])?\s*:\s*(?:&quot;|[\"'])([0-9a-f]{32})(?![0-9a-f])")
_AMAZON = re.compile(
    r"amazon\.(?:com|ca|co\.uk|de|fr|it|es|nl|se|pl|co\.jp|com\.au|com\.br|com\.mx|in)"
    r"/[^\s\"'<>]*?[?&](?:amp;)?tag=([A-Za-z0-9][A-Za-z0-9_.-]{0,40}-2[0-2])" + _E
)
# Matomo/Piwik: the tracker base ("var u = '//stats.example.org/'") and the site id, or
# the <noscript> image ".../matomo.php?idsite=3".
_MATOMO_BASE = re.compile(
    r"var\s+u\s*=\s*['\"]((?:https?:)?//[^'\"\s]+?)/?['\"]"
    r"|setTrackerUrl['\"]\s*,\s*['\"]((?:https?:)?//[^'\"\s]+?)/(?:matomo|piwik)\.php"
)
_MATOMO_SITE = re.compile(r"setSiteId['\"]\s*,\s*['\"]?(\d{1,6})['\"]?\s*\]")
_MATOMO_IMG = re.compile(r"((?:https?:)?//[^\s\"'<>]+?)/(?:matomo|piwik)\.php\?idsite=(\d{1,6})(?!\d)")
_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
_VERIFICATION = {
    "google-site-verification": "google_site_verification",
    "yandex-verification": "yandex_verification",
    "facebook-domain-verification": "facebook_domain_verification",
    "msvalidate.01": "bing_verification",
    "p:domain_verify": "pinterest_verification",
}
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,100}$")

_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_SET = frozenset(_BASE58)
_HEX = frozenset("0123456789abcdefABCDEF")
# Wallet addresses are long runs of letters and digits: find those runs once, then
# classify each by shape. A run touching "-" or "_" is part of some other token.
_LONG_TOKEN = re.compile(r"[A-Za-z0-9_-]{26,}")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}$")
_EMAIL_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}(?![A-Za-z0-9-])")
_EMAIL_LOCAL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-")
_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}"
)
# "logo@2x.png" is a retina image name, not an address.
_NOT_TLD = frozenset({"png", "jpg", "jpeg", "gif", "webp", "svg", "css", "js", "ico", "avif"})
_URI_SCHEMES = ("mailto:", "bitcoin:", "ethereum:", "monero:")
_URI_VALUE = re.compile(r"(?:href|src)\s*=\s*[\"']?\s*(mailto|bitcoin|ethereum|monero):([^\"'\s>?]+)",
                        re.IGNORECASE)
# For a page given without its visible text: drop scripts, styles, comments and tags.
_INVISIBLE = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")


def visible_text_of(html: str) -> str:
    """A crude visible text (scripts, styles, comments and tags removed, entities decoded).

    >>> visible_text_of("<p>a<script>x=1</script> &amp; b</p>")
    'a  & b'
    """
    return html_lib.unescape(_TAG.sub(" ", _INVISIBLE.sub(" ", html))).strip()


def _b58decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        index = _BASE58.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + raw


def _btc_legacy_ok(address: str) -> bool:
    raw = _b58decode(address)
    if raw is None or len(raw) != 25 or raw[0] not in (0x00, 0x05):
        return False
    return hashlib.sha256(hashlib.sha256(raw[:-4]).digest()).digest()[:4] == raw[-4:]


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: list[int]) -> int:
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for value in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            chk ^= generator[i] if (top >> i) & 1 else 0
    return chk


def _btc_bech32_ok(address: str) -> bool:
    # BIP-173 (bech32, witness v0) and BIP-350 (bech32m, v1+: taproot) checksums.
    if address != address.lower() and address != address.upper():
        return False
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if hrp != "bc" or len(data) < 7:
        return False
    values = [_BECH32_CHARSET.find(c) for c in data]
    if min(values) < 0:
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + values) in (1, 0x2BC830A3)


def _add(found: dict, id_type: str, value: str) -> None:
    found.setdefault((id_type, value), None)


def _free_before(text: str, start: int, extra: str = "_-") -> bool:
    """No letter, digit (or ``extra``) right before ``start``: the match starts a token."""
    if start == 0:
        return True
    char = text[start - 1]
    return not (char.isascii() and char.isalnum()) and char not in extra


def _quoted_before(text: str, start: int, quotes: str) -> bool:
    return start > 0 and (text[start - 1] in quotes or text[max(0, start - 3):start] == "id=")


def _tracking(html: str, found: dict) -> None:
    if "UA-" in html:
        for m in _UA.finditer(html):
            if _free_before(html, m.start()):
                _add(found, "ga", f"UA-{m.group(1)}")
                _add(found, "ga_property", f"UA-{m.group(1)}-{m.group(2)}")
    if any(keyword in html for keyword in _GOOGLE_TAG_CONTEXT):
        for m in _GA4.finditer(html):
            value = m.group(1)
            if (_quoted_before(html, m.start(), "'\"") and any(c.isdigit() for c in value)
                    and set(value) != {"X"}):
                _add(found, "ga4", f"G-{value}")
        for m in _GTM.finditer(html):
            if _free_before(html, m.start()) and set(m.group(1)) != {"X"}:  # "GTM-XXXX" placeholders
                _add(found, "gtm", f"GTM-{m.group(1)}")
        for m in _AW.finditer(html):
            if _quoted_before(html, m.start(), "'\"/"):
                _add(found, "google_ads", f"AW-{m.group(1)}")
    if "pub-" in html:
        for m in _ADSENSE.finditer(html):
            start = m.start()
            if html[max(0, start - 3):start] == "ca-":
                start -= 3
            if _free_before(html, start, extra="_"):
                _add(found, "adsense", f"pub-{m.group(1)}")
    for group, id_type in ((_YM, "yandex_metrika"), (_FBQ, "fb_pixel"), (_HOTJAR, "hotjar")):
        for keyword, pattern in group:
            if keyword in html:
                for m in pattern.finditer(html):
                    if _free_before(html, m.start(), extra="_"):
                        _add(found, id_type, m.group(1))
    if "data-cf-beacon" in html:
        for m in _CF_BEACON.finditer(html):
            token = _CF_TOKEN.search(m.group(1) or m.group(2) or "")
            if token:
                _add(found, "cf_beacon", token.group(1))
    if "amazon." in html:
        for m in _AMAZON.finditer(html):
            _add(found, "amazon_tag", m.group(1))
    _matomo(html, found)
    # Verification tokens live in the <head>.
    head_end = min((i for i in (html.find("<body"), html.find("<BODY")) if i >= 0), default=100_000)
    head = html[:head_end]
    if "verif" in head or "msvalidate" in head or "domain_verify" in head:
        for tag in _META.finditer(head):
            attrs = {k.lower(): html_lib.unescape(a or b or c) for k, a, b, c in _ATTR.findall(tag.group(0))}
            id_type = _VERIFICATION.get(attrs.get("name", "").strip().lower())
            content = attrs.get("content", "").strip()
            if id_type and _TOKEN.match(content):
                _add(found, id_type, content)


def _matomo_base(url: str) -> str:
    base = re.sub(r"^(?:https?:)?//", "", url).rstrip("/")
    host, _, path = base.partition("/")
    return host.lower() + ("/" + path if path else "")


def _matomo(html: str, found: dict) -> None:
    if "matomo" not in html and "piwik" not in html and "_paq" not in html:
        return
    site = _MATOMO_SITE.search(html)
    base = _MATOMO_BASE.search(html)
    if site and base:
        _add(found, "matomo", f"{_matomo_base(base.group(1) or base.group(2))}#{site.group(1)}")
    for m in _MATOMO_IMG.finditer(html):
        _add(found, "matomo", f"{_matomo_base(m.group(1))}#{m.group(2)}")


def _wallet(token: str, found: dict) -> None:
    size = len(token)
    if token[:3].lower() == "bc1":
        if 14 <= size <= 74 and _btc_bech32_ok(token):
            _add(found, "btc", token.lower())
    elif token[:2] == "0x":
        if size == 42 and set(token[2:]) <= _HEX and set(token[2:]) != {"0"}:
            _add(found, "eth", token.lower())
    elif token[0] in "13" and 26 <= size <= 35:
        if set(token) <= _BASE58_SET and _btc_legacy_ok(token):
            _add(found, "btc", token)
    elif token[0] in "48" and size in (95, 106) and set(token) <= _BASE58_SET:
        _add(found, "xmr", token)


def _in_text(text: str, found: dict) -> None:
    for m in _LONG_TOKEN.finditer(text):
        token = m.group(0)
        if "-" not in token and "_" not in token:
            _wallet(token, found)
    at = text.find("@")
    while at >= 0:
        local = _EMAIL_LOCAL.search(text, max(0, at - 64), at)
        domain = _EMAIL_DOMAIN.match(text, at + 1)
        if local and domain and (local.start() == 0 or text[local.start() - 1] not in _EMAIL_LOCAL_CHARS):
            _email(text[local.start():domain.end()], found)
        at = text.find("@", at + 1)


def _email(value: str, found: dict) -> None:
    value = value.strip().lower().rstrip(".")
    match = _EMAIL.fullmatch(value)
    if match and value.rsplit(".", 1)[-1] not in _NOT_TLD and ".." not in value:
        _add(found, "email", value)


def extract_identifiers(html: str, text: str | None = None) -> list[tuple[str, str]]:
    """Tracking and infrastructure IDs in a page, as ``(id_type, value)`` pairs.

    ``html`` is the page source; ``text`` its visible text when the caller already has
    it (otherwise a crude one is made from ``html``). See the module docstring for the
    kinds of ID and where each is looked for.

    >>> extract_identifiers('<script>ym(87654321, "init", {})</script><p>Write to Info@Example.ORG</p>')
    [('yandex_metrika', '87654321'), ('email', 'info@example.org')]
    >>> extract_identifiers('<ins data-ad-client="ca-pub-1234567890123456"></ins> pub-1234567890123456')
    [('adsense', 'pub-1234567890123456')]
    """
    if not html:
        return []
    if not isinstance(html, str):
        html = str(html)
    found: dict[tuple[str, str], None] = {}
    _tracking(html, found)
    if text is None:
        text = visible_text_of(html)
    _in_text(text, found)
    lowered = html.lower()
    if not any(scheme in lowered for scheme in _URI_SCHEMES):
        return list(found)
    for scheme, value in _URI_VALUE.findall(html):
        value = html_lib.unescape(value)
        if scheme.lower() == "mailto":
            for part in value.split(","):
                _email(part, found)
        else:
            _in_text(value, found)
    return list(found)


# --------------------------------------------------------------------------- images

# Refuse to decode images bigger than this many pixels (decompression bombs): the
# fingerprint of a 100-megapixel image is not worth the memory.
MAX_IMAGE_PIXELS = 64_000_000


def pdq_of(image) -> tuple[str, int]:
    """The PDQ hash of a decoded PIL image as ThreatExchange and HMA write it (64 hex
    digits: the 256 bits in the order ``pdqhash.compute`` gives them, most significant
    first) and its quality (0-100; below 50 the hash says little: a flat or tiny image).

    >>> from PIL import Image
    >>> hexed, quality = pdq_of(Image.new("RGB", (64, 64), "white"))
    >>> len(hexed), quality
    (64, 0)
    """
    import numpy as np
    import pdqhash

    pixels = np.asarray(image.convert("RGB"))
    bits, quality = pdqhash.compute(pixels)
    hexed = f"{int(''.join(map(str, bits.tolist())), 2):064x}"
    return hexed, int(quality)


def pdq_distance(a: str, b: str) -> int:
    """Hamming distance of two PDQ hex hashes (0-256); HMA calls <= 31 a match.

    >>> pdq_distance("f" * 64, "f" * 63 + "0")
    4
    """
    return (int(a, 16) ^ int(b, 16)).bit_count()


def image_fingerprint(data: bytes) -> dict | None:
    """sha256, md5, perceptual hashes, size and MIME type of an image, or None if it does
    not decode.

    ``phash`` is ``str(imagehash.phash(image))``: 16 hex digits (64 bits), comparable
    by Hamming distance with ``imagehash.hex_to_hash``. ``pdq`` and ``pdq_quality`` are
    :func:`pdq_of` (the hash hash-sharing banks such as GIFCT's and HMA's hold, with
    ``md5``). An animated image is hashed on its first frame. Truncated or corrupt data,
    formats Pillow cannot read (SVG) and images above :data:`MAX_IMAGE_PIXELS` give None.

    >>> from PIL import Image
    >>> buf = io.BytesIO(); Image.new("RGB", (8, 4), "red").save(buf, "PNG")
    >>> fp = image_fingerprint(buf.getvalue())
    >>> (fp["width"], fp["height"], fp["mime"], len(fp["phash"]), len(fp["pdq"]), len(fp["md5"]))
    (8, 4, 'image/png', 16, 64, 32)
    >>> image_fingerprint(b"not an image") is None
    True
    """
    if not data or not isinstance(data, (bytes, bytearray, memoryview)):
        return None
    import imagehash
    from PIL import Image

    data = bytes(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width <= 0 or height <= 0 or width * height > MAX_IMAGE_PIXELS:
                    return None
                mime = Image.MIME.get(image.format or "", "")
                image.load()  # decodes fully: a truncated file raises here
                phash = str(imagehash.phash(image))
                pdq, quality = pdq_of(image)
    except Exception:  # Pillow raises many kinds (OSError, SyntaxError, ValueError…) on bad data
        return None
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "md5": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        "phash": phash,
        "pdq": pdq,
        "pdq_quality": quality,
        "width": int(width),
        "height": int(height),
        "mime": mime or None,
    }
