"""Telegram Desktop's HTML export (``messages.html``, ``messages2.html``, …), read as
its JSON export is: each message div becomes the message ``result.json`` would hold,
and :mod:`collectors.telegram_export` makes the same records of it (posts, authors,
forwards, replies, links, hashtags, mentions, photos, polls, contacts…).

The layout, as Telegram Desktop writes it (``export_output_html.cpp``)::

    <div class="page_header"> … <div class="text bold">CHAT NAME</div> …
    <div class="message default clearfix" id="message42">
     <div class="body">
      <div class="pull_right date details" title="05.06.2023 10:15:00 UTC+02:00">10:15</div>
      <div class="from_name">AUTHOR via @bot</div>
      <div class="forwarded body"><div class="from_name">SOURCE <span class="details"> DATE</span></div> …
      <div class="reply_to details">In reply to <a onclick="return GoToMessage(41)">this message</a></div>
      <div class="media_wrap clearfix"> photo, file, poll, contact, location, venue, game </div>
      <div class="text">TEXT with <a href>, <br>, ShowHashtag(…) links</div>

A ``joined`` message (no ``from_name``) is by the author of the one before it.

What the HTML does not hold, and what is done instead:

- No chat id: the chat is keyed by the id of a ``result.json`` beside the pages (an
  export made in both formats), else by ``username=``, else ``name:<chat name>``.
  Pass the same ``username=`` to both readers to make an HTML and a JSON export of one
  channel meet.
- No user ids: authors, forward sources and members are keyed by display name
  (``name:<name>``), as in JSON exports that lack ``from_id``; a post whose author is
  the chat's own name is the chat's (a channel signs its posts with its name).
- Times: the ``title`` of the date, read with the offset written after it (exports
  before 2022 write none: read as UTC). Telegram Desktop writes the zone's standard
  offset even under summer time, so such times can be an hour off their JSON twins.
- Date separators (``message-1``…) are layout, not messages, and are not counted.

Evidence: each message div is a ``Capture`` (its bytes in the file, from ``<div`` to its
closing ``</div>``); the capture time is the day of the export folder's name, as for
JSON exports.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

from graphinv.normalize import to_epoch
from graphinv.records import Record, Reject

from . import telegram_export
from .base import Captures, GzipTruncated, base_name, open_binary, peek, site_edges

name = "telegram_html"
description = "Telegram Desktop HTML exports (messages.html, messages2.html, …)"

_FILE_NAME = re.compile(r"^messages\d*\.html$")
_MESSAGE = re.compile(rb'<div class="message ([^"]*)" id="message(-?\d+)"')
_DIV = re.compile(rb"<div\b|</div\s*>", re.I)
_CHAT_NAME = re.compile(rb'<div class="page_header">.*?<div class="text bold">(.*?)</div>', re.S)
_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC([+-])(\d{2}):(\d{2}))?")
_GO_TO = re.compile(r"(?:GoToMessage\(|go_to_message)(\d+)")
_MAP_POINT = re.compile(r"[?&]q=(-?[\d.]+),(-?[\d.]+)")
_VIA = re.compile(r"\s+via @(\w+)\s*$")
_MEMBERS = re.compile(r"^(.+?) (?:created group «.*» with members|invited) (.+)$", re.S)
MAX_PAGE_BYTES = 256 << 20  # Telegram Desktop writes 1000 messages a page: far below this


def detect(path: Path) -> bool:
    """``messages.html``/``messagesN.html`` that holds Telegram Desktop's message layout."""
    if not _FILE_NAME.match(base_name(path)):
        return False
    head = peek(path, 8192)
    return b'class="page_header"' in head or b'<div class="message ' in head


# ------------------------------------------------------------------ a small tree


class _Element:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag: str, attrs: dict):
        self.tag, self.attrs, self.children = tag, attrs, []

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def find(self, *classes: str) -> "_Element | None":
        """The first element below (depth first) that has all ``classes``."""
        for child in self.children:
            if isinstance(child, _Element):
                if set(classes) <= child.classes:
                    return child
                found = child.find(*classes)
                if found is not None:
                    return found
        return None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else ("\n" if c.tag == "br" else c.text()) for c in self.children)

    def own_text(self) -> str:
        """The text directly in this element, not in the elements inside it."""
        return "".join(c for c in self.children if isinstance(c, str))


