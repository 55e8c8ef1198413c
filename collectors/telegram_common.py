"""What the two Telegram Desktop export readers share (``result.json`` and
``messages.html``): peer keys, the text of the message kinds that are not plain text
(polls, to-do lists, contacts, locations, venues, games), and media hashed from the
export folder.

Peer keys. Telegram Desktop has written one chat's id three ways over the years: the
bare id (``1292077344``, with ``from_id: "channel1292077344"``, since 2021), the id
with the peer type in its upper bits (``9882011936`` = 2**33 + 1292077344 for a
channel, 2**32 + id for a basic group, in exports of 2018–2020; newer clients put the
type at bit 48), and other tools write the Bot API's ``-1001292077344``. All become one
key, so that two exports of one channel are one account:

>>> peer_key(9882011936, "public_channel"), peer_key("-1001292077344"), peer_key("channel1292077344")
('channel1292077344', 'channel1292077344', 'channel1292077344')
>>> peer_key(4294967396), peer_key(77), peer_key("user5000000000"), peer_key(-42), peer_key("x")
('chat100', 'user77', 'user5000000000', 'chat42', None)
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from graphinv.fingerprint import image_fingerprint

_PREFIXED = re.compile(r"^(user|chat|channel)(-?\d+)$")
_TYPE_SHIFTS = (48, 32)  # where the peer type sits in an id: newer clients, then 2018–2020
_BOT_API_CHANNEL = 1_000_000_000_000  # -100XXXXXXXXXX is channel XXXXXXXXXX
# Chat types of a result.json whose id is a channel's (supergroups are channels to Telegram).
_CHANNEL_TYPES = ("public_channel", "private_channel", "public_supergroup", "private_supergroup")
_USER_TYPES = ("personal_chat", "bot_chat", "saved_messages")
MAX_IMAGE_BYTES = 64 << 20  # a photo larger than this is hashed (sha256) but not decoded


def peer_key(value: Any, chat_type: str | None = None) -> str | None:
    """``user<id>``, ``chat<id>`` or ``channel<id>`` for a Telegram peer id written in
    any of its spellings; None when ``value`` is not one. ``chat_type`` (the export's
    ``type``) says what a bare positive id is; without it a bare id is a user's. A
    ``user`` id is never shifted: user ids above 2**32 exist since 2021."""
    if isinstance(value, bool) or value is None:
        return None
    kind = None
    if isinstance(value, str):
        match = _PREFIXED.match(value.strip())
        if match:
            kind, value = match.group(1), match.group(2)
        if not re.fullmatch(r"-?\d{1,20}", value.strip()):
            return None
        value = int(value)
    if not isinstance(value, int):
        return None
    if value < 0:
        value = -value
        return f"channel{value - _BOT_API_CHANNEL}" if value > _BOT_API_CHANNEL else f"chat{value}"
    if kind == "user" or (kind is None and chat_type in _USER_TYPES):
        return f"user{value}"
    for shift in _TYPE_SHIFTS:
        typed = {1: "chat", 2: "channel"}.get(value >> shift)
        if typed and kind in (None, typed):
            return f"{typed}{value & ((1 << shift) - 1)}"
    if kind:
        return f"{kind}{value}"
    if chat_type in _CHANNEL_TYPES or (chat_type and "channel" in chat_type):
        return f"channel{value}"
    return f"chat{value}" if chat_type == "private_group" else f"user{value}"


def chat_key(chat: dict) -> str | None:
    """The peer key of an exported chat (its ``id`` read with its ``type``). A chat of
    unknown type keeps the ``channel`` prefix older graphinv versions gave every chat.

    >>> chat_key({"id": 9882011936, "type": "private_channel"}), chat_key({"id": 5, "type": "personal_chat"})
    ('channel1292077344', 'user5')
    """
    kind = str(chat.get("type") or "")
    return peer_key(chat.get("id"), kind if kind in _USER_TYPES or kind == "private_group" else "public_channel")


def _plain(text: Any) -> str:
    """A poll's question or answer: a string, or a list of strings and entity dicts."""
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in text if isinstance(p, (str, dict)))
    return ""


def extra_text(msg: dict) -> str:
    """The words of what a message holds besides its text: a poll's question and
    answers, a to-do list's title and items, a contact, a venue or location, a game.
    They are kept as the post's text (after its own) so that the same poll or contact
    spread by many accounts is found like the same words.

    >>> extra_text({"poll": {"question": "Go?", "answers": [{"text": "Yes"}, {"text": "No"}]}})
    'Poll: Go?\\n- Yes\\n- No'
    >>> extra_text({"contact_information": {"first_name": "Ann", "last_name": "", "phone_number": "+1 555"}})
    'Contact: Ann +1 555'
    """
    parts: list[str] = []
    poll = msg.get("poll")
    if isinstance(poll, dict):
        answers = [_plain(a.get("text")) for a in poll.get("answers") or [] if isinstance(a, dict)]
        parts.append("\n".join([f"Poll: {_plain(poll.get('question'))}", *(f"- {a}" for a in answers)]))
    todo = msg.get("todo_list")
    if isinstance(todo, dict):
        items = todo.get("answers") or todo.get("items") or []
        texts = [_plain(i.get("text")) for i in items if isinstance(i, dict)]
        parts.append("\n".join([f"To-do list: {_plain(todo.get('title'))}", *(f"- {t}" for t in texts)]))
    contact = msg.get("contact_information")
    if isinstance(contact, dict):
        words = [contact.get(k) for k in ("first_name", "last_name", "phone_number")]
        parts.append("Contact: " + " ".join(str(w) for w in words if w))
    place = [msg.get(k) for k in ("place_name", "address") if isinstance(msg.get(k), str) and msg.get(k)]
    where = msg.get("location_information")
    if isinstance(where, dict) and where.get("latitude") is not None:
        place.append(f"{where.get('latitude')}, {where.get('longitude')}")
    if place:
        parts.append(("Venue: " if msg.get("place_name") else "Location: ") + ", ".join(place))
    if msg.get("game_title"):
        parts.append("Game: " + " ".join(str(msg[k]) for k in ("game_title", "game_description") if msg.get(k)))
    return "\n".join(p for p in parts if p.strip())


def hash_media_file(folder: Path, rel: str) -> dict | None:
    """sha256 (and, for an image, the perceptual hash, size and type, as for web
    images: :func:`graphinv.fingerprint.image_fingerprint`) of a file the export put
    beside itself; None when it is missing or outside the export folder."""
    file = folder / rel
    try:
        if not file.resolve().is_relative_to(folder.resolve()) or not file.is_file():
            return None
        if file.stat().st_size <= MAX_IMAGE_BYTES:
            data = file.read_bytes()
            found = image_fingerprint(data) or {}
            return {**found, "sha256": hashlib.sha256(data).hexdigest(),
                    "md5": hashlib.md5(data, usedforsecurity=False).hexdigest()}
        digest, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
                md5.update(block)
        return {"sha256": digest.hexdigest(), "md5": md5.hexdigest()}
    except OSError:
        return None
