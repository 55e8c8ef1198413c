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
and label; its bio, profile URL and avatar hashes are dropped; and in every string of
every node and edge, the account's uid, ``@handle`` and ``/handle`` (as in profile and
post URLs) are replaced with the pseudonym. Free text can still name a person in ways
this does not catch (a first name, a photo): review a pseudonymised export before
sharing it.

>>> import networkx as nx
>>> G = nx.MultiDiGraph(public_accounts=[])
>>> G.add_node("account:twitter:alice", kind="Account", handle="alice", label="alice", platform="twitter")
>>> G.add_node("post:twitter:1", kind="Post", text="hi @alice", url="https://x.com/alice/status/1")
>>> G.add_edge("account:twitter:alice", "post:twitter:1", key="account:twitter:alice>POSTED>post:twitter:1")
'account:twitter:alice>POSTED>post:twitter:1'
>>> P = pseudonymize(G, b"salt")
>>> sorted(P.nodes)
['account:twitter:anon-c541e38a0370', 'post:twitter:1']
>>> P.nodes["post:twitter:1"]["text"]
'hi @anon-c541e38a0370'
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


def pseudonymize(G: nx.MultiDiGraph, salt: bytes) -> nx.MultiDiGraph:
    """A copy of ``G`` with private persons replaced by pseudonyms."""
    mapping: dict[str, str] = {}
    replacements: list[tuple[re.Pattern, str]] = []
    for uid in private_accounts(G):
        data = G.nodes[uid]
        alias = pseudonym(uid, salt)
        platform = data.get("platform") or uid.split(":")[1]
        mapping[uid] = f"account:{platform}:{alias}"
        handle = data.get("handle") or uid.split(":", 2)[-1]
        replacements.append((re.compile(re.escape(uid)), mapping[uid]))
        if handle:
            replacements.append((re.compile(r"(?<=[@/])" + re.escape(handle) + r"(?![A-Za-z0-9_])", re.I), alias))
    # Longest first, so account:x:bob2 is not rewritten by the pattern of account:x:bob.
    replacements.sort(key=lambda item: -len(item[0].pattern))

    def scrub(value: Any) -> Any:
        if isinstance(value, str):
            for pattern, repl in replacements:
                value = pattern.sub(repl, value)
            return value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value

    H = nx.MultiDiGraph()
    H.graph.update(G.graph)
    H.graph["pseudonymized"] = True
    for node, data in G.nodes(data=True):
        attrs = {k: scrub(v) for k, v in data.items() if not (node in mapping and k in DROPPED)}
        if node in mapping:
            alias = mapping[node].rsplit(":", 1)[1]
            attrs.update(handle=alias, display_name=alias, label=alias)
        H.add_node(mapping.get(node, node), **attrs)
    for src, dst, key, data in G.edges(keys=True, data=True):
        H.add_edge(mapping.get(src, src), mapping.get(dst, dst), key=scrub(key),
                   **{k: scrub(v) for k, v in data.items()})
    H.graph["removed_at"] = {mapping.get(k, k): v for k, v in (G.graph.get("removed_at") or {}).items()}
    return H
