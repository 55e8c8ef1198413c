"""The named query library: ``queries/*.cypher``, each with a metadata header.

A query file opens with a block of ``//`` comment lines holding YAML::

    // name: lineage
    // title: Lineage of a site or account
    // description: >
    //   The REAPPEARS_AS chain through an entity ...
    // parameters:
    //   uid: {type: string, required: true, description: "uid of a Site or Account"}
    //   limit: {type: int, default: 100}
    // writes: false
    MATCH ...

Parameter types: ``string``, ``int``, ``float``, ``bool``, ``strings`` (a list; on the
command line comma separated) and ``time`` (epoch seconds in the store; ISO 8601 dates
such as ``2024-03-01`` or ``2024-03-01T12:00:00Z`` are converted at this edge). A
``strings`` parameter may take its default from the vocabulary instead of spelling it,
``removed: {type: strings, vocabulary: gone_statuses}`` (the names are
:data:`graphinv.vocabulary.LISTS`), so a query follows a status added there.

Where the two stores spell Cypher differently, a query has one file per backend,
``NAME.neo4j.cypher`` and ``NAME.embedded.cypher``, with the same header; otherwise one
``NAME.cypher`` serves both. The library lives in ``queries/`` at the top of the project;
``$GRAPHINV_QUERIES`` points elsewhere.

>>> q = get_query("lineage")
>>> q.parameters[0].name, q.parameters[0].required, q.writes
('uid', True, False)
>>> coerce_params(get_query("top_urls"), {"since": "2024-03-01"})["since"]
1709251200
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import InputError
from .vocabulary import LISTS
from .store.gate import Limits, default_limits

BACKENDS = ("embedded", "neo4j")
PARAM_TYPES = ("string", "int", "float", "bool", "strings", "time")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def queries_dir() -> Path:
    """Where the library is read from: $GRAPHINV_QUERIES or ``queries/`` beside the package."""
    env = os.environ.get("GRAPHINV_QUERIES")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "queries"


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str = "string"
    default: Any = None
    required: bool = False
    description: str = ""
    vocabulary: str = ""  # the vocabulary list the default comes from, if any


@dataclass(frozen=True)
class Query:
    """A named query: metadata plus its Cypher text per backend."""

    name: str
    title: str
    description: str
    parameters: tuple[Parameter, ...] = ()
    writes: bool = False
    texts: dict[str, str] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)

    def text(self, backend: str) -> str:
        """The Cypher for ``backend`` (``embedded`` or ``neo4j``)."""
        try:
            return self.texts[backend]
        except KeyError:
            raise InputError(f"query {self.name!r} has no text for the {backend} store") from None

    @property
    def variants(self) -> bool:
        """True when the two stores run different text."""
        return self.texts.get("embedded") != self.texts.get("neo4j")

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


def parse_header(text: str, where: str = "") -> tuple[dict, str]:
    """Split a query file into its YAML header (the leading ``//`` lines) and the Cypher."""
    header, body_start = [], 0
    lines = text.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("//"):
            header.append(stripped[2:][1:] if stripped[2:3] == " " else stripped[2:])
            body_start = i + 1
        elif stripped == "" and not header:
            body_start = i + 1
        else:
            break
    if not header:
        raise InputError(f"{where}: no metadata header (// name: …, // parameters: …, // writes: …)")
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        raise InputError(f"{where}: the header is not YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(meta, dict):
        raise InputError(f"{where}: the header must be a YAML mapping")
    return meta, "\n".join(lines[body_start:]).strip() + "\n"


def _parameters(meta: dict, where: str) -> tuple[Parameter, ...]:
    raw = meta.get("parameters") or {}
    if not isinstance(raw, dict):
        raise InputError(f"{where}: parameters must be a mapping of name to {{type, default, required}}")
    out = []
    for name, spec in raw.items():
        spec = {"type": spec} if isinstance(spec, str) else (spec or {})
        ptype = spec.get("type", "string")
        if ptype not in PARAM_TYPES:
            raise InputError(f"{where}: parameter {name!r} has unknown type {ptype!r}; use one of {PARAM_TYPES}")
        required = bool(spec.get("required", False))
        default = spec.get("default")
        listed = str(spec.get("vocabulary") or "")
        if listed:
            if ptype != "strings" or listed not in LISTS or default is not None:
                raise InputError(f"{where}: parameter {name!r}: vocabulary: takes a strings parameter without "
                                 f"a default and one of {', '.join(LISTS)}")
            default = list(LISTS[listed])
        if default is None and not required:
            raise InputError(f"{where}: optional parameter {name!r} needs a default "
                             "(LadybugDB cannot type a null parameter)")
        out.append(Parameter(str(name), ptype, default, required, str(spec.get("description", "")), listed))
    return tuple(out)


def load_library(directory: Path | None = None) -> dict[str, Query]:
    """Read every ``*.cypher`` file of ``directory`` into Query objects, by name."""
    directory = directory or queries_dir()
    if not directory.is_dir():
        raise InputError(f"no query library at {directory}; set GRAPHINV_QUERIES")
    found: dict[str, dict] = {}
    for path in sorted(directory.glob("*.cypher")):
        parts = path.name[: -len(".cypher")].split(".")
        base, backend = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], None)
        if len(parts) > 2 or (backend is not None and backend not in BACKENDS):
            raise InputError(f"{path}: name it NAME.cypher or NAME.<{'|'.join(BACKENDS)}>.cypher")
        meta, text = parse_header(path.read_text("utf-8"), str(path))
        if meta.get("name") != base or not _NAME.match(base):
            raise InputError(f"{path}: header name {meta.get('name')!r} must match the file name {base!r}")
        entry = found.setdefault(base, {"meta": meta, "texts": {}, "files": {}})
        if entry["meta"].get("parameters") != meta.get("parameters") or \
                bool(entry["meta"].get("writes")) != bool(meta.get("writes")):
            raise InputError(f"{path}: parameters and writes must be the same in every variant of {base!r}")
        for b in ([backend] if backend else BACKENDS):
            if b in entry["texts"] and backend is None:
                continue  # a backend-specific file wins over the shared one
            entry["texts"][b] = text
            entry["files"][b] = path
    library = {}
    for name, entry in found.items():
        meta = entry["meta"]
        where = str(entry["files"].get("embedded") or entry["files"].get("neo4j"))
        missing = [b for b in BACKENDS if b not in entry["texts"]]
        if missing:
            raise InputError(f"{where}: query {name!r} has no text for {', '.join(missing)}; "
                             f"add {name}.cypher or {name}.{missing[0]}.cypher")
        library[name] = Query(name=name, title=str(meta.get("title", name)),
                              description=" ".join(str(meta.get("description", "")).split()),
                              parameters=_parameters(meta, where), writes=bool(meta.get("writes", False)),
                              texts=dict(entry["texts"]), files=dict(entry["files"]))
    return dict(sorted(library.items()))


