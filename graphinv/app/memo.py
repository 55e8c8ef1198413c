"""What the app has read once from its store, kept for the next page that asks.

The app opens an embedded store read-only and serves what ingest and the analyses
wrote before it started: the answer of a read (a function and its arguments) is kept,
and a page visited again costs no query. What another process writes to the store while
the app runs (an ingest, `graphinv analyze`) is shown after the app is restarted. The
app's own writes (a journalist's case notes, :mod:`graphinv.cases`) are never read
through here. Other stores (a Neo4j server that another process may be writing to, a
store opened for writing) are not memoised.

>>> calls = []
>>> class Store:  # stands in for a read-only embedded store
...     backend, read_only = "embedded", True
>>> @memoised
... def members(store, uid, kinds=("Account",)):
...     calls.append(uid)
...     return [uid, *kinds]
>>> store = Store()
>>> members(store, "campaign:1"), members(store, "campaign:1"), calls
(['campaign:1', 'Account'], ['campaign:1', 'Account'], ['campaign:1'])
>>> members(store, "campaign:1").append("changed"); members(store, "campaign:1")  # callers get a copy
['campaign:1', 'Account']
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from typing import Any, Callable

import numpy as np
import pandas as pd

ENTRIES = 512  # answers kept per store; the least recently used go first
_LOCK = threading.Lock()


class _Unkeyable(Exception):
    """An argument that cannot be part of a key (a DataFrame): the call is not memoised."""


def _key(value: Any) -> Any:
    """A hashable stand-in for an argument: lists, sets and arrays as tuples."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return tuple(_key(v) for v in list(value))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted((_key(v) for v in value), key=repr))
    if isinstance(value, dict):
        return tuple(sorted((str(k), _key(v)) for k, v in value.items()))
    if isinstance(value, np.generic):
        return value.item()
    raise _Unkeyable


def _memo(store) -> OrderedDict | None:
    """The store's memo, or None when its reads may change under the app."""
    if getattr(store, "backend", None) != "embedded" or not getattr(store, "read_only", False):
        return None
    with _LOCK:
        memo = store.__dict__.get("_app_memo")
        if memo is None:
            memo = store.__dict__["_app_memo"] = OrderedDict()
        return memo


def memoised(function: Callable) -> Callable:
    """``function(store, …)`` answered once per store and arguments (see the module)."""

    @functools.wraps(function)
    def wrapper(store, *args, **kwargs):
        memo = _memo(store)
        if memo is None:
            return function(store, *args, **kwargs)
        try:
            key = (function.__module__, function.__qualname__, _key(args), _key(kwargs))
        except _Unkeyable:
            return function(store, *args, **kwargs)
        with _LOCK:
            if key in memo:
                memo.move_to_end(key)
                return copy.deepcopy(memo[key])
        # Two pages asking at once may both run the query: harmless, and no lock is held
        # while the store works.
        answer = function(store, *args, **kwargs)
        with _LOCK:
            memo[key] = copy.deepcopy(answer)
            while len(memo) > ENTRIES:
                memo.popitem(last=False)
        return answer

    return wrapper
