"""Every analysis, as one record each: the one place an analysis is registered.

An analysis is one module with a frozen dataclass of parameters (with defaults) and
three functions:

- ``read(store, params) -> frames``: the store queries, nothing else;
- ``compute(frames, params) -> result``: pure (testable on hand-made frames), and
  the result carries its :class:`~.runs.AnalysisRun` (parameters as recorded, run id);
- ``write(store, result) -> summary``: replaces the analysis's previous results in the
  store, each with the run id and its parameters (see :mod:`.runs`), and returns the
  summary ``graphinv analyze`` prints. An analysis without ``write`` is a report: it
  is computed on demand (the app, ``graphinv evaluate``), never stored.

:data:`ANALYSES` lists them in the order ``graphinv analyze`` runs them. No analysis
reads another's stored results, so the order only fixes the output's order.

>>> [a.name for a in ANALYSES if a.write is not None]
['reappearance', 'impersonation', 'coordination', 'banks']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import banks, impersonation, ledger, reappearance, takedown
from .coordination import analysis as coordination


@dataclass(frozen=True)
class Analysis:
    """One analysis: its name (the key of its summary), what it does, its parameters'
    dataclass and its three steps (``write`` None for a report)."""

    name: str
    title: str
    params: type
    read: Callable[[Any, Any], Any]
    compute: Callable[[Any, Any], Any]
    write: Callable[[Any, Any], dict] | None
    limitations: str = ""  # what the analysis cannot see; the app and the reports show it

    def run(self, store, params=None) -> Any:
        """Read, compute and (when it stores results) write; the summary, or the report."""
        params = params if params is not None else self.params()
        result = self.compute(self.read(store, params), params)
        if self.write is None:
            return result
        # Old results out and new ones in as one commit (the embedded store): a run stopped
        # half-way leaves the previous results whole, never campaigns without members.
        with store.transaction():
            return self.write(store, result)


ANALYSES: tuple[Analysis, ...] = (
    Analysis("reappearance", "Sites and accounts back after a takedown (REAPPEARS_AS)",
             reappearance.ReappearanceParams, reappearance.read, reappearance.compute, reappearance.write,
             "It sees only what was captured: a successor never crawled, or crawled before its "
             "predecessor's last capture, is not found; an operator who changes every ID, text, image and "
             "name leaves nothing to match; shared hosting and site-builder IDs are weighted down, not "
             "ignored, so two sites of one owner may look alike without being one lineage."),
    Analysis("impersonation", "Accounts and sites named like a Target (IMPERSONATES)",
             impersonation.ImpersonationParams, impersonation.read, impersonation.compute, impersonation.write,
             "It needs the Target's name, aliases and real accounts (targets.csv); it reads names, bios and "
             "avatars, not intent: a supporter who does not say so in a known language, or an impostor "
             "using another name, is judged by the name alone."),
    Analysis("coordination", "Coordinated sharing and campaigns (COORDINATED_WITH, Campaign)",
             coordination.CoordinationParams, coordination.read, coordination.compute, coordination.write,
             "It sees co-actions within the time window on captured objects only: operators who space "
             "their actions beyond the window, never act on the same object twice, or whose actions "
             "were not captured are missed; a pair needs two or more distinct objects, more than chance "
             "explains, so a one-off raid by otherwise unrelated accounts is not called a campaign."),
    Analysis("banks", "Captured images matching a hash bank (MATCHES)",
             banks.BanksParams, banks.read, banks.compute, banks.write,
             "It matches the images graphinv captured (web pages, Telegram exports), not those only "
             "linked from a post; MD5 and SHA-256 match the exact bytes only; PDQ survives resizing and "
             "re-encoding but not heavy crops, and flat or tiny images (PDQ quality under 50) are not "
             "matched. Every image is compared with every PDQ signal: fine for thousands of signals, "
             "slow for a bank of millions."),
    Analysis("takedown", "How fast reported items are removed (a report, not stored)",
             takedown.TakedownParams, takedown.read, takedown.compute, None,
             "A removal is dated by the first check that found the item gone: the share removed within "
             "48 h is only as precise as the checks are frequent; items never re-checked count as not "
             "removed."),
    Analysis("ledger", "The 48-hour ledger of noticed reports (a report, not stored)",
             ledger.LedgerParams, ledger.read, ledger.compute, None,
             "A removal is dated by the first check after the notice that found the item gone, so an item "
             "first seen gone after 48 h may have gone earlier, between its last check up and that one "
             "(the exhibit gives both; watch run --due checks at 47 and 49 h to narrow it). Pages that "
             "answer 200 are read as removed only in the wordings of the vocabulary's removal_notices: "
             "a platform that changes its wording, or a language not listed there, reads as still up."),
)
BY_NAME: dict[str, Analysis] = {a.name: a for a in ANALYSES}


def analyze_all(store, params: Mapping[str, Any] | None = None,
                progress: Callable[[str], None] | None = None) -> dict[str, dict]:
    """Run every analysis that stores results, in order, replacing their previous results.

    ``params`` maps an analysis name to its parameters (defaults for the others). Each
    summary gains ``seconds``, the run's wall time.
    """
    params = params or {}
    unknown = set(params) - set(BY_NAME)
    if unknown:
        raise KeyError(f"no analysis named {', '.join(sorted(unknown))}")
    results = {}
    for analysis in ANALYSES:
        if analysis.write is None:
            continue
        started = time.perf_counter()
        if progress:
            progress(analysis.name)
        results[analysis.name] = analysis.run(store, params.get(analysis.name))
        results[analysis.name]["seconds"] = round(time.perf_counter() - started, 2)
    return results
