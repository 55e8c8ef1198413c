"""CLI commands that live beside their features; importing registers them on `main`."""

from . import analysis, collect, query_export  # noqa: F401
