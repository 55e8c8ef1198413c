"""Telegram Desktop exports (``result.json``): one chat, or the whole account.

Reads the single-chat export (``{"name", "type", "id", "messages": […]}``) and the
full-account export (``{"about", …, "chats": {"list": [chat…]}, "left_chats": …}``).
The file is streamed: each message object is decoded on its own with
``json.JSONDecoder.raw_decode`` from a sliding buffer, so a multi-GB export never sits
in memory whole. A file that stops being valid JSON part-way yields every message
before the damage and then ONE ``Reject`` (``truncated_json`` when the file ends
inside it, ``bad_json`` for a syntax error), with the byte offset.

Representation:

- Chats are keyed by their peer: ``channel<id>`` for channels and supergroups (and chats
  of unknown type), ``chat<id>`` for basic groups, ``user<id>`` for personal chats. Ids
  are normalised (:func:`collectors.telegram_common.peer_key`): exports of 2018–2020
  write a channel's id as 2**33 + id, other tools as ``-100<id>``; all are one key, so
  two exports of one channel are one account. A channel is itself an Account
  (``account_uid("telegram", "channel<id>")``, display name = chat name). Pass
  ``username="somechannel"`` for a single-chat export to key the channel and its
  posts by its public username, as the snscrape collector does.
- Message: Post ``post_id = "<chat key>/<message id>"``; author
  ``account_uid("telegram", from_id)`` (``user123``/``channel456``) -POSTED{time}-> Post;
  a numeric ``from_id`` (group exports of 2018–2020) is a peer id too, so authors are
  keyed by id, never by display name, whenever the export gives one. Time from
  ``date_unixtime`` (``date`` is local time without a zone, used only as a fallback,
  read as UTC); ``edited_unixtime`` is the post's ``edited_at``.
- Polls, to-do lists, contacts, locations, venues and games are the post's text
  (``Poll: question`` and ``- answer`` lines…, after its own text), so the same poll
  spread by many accounts is found as the same words; ``via_bot`` is a MENTIONS of the
  bot.
- Forward (``forwarded_from``): the exports give only the source's display name (and
  ``forwarded_from_id`` in some versions), not the original message id. The forward
  becomes, as in the snscrape collector, the forwarder -REPOSTED{time, repost_uid}->
  a stub Post for the original, ``key`` = the forward's post_id. The stub is keyed
  ``fwd:<source>:<first 16 hex of text_hash>`` so forwards of the same message from
  the same source in different chats meet on one Post; ``<source>`` is the
  ``forwarded_from_id`` or ``name:<display name>``, and the source account
  (``account_uid("telegram", source)``) -POSTED-> the stub. Text, links, hashtags and
  mentions belong to the stub.
  A forward that is also a reply, or was edited, has a Post of its own (no author, no
  text) holding its REPLIED_TO and ``edited_at``.
- Reply (``reply_to_message_id``): Post -REPLIED_TO-> stub Post in the same chat.
- Text is a string or a list of strings and entity dicts; entities come from
  ``text_entities`` (or the list): ``link``/``text_link`` -> LINKS_TO Url (anchor = the
  text), ``mention`` -> MENTIONS Account, ``mention_name`` -> MENTIONS
  ``user<user_id>``, ``hashtag`` -> TAGGED.
- Photos and files next to ``result.json`` are hashed (sha256 of the bytes, the real
  Media key) with ``hash_media=True`` (default); images also get the perceptual hash,
  size and type web images get, so a re-encoded copy matches; missing files are skipped.
- Evidence: each message is a ``Capture``: its bytes in the file (the JSON object as
  written), their offset and sha256, linked to what it made. Its capture time is the
  day in the export folder's name (``ChatExport_2026-04-30``: Telegram Desktop names
  it after the day of the export; midnight UTC of that day), else unknown.
- ``type: "service"`` messages that name members (a group created with members,
  members invited) keep the actor and the members as Accounts (by name: the export
  gives no member ids), held by the message's capture; other service messages (joins,
  pins…) are skipped and counted as ``Reject("skipped_service")``; other unknown types
  are ``Reject("unknown_type")``.
- ``collectors/telegram_html.py`` reads the HTML export into these same records.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import Any, Iterator

from graphinv.normalize import normalise_handle, repair_surrogates, text_fingerprints, to_epoch
from graphinv.records import Edge, Node, Record, Reject, account_uid, hashtag_uid, media_uid, post_uid

from .base import Accumulator, Captures, GzipTruncated, base_name, open_text, peek, site_edges, url_records
from .telegram_common import chat_key, extra_text, hash_media_file, peer_key

name = "telegram_export"
description = "Telegram Desktop exports (result.json): one chat or the whole account"

_CHUNK = 1 << 20
_MAX_MESSAGE = 64 << 20  # one message bigger than this means the file is broken
# Telegram Desktop names an export's folder after the day it was made.
EXPORT_FOLDER = re.compile(r"^(?:ChatExport|DataExport)_(\d{4}-\d{2}-\d{2})")
_MESSAGES = re.compile(r'"messages"\s*:\s*\[')
CHAT_HEADER = re.compile(r'"(name|type|id)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+|null)')
_STRUCTURE = re.compile(r'[\[\]{}"]')  # what changes the nesting depth, outside strings
_STRING_END = re.compile(r'["\\]')
# A "\ud800" escape that is not half of a pair: the only way a lone surrogate gets in
# (bad bytes were replaced when the text was decoded). Only such messages are repaired.
_HIGH, _LOW = r"\\u[dD][89abAB][0-9a-fA-F]{2}", r"\\u[dD][c-fC-F][0-9a-fA-F]{2}"
_LONE_SURROGATE = re.compile(f"{_HIGH}(?!{_LOW})|(?<!{_HIGH}){_LOW}")


def detect(path: Path) -> bool:
    """A ``.json`` (optionally ``.gz``) that starts like a Telegram Desktop export."""
    if not base_name(path).endswith(".json"):
        return False
    head = peek(path, 65536).lstrip()
    if not head.startswith(b"{"):
        return False
    if b'"messages"' in head and b'"type"' in head:
        return True
    return b'"about"' in head and (b'"chats"' in head or b"Telegram" in head)


def _flatten(text: Any) -> tuple[str, list[dict]]:
    """Plain text and entity dicts of a message's ``text`` field."""
    if isinstance(text, str):
        return text, []
    if not isinstance(text, list):
        return "", []
    parts, entities = [], []
    for piece in text:
        if isinstance(piece, str):
            parts.append(piece)
        elif isinstance(piece, dict):
            parts.append(str(piece.get("text", "")))
            entities.append(piece)
    return "".join(parts), entities


