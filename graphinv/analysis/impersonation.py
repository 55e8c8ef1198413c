"""Impersonation: accounts and sites named like a Target that are not its real accounts.

The rule
--------
An account (or a site) **impersonates** a Target when all of these hold:

1. **It is named like the Target.** Its handle (for Mastodon the part before the
   instance) or its display name, reduced to a *skeleton*, equals or nearly equals
   (rapidfuzz ``ratio >= name_threshold``, default 90) the skeleton of the Target's
   name, one of its aliases, or the handle of one of its real accounts. The skeleton:
   Unicode NFKC and case folding; homoglyphs folded (``I``, ``i``, ``l``, ``1``, ``|``
   all become ``l``; ``0`` becomes ``o``: handles are stored lowercased, so the ``I`` of
   ``cIarabenedek`` is already an ``i``); the words ``real``, ``the``, ``official``,
   ``officiel``, ``offiziell``, ``oficial``, ``ufficiale`` removed; every character that
   is not a letter removed except inner digits (so ``clarabenedek_`` and
   ``clara.benedek2`` are ``clarabenedek``). For a site the handle is the domain's first
   label and the display name its title.
2. **It is not one of the Target's listed real accounts** (``Target.accounts``), on any
   platform.
3. **It does not declare itself as something else.** Supporters and critics who put
   the name in their display name are not impostors when their handle, display name
   or bio (a site: its title) says so: ``fan``, ``parody``, ``satire``/``satirical``,
   ``watch``, ``critic``, ``not affiliated``/``unaffiliated``, ``unofficial``,
   ``tribute``, ``commentary``, ``fan club``, ``news about``, ``not the`` (as in "not
   the councillor"), and the same in French, German, Spanish and Italian (``compte non
   officiel``, ``parodie``, ``soutien``, ``nicht offiziell``, ``inoffiziell``,
   ``Unterstützer``, ``no oficial``, ``parodia``, ``non ufficiale``…: ``DISCLAIMERS``).
   Words are matched on word boundaries of the handle split at
   ``_``/``.``/digits and of the texts (``benedekwatch`` is caught by its suffix).
4. **It has been seen**: an account known only as a mention (no display name, no bio,
   no post) is not judged; there is nothing to impersonate with.
5. **A close name is not enough**: when neither name folds to exactly a key (a
   namesake, "Elisa Marchetti" for "Élise Marchetti"), the account must also copy the
   person's bio or photo.

Score (for ranking, in [0, 1]): ``1 - (1 - 0.6 h)(1 - 0.5 d)(1 - 0.3 b)(1 - 0.4 a)``
with ``h`` and ``d`` the name similarities (ratio / 100, 0 below the threshold) of the
handle and the display name, ``b`` the similarity of its bio to a real account's bio
(``token_set_ratio / 100`` when at least 0.8) and ``a`` 1 when its avatar's perceptual
hash is within 8 bits of a real account's avatar. Evidence: which name matched which
key, the bio and avatar matches.

>>> skeleton("cIarabenedek_officiel"), skeleton("Clara Benedek ✓"), skeleton("real_Clara.Benedek2")
('clarabenedek', 'clarabenedek', 'clarabenedek')
>>> disclaimer("benedekwatch", "Clara Benedek Watch", "")
'watch'
>>> disclaimer("clara_benedek_fr", "Clara Benedek", "Compte non officiel de soutien à Clara")
'non officiel'
>>> disclaimer("benedek_clara", "Clara Benedek", "Inoffizieller Account, kein Bezug zur Politikerin")
'inoffizieller'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from rapidfuzz import fuzz

from .runs import AnalysisRun, recorded_json, start_run, with_overrides

HOMOGLYPHS = str.maketrans({"i": "l", "1": "l", "|": "l", "!": "l", "0": "o", "ı": "l", "і": "l", "о": "o",
                            "а": "a", "е": "e", "с": "c", "р": "p", "к": "k"})
FILLER_WORDS = ("real", "the", "official", "officiel", "offiziell", "oficial", "ufficiale")
# Supporters, critics and parodists say what they are, in the languages of the people
# they follow: English, French, German, Spanish, Italian (matched as whole words).
DISCLAIMERS = (
    "fan", "fans", "fanclub", "fan club", "fan account", "fan page", "fanpage", "parody", "satire", "satirical",
    "watch", "critic", "critics", "not affiliated", "unaffiliated", "unofficial", "not official", "tribute",
    "commentary", "news about", "not the", "supporters",
    "non officiel", "non officielle", "pas officiel", "compte non officiel", "parodie", "parodique", "satirique",
    "humour", "compte fan", "soutiens", "soutien a", "soutien à", "comité de soutien", "pas le vrai", "pas la vraie",
    "nicht offiziell", "inoffiziell", "inoffizieller", "kein offizieller", "keine offizielle", "satirisch",
    "fanseite", "unterstützer", "unterstützerin", "unterstützerinnen",
    "no oficial", "parodia", "cuenta parodia", "non ufficiale", "satira",
)
# Handles glue words together: a disclaimer at the start or end of a handle counts.
HANDLE_DISCLAIMERS = ("fan", "fans", "fanclub", "fanpage", "parody", "parodie", "parodia", "satire", "satira",
                      "watch", "critic", "critics", "unofficial", "nonofficiel", "inoffiziell", "tribute",
                      "notaffiliated", "soutien", "supporters")
_FILLER = re.compile(r"(?<![a-z])(?:" + "|".join(FILLER_WORDS) + r")(?![a-z])")
_WORD_SPLIT = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class ImpersonationParams:
    """Thresholds of the rule (see the module docstring); recorded with every edge."""

    name_threshold: float = 90
    avatar_distance: int = 8


@dataclass(frozen=True)
class ImpersonationResult:
    """What :func:`compute` found: one row per (entity, target), with the run."""

    found: pd.DataFrame
    targets: int
    run: AnalysisRun


def skeleton(name: str | None) -> str:
    """A name reduced for look-alike matching (see the module docstring)."""
    if not isinstance(name, str) or not name:
        return ""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = text.replace("_", " ").replace(".", " ").replace("-", " ")
    text = _FILLER.sub(" ", text)
    # "realclarabenedek", "clarabenedekofficiel": fillers glued to the name
    text = re.sub(r"(?:^|(?<=\s))real(?=[a-z]{5,})", "", text)
    for word in ("official", "officiel", "offiziell", "oficial"):
        text = re.sub(rf"(?<=[a-z]{{5}}){word}(?=\s|$)", "", text)
    text = re.sub(r"\d+(?=\s*$)", "", text.strip())  # trailing digits: name2, name_99
    text = text.translate(HOMOGLYPHS)
    return "".join(ch for ch in text if ch.isalpha() or ch.isdigit())


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def disclaimer(handle: str | None, display_name: str | None, bio: str | None) -> str | None:
    """The word by which an account declares itself a fan, critic, parody…, or None."""
    handle, display_name, bio = _text(handle), _text(display_name), _text(bio)
    handle_text = handle.split("@", 1)[0].lower()
    for word in HANDLE_DISCLAIMERS:
        if handle_text.startswith(word) or handle_text.rstrip("_0123456789").endswith(word):
            return word
    for text in (handle_text, display_name or "", bio or ""):
        low = " " + " ".join(_WORD_SPLIT.split(unicodedata.normalize("NFKC", text).casefold())) + " "
        for word in DISCLAIMERS:
            if f" {word} " in low:
                return word
    return None


def _local_handle(handle: str | None) -> str:
    return _text(handle).split("@", 1)[0]


def target_keys(target: dict, real_handles: list[str]) -> dict[str, str]:
    """Skeleton -> what it came from, for a Target's name, aliases and real handles."""
    keys: dict[str, str] = {}
    for label, value in [("name", target.get("name"))] + [("alias", a) for a in (target.get("aliases") or [])] \
            + [("handle", h) for h in real_handles]:
        key = skeleton(_local_handle(value) if label == "handle" else value)
        if len(key) >= 3:
            keys.setdefault(key, f"{label}:{value}")
    return keys


