"""Where the two stores' Cypher differs, as data: the console shows it, the embedded
store rewrites the Neo4j spellings of the common functions into Ladybug's
(:func:`to_ladybug`), and a query that uses another Neo4j spelling on the embedded
store is answered with the Ladybug one.

Measured on Neo4j 5.26 and Ladybug (see the project notes on both engines).

>>> hint("Catalog exception: function SUBSTR does not exist.")
''
>>> hint("Runtime exception: List extract takes 1-based position.")
'lists count from 1 on the embedded store (LadybugDB): write l[1] for the first item'
>>> to_ladybug("MATCH (n)-[r]->() RETURN labels(n)[0] AS kind, type(r), n.type")
'MATCH (n)-[r]->() RETURN label(n) AS kind, label(r), n.type'
"""

from __future__ import annotations

import re

# (Neo4j, Ladybug, what to know): the same question asked of each store.
SPELLINGS = (
    ("type(r)", "label(r)", "the kind of an edge; rewritten on the embedded store"),
    ("labels(n)[0]", "label(n)", "the kind of a node (Ladybug gives one string); rewritten on the embedded store,"
     " as are head(labels(n)) and labels(n) (a one-item list)"),
    ("toString(x)", "to_string(x)", "rewritten on the embedded store"),
    ("toInteger(x)", "to_int64(x)", "rewritten on the embedded store"),
    ("toFloat(x)", "to_double(x)", "rewritten on the embedded store"),
    ("split(s, ',')", "string_split(s, ',')", "rewritten on the embedded store"),
    ("l[0]", "l[1]", "Ladybug lists count from 1 (l[0] is an error)"),
    ("shortestPath((a)-[*..5]-(b))", "(a)-[* SHORTEST 1..5]-(b)", ""),
    ("[x IN l WHERE x > 1]", "list_filter(l, x -> x > 1)", ""),
    ("startNode(r) = n", "r.uid STARTS WITH n.uid + '>'", "edge uids read src>KIND>dst on both stores"),
    ("datetime()", "timestamp()", "times are epoch seconds in graphinv's stores: compare numbers"),
    ("substring(s, 0, 3)", "substring(s, 1, 3)", "Ladybug counts from 1"),
    ("CALL { … }", "(none)", "no subqueries on Ladybug: use WITH"),
)
_FUNCTION = re.compile(r"function (\w+) does not exist", re.I)

# Functions whose Neo4j name the embedded store renames (the arguments are the same).
RENAMED = {"type": "label", "tostring": "to_string", "tointeger": "to_int64", "tofloat": "to_double",
           "split": "string_split"}
# Quoted text and `escaped names` are left as they are; only the Cypher between them is rewritten.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`", re.S)
_VAR = r"\s*\(\s*([A-Za-z_]\w*)\s*\)"
# labels(n)[0] and head(labels(n)): Ladybug's labels(n) is a string, whose [0] is '' (no error).
_FIRST_LABEL = re.compile(rf"(?<![\w.$])(?:labels{_VAR}\s*\[\s*0\s*\]|head\s*\(\s*labels{_VAR}\s*\))", re.I)
_LABELS = re.compile(rf"(?<![\w.$])labels{_VAR}", re.I)
_CALL = re.compile(rf"(?<![\w.$])({'|'.join(RENAMED)})(\s*\()", re.I)


def to_ladybug(cypher: str) -> str:
    """``cypher`` with the Neo4j spellings of the common functions in Ladybug's, so that
    they answer the same on both stores: ``labels(n)[0]`` and ``head(labels(n))`` ->
    ``label(n)``, ``labels(n)`` -> ``[label(n)]``, and the :data:`RENAMED` functions.

    >>> to_ladybug("MATCH (n) WHERE 'Post' IN labels(n) RETURN toString(n.uid), 'type(r)'")
    "MATCH (n) WHERE 'Post' IN [label(n)] RETURN to_string(n.uid), 'type(r)'"
    """
    pieces, last = [], 0
    for quoted in _QUOTED.finditer(cypher):
        pieces += [_rewrite(cypher[last:quoted.start()]), quoted.group()]
        last = quoted.end()
    return "".join(pieces + [_rewrite(cypher[last:])])


def _rewrite(code: str) -> str:
    code = _FIRST_LABEL.sub(lambda m: f"label({m.group(1) or m.group(2)})", code)
    code = _LABELS.sub(lambda m: f"[label({m.group(1)})]", code)
    return _CALL.sub(lambda m: RENAMED[m.group(1).lower()] + m.group(2), code)


def hint(message: str) -> str:
    """The Ladybug spelling of the Neo4j function an error names; '' when none applies."""
    if "1-based position" in message:
        return "lists count from 1 on the embedded store (LadybugDB): write l[1] for the first item"
    match = _FUNCTION.search(message)
    if not match:
        return ""
    name = match.group(1).lower()
    for neo4j, ladybug, _ in SPELLINGS:
        if neo4j.lower().startswith(name + "("):
            return f"write {ladybug} instead of {neo4j} on the embedded store (LadybugDB)"
    return ""
