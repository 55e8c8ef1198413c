"""Times and durations as people read them, in one place.

The stores keep times as epoch seconds (UTC) and durations as seconds. Everything that
leaves a store for a person or a file (CSV, the console, ``graphinv query``, exports,
the report, the app) shows a time as ISO 8601 UTC and a duration in days and hours,
through these helpers. This module imports only the standard library: it sits in the
lowest layer, beside :mod:`graphinv.normalize`, and is cheap to load on the CLI path.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone
from typing import Any

MINUTE, HOUR, DAY = 60, 3600, 86400
NO_DURATION = "—"

# The names of result columns that hold a time (epoch seconds), besides those ending in
# one of TIME_SUFFIXES. See :func:`is_time_column`.
TIME_NAMES = frozenset({"time", "first_post", "last_post", "first_repost", "last_repost", "last_checked",
                        "active_from", "active_to"})
TIME_SUFFIXES = ("_at", "_time", "_seen", "_since")
# Result columns that hold a duration in seconds (see :func:`is_duration_column`).
DURATION_NAMES = frozenset({"gap"})


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None (None, NaN, text, booleans, infinity)."""
    if value is None or isinstance(value, (bool, str, bytes)):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def iso(seconds: Any) -> str:
    """Epoch seconds as ISO 8601 UTC; '' for None, NaN or anything not a number.

    >>> iso(1773907200), iso(1773907200.9), iso(None), iso(float("nan"))
    ('2026-03-19T08:00:00Z', '2026-03-19T08:00:00Z', '', '')
    """
    number = _number(seconds)
    if number is None:
        return ""
    try:
        return datetime.fromtimestamp(int(number), tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return ""


def format_gap(seconds: Any) -> str:
    """A duration in seconds for people: days and hours from one day up (to the nearest
    hour), hours and minutes under a day (to the nearest minute), seconds under a
    minute; '—' when there is none (None, NaN, text).

    The gap of a REAPPEARS_AS step is the one the analysis stored
    (:mod:`graphinv.analysis.reappearance`: the successor's first activity minus the
    predecessor's last), shown through this function on every page and in every export.

    >>> [format_gap(s) for s in (1_008_000, 604_800, 19_200, 1_200, 45, 86_390, None, float("nan"))]
    ['11 d 16 h', '7 d 0 h', '5 h 20 min', '20 min', '45 s', '1 d 0 h', '—', '—']
    """
    number = _number(seconds)
    if number is None:
        return NO_DURATION
    if number < 0:
        return "-" + format_gap(-number)
    if number < MINUTE:
        return f"{round(number)} s"
    minutes = round(number / MINUTE)
    if minutes < DAY // MINUTE:
        hours, minutes = divmod(minutes, 60)
        return f"{hours} h {minutes} min" if hours else f"{minutes} min"
    days, hours = divmod(round(number / HOUR), 24)
    return f"{days} d {hours} h"


def is_time_column(name: str) -> bool:
    """Whether a result column named ``name`` holds a time (epoch seconds): ``time``,
    a name in :data:`TIME_NAMES`, or one ending in ``_at``, ``_time``, ``_seen`` or
    ``_since``. This naming rule is how every query and page names its times; a
    column that breaks it is shown as the number it holds.

    >>> [is_time_column(c) for c in ("time", "observed_at", "first_time", "successor_since", "gap", "window")]
    [True, True, True, True, False, False]
    """
    return name in TIME_NAMES or name.endswith(TIME_SUFFIXES)


def is_duration_column(name: str) -> bool:
    """Whether a result column holds a duration in seconds shown with :func:`format_gap`:
    ``gap`` (a REAPPEARS_AS step's) or a name ending in ``_gap``. Durations in other
    units carry the unit in their name (``hours_to_removal``) and are left alone.

    >>> [is_duration_column(c) for c in ("gap", "max_gap", "hours_to_removal")]
    [True, True, False]
    """
    return name in DURATION_NAMES or name.endswith("_gap")


def iso_cell(value: Any) -> Any:
    """A cell of a time column: numbers become ISO 8601 UTC, anything else (None, a
    date already written as text) is returned as it is.

    >>> iso_cell(1773907200), iso_cell(None), iso_cell("2026-03-19")
    ('2026-03-19T08:00:00Z', None, '2026-03-19')
    """
    if _number(value) is not None:
        return iso(value)
    return None if isinstance(value, float) else value  # NaN: no time