def _best_match(name: str | None, keys: dict[str, str], threshold: float) -> tuple[float, str | None]:
    key = skeleton(name)
    if len(key) < 3:
        return 0.0, None
    best, source = 0.0, None
    for other, origin in keys.items():
        score = 100.0 if key == other else fuzz.ratio(key, other)
        if score > best:
            best, source = score, origin
    if best < threshold:
        return 0.0, None
    return best / 100.0, source


def _hamming(a: str | None, b: str | None) -> int | None:
    try:
        return bin(int(a, 16) ^ int(b, 16)).count("1")
    except (TypeError, ValueError):
        return None


def find_impersonations(accounts: pd.DataFrame, targets: pd.DataFrame, *, name_threshold: float = 90,
                        avatar_distance: int = 8, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Impersonation candidates: one row per (entity, target) with score and evidence.

    ``accounts``: uid, platform, handle, display_name, bio, avatar_phash, seen (bool: it
    has a profile or a post). ``targets``: uid, name, aliases (list), accounts (list of
    account uids). ``sites`` (optional): uid, domain, title.
    Returns columns ``src, dst, score, evidence`` (evidence as a dict).

    >>> targets = pd.DataFrame([{"uid": "target:ann lee", "name": "Ann Lee", "aliases": [],
    ...                          "accounts": ["account:twitter:annlee"]}])
    >>> accounts = pd.DataFrame([
    ...   {"uid": "account:twitter:annlee", "platform": "twitter", "handle": "annlee",
    ...    "display_name": "Ann Lee", "bio": "Mayor.", "avatar_phash": None, "seen": True},
    ...   {"uid": "account:twitter:ann_1ee", "platform": "twitter", "handle": "ann_1ee",  # 1 for l
    ...    "display_name": "Ann Lee", "bio": "Mayor.", "avatar_phash": None, "seen": True},
    ...   {"uid": "account:twitter:annleefans", "platform": "twitter", "handle": "annleefans",
    ...    "display_name": "Ann Lee", "bio": "We love her", "avatar_phash": None, "seen": True}])
    >>> find_impersonations(accounts, targets)["src"].tolist()  # the real one and the fans are not
    ['account:twitter:ann_1ee']
    """
    rows = []
    accounts = accounts if accounts is not None else pd.DataFrame()
    by_uid = accounts.set_index("uid") if not accounts.empty else pd.DataFrame()
    for target in targets.to_dict("records"):
        real = [u for u in (target.get("accounts") or []) if isinstance(u, str)]
        real_rows = by_uid.loc[[u for u in real if u in by_uid.index]] if not by_uid.empty else pd.DataFrame()
        real_handles = [u.split(":", 2)[2] for u in real if u.count(":") >= 2]
        keys = target_keys(target, real_handles)
        real_bios = [b for b in real_rows.get("bio", pd.Series(dtype=object)).dropna().tolist() if b]
        real_avatars = [p for p in real_rows.get("avatar_phash", pd.Series(dtype=object)).dropna().tolist() if p]
        for acc in accounts.to_dict("records"):
            if acc["uid"] in real or not acc.get("seen", True):
                continue
            handle = _local_handle(acc.get("handle"))
            h, h_src = _best_match(handle, keys, name_threshold)
            d, d_src = _best_match(acc.get("display_name"), keys, name_threshold)
            if not h and not d:
                continue
            declared = disclaimer(acc.get("handle"), acc.get("display_name"), acc.get("bio"))
            if declared:
                continue
            bio = _text(acc.get("bio"))
            b = max((fuzz.token_set_ratio(bio, r) / 100 for r in real_bios), default=0.0) if bio else 0.0
            b = b if b >= 0.8 else 0.0
            distances = [x for x in (_hamming(acc.get("avatar_phash"), p) for p in real_avatars) if x is not None]
            a = 1.0 if distances and min(distances) <= avatar_distance else 0.0
            # A name that is only close (Elisa for Élise) is a namesake, a different person,
            # unless the account also copies the person: her bio or her photo.
            if max(h, d) < 1.0 and not (b or a):
                continue
            score = 1 - (1 - 0.6 * h) * (1 - 0.5 * d) * (1 - 0.3 * b) * (1 - 0.4 * a)
            evidence = {"handle": handle, "handle_match": h_src, "handle_similarity": round(h, 3),
                        "display_name": acc.get("display_name"), "display_name_match": d_src,
                        "display_name_similarity": round(d, 3)}
            if b:
                evidence["bio_similarity"] = round(b, 3)
            if a:
                evidence["avatar_hamming"] = min(distances)
            rows.append({"src": acc["uid"], "dst": target["uid"], "score": round(score, 4), "evidence": evidence})
        for site in ([] if sites is None or sites.empty else sites.to_dict("records")):
            label = _text(site.get("domain")).split(".")[0]
            h, h_src = _best_match(label, keys, name_threshold)
            d, d_src = _best_match(site.get("title"), keys, name_threshold)
            if not h and not d:
                continue
            if disclaimer(label, site.get("title"), None):
                continue
            score = 1 - (1 - 0.6 * h) * (1 - 0.5 * d)
            rows.append({"src": site["uid"], "dst": target["uid"], "score": round(score, 4),
                         "evidence": {"domain": site.get("domain"), "domain_match": h_src, "title": site.get("title"),
                                      "title_match": d_src}})
    return pd.DataFrame(rows, columns=["src", "dst", "score", "evidence"])


def target_lookalikes(accounts: pd.DataFrame, targets: pd.DataFrame, *, name_threshold: float = 90) -> dict[str, set]:
    """Account uid -> the Targets it is named like, real accounts and declared fans or
    critics included (reappearance uses this: look-alikes of one Target resemble each
    other because they copy the same person, not because one operator runs them)."""
    out: dict[str, set] = {}
    if accounts.empty or targets.empty:
        return out
    for target in targets.to_dict("records"):
        real = [u for u in (target.get("accounts") or []) if isinstance(u, str)]
        keys = target_keys(target, [u.split(":", 2)[2] for u in real if u.count(":") >= 2])
        long_keys = [k for k in keys if len(k) >= 6]
        for acc in accounts.to_dict("records"):
            names = (_local_handle(acc.get("handle")), acc.get("display_name"))
            # containment too: "Clara Benedek Fan Club" is named after her, by its own words
            hit = acc["uid"] in real or any(_best_match(n, keys, name_threshold)[0] for n in names) \
                or any(k in skeleton(n) for n in names for k in long_keys)
            if hit:
                out.setdefault(acc["uid"], set()).add(target["uid"])
    return out


# ----------------------------------------------------------------------- store step

ACCOUNTS_QUERY = ("MATCH (a:Account) OPTIONAL MATCH (a)-[:POSTED]->(p:Post) "
                  "WITH a, count(p) AS posts "
                  "RETURN a.uid AS uid, a.platform AS platform, a.handle AS handle, a.display_name AS display_name, "
                  "a.bio AS bio, a.avatar_phash AS avatar_phash, posts")
AVATARS_QUERY = ("MATCH (a:Account)-[h:HAS_MEDIA]->(m:Media) WHERE h.role = 'avatar' "
                 "RETURN a.uid AS uid, m.url AS url, m.phash AS phash")
MEDIA_BY_URL_QUERY = ("MATCH (m:Media) WHERE m.phash IS NOT NULL AND m.url IS NOT NULL "
                      "RETURN m.url AS url, m.phash AS phash")
TARGETS_QUERY = "MATCH (t:Target) RETURN t.uid AS uid, t.name AS name, t.aliases AS aliases, t.accounts AS accounts"
SITES_QUERY = "MATCH (s:Site) RETURN s.uid AS uid, s.domain AS domain, s.title AS title"


def account_frame(store) -> pd.DataFrame:
    """Accounts with their avatar's perceptual hash and whether they have been seen."""
    from ..normalize import canonical_url

    accounts = store.query(ACCOUNTS_QUERY)
    if accounts.empty:
        return pd.DataFrame(columns=["uid", "platform", "handle", "display_name", "bio", "avatar_phash", "seen"])
    accounts["seen"] = (accounts["display_name"].notna() | accounts["bio"].notna()
                        | (accounts["posts"].fillna(0) > 0))
    # Avatars: snscrape knows the avatar by URL only; the image itself, with its pHash,
    # is a Media captured under the same URL (profile-image WARCs).
    avatars = store.query(AVATARS_QUERY)
    if not avatars.empty:
        media = store.query(MEDIA_BY_URL_QUERY)
        by_url = {canonical_url(u) or u: p for u, p in zip(media["url"], media["phash"])} if not media.empty else {}
        avatars["phash"] = [p if isinstance(p, str) and p else by_url.get(canonical_url(u) or u)
                            for u, p in zip(avatars["url"], avatars["phash"])]
        found = avatars.dropna(subset=["phash"]).drop_duplicates("uid").set_index("uid")["phash"]
        accounts["avatar_phash"] = accounts["avatar_phash"].where(accounts["avatar_phash"].notna(),
                                                                  accounts["uid"].map(found))
    return accounts


def target_frame(store) -> pd.DataFrame:
    targets = store.query(TARGETS_QUERY)
    for column in ("aliases", "accounts"):
        if column in targets.columns:
            targets[column] = targets[column].map(lambda v: list(v) if isinstance(v, (list, tuple)) or
                                                  hasattr(v, "tolist") else [])
    return targets


def read(store, params: ImpersonationParams | None = None) -> dict:
    """The frames :func:`compute` needs: targets, accounts (see :func:`account_frame`), sites."""
    return {"targets": target_frame(store), "accounts": account_frame(store), "sites": store.query(SITES_QUERY)}


def compute(frames: dict, params: ImpersonationParams) -> ImpersonationResult:
    """Impersonations among ``frames`` (from :func:`read`); pure."""
    targets = frames["targets"]
    found = find_impersonations(frames["accounts"], targets, name_threshold=params.name_threshold,
                                avatar_distance=params.avatar_distance, sites=frames["sites"]) \
        if not targets.empty else pd.DataFrame(columns=["src", "dst", "score", "evidence"])
    return ImpersonationResult(found, len(targets), start_run("impersonation", params))


def write(store, result: ImpersonationResult) -> dict:
    """Replace the IMPERSONATES edges in ``store``; the run's summary."""
    found, run = result.found, result.run
    store.delete_edges("IMPERSONATES")
    if not found.empty:
        store.upsert_edges("IMPERSONATES", pd.DataFrame({
            "src": found["src"], "dst": found["dst"], "score": found["score"].astype(float),
            "evidence": [recorded_json(run, e) for e in found["evidence"]], "analysis_run": run.id}))
    return {"targets": result.targets, "impersonations": len(found),
            "accounts": int(found["src"].str.startswith("account:").sum()) if not found.empty else 0,
            "analysis_run": run.id}


def analyze(store, params: ImpersonationParams | None = None, **overrides) -> dict:
    """Find impersonations and replace the previous IMPERSONATES edges in ``store``."""
    params = with_overrides(ImpersonationParams, params, overrides, "impersonation")
    return write(store, compute(read(store, params), params))
