"""Where the two stores' Cypher differs, as data: the console shows it, and a query
that uses a Neo4j spelling on the embedded store is answered with the Ladybug one.

Measured on Neo4j 5.26 and Ladybug (see the project notes on both engines).

>>> hint("Catalog exception: function TYPE does not exist.")
'write label(r) instead of type(r) on the embedded store (LadybugDB)'
>>> hint("Binder exception: something else")
''
"""

from __future__ import annotations

import re

# (Neo4j, Ladybug, what to know): the same question asked of each store.
SPELLINGS = (
    ("type(r)", "label(r)", "the kind of an edge"),
    ("labels(n)[0]", "label(n)", "the kind of a node (Ladybug gives one string)"),
    ("toString(x)", "CAST(x AS STRING)", ""),
    ("toInteger(x)", "to_int64(x)", ""),
    ("split(s, ',')", "string_split(s, ',')", ""),
    ("shortestPath((a)-[*..5]-(b))", "(a)-[* SHORTEST 1..5]-(b)", ""),
    ("[x IN l WHERE x > 1]", "list_filter(l, x -> x > 1)", ""),
    ("startNode(r) = n", "r.uid STARTS WITH n.uid + '>'", "edge uids read src>KIND>dst on both stores"),
    ("datetime()", "timestamp()", "times are epoch seconds in graphinv's stores: compare numbers"),
    ("substring(s, 0, 3)", "substring(s, 1, 3)", "Ladybug counts from 1"),
    ("CALL { … }", "(none)", "no subqueries on Ladybug: use WITH"),
)
_FUNCTION = re.compile(r"function (\w+) does not exist", re.I)


def hint(message: str) -> str:
    """The Ladybug spelling of the Neo4j function an error names; '' when none applies."""
    match = _FUNCTION.search(message)
    if not match:
        return ""
    name = match.group(1).lower()
    for neo4j, ladybug, _ in SPELLINGS:
        if neo4j.lower().startswith(name + "("):
            return f"write {ladybug} instead of {neo4j} on the embedded store (LadybugDB)"
    return ""
