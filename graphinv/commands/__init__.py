"""CLI commands that live beside their features; importing registers them on `main`."""

from . import analysis, app, collect, evaluate, query_export, watch  # noqa: F401
