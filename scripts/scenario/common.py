"""The story's fixed facts (its clock, names and identifiers) and its two record types.

Every module of the scenario reads these; none of them changes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

SNSCRAPE_VERSION = "0.7.0.20230622"
T0 = int(datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp())
DAY = 86400
HOUR = 3600
TWITTER_EPOCH_MS = 1288834974657

TARGET_NAME = "Clara Benedek"
TARGET_TWITTER = "clarabenedek"
TARGET_MASTODON = "clarabenedek@social-ostervale.example"
GROUP_TARGET = "Ostervale Welcome Association"

LINEAGE_DOMAINS = ["ostervale-truth.example", "ostervale-facts.example", "truth-ostervale.example"]
LINEAGE_HOSTS = ["ostervale-truth.example", "www.ostervale-facts.example", "truth-ostervale.example"]
# Rare IDs, shared only by the lineage.
RARE_UA = "UA-48213907-1"
RARE_G = "G-7QX2M4KD9P"
RARE_PUB = "ca-pub-5930418276354012"
RARE_YM = "93847561"
RARE_FB = "481726350918273"
# A site-builder template's tag manager container: on many unrelated sites.
COMMON_GTM = "GTM-K7Q2ZP8"

FIRST = ["anna", "jonas", "lena", "mats", "ida", "paul", "greta", "noah", "mila", "finn", "ella",
         "leon", "sofie", "emil", "hanna", "theo", "nora", "oskar", "lotte", "karl", "frida", "jan",
         "marie", "sven", "tilda", "rasmus", "helga", "otto", "liv", "arne", "britt", "henrik",
         "judith", "kai", "maren", "per", "ronja", "ulf", "vera", "wim"]
LAST = ["berg", "lund", "holm", "falk", "strand", "dahl", "wiese", "brandt", "kroll", "moor",
        "sand", "vik", "horn", "eck", "lind", "kamp", "roth", "haas", "voss", "thal"]
WORDS = ["harbour", "gull", "tide", "quay", "lantern", "dune", "ferry", "reed", "pier", "kite",
         "anchor", "salt", "heron", "mill", "clover", "pebble", "birch", "otter"]
PLACES = ["Mill Street", "Quay Road", "the old ferry pier", "Lantern Square", "the north dunes",
          "the station", "Birch Lane", "the town hall", "the marina", "Heron Park"]

SUBJECTS = ["the harbour festival", "the new bike lane on Mill Street", "the library reopening",
            "Saturday's market", "the ferry timetable", "the youth football cup", "the rain this week",
            "the bakery on Quay Road", "the school concert", "road works near the station",
            "the swimming pool prices", "the choir rehearsal", "the lighthouse tour",
            "the recycling schedule", "jazz night at the Anchor", "the kite contest on the dunes",
            "the new bus line 7", "the seal colony boat trip", "the flea market in Heron Park",
            "the town marathon", "the spring cleanup", "the tide tables", "the cinema club"]
OPINIONS = ["is finally happening", "was lovely", "needs better signage", "made my day",
            "is a mess again", "deserves more attention", "was packed", "starts next week",
            "got postponed", "is worth a visit", "surprised everyone", "could use volunteers",
            "is the talk of the town", "went better than expected", "needs a rethink"]
EXTRAS = ["Anyone going?", "Photos later.", "Thanks to all the volunteers!", "Who else noticed?",
          "Bring an umbrella.", "See you there.", "Not bad at all.", "Fingers crossed.",
          "My kids loved it.", "Quite the crowd.", "Let's see.", "Honestly.", "Worth it.", ""]
BG_TAGS = ["#Ostervale", "#harbourfest", "#OstervaleFC", "#coastlife", "#localnews", "#spring"]


@dataclass
class Account:
    platform: str
    handle: str
    user_id: int
    display: str
    bio: str
    created: int
    followers: int
    link: str | None = None
    location: str = ""
    verified: bool = False
    avatar_key: int = 0  # which synthetic face
    avatar_variant: int = 0  # which re-encoding of it
    avatar_url: str = ""
    role: str = "background"
    friends: int = 0
    statuses: int = 0


@dataclass
class Post:
    tid: int
    acc: Account
    ts: int
    text: str
    links: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    mentions: list[Account] = field(default_factory=list)
    reply_to: "Post | None" = None
    quoted: "Post | None" = None
    retweeted: "Post | None" = None
    photos: list[str] = field(default_factory=list)
    lang: str = "en"
    role: str = "background"
    counts: tuple[int, int, int, int] = (0, 0, 0, 0)  # reply, retweet, like, quote
    views: int | None = None



def iso(ts: int) -> str:
    """snscrape's ISO form (``datetime.isoformat`` of an aware UTC datetime)."""
    return datetime.fromtimestamp(ts, timezone.utc).isoformat()


def isoz(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def scaled(n: int, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(n * scale)))
