"""CLI commands that live beside their features; importing registers them on `main`
(the group of :mod:`.base`). A new command module is added to this import."""

from . import analysis, app, bank, case, collect, core, evaluate, package, query_export, reports, triage, watch  # noqa: F401
from .base import main

__all__ = ["main"]
