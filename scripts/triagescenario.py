"""A triage scenario: reports of several kinds, urgent ones planted among decoys, in the
real capture formats (snscrape JSONL, a WARC, CSV tables, a hash-bank CSV).

``python -m scripts.triagescenario OUT [--seed N] [--background N]`` writes:

* ``snscrape/tweets.jsonl``: background chatter, a copy-paste crew harassing the
  fictional councillor Mara Lindqvist (``@maralindqvist``) in coordinated waves, threats
  to her life in French, English and German, and the decoys: angry-but-legal posts,
  a popular post retweeted forty times in its first hour, news posts that quote threats;
* ``web/capture.warc.gz``: pages of ``propaganda.example``, one showing a picture that
  a hash bank knows (re-encoded and resized: only PDQ finds it), one another picture;
* ``csv/reports.csv`` and ``csv/targets.csv``: the reports (one legal post reported three
  times) and the Target;
* ``bank/known.csv``: the hash bank (ThreatExchange / HMA CSV: signal_type, signal_value,
  labels) with the original picture's PDQ and MD5, and unrelated hashes;
* ``truth.json``: each report's kind and the urgent ones.

Everything is fictional and deterministic for a seed.

>>> import tempfile
>>> truth = generate(tempfile.mkdtemp(), seed=1, background=20)
>>> sorted(set(truth["kinds"].values()))  # doctest: +NORMALIZE_WHITESPACE
['angry_legal', 'background', 'bank_match', 'campaign', 'multi_reported', 'news_quote', 'popular',
 'threat_to_life']
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import random
from pathlib import Path

from scripts.scenario.common import DAY, HOUR, T0, Account, Post, isoz
from scripts.scenario.social import _dumps, _tweet_json
from scripts.scenario.warc import Warc

TARGET = "Mara Lindqvist"
TARGET_HANDLE = "maralindqvist"
URGENT_KINDS = ("threat_to_life", "campaign", "bank_match")
THREATS = [
    ("fr", "@maralindqvist je vais te tuer, on sait ou tu habites."),
    ("en", "@maralindqvist I will kill you. We know where you live."),
    ("de", "@maralindqvist ich bringe dich um, du wirst sterben."),
]
CREW_TEXTS = [
    "@maralindqvist is a traitor to this town. Everyone tell her what you think. #LindqvistOut",
    "Flood @maralindqvist replies today, she hid the harbour money. #LindqvistOut",
    "Remind @maralindqvist every hour that we are watching her. #LindqvistOut",
]
ANGRY = [
    ("en", "I am furious with the council. They should all resign, what a disgrace!"),
    ("fr", "Ce conseil municipal est une honte absolue, qu'ils demissionnent tous !"),
    ("de", "Dieser Stadtrat ist eine Schande. Rücktritt, sofort!"),
    ("en", "@maralindqvist your harbour plan is the worst idea this town has seen. Vote her out."),
]
NEWS = [
    ("fr", "Le suspect avait écrit « je vais te tuer » à l'élue, selon le parquet."),
    ("en", "The man wrote \"I will kill you\" in a message to the councillor, the court heard."),
    ("de", "Der Angeklagte schrieb „ich bringe dich um“ an die Politikerin, so das Gericht."),
]
CHATTER = ["Lovely morning at the harbour.", "Who is going to the market on Saturday?",
           "The ferry is late again.", "New bakery on Main Street is great.", "Council meets Thursday.",
           "Rain all week, apparently.", "Anyone selling a bike?", "Great match last night!"]


class _Ids:
    def __init__(self) -> None:
        self.next = 1_900_000_000_000_000_000

    def __call__(self) -> int:
        self.next += 7919
        return self.next


def _account(handle: str, rng: random.Random, n: int) -> Account:
    return Account("twitter", handle, 10_000 + n, handle.replace("_", " ").title(), "", T0 - rng.randrange(30, 900) * DAY,
                   rng.randrange(10, 3000), avatar_url=f"https://pbs.twimg.com/profile_images/{n}/a_400x400.jpg")


def _picture(key: int, size: int, quality: int) -> bytes:
    """A poster of forty shapes (textured enough for a PDQ quality of 100), as a JPEG of
    ``size`` pixels a side: the same ``key`` at another size or quality is the same picture."""
    from PIL import Image, ImageDraw

    r = random.Random(key)
    img = Image.new("RGB", (256, 256), (r.randrange(256),) * 3)
    draw = ImageDraw.Draw(img)
    for _ in range(40):
        x0, y0, w, h = r.randrange(0, 230), r.randrange(0, 230), r.randrange(10, 90), r.randrange(10, 90)
        shape = draw.ellipse if r.random() < 0.5 else draw.rectangle
        shape([x0, y0, x0 + w, y0 + h], fill=tuple(r.randrange(256) for _ in range(3)))
    buf = io.BytesIO()
    img.resize((size, size)).save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def generate(out_dir: str | Path, seed: int = 7, background: int = 60) -> dict:
    """Write the scenario into ``out_dir``; the truth (also ``truth.json``)."""
    out = Path(out_dir)
    for sub in ("snscrape", "web", "csv", "bank"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    ids = _Ids()
    target = _account(TARGET_HANDLE, rng, 1)
    people = [_account(f"resident_{i:03d}", rng, 100 + i) for i in range(background)]
    crew = [_account(f"patriot_{i:02d}", rng, 500 + i) for i in range(10)]
    news = _account("ostervale_courier", rng, 900)
    posts: list[Post] = []
    reports: list[dict] = []
    kinds: dict[str, str] = {}

    def post(acc: Account, ts: int, text: str, lang: str = "en", **kw) -> Post:
        p = Post(ids(), acc, ts, text, lang=lang, **kw)
        posts.append(p)
        return p

    def report(p_url: str, ts: int, kind: str, category: str = "hate") -> None:
        rid = f"tr{len(reports) + 1:04d}"
        reports.append({"report_id": rid, "url": p_url, "reported_at": ts + rng.randrange(HOUR, 20 * HOUR),
                        "reported_to": "twitter" if "twitter.com" in p_url else "hoster",
                        "category": category})
        kinds[rid] = kind

    def url(p: Post) -> str:
        return f"https://twitter.com/{p.acc.handle}/status/{p.tid}"

    day = T0 + 10 * DAY
    # background chatter, some of it reported (the usual noise of a hotline)
    for i in range(background * 4):
        acc = rng.choice(people)
        p = post(acc, day + rng.randrange(0, 20 * DAY), rng.choice(CHATTER))
        if i % 9 == 0:
            report(url(p), p.ts, "background", "other")
    # the crew: three coordinated waves against the Target, then a few reported posts
    crew_posts = []
    for w, text in enumerate(CREW_TEXTS):
        t0 = day + (3 + 4 * w) * DAY + 15 * HOUR
        for acc in crew:
            if rng.random() < 0.9:
                crew_posts.append(post(acc, t0 + rng.randrange(0, 50), text, mentions=[target],
                                       hashtags=["LindqvistOut"]))
    for p in rng.sample(crew_posts, 4):
        report(url(p), p.ts, "campaign", "harassment")
    # threats to life (urgent), by accounts outside the crew
    for lang, text in THREATS:
        acc = rng.choice(people)
        p = post(acc, day + rng.randrange(2 * DAY, 18 * DAY), text, lang=lang, mentions=[target])
        report(url(p), p.ts, "threat_to_life", "threat")
    # decoys: angry but legal; news quoting threats; a popular post; one post reported three times
    for lang, text in ANGRY:
        acc = rng.choice(people)
        p = post(acc, day + rng.randrange(0, 18 * DAY), text, lang=lang,
                 mentions=[target] if "@maralindqvist" in text else [])
        report(url(p), p.ts, "angry_legal")
    for lang, text in NEWS:
        p = post(news, day + rng.randrange(0, 18 * DAY), text, lang=lang)
        report(url(p), p.ts, "news_quote", "threat")
    popular = post(rng.choice(people), day + 5 * DAY, "The harbour festival is back this summer, share it!")
    for acc in rng.sample(people, min(40, len(people) - 1)):
        if acc is not popular.acc:
            post(acc, popular.ts + rng.randrange(60, HOUR - 60), f"RT @{popular.acc.handle}: {popular.text}",
                 retweeted=popular)
    report(url(popular), popular.ts, "popular")
    multi = post(rng.choice(people), day + 6 * DAY, "The new parking rules are ridiculous, who wrote them?")
    for _ in range(3):
        report(url(multi), multi.ts, "multi_reported")

    with open(out / "snscrape" / "tweets.jsonl", "w", encoding="utf-8", newline="\n") as f:
        for p in sorted(posts, key=lambda x: (-x.ts, -x.tid)):
            f.write(_dumps(_tweet_json(p)) + "\n")

    # the web: a page showing a known picture (re-encoded, resized), another page with another picture
    original = _picture(4242, 256, 95)
    captured = _picture(4242, 200, 70)
    other = _picture(77, 200, 80)
    warc = Warc(out / "web" / "capture.warc.gz", random.Random(seed), "graphinv-triagescenario")
    when = day + 12 * DAY
    warc.warcinfo(when, "triage scenario")
    pages = {"https://propaganda.example/post/7": "/img/poster.jpg", "https://propaganda.example/post/8": "/img/harbour.jpg"}
    for page, img in pages.items():
        body = (f"<html><head><title>Post</title></head><body><h1>News of the day</h1>"
                f"<p>Read and share.</p><img src=\"{img}\"></body></html>").encode()
        warc.exchange(page, when, 200, body, "text/html; charset=utf-8")
        warc.exchange("https://propaganda.example" + img, when + 1, 200,
                      captured if img.endswith("poster.jpg") else other, "image/jpeg")
    warc.fh.close()
    report("https://propaganda.example/post/7", when, "bank_match", "terrorism")
    report("https://propaganda.example/post/8", when, "background", "other")

    with open(out / "csv" / "reports.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["report_id", "url", "reported_at", "reported_to", "category"])
        for rep in reports:
            wr.writerow([rep["report_id"], rep["url"], isoz(rep["reported_at"]), rep["reported_to"], rep["category"]])
    with open(out / "csv" / "targets.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["name", "aliases", "accounts"])
        wr.writerow([TARGET, "M. Lindqvist|Councillor Lindqvist", f"twitter:{TARGET_HANDLE}"])

    from graphinv.fingerprint import image_fingerprint

    known = image_fingerprint(original)
    with open(out / "bank" / "known.csv", "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["signal_type", "signal_value", "labels"])
        wr.writerow(["pdq", known["pdq"], "terrorist_content propaganda"])
        wr.writerow(["md5", known["md5"], "terrorist_content"])
        for i in range(5):
            wr.writerow(["md5", hashlib.md5(f"unrelated {seed} {i}".encode()).hexdigest(), "unrelated"])
    truth = {"seed": seed, "kinds": kinds, "urgent": sorted(r for r, k in kinds.items() if k in URGENT_KINDS),
             "target": TARGET}
    (out / "truth.json").write_text(json.dumps(truth, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--background", type=int, default=60)
    args = parser.parse_args()
    truth = generate(args.out, args.seed, args.background)
    print(f"{len(truth['kinds'])} reports, {len(truth['urgent'])} urgent, written to {args.out}")


if __name__ == "__main__":
    main()
