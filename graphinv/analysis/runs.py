"""How an analysis run is recorded: its parameters as JSON and a run id derived from them.

Every analysis has a frozen dataclass of parameters with defaults. :func:`start_run`
turns it into an :class:`AnalysisRun` (the parameters as recorded, and the id
``name:<12 hex of sha1>``, the same for the same parameters); the analysis stores
``run.id`` on every result it writes, and the parameters next to it (:func:`recorded_json`
in a result edge's evidence, :func:`params_json` on a result node), so a result always
says which parameters made it. The analyses import this module; it imports none
of them.

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Params:
...     threshold: float = 0.5
>>> run = start_run("demo", Params())
>>> run.params, run.id
({'threshold': 0.5}, 'demo:c8ced57ad8f1')
>>> recorded_json(run, {"score": 1})
'{"score": 1, "params": {"threshold": 0.5}, "analysis_run": "demo:c8ced57ad8f1"}'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class AnalysisRun:
    """One run of an analysis: its name, its parameters as recorded, its id."""

    name: str
    params: dict
    id: str


def jsonable(value: Any, max_items: int | None = None) -> Any:
    """``value`` with numpy scalars as Python numbers (NaN as None) and tuples as lists;
    with ``max_items``, a longer list is summarised as ``{"count", "first"}``.

    >>> jsonable({"n": np.int64(3), "x": np.float64("nan"), "ids": ("a", "b", "c")}, max_items=2)
    {'n': 3, 'x': None, 'ids': {'count': 3, 'first': ['a', 'b']}}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v, max_items) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [jsonable(v, max_items) for v in value]
        if max_items is not None and len(items) > max_items:
            return {"count": len(items), "first": items[:max_items]}
        return items
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if math.isnan(float(value)) else float(value)
    return value


def analysis_run_id(name: str, params: dict) -> str:
    """``name:`` and the first 12 hex of the sha1 of the parameters as sorted JSON."""
    digest = hashlib.sha1(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return f"{name}:{digest}"


def start_run(name: str, params, **resolved) -> AnalysisRun:
    """The run of analysis ``name`` with ``params`` (a dataclass); ``resolved`` records
    values the analysis settled itself (coordination's ``window="auto"`` → seconds)."""
    recorded = jsonable(dataclasses.asdict(params)) | resolved
    return AnalysisRun(name, recorded, analysis_run_id(name, recorded))


def recorded_json(run: AnalysisRun, result: dict | None = None) -> str:
    """A result's evidence (JSON-able by :func:`jsonable`) with the run's parameters
    (under ``params``) and id (``analysis_run``), as JSON: what a result edge stores."""
    return json.dumps(jsonable(result or {}) | {"params": run.params, "analysis_run": run.id},
                      ensure_ascii=False, default=str)


def params_json(run: AnalysisRun, **extra) -> str:
    """The run's parameters, its id (``analysis_run``) and ``extra``, flat, as JSON: what
    a result node (a Campaign) stores as its ``params``.

    >>> params_json(AnalysisRun("demo", {"threshold": 0.5}, "demo:1"), stats={"rows": 2})
    '{"threshold": 0.5, "analysis_run": "demo:1", "stats": {"rows": 2}}'
    """
    return json.dumps(run.params | {"analysis_run": run.id} | jsonable(extra), ensure_ascii=False, default=str)


def with_overrides(params_type: type, params, overrides: dict, name: str):
    """``params`` (or the defaults) with ``overrides`` replaced; an unknown name is refused.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Params:
    ...     threshold: float = 0.5
    >>> with_overrides(Params, None, {"threshold": 0.9}, "demo")
    Params(threshold=0.9)
    >>> with_overrides(Params, None, {"treshold": 0.9}, "demo")
    Traceback (most recent call last):
    TypeError: unknown demo parameter 'treshold'
    """
    params = params if params is not None else params_type()
    known = {f.name for f in dataclasses.fields(params_type)}
    for key in overrides:
        if key not in known:
            raise TypeError(f"unknown {name} parameter {key!r}")
    return dataclasses.replace(params, **overrides) if overrides else params
