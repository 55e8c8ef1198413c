"""Open a store by URI: ``embedded:PATH`` or ``bolt://`` / ``neo4j://`` / ``neo4j+s://``.

>>> parse_store_uri("embedded:./var/x.lbug")
('embedded', './var/x.lbug')
"""

from __future__ import annotations

import os

from ..errors import StoreError
from .base import GraphStore

DEFAULT_STORE = "embedded:./var/graphinv.lbug"
NEO4J_SCHEMES = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")


def default_store_uri() -> str:
    return os.environ.get("GRAPHINV_STORE") or DEFAULT_STORE


def parse_store_uri(uri: str) -> tuple[str, str]:
    if uri.startswith("embedded:"):
        path = uri[len("embedded:"):]
        if not path:
            raise StoreError("embedded store URI needs a path: embedded:PATH")
        return "embedded", path
    if uri.startswith(NEO4J_SCHEMES):
        return "neo4j", uri
    raise StoreError(f"unknown store URI {uri!r}: use embedded:PATH or bolt://HOST:PORT "
                     "(also neo4j://, neo4j+s://)")


def open_store(uri: str | None = None, read_only: bool = False) -> GraphStore:
    """Open the store named by ``uri`` (default: $GRAPHINV_STORE or the laptop store)."""
    backend, target = parse_store_uri(uri or default_store_uri())
    if backend == "embedded":
        from .embedded import EmbeddedStore
        return EmbeddedStore(target, read_only=read_only)
    from .neo4j import Neo4jStore
    return Neo4jStore(target, read_only=read_only)


__all__ = ["GraphStore", "open_store", "default_store_uri", "parse_store_uri", "DEFAULT_STORE"]