@lru_cache(maxsize=4)
def _cached_library(directory: str) -> dict[str, Query]:
    return load_library(Path(directory))


def list_queries() -> list[Query]:
    """Every query of the library, by name."""
    return list(_cached_library(str(queries_dir())).values())


def get_query(name: str) -> Query:
    library = _cached_library(str(queries_dir()))
    try:
        return library[name]
    except KeyError:
        raise InputError(f"unknown query {name!r}; `graphinv query --list` shows the "
                         f"{len(library)} named queries") from None


# -- parameters --------------------------------------------------------------------------
_TRUE, _FALSE = {"1", "true", "yes", "y", "on"}, {"0", "false", "no", "n", "off"}


def parse_time(value: Any) -> int:
    """Epoch seconds from an int, a numeric string or an ISO 8601 date/time (UTC if naive).

    >>> parse_time("2024-03-01T01:00:00Z"), parse_time("1709251200"), parse_time(5)
    (1709254800, 1709251200, 5)
    """
    if isinstance(value, bool):
        raise ValueError("a time, not a boolean")
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip()
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp())


def _coerce(param: Parameter, value: Any) -> Any:
    if param.type == "string":
        return str(value)
    if param.type == "int":
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        return int(str(value).strip()) if isinstance(value, str) else int(value)
    if param.type == "float":
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    if param.type == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError
    if param.type == "time":
        return parse_time(value)
    if param.type == "strings":
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value]
    raise ValueError