class MessageReader:
    """The records of a chat's messages, one message dict (as ``result.json`` holds it)
    at a time; the HTML reader hands it the messages it parses too."""

    def __init__(self, path: Path, hash_media: bool, minhash: bool, num_perm: int, username: str | None):
        self.path = path
        self.folder = path.parent
        self.hash_media = hash_media
        self.minhash = minhash
        self.num_perm = num_perm
        self.username = username
        self.acc = Accumulator()
        self.posts: set[str] = set()

    def chat_key(self, chat: dict) -> str:
        if self.username:
            return normalise_handle(self.username)
        name = chat.get("name") if isinstance(chat.get("name"), str) else ""
        return chat_key(chat) or normalise_handle(f"name:{name}")  # an HTML page names its chat, no id

    def chat_records(self, chat: dict) -> None:
        if "channel" in str(chat.get("type", "")):
            self.acc.add("Account", account_uid("telegram", self.chat_key(chat)), {
                "platform": "telegram",
                "handle": self.chat_key(chat),
                "display_name": chat.get("name") if isinstance(chat.get("name"), str) else None,
                "url": f"https://t.me/{self.username}" if self.username else None,
            })

    def author(self, chat: dict, msg: dict, time: int | None) -> str | None:
        from_id = peer_key(msg.get("from_id") or msg.get("actor_id"))
        display = msg.get("from") if isinstance(msg.get("from"), str) else None
        if from_id:
            # Group exports of 2018–2020 write a user's from_id as a number: keyed by it,
            # not by the display name (two people of one name; a user who renamed).
            key = self.chat_key(chat) if from_id == chat_key(chat) else from_id
        elif "channel" in str(chat.get("type", "")) or (display and display == chat.get("name")):
            key = self.chat_key(chat)  # channel posts in old exports carry no from_id
        elif display:
            key = f"name:{display}"
        else:
            return None
        uid = account_uid("telegram", key)
        self.acc.add("Account", uid, {"platform": "telegram", "handle": normalise_handle(key),
                                       "display_name": display}, time)
        return uid

    def body(self, uid: str, msg: dict, text: str, entities: list[dict], time: int | None, out: list) -> None:
        seen: set[str] = set()
        for position, entity in enumerate(entities):
            kind = entity.get("type")
            value = entity.get("text")
            if kind in ("link", "text_link"):
                raw = entity.get("href") if kind == "text_link" else value
                if isinstance(raw, str):
                    target = url_records(self.acc, raw, None, time)
                    if target and ("L" + target) not in seen:
                        seen.add("L" + target)
                        anchor = value if kind == "text_link" and isinstance(value, str) else None
                        out.append(Edge("LINKS_TO", uid, target, _clean({"time": time, "anchor": anchor})))
            elif kind in ("mention", "mention_name"):
                if kind == "mention_name" and entity.get("user_id") is not None:
                    key = f"user{entity['user_id']}"
                    props = {"display_name": value if isinstance(value, str) else None}
                elif isinstance(value, str) and value.strip().lstrip("@"):
                    key = value.strip().lstrip("@")
                    props = {}
                else:
                    continue
                target = account_uid("telegram", key)
                self.acc.add("Account", target, {"platform": "telegram", "handle": normalise_handle(key), **props})
                if ("M" + target) not in seen:
                    seen.add("M" + target)
                    out.append(Edge("MENTIONS", uid, target, _clean({"time": time})))
            elif kind == "hashtag" and isinstance(value, str) and value.strip().lstrip("#"):
                target = hashtag_uid(value)
                if ("T" + target) not in seen:
                    seen.add("T" + target)
                    self.acc.add("Hashtag", target, {"tag": target.split(":", 1)[1]}, time)
                    out.append(Edge("TAGGED", uid, target, _clean({"time": time, "position": position})))
        bot = msg.get("via_bot")
        if isinstance(bot, str) and bot.strip().lstrip("@"):
            # Sent through an inline bot: the bot is named on the post, as a mention.
            target = account_uid("telegram", bot.strip().lstrip("@"))
            self.acc.add("Account", target, {"platform": "telegram", "handle": normalise_handle(bot.lstrip("@"))})
            if ("M" + target) not in seen:
                out.append(Edge("MENTIONS", uid, target, _clean({"time": time})))
        if self.hash_media:
            for field, role in (("photo", "photo"), ("file", "attachment"), ("thumbnail", "thumbnail")):
                rel = msg.get(field)
                if not isinstance(rel, str) or rel.startswith("("):
                    continue  # "(File not included. …)"
                found = hash_media_file(self.folder, rel)
                if found is None:
                    continue
                target = media_uid(found["sha256"])
                mime = msg.get("mime_type") if field == "file" else "image/jpeg"
                self.acc.add("Media", target, _clean({
                    "sha256": found["sha256"], "md5": found.get("md5"), "phash": found.get("phash"),
                    "pdq": found.get("pdq"), "pdq_quality": found.get("pdq_quality"), "url": rel,
                    "mime": found.get("mime") or mime,
                    "width": found.get("width") or _int(msg.get("width")),
                    "height": found.get("height") or _int(msg.get("height")),
                }), time)
                out.append(Edge("HAS_MEDIA", uid, target, _clean({"time": time, "role": role})))
                break

    def read(self, chat: dict, msg: dict, where: str) -> tuple[list[Record], Reject | None]:
        """The records of one message, or the Reject (its place ``where``) that says why
        it gives none: one odd message never stops the file."""
        out: list[Record] = []
        try:
            reject = self.message(chat, msg, out)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            reject = Reject("bad_item", f"{type(exc).__name__}: {exc}"[:200])
        if reject is not None:
            reject.where = where
        return out, reject

    def message(self, chat: dict, msg: dict, out: list) -> Reject | None:
        mtype = msg.get("type", "message")
        if mtype == "service":
            return self.service(chat, msg, out)
        if mtype != "message":
            return Reject("unknown_type", f"message type {mtype!r}")
        mid = msg.get("id")
        if mid is None:
            return Reject("bad_item", "message without id")
        key = self.chat_key(chat)
        pid = f"{key}/{mid}"
        uid = post_uid("telegram", pid)
        time = to_epoch(msg.get("date_unixtime"))
        if time is None:
            time = to_epoch(msg.get("date"))
        author = self.author(chat, msg, time)
        text, entities = _flatten(msg.get("text"))
        if isinstance(msg.get("text_entities"), list):
            entities = [e for e in msg["text_entities"] if isinstance(e, dict)]
        extra = extra_text(msg)  # a poll, to-do list, contact, venue or game
        text = f"{text}\n{extra}" if text and extra else text or extra
        prints = text_fingerprints(text, self.num_perm, self.minhash)
        edited = to_epoch(msg.get("edited_unixtime")) or to_epoch(msg.get("edited"))
        reply = msg.get("reply_to_message_id")

        forwarded = msg.get("forwarded_from")
        if isinstance(forwarded, str) or msg.get("forwarded_from_id"):
            fid = msg.get("forwarded_from_id")
            source_key = (peer_key(fid) or str(fid)) if fid else f"name:{forwarded}"
            source = account_uid("telegram", source_key)
            self.acc.add("Account", source, {"platform": "telegram", "handle": normalise_handle(source_key),
                                              "display_name": forwarded if isinstance(forwarded, str) else None})
            stub_id = f"fwd:{normalise_handle(source_key)}:{prints[0][:16] if prints else pid}"
            target = post_uid("telegram", stub_id)
            if target not in self.posts:
                self.posts.add(target)
                props = {"platform": "telegram", "post_id": stub_id, "account": source}
                if text:
                    props["text"] = text
                if prints:
                    props["text_hash"], props["text_minhash"] = prints
                out.append(Node("Post", target, _clean(props)))
                out.append(Edge("POSTED", source, target))
                self.body(target, msg, text, entities, time, out)
            if author:
                out.append(Edge("REPOSTED", author, target, _clean({"time": time, "repost_uid": uid}), key=pid))
            if reply is not None or edited is not None:
                # The forward is itself a reply, or was edited: a post of its own holds that.
                out.append(Node("Post", uid, _clean({"platform": "telegram", "post_id": pid, "created_at": time,
                                                     "edited_at": edited})))
                self.reply(key, uid, reply, time, out)
            return None

        if uid in self.posts:
            return None
        self.posts.add(uid)
        props = {
            "platform": "telegram",
            "post_id": pid,
            "account": author,
            "url": f"https://t.me/{self.username}/{mid}" if self.username else None,
            "created_at": time,
            "edited_at": edited,
            "first_seen": time,
            "last_seen": time,
            "text": text or None,
        }
        if prints:
            props["text_hash"], props["text_minhash"] = prints
        out.append(Node("Post", uid, _clean(props)))
        if author:
            out.append(Edge("POSTED", author, uid, _clean({"time": time})))
        self.reply(key, uid, reply, time, out)
        self.body(uid, msg, text, entities, time, out)
        return None

    def reply(self, key: str, uid: str, reply: Any, time: int | None, out: list) -> None:
        if reply is None:
            return
        rid = f"{key}/{reply}"
        target = post_uid("telegram", rid)
        if target not in self.posts:
            out.append(Node("Post", target, {"platform": "telegram", "post_id": rid}))
        out.append(Edge("REPLIED_TO", uid, target, _clean({"time": time})))

    def service(self, chat: dict, msg: dict, out: list) -> Reject | None:
        """A group created or members invited: the actor and the members named are kept
        (accounts, tied to this message's capture); other service messages are counted."""
        members = [m for m in msg.get("members") or [] if isinstance(m, str) and m]
        if not members:
            return Reject("skipped_service", str(msg.get("action", "service")))
        # Emitted here, not accumulated, so that the capture of this message holds them.
        display = msg.get("actor") if isinstance(msg.get("actor"), str) and msg.get("actor") else None
        actor = peer_key(msg.get("actor_id")) or (f"name:{display}" if display else None)
        named = [(f"name:{m}", m) for m in members]
        if actor:
            named.append((actor, display))
        for key, display in named:
            out.append(Node("Account", account_uid("telegram", key), _clean({
                "platform": "telegram", "handle": normalise_handle(key), "display_name": display})))
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _clean(props: dict) -> dict:
    return {k: v for k, v in props.items() if v is not None and v != ""}