class _Tree(HTMLParser):
    _VOID = {"br", "img", "meta", "link", "hr", "input"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in self._VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Element(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(fragment: str) -> _Element:
    tree = _Tree()
    tree.feed(fragment)
    tree.close()
    return tree.root


# ------------------------------------------------------------------ a message div as JSON


def _block(text: str) -> str:
    """A div's text as written: Telegram Desktop puts a newline after the opening tag
    and a newline plus indentation before the closing one."""
    return text[1:].rstrip() if text.startswith("\n") else text.strip()


def _time(title: str) -> int | None:
    match = _DATE.search(title or "")
    if not match:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    zone = timezone.utc
    if sign:
        delta = timedelta(hours=int(off_h), minutes=int(off_m))
        zone = timezone(delta if sign == "+" else -delta)
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone)
    except ValueError:
        return None
    return int(moment.timestamp())


# Formatting tags and the entity types the JSON export names them with.
_STYLES = {"strong": "bold", "em": "italic", "code": "code", "pre": "pre", "u": "underline",
           "s": "strikethrough", "blockquote": "blockquote"}


def _text_parts(element: _Element) -> list:
    """A text div as the JSON export's ``text``: strings (adjacent ones joined, as the
    JSON writes them) and entity dicts, in the same order, so that entity positions agree."""
    parts: list = []
    for child in element.children:
        if isinstance(child, str) or child.tag == "br":
            piece = child if isinstance(child, str) else "\n"
            if parts and isinstance(parts[-1], str):
                parts[-1] += piece
            else:
                parts.append(piece)
        elif child.tag == "a":
            parts.append(_link_entity(child))
        elif child.tag in _STYLES:
            parts.append({"type": _STYLES[child.tag], "text": child.text()})
        else:
            parts.extend(_text_parts(child))  # spoilers and other wrappers: their contents
    return parts


def _link_entity(anchor: _Element) -> dict | str:
    text, href, onclick = anchor.text(), anchor.attrs.get("href", ""), anchor.attrs.get("onclick", "")
    if "ShowHashtag" in onclick or "ShowCashtag" in onclick:
        return {"type": "hashtag", "text": text}
    if "ShowMentionName" in onclick:
        return {"type": "mention_name", "text": text}
    if "ShowBotCommand" in onclick or href.startswith(("mailto:", "tel:")) or not href:
        return text
    if text.startswith("@") and "t.me/" in href:
        return {"type": "mention", "text": text}
    if href == text:
        return {"type": "link", "text": text}
    return {"type": "text_link", "text": text, "href": href}


def _media(body: _Element, msg: dict) -> None:
    """Fill ``msg`` with what the media block holds, under the JSON export's keys."""
    poll = body.find("media_poll")
    if poll is not None:
        question = poll.find("question")
        answers = [c for c in _descendants(poll) if "answer" in c.classes]
        msg["poll"] = {"question": _block(question.text()) if question else "",
                       "answers": [{"text": re.sub(r"^\s*- ", "", _answer_text(a))} for a in answers]}
        return
    for cls, field in (("photo_wrap", "photo"), ("video_file_wrap", "file"), ("animated_wrap", "file"),
                       ("sticker_wrap", "file")):
        found = body.find(cls)
        if found is not None and found.attrs.get("href"):
            msg[field] = found.attrs["href"]
            return
    media = body.find("media")
    if media is None:
        return
    title = media.find("title")
    description = media.find("description")
    status = media.find("status")
    words = [(_block(e.text()) if e is not None else "") for e in (title, description, status)]
    href = media.attrs.get("href", "")
    classes = media.classes
    if "media_photo" in classes and href:
        msg["photo"] = href
    elif classes & {"media_file", "media_video", "media_audio_file", "media_voice_message"} and href:
        msg["file"] = href
    elif "media_contact" in classes:
        msg["contact_information"] = {"first_name": words[0], "phone_number": words[2]}
    elif classes & {"media_venue", "media_location", "media_live_location"}:
        if "media_venue" in classes:
            msg["place_name"], msg["address"] = words[0], words[1]
        point = _MAP_POINT.search(href)  # the map link holds the coordinates
        if point:
            msg["location_information"] = {"latitude": float(point.group(1)), "longitude": float(point.group(2))}
    elif "media_game" in classes:
        msg["game_title"], msg["game_description"] = words[0], words[1]


def _answer_text(answer: _Element) -> str:
    # "- Yes <span class="details">3 votes</span>": the votes are not the answer.
    return _block("".join(c if isinstance(c, str) else "" for c in answer.children))


def _descendants(element: _Element) -> Iterator[_Element]:
    for child in element.children:
        if isinstance(child, _Element):
            yield child
            yield from _descendants(child)


def message_dict(root: _Element, mid: int, service: bool, previous_author: str | None) -> dict:
    """The ``result.json`` message for one parsed message div."""
    body = root.find("body") or root
    if service:
        text = _block(body.text())
        msg: dict[str, Any] = {"id": mid, "type": "service", "action": "service"}
        members = _MEMBERS.search(text)
        if members:
            msg["actor"] = members.group(1).strip()
            msg["members"] = [m.strip() for m in re.split(r", | and ", members.group(2)) if m.strip()]
        return msg
    msg = {"id": mid, "type": "message"}
    date = body.find("date")
    when = _time(date.attrs.get("title", "")) if date is not None else None
    if when is not None:
        msg["date_unixtime"] = str(when)
    author = None
    for child in body.children:  # the author's from_name sits directly in the body
        if isinstance(child, _Element) and "from_name" in child.classes:
            author = _block(child.text())
            break
    if author is None:
        author = previous_author  # a "joined" message: the author of the one before
    if author:
        via = _VIA.search(author)
        if via:
            msg["via_bot"], author = "@" + via.group(1), author[:via.start()].strip()
        msg["from"] = author
    forwarded = body.find("forwarded", "body")
    content = body
    if forwarded is not None:
        content = forwarded
        source = forwarded.find("from_name")
        if source is not None:
            msg["forwarded_from"] = _block(source.own_text())
    reply = body.find("reply_to")
    if reply is not None:
        link = next((a for a in _descendants(reply) if a.tag == "a"), None)
        if link is not None:
            found = _GO_TO.search(link.attrs.get("onclick", "") + " " + link.attrs.get("href", ""))
            if found:
                msg["reply_to_message_id"] = int(found.group(1))
    _media(content, msg)
    text = content.find("text")
    if text is not None:
        parts = _text_parts(text)
        if parts and isinstance(parts[0], str) and parts[0].startswith("\n"):
            parts[0] = parts[0][1:]
        if parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1].rstrip()
        msg["text"] = [p for p in parts if p != ""]
        msg["text_entities"] = [p if isinstance(p, dict) else {"type": "plain", "text": p} for p in msg["text"]]
    else:
        msg["text"] = ""
    return msg


