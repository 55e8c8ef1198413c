"""The `graphinv` command: the group of :mod:`graphinv.commands.base` with every command
module of :mod:`graphinv.commands` registered on it."""

from __future__ import annotations

from .commands import main

__all__ = ["main"]

if __name__ == "__main__":  # pragma: no cover
    main()