class _Broken(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class _Stream:
    """A sliding text buffer over the file for raw_decode."""

    def __init__(self, handle):
        self.handle = handle
        self.buf = ""
        self.pos = 0
        self.offset = 0  # characters dropped from the front of buf
        # Byte offsets for captures: ``mark`` is a place in buf whose offset in the file
        # is ``mark_byte``; spans are measured from it, so text is encoded once.
        self.mark = 0
        self.mark_byte = 0
        self.eof = False
        self.escaped = False  # the last decoded value may hold a lone surrogate

    def more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.handle.read(_CHUNK)
        except GzipTruncated as exc:
            self.eof = True
            raise _Broken("truncated_gzip", f"gzip stream ends early: {exc}") from None
        if not chunk:
            self.eof = True
            return False
        if self.pos > _CHUNK:
            self.byte_at(self.pos)
            self.offset += self.pos
            self.buf = self.buf[self.pos:]
            self.mark -= self.pos
            self.pos = 0
        self.buf += chunk
        return True

    def byte_at(self, pos: int) -> int:
        """The file offset of buf[pos] (pos at or after the last one asked for)."""
        self.mark_byte += len(self.buf[self.mark:pos].encode("utf-8", "surrogatepass"))
        self.mark = pos
        return self.mark_byte

    def skip_space(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n,":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def decode(self, decoder: json.JSONDecoder) -> Any:
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
                # A number at the very end of the buffer may continue in the next chunk.
                if end < len(self.buf) or self.eof:
                    self.escaped = _LONE_SURROGATE.search(self.buf, self.pos, end) is not None
                    self.pos = end
                    return value
            except json.JSONDecodeError as exc:
                if self.eof:
                    where = self.offset + exc.pos
                    if exc.pos >= len(self.buf.rstrip()) - 1 or exc.msg.startswith("Unterminated"):
                        raise _Broken("truncated_json", f"the file ends inside a message (byte ~{where})") from None
                    raise _Broken("bad_json", f"{exc.msg} at character {where}") from None
                if len(self.buf) - self.pos > _MAX_MESSAGE:
                    raise _Broken("bad_json", f"{exc.msg} at character {self.offset + exc.pos}") from None
            if not self.more():
                continue  # eof now set: the next round decides

    def skip_value(self) -> None:
        """Move past the JSON value at ``pos`` without decoding it: one nested too
        deeply for the decoder. Tracks only brackets and strings."""
        depth, at, in_string = 0, self.pos, False
        while True:
            match = (_STRING_END if in_string else _STRUCTURE).search(self.buf, at)
            if match is None:
                at = max(at, len(self.buf))
                start = self.pos
                if len(self.buf) - start > _MAX_MESSAGE:
                    raise _Broken("bad_json", f"a message of over {_MAX_MESSAGE} characters")
                if not self.more():
                    raise _Broken("truncated_json", "the file ends inside a message")
                at -= start - self.pos  # more() may have dropped the text before pos
                continue
            char, at = match.group(), match.end()
            if in_string:
                if char == "\\":
                    at += 1
                else:
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "[{":
                depth += 1
            else:
                depth -= 1
            if depth <= 0 and not in_string:
                self.pos = at
                return

    def find_messages(self) -> dict | None:
        """Advance past the next ``"messages": [`` and give the chat header before it.

        The header (``name``, ``type``, ``id``) is read from the last 64 KB of text
        before the match; Telegram writes these keys just before ``messages``.
        """
        tail = ""
        while True:
            match = _MESSAGES.search(self.buf, self.pos)
            if match:
                region = (tail + self.buf[self.pos : match.start()])[-65536:]
                header: dict = {}
                for key, value in CHAT_HEADER.findall(region):
                    header[key] = json.loads(value)  # the last one before "messages" wins
                repair_surrogates(header)  # a chat name may hold a lone surrogate too
                self.pos = match.end()
                return header
            cut = max(self.pos, len(self.buf) - 64)  # the pattern may straddle chunks
            tail = (tail + self.buf[self.pos : cut])[-65536:]
            self.pos = cut
            if not self.more():
                return None


def collect(
    path: Path,
    *,
    hash_media: bool = True,
    minhash: bool = True,
    num_perm: int = 64,
    username: str | None = None,
    **_options: Any,
) -> Iterator[Record]:
    """Records of one Telegram Desktop export (see the module docstring)."""
    path = Path(path)
    reader = MessageReader(path, hash_media, minhash, num_perm, username)
    decoder = json.JSONDecoder()
    chats = 0
    day = EXPORT_FOLDER.search(path.parent.name)
    captures = Captures(path, "telegram", *((to_epoch(day.group(1)), "export folder") if day else ()))
    try:
        with open_text(path) as handle:
            stream = _Stream(handle)
            if peek(path, 3) == codecs.BOM_UTF8:
                stream.mark_byte = len(codecs.BOM_UTF8)  # open_text drops it
            stream.more()
            if not stream.buf.lstrip().startswith("{"):
                raise _Broken("bad_json", "not a JSON object")
            while True:
                chat = stream.find_messages()
                if chat is None:
                    break
                chats += 1
                reader.chat_records(chat)
                while True:
                    nxt = stream.skip_space()
                    if nxt == "]":
                        stream.pos += 1
                        break
                    if nxt == "":
                        raise _Broken("truncated_json", "the file ends inside a messages list")
                    where_pos = stream.offset + stream.pos
                    start = stream.byte_at(stream.pos)
                    try:
                        msg = stream.decode(decoder)
                    except RecursionError:
                        stream.skip_value()
                        yield Reject("too_deep", "a message nested too deeply to read", f"{path}@{where_pos}")
                        continue
                    if not isinstance(msg, dict):
                        yield Reject("bad_item", f"a {type(msg).__name__} in messages", f"{path}@{where_pos}")
                        continue
                    if stream.escaped:
                        msg, repaired = repair_surrogates(msg)
                        if repaired:
                            yield Reject("bad_unicode", f"{repaired} string(s) with a lone surrogate kept with"
                                         " U+FFFD in its place", f"{path}:message {msg.get('id')}")
                    out, reject = reader.read(chat, msg, f"{path}:message {msg.get('id')}")
                    if reject is not None:
                        yield reject
                    else:
                        data = stream.buf[stream.mark:stream.pos].encode("utf-8", "surrogatepass")
                        stream.byte_at(stream.pos)
                        yield from captures.link(captures.node(start, data), out)
            if chats == 0:
                yield Reject("bad_json", "no \"messages\" list found: not a Telegram Desktop export?", str(path))
    except _Broken as exc:
        yield Reject(exc.reason, exc.detail, str(path))
    except UnicodeDecodeError as exc:
        yield Reject("bad_json", f"not UTF-8 text: {exc}", str(path))
    yield from site_edges(reader.acc)
    yield from reader.acc.drain()