def _div_end(data: bytes, start: int) -> int:
    """Where the div opening at ``start`` closes (after its ``</div>``); len(data) if never."""
    depth = 0
    for match in _DIV.finditer(data, start):
        depth += 1 if match.group().startswith(b"<div") else -1
        if depth == 0:
            return match.end()
    return len(data)


def _chat_beside(path: Path, chat_name: str) -> dict:
    """The chat's header (name, type, id) from a ``result.json`` in the same folder, when it
    is the same chat: an export made in both formats gives the HTML its chat id."""
    beside = path.parent / "result.json"
    if not beside.is_file():
        return {}
    text = peek(beside, 65536).decode("utf-8-sig", errors="replace")
    head = text.split('"messages"', 1)[0]
    header: dict = {}
    for key, value in telegram_export.CHAT_HEADER.findall(head):
        try:
            header[key] = json.loads(value)
        except ValueError:
            continue
    return header if header.get("name") == chat_name else {}


def collect(path: Path, *, username: str | None = None, hash_media: bool = True, minhash: bool = True,
            num_perm: int = 64, **_options: Any) -> Iterator[Record]:
    """Records of one page of a Telegram Desktop HTML export (see the module docstring)."""
    path = Path(path)
    try:
        with open_binary(path) as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    except GzipTruncated as exc:
        yield Reject("truncated_gzip", f"gzip stream ends early: {exc}", str(path))
        return
    if len(data) > MAX_PAGE_BYTES:
        yield Reject("too_large", f"a page of over {MAX_PAGE_BYTES} bytes: not a Telegram Desktop page", str(path))
        return
    found = _CHAT_NAME.search(data)
    chat_name = _block(html.unescape(found.group(1).decode("utf-8", "replace"))) if found else ""
    chat = {"name": chat_name, **_chat_beside(path, chat_name)}
    reader = telegram_export.MessageReader(path, hash_media, minhash, num_perm, username)
    reader.chat_records(chat)
    day = telegram_export.EXPORT_FOLDER.search(path.parent.name)
    captures = Captures(path, "telegram_html", *((to_epoch(day.group(1)), "export folder") if day else ()))
    author = None
    for match in _MESSAGE.finditer(data):
        classes, mid = match.group(1).decode().split(), int(match.group(2))
        if mid < 0:
            continue  # a date separator
        start = match.start()
        end = _div_end(data, start)
        where = f"{path}:message {mid}"
        try:
            root = _parse(data[start:end].decode("utf-8", errors="replace"))
            msg = message_dict(root, mid, "service" in classes, author if "joined" in classes else None)
        except (ValueError, AssertionError, RecursionError) as exc:
            yield Reject("bad_item", f"{type(exc).__name__}: {exc}"[:200], where)
            continue
        if msg.get("type") == "message":
            author = msg.get("from")
        out, reject = reader.read(chat, msg, where)
        if reject is not None:
            yield reject
            continue
        yield from captures.link(captures.node(start, data[start:end]), out)
    yield from site_edges(reader.acc)
    yield from reader.acc.drain()
