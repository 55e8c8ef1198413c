"""The report's words that do not come from the data: methods and parameters as
prose, limitations and the glossary.

Parameters are read from what the analyses recorded (``Campaign.params``, the
``params`` of a REAPPEARS_AS step's evidence), so the prose says what was run, not what
the defaults are today. Statuses come from :mod:`graphinv.vocabulary`; limitations
from the analysis registry.
"""

from __future__ import annotations

from typing import Any

MODALITY_WORDS = {"repost": "repost the same post", "url": "share the same link",
                  "text": "post the same text", "near_text": "post near-identical texts",
                  "image": "post the same image", "hashtags": "use the same sequence of hashtags"}


def _join(words: list[str]) -> str:
    words = [w for w in words if w]
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def coordination_methods(params: Any) -> list[str]:
    """Paragraphs explaining the coordination and campaign parameters as recorded.

    >>> coordination_methods({"window": 60, "min_participation": 2, "modalities": ["repost"]})[0][:80]
    'Two accounts co-act when they repost the same post within 60 seconds of each oth'
    """
    if not isinstance(params, dict):
        return []
    p = params
    acts = _join([MODALITY_WORDS.get(m, m) for m in p.get("modalities") or MODALITY_WORDS])
    text = [f"Two accounts co-act when they {acts} within {p.get('window', '?')} seconds of each other "
            "(the co-share rule of CooRTweet)."]
    if p.get("min_participation") is not None:
        text[0] += (f" Accounts with fewer than {p['min_participation']} such actions are left out, as a "
                    "single action says nothing about a habit.")
    pair = []
    if p.get("min_objects") is not None:
        pair.append(f"A pair counts as coordinated when it co-acted on at least {p['min_objects']} distinct "
                    "objects")
    if p.get("alpha") is not None:
        pair.append(f"more than two accounts as active would by chance (a test with false discovery rate "
                    f"{p['alpha']})")
    if pair:
        text.append(", and ".join(pair) + ".")
    similar = []
    if p.get("near_text_threshold") is not None:
        similar.append(f"texts are near-identical at a MinHash similarity of {p['near_text_threshold']} or more "
                       f"(texts under {p.get('min_text_chars', '?')} characters are ignored)")
    if p.get("image_max_distance") is not None:
        similar.append(f"images are the same within a perceptual-hash distance of {p['image_max_distance']}")
    if similar:
        text.append("For the text and image modalities, " + "; ".join(similar) + ".")
    if p.get("resolution") is not None:
        cohesion = p.get("min_cohesion")
        text.append(f"Campaigns are communities of the coordination network found by the Leiden method "
                    f"(resolution {p['resolution']}, seed {p.get('seed', 0)}, so the same input gives the same "
                    f"campaigns), of at least {p.get('min_campaign_size', '?')} accounts"
                    + (f", each co-acting beyond chance with at least {float(cohesion) * 100:.0f} % of the others"
                       if cohesion is not None else "") + ".")
    return text


def reappearance_methods(params: Any) -> list[str]:
    """Paragraphs explaining the reappearance parameters as recorded with a step."""
    if not isinstance(params, dict):
        return []
    p = params
    return [
        f"A later site or account is a candidate successor when it first appears after the earlier one "
        f"went quiet or was taken down, at most {p.get('max_gap_days', '?')} days later. The gap of a step "
        "runs from the earlier entity's last activity to the later one's first sign.",
        "The signals are what an operator carries over: tracking and advertising IDs, near-identical "
        f"articles or posts (MinHash similarity of {p.get('text_threshold', '?')} or more), the same images "
        f"(perceptual-hash distance of {p.get('phash_distance', '?')} or less), profile links, bios, links "
        "out, audience and similar names. A token shared by many entities counts for little, and one held "
        f"by more than {p.get('max_holders', '?')} not at all.",
        f"A step is accepted when its score reaches {p.get('min_score', '?')} and the signals other than "
        f"names reach {p.get('min_evidence', '?')} on their own: a look-alike name alone never makes a "
        "successor.",
    ]


def recorded(params: Any) -> str:
    """The parameters as recorded, in one line, for anyone re-running the analysis.

    >>> recorded({"window": 60, "modalities": ["repost", "url"], "stats": {"rows": 9}, "analysis_run": "c:1"})
    'modalities repost, url; window 60'
    """
    if not isinstance(params, dict):
        return ""
    def show(value):
        return ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else str(value)
    # Nested records (a run's statistics) and the run id are not parameters; the run id
    # has its own line.
    return "; ".join(f"{k.replace('_', ' ')} {show(v)}" for k, v in sorted(params.items())
                     if v not in (None, [], "") and not isinstance(v, dict) and k != "analysis_run")


def limitations(campaign: bool, lineage: bool, impersonation: bool) -> list[tuple[str, str]]:
    """What the analyses behind the findings cannot see (their registry records), and
    what the evidence itself cannot say."""
    from ..analysis.registry import BY_NAME

    wanted = (["coordination"] if campaign else []) + (["reappearance"] if lineage else []) \
        + (["impersonation"] if impersonation else [])
    out = [(BY_NAME[name].title, BY_NAME[name].limitations) for name in wanted]
    out.append(("Capture times", "A capture time is read from the capture itself (the WARC-Date of a web "
                "record, the date a post was scraped, the date of an export); where the source does not "
                "say, the report says unknown rather than use the time of ingest or of a file's last "
                "change. What was not captured cannot be shown."))
    return out


TERMS = (
    ("capture", "One saved copy of a post, page, image or account: a WARC record, a line of a JSONL file, a "
                "Telegram message, a row of a CSV table or a saved page. Each evidence item is one capture."),
    ("sha256", "A fingerprint of a file or of some bytes: changing a single byte changes it. Re-computing it "
               "on the cited file and bytes shows they are the ones analysed."),
    ("WARC", "The web archive format (ISO 28500) used by web archivists; a record holds a page exactly as "
             "the server sent it, with the time it was fetched (WARC-Date)."),
    ("co-action", "Two accounts acting on the same object (reposting the same post, sharing the same link "
                  "or text) within the time window."),
    ("campaign", "A group of accounts that co-act with each other repeatedly, more than chance explains."),
    ("confidence", "For a campaign, the share of its members' pairs that co-acted beyond chance (100 %: "
                   "every pair)."),
    ("reappearance", "A site or account that went quiet or was taken down, and a later one that carries "
                     "over its IDs, texts, images or audience."),
    ("lineage", "A chain of reappearances: the generations of one site or account."),
    ("gap", "The time from the earlier generation's last activity to the later one's first sign, in days "
            "and hours."),
    ("score", "How strongly a step's signals support it, from 0 to 1; independent signals add up."),
    ("ingest run", "One reading of one source file into the graph, with the file's sha256."),
    ("pseudonym", "A stable replacement for the name of a private person (anon- and 12 hex digits)."),
)


def glossary() -> list[tuple[str, str]]:
    """The report's terms and the statuses an observation can hold (from the vocabulary)."""
    from ..vocabulary import STATUSES

    statuses = [(f"status “{s.name}”", s.meaning[0].upper() + s.meaning[1:] + ".") for s in STATUSES.values()]
    return list(TERMS) + statuses
