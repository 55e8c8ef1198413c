"""Stable pseudonyms for private persons in exports.

A private person is an Account that is not one of a Target's listed real accounts
(public figures being attacked keep their names; so do sites, which are publications).
Each such account gets ``anon-`` + the first 12 hex digits of HMAC-SHA256(salt, uid):
the same account gets the same pseudonym in every export made with the same salt, and
without the salt the pseudonym cannot be reversed by hashing guessed handles.

The salt comes from, in order: ``$GRAPHINV_PSEUDONYM_SALT`` (the text itself), the file
given with ``--salt-file`` or ``$GRAPHINV_PSEUDONYM_SALT_FILE``, or ``var/pseudonym.salt``
(created with 32 random bytes, mode 0600, on first use). Keep the salt secret and keep
it for as long as exports must stay comparable.

What is replaced: the account's uid (``account:twitter:anon-…``), handle, display name
and label; its bio, profile URL and avatar hashes are dropped. In every string of every
node, edge and of the selection's context (source files, capture and co-action
tables): a URL that names the account (a profile or post URL) becomes ``(withheld)``,
since ``x.com/anon-…`` would be an address that does not exist; then the account's uid
and its handle as a word (``@handle``, ``twitter-user-handle.jsonl``) become the
pseudonym. A node whose uid holds such a URL is renamed ``url:withheld:…``. Free text
can still name a person in ways this does not catch (a first name, a photo): review a
pseudonymised export before sharing it.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(public_accounts=[])
>>> G.add_node("account:twitter:alice", kind="Account", handle="alice", label="alice", platform="twitter")
>>> G.add_node("post:twitter:1", kind="Post", text="hi @alice", url="https://x.com/alice/status/1")
>>> G.add_edge("account:twitter:alice", "post:twitter:1", key="account:twitter:alice>POSTED>post:twitter:1")
'account:twitter:alice>POSTED>post:twitter:1'
>>> P = pseudonymize(G, b"salt")
>>> sorted(P.nodes)
['account:twitter:anon-c541e38a0370', 'post:twitter:1']
>>> P.nodes["post:twitter:1"]["text"], P.nodes["post:twitter:1"]["url"]
('hi @anon-c541e38a0370', '(withheld)')
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Any, Callable

import networkx as nx

from ..errors import InputError

DEFAULT_SALT_FILE = Path("var") / "pseudonym.salt"
DROPPED = ("bio", "url", "avatar_sha256", "avatar_phash")


def load_salt(salt_file: str | Path | None = None, notice: Callable[[str], None] | None = None) -> bytes:
    """The pseudonym salt (see the module docstring for where it comes from)."""
    env = os.environ.get("GRAPHINV_PSEUDONYM_SALT")
    if env:
        return env.encode("utf-8")
    path = Path(salt_file or os.environ.get("GRAPHINV_PSEUDONYM_SALT_FILE") or DEFAULT_SALT_FILE)
    if path.is_file():
        salt = path.read_bytes().strip()
        if len(salt) < 16:
            raise InputError(f"pseudonym salt in {path} is too short (at least 16 bytes)")
        return salt
    path.parent.mkdir(parents=True, exist_ok=True)
    salt = secrets.token_hex(32).encode("ascii")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(salt + b"\n")
    if notice:
        notice(f"created a new pseudonym salt in {path}; keep it secret and keep it to get the same pseudonyms")
    return salt


def pseudonym(uid: str, salt: bytes) -> str:
    return "anon-" + hmac.new(salt, uid.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def private_accounts(G: nx.MultiDiGraph) -> list[str]:
    public = set(G.graph.get("public_accounts") or [])
    return sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "Account" and n not in public)


WITHHELD = "(withheld)"
# A URL, with or without its scheme: what a handle inside it must not be spliced into.
_URL = re.compile(r"(?:https?://|www\.)[^\s\"'<>]+|\b(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}/[^\s\"'<>]*")


class _Scrubber:
    """Rewrites strings (and the lists, dicts and frames holding them) for a set of
    private accounts: URLs naming them withheld, their uids and handles pseudonymised."""

    def __init__(self, G: nx.MultiDiGraph, salt: bytes):
        self.mapping: dict[str, str] = {}
        self.ids: dict[str, str] = {}  # every node's new uid, once known: a uid in a table follows its node
        names: list[tuple[str, str]] = []
        for uid in private_accounts(G):
            data = G.nodes[uid]
            alias = pseudonym(uid, salt)
            platform = data.get("platform") or uid.split(":")[1]
            self.mapping[uid] = f"account:{platform}:{alias}"
            names.append((uid, alias))
            handle = data.get("handle") or uid.split(":", 2)[-1]
            if handle:
                names.append((handle, alias))
            # A display name quoted in a text names the person as well as the handle does.
            if len(str(data.get("display_name") or "").strip()) >= 4:
                names.append((str(data["display_name"]).strip(), alias))
        # Longest first, so account:x:bob2 is not rewritten by the pattern of account:x:bob.
        names.sort(key=lambda item: -len(item[0]))
        self.words = [(re.compile(r"(?<![A-Za-z0-9_])" + re.escape(name) + r"(?![A-Za-z0-9_])", re.I),
                       self.mapping.get(name, alias)) for name, alias in names]

    def names_someone(self, text: str) -> bool:
        return any(pattern.search(text) for pattern, _ in self.words)

    def text(self, value: str) -> str:
        if value in self.ids:
            return self.ids[value]
        if not self.words:
            return value
        value = _URL.sub(lambda m: WITHHELD if self.names_someone(m.group(0)) else m.group(0), value)
        for pattern, repl in self.words:
            value = pattern.sub(repl, value)
        return value

    def __call__(self, value: Any) -> Any:
        import pandas as pd

        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (list, tuple)):
            return type(value)(self(v) for v in value)
        if isinstance(value, dict):
            return {self(k): self(v) for k, v in value.items()}
        if isinstance(value, pd.DataFrame):
            out = value.copy()
            for col in out.columns:
                if out[col].dtype.kind not in "biufcmM":  # numbers and times hold no names
                    out[col] = [self(v) for v in out[col]]
            return out
        return value

    def node_id(self, uid: str, salt: bytes) -> str:
        """An account's pseudonymous uid; a node whose uid holds a withheld URL gets
        ``<prefix>:withheld:<hmac>`` (still unique, and naming nobody)."""
        if uid in self.mapping:
            return self.mapping[uid]
        scrubbed = self.text(uid)
        if WITHHELD in scrubbed:
            return f"{uid.split(':', 1)[0]}:withheld:{pseudonym(uid, salt)[5:]}"
        return scrubbed


def pseudonymize(G: nx.MultiDiGraph, salt: bytes) -> nx.MultiDiGraph:
    """A copy of ``G`` with private persons replaced by pseudonyms (see the module
    docstring); ``G.graph`` (sources, captures, co-actions, selection) included."""
    scrub = _Scrubber(G, salt)
    ids = {node: scrub.node_id(node, salt) for node in G.nodes}
    scrub.ids = ids
    H = nx.MultiDiGraph()
    H.graph.update({k: scrub(v) for k, v in G.graph.items() if k != "public_accounts"})
    H.graph["public_accounts"] = list(G.graph.get("public_accounts") or [])
    H.graph["pseudonymized"] = True
    for node, data in G.nodes(data=True):
        private = node in scrub.mapping
        attrs = {k: scrub(v) for k, v in data.items() if not (private and k in DROPPED)}
        if private:
            alias = ids[node].rsplit(":", 1)[1]
            attrs.update(handle=alias, display_name=alias, label=alias)
        H.add_node(ids[node], **attrs)
    for src, dst, key, data in G.edges(keys=True, data=True):
        new_key = scrub(key)
        while H.has_edge(ids[src], ids[dst], new_key):  # two withheld URLs may read alike
            new_key += "+"
        H.add_edge(ids[src], ids[dst], key=new_key, **{k: scrub(v) for k, v in data.items()})
    return H