_EXAMPLES = {"string": "text", "int": "an integer", "float": "a number", "bool": "true or false",
             "strings": "a comma-separated list", "time": "epoch seconds or an ISO date like 2024-03-01"}


def coerce_params(query: Query, given: dict[str, Any]) -> dict[str, Any]:
    """Typed parameters for ``query``: defaults filled, unknown/missing/bad ones refused."""
    unknown = sorted(set(given) - {p.name for p in query.parameters})
    if unknown:
        known = ", ".join(p.name for p in query.parameters) or "none"
        raise InputError(f"query {query.name!r} has no parameter {unknown[0]!r} (parameters: {known})")
    out = {}
    for param in query.parameters:
        if param.name not in given or given[param.name] is None:
            if param.required:
                raise InputError(f"query {query.name!r} needs --param {param.name}=… ({param.type}: "
                                 f"{param.description or _EXAMPLES[param.type]})")
            value = param.default
        else:
            value = given[param.name]
        try:
            out[param.name] = _coerce(param, value)
        except (ValueError, TypeError, OverflowError):
            raise InputError(f"query {query.name!r}: parameter {param.name}={value!r} is not "
                             f"{_EXAMPLES[param.type]}") from None
    return out


def parse_param_options(items: tuple[str, ...] | list[str]) -> dict[str, str]:
    """``k=v`` strings from the command line as a dict."""
    out = {}
    for item in items:
        if "=" not in item:
            raise InputError(f"--param {item!r} is not NAME=VALUE")
        key, value = item.split("=", 1)
        out[key.strip()] = value
    return out


def literal(value: str) -> Any:
    """An ad-hoc ``--cypher`` parameter: a JSON number, boolean, null or list when it
    parses as one, else the text (quote a number as JSON, ``'"123"'``, to keep it text).

    >>> literal("1709251200"), literal("0.5"), literal("true"), literal('["a", "b"]'), literal("alice")
    (1709251200, 0.5, True, ['a', 'b'], 'alice')
    """
    import json

    try:
        parsed = json.loads(value)
    except ValueError:
        return value
    return parsed if not isinstance(parsed, dict) else value


def run(store, name: str, *, write: bool = False, limits: Limits | None = None, **params: Any) -> pd.DataFrame:
    """Run the named query on ``store`` with typed ``params``; reads run read-only.

    A query whose header says ``writes: true`` needs ``write=True``; a read query is
    always sent read-only, through the query gate, so a store refuses it if its text
    writes after all. ``limits`` bound its time and rows (see :class:`Limits`).
    """
    query = get_query(name)
    values = coerce_params(query, params)
    if query.writes and not write:
        raise InputError(f"query {name!r} writes to the store; pass --write (write=True) to run it")
    return store.query(query.text(store.backend), values, write=query.writes and write, limits=limits)


def run_cypher(store, cypher: str, params: dict | None = None, write: bool = False,
               limits: Limits | None = None) -> pd.DataFrame:
    """Ad-hoc Cypher (``graphinv query --cypher``, the app's console): read-only unless
    ``write``, so it passes the query gate, and bounded by ``limits`` (by default
    :func:`default_limits`: 30 s, 100,000 rows)."""
    if not cypher.strip():
        raise InputError("--cypher needs a query text")
    if limits is None and not write:
        limits = default_limits()
    return store.query(cypher, params or {}, write=write, limits=limits)


def describe(query: Query) -> str:
    """A few lines about a query for `graphinv query --list`."""
    lines = [f"{query.name}: {query.title}" + ("  [writes]" if query.writes else "")
             + ("  [per-store variants]" if query.variants else "")]
    if query.description:
        lines.append(f"    {query.description}")
    for p in query.parameters:
        default = "required" if p.required else f"default {p.default!r}"
        lines.append(f"    --param {p.name}=<{p.type}>  ({default}){'  ' + p.description if p.description else ''}")
    return "\n".join(lines)
