"""CLI commands that live beside their features; importing registers them on `main`."""

from . import analysis, collect  # noqa: F401
