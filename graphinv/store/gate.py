"""The query gate: what a read-only query may be, on both stores.

Every read the API, the CLI and the app's console send goes through ``check_read``
before it reaches a database. A read is ONE statement made of read clauses. The
check is lexical (strings, backtick names and comments are skipped), so it holds
whatever either engine would do with the text; each store then adds its own second
line (the query plan on Ladybug, a read transaction on Neo4j).

Why a lexical allow-list and not the engines' own judgement: LadybugDB explains the
first of two ``;``-joined statements and *runs* the second, and both engines treat
``LOAD FROM`` / ``LOAD CSV`` (files and URLs), ``COPY … TO`` (files), ``SHOW`` and
``TERMINATE TRANSACTIONS`` and configuration calls as "reads". The app's console is
reachable by any page the user visits if the Host check fails, so a "read" must not
touch the file system, the network or other sessions.

>>> check_read("MATCH (n:Account) RETURN n.handle; ")
'MATCH (n:Account) RETURN n.handle'
>>> check_read("RETURN 1; COPY (RETURN 2) TO '/tmp/x.csv'")
Traceback (most recent call last):
...
graphinv.errors.ReadOnlyError: refused: one statement at a time, and this text holds 2 (split at ';')
>>> check_read("LOAD FROM '/etc/passwd' RETURN *")  # doctest: +NORMALIZE_WHITESPACE
Traceback (most recent call last):
...
graphinv.errors.ReadOnlyError: refused: LOAD is not allowed in a read-only query (it writes to the store, reads files
or URLs, or administers the server); writes need --write (write=True)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from ..errors import ReadOnlyError

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>//[^\n]*|/\*.*?\*/)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>`(?:[^`]|``)*`)
  | (?P<word>[^\W\d]\w*)
  | (?P<semicolon>;)
  | (?P<open>/\*|['"`])
  | (?P<other>.)
""", re.S | re.X)

# Clause words a read never needs: writes, file and URL access, extensions, databases,
# transactions, configuration, users, and the server's view of other sessions.
FORBIDDEN = frozenset("""
    CREATE MERGE SET DELETE DETACH REMOVE DROP ALTER RENAME COPY LOAD INSTALL UNINSTALL
    ATTACH IMPORT EXPORT FOREACH CHECKPOINT USE SHOW TERMINATE GRANT DENY REVOKE START STOP
    BEGIN COMMIT ROLLBACK ENABLE DISABLE MACRO PERIODIC TRANSACTIONS TRANSACTION
""".split())

# A statement starts with one of these.
FIRST_WORDS = frozenset({"MATCH", "OPTIONAL", "WITH", "UNWIND", "RETURN", "CALL", "EXPLAIN", "PROFILE"})

# Procedures a read may call (by their lower-cased name); CALL { … } subqueries are
# checked like the rest of the text.
PROCEDURES = frozenset({
    # Neo4j: the schema, nothing about users, sessions or configuration.
    "db.labels", "db.relationshiptypes", "db.propertykeys", "db.schema.visualization",
    "db.schema.nodetypeproperties", "db.schema.reltypeproperties",
    # LadybugDB's catalogue.
    "show_tables", "table_info", "show_connection",
})


# Namespaces of plugin and server procedures and functions.
NAMESPACES = frozenset({"APOC", "DBMS", "GDS"})


@dataclass(frozen=True)
class Limits:
    """What one read may take: ``seconds`` of run time and ``rows`` returned (None: no cap).

    A capped result says so: its frame has ``attrs["truncated"] = True``.
    """

    seconds: float | None = 30.0
    rows: int | None = 100_000


def default_limits() -> Limits:
    """Limits for reads typed by people (the CLI's --cypher, the console): 30 s and
    100,000 rows unless $GRAPHINV_QUERY_SECONDS / $GRAPHINV_QUERY_ROWS say otherwise."""
    seconds = float(os.environ.get("GRAPHINV_QUERY_SECONDS", "30"))
    rows = int(os.environ.get("GRAPHINV_QUERY_ROWS", "100000"))
    return Limits(seconds=seconds if seconds > 0 else None, rows=rows if rows > 0 else None)


def _tokens(cypher: str):
    for match in _TOKEN.finditer(cypher):
        kind = match.lastgroup
        if kind == "open":
            raise ReadOnlyError("refused: unterminated string, name or comment in the query")
        if kind not in ("space", "comment"):
            yield kind, match.group()


def parameters(cypher: str) -> set[str]:
    """The ``$names`` a query uses (not inside strings or comments).

    >>> sorted(parameters("MATCH (n) WHERE n.uid = $uid AND n.x = '$not' RETURN $limit"))
    ['limit', 'uid']
    """
    try:
        tokens = list(_tokens(cypher))
    except ReadOnlyError:
        return set()
    return {text.strip("`") for (kind, before), (_, text) in zip(tokens, tokens[1:])
            if kind == "other" and before == "$"}


def check_read(cypher: str) -> str:
    """The single read statement of ``cypher`` (a trailing ``;`` dropped), or
    ReadOnlyError saying what is not allowed."""
    tokens = list(_tokens(cypher))
    while tokens and tokens[-1][0] == "semicolon":
        tokens.pop()
    if not tokens:
        raise ReadOnlyError("refused: the query is empty")
    statements = 1 + sum(1 for kind, _ in tokens if kind == "semicolon")
    if statements > 1:
        raise ReadOnlyError(f"refused: one statement at a time, and this text holds {statements} (split at ';')")
    for i, (kind, text) in enumerate(tokens):
        if kind != "word":
            continue
        before = tokens[i - 1][1] if i else ""
        after = tokens[i + 1][1] if i + 1 < len(tokens) else ""
        # n.set, (n:Copy), {load: 1}: names of properties, labels and map keys, not clauses.
        if before in (".", ":", "$") or after == ":":
            continue
        word = text.upper()
        if word in FORBIDDEN:
            raise ReadOnlyError(f"refused: {word} is not allowed in a read-only query (it writes to the "
                                "store, reads files or URLs, or administers the server); writes need "
                                "--write (write=True)")
        if word == "CALL" and after != "{":
            _check_procedure(tokens[i + 1:])
        # Plugin and server functions read files and URLs or administer (apoc.load.*,
        # apoc.import.*, dbms.*), wherever they appear.
        if word in NAMESPACES and after == ".":
            raise ReadOnlyError(f"refused: {text}.… functions are not allowed in a read-only query")
    first_kind, first = tokens[0]
    if first_kind != "word" or first.upper() not in FIRST_WORDS:
        raise ReadOnlyError(f"refused: a read-only query starts with {', '.join(sorted(FIRST_WORDS))}; "
                            f"this one starts with {first[:40]!r}")
    end = cypher.rstrip()
    while end.endswith(";"):
        end = end[:-1].rstrip()
    return end


def _check_procedure(rest) -> None:
    parts = []
    for kind, text in rest:
        if kind in ("word", "name") and (not parts or parts[-1] == "."):
            parts.append(text.strip("`"))
        elif text == "." and parts and parts[-1] != ".":
            parts.append(".")
        else:
            break
    name = "".join(parts).lower()
    if name not in PROCEDURES:
        raise ReadOnlyError(f"refused: CALL {name or '…'} is not allowed in a read-only query; allowed: "
                            f"{', '.join(sorted(PROCEDURES))}")
