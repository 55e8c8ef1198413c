"""The collector table: every input format graphinv reads, and dispatch through it.

``COLLECTORS`` is ordered; :func:`find_collector` gives the first whose ``detect`` says
yes. A collector is a module with ``name``, ``description``, ``detect(path)`` and
``collect(path, **options)`` (see :mod:`collectors.base`).

>>> [c.name for c in COLLECTORS]
['snscrape', 'twarc', 'telegram_export', 'telegram_html', 'mastodon_outbox', 'web', 'wacz', 'csv_tables']
"""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path
from typing import Any, Iterable, Iterator

from . import csv_tables, mastodon_outbox, snscrape, telegram_export, telegram_html, twarc

__all__ = ["COLLECTORS", "find_collector", "get_collector", "iter_inputs"]


class _LazyCollector:
    """A collector module imported on first use.

    ``collectors.web`` pulls in warcio and selectolax; importing it only when a web
    capture is met keeps ``import collectors`` light. While the module does not exist
    (a partial checkout) its ``detect`` says no instead of failing every ingest.
    """

    def __init__(self, name: str, module: str, description: str):
        self.name = name
        self.description = description
        self._module_name = module
        self._module: Any = None
        self._missing = False

    def _load(self):
        if self._module is None and not self._missing:
            try:
                self._module = importlib.import_module(self._module_name)
            except ModuleNotFoundError as exc:
                if exc.name != self._module_name:
                    raise  # the module exists but one of its imports is missing
                self._missing = True
        return self._module

    def detect(self, path: Path) -> bool:
        module = self._load()
        return bool(module is not None and module.detect(path))

    def collect(self, path: Path, **options):
        module = self._load()
        if module is None:
            from graphinv.errors import InputError

            raise InputError(f"the {self.name} collector ({self._module_name}) is not installed")
        return module.collect(path, **options)

    def __getattr__(self, attr: str):
        module = self._load()
        if module is None:
            raise AttributeError(attr)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<collector {self.name} ({self._module_name}, lazy)>"


web = _LazyCollector("web", "collectors.web", "Web captures: WARC/WARC.gz files and saved HTML pages")
wacz = _LazyCollector("wacz", "collectors.wacz",
                      "WACZ web archive packages (Browsertrix, ArchiveWeb.page, py-wacz): WARCs, pages, hashes")

COLLECTORS: list = [snscrape, twarc, telegram_export, telegram_html, mastodon_outbox, web, wacz, csv_tables]


def get_collector(name: str):
    """The collector called ``name`` (KeyError with the known names otherwise)."""
    for collector in COLLECTORS:
        if collector.name == name:
            return collector
    raise KeyError(f"no collector {name!r}; known: {', '.join(c.name for c in COLLECTORS)}")


def find_collector(path: str | Path):
    """The first collector in ``COLLECTORS`` that reads ``path``, or None."""
    path = Path(path)
    for collector in COLLECTORS:
        try:
            if collector.detect(path):
                return collector
        except OSError:
            return None
    return None


# Written beside captures by graphinv itself: checksums, and files still being written.
_SIDE_FILES = (".sha256", ".part")


def _hidden(path: Path, root: Path) -> bool:
    return (any(part.startswith(".") for part in path.relative_to(root).parts)
            or path.name.endswith(_SIDE_FILES))


def _entries(root: Path) -> list[Path]:
    """Everything under ``root`` that is not a folder it can walk into: files, FIFOs,
    sockets, broken links and symlink loops, links to folders (not followed) and the
    folders it cannot list."""
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        found.append(Path(exc.filename))

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        found.extend(Path(folder, name) for name in files)
        found.extend(Path(folder, name) for name in dirs if os.path.islink(os.path.join(folder, name)))
    return found


def iter_inputs(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Any]]:
    """Each input file with its collector (None when no collector reads it).

    Folders are walked recursively in sorted order, skipping hidden files and folders
    (``.git``, ``.DS_Store``…) and the ``NAME.sha256`` and ``NAME.part`` files graphinv
    writes beside its captures; a folder of saved pages gives one item per ``.html``
    file. A file named explicitly is given even when hidden. What is not a regular
    file (a FIFO, a symlink loop, a link to a folder, a folder that cannot be listed)
    is given with None and never opened, so that ingest can say why it was skipped.
    """
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(_entries(path)):
                if not _hidden(child, path):
                    yield child, (find_collector(child) if _regular(child) else None)
        else:
            yield path, (find_collector(path) if _regular(path) else None)


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)  # follows a link to a file
    except OSError:
        return False
