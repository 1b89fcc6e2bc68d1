"""What the cache folder holds, and a size budget for it: ``python -m explorer.cache``.

Everything the app writes lives under ``cache_dir()``: encoded corpora and downloads (rebuilt
on demand), cached projections, and trained runs (not rebuilt: hours of training). With
``IMDB_EXPLORER_CACHE_BUDGET_GB`` set, the job manager keeps the folder under that size after
every run ends by deleting whole runs (with their projections), oldest first, skipping runs that
are active or pinned. Without it nothing is deleted automatically.

    python -m explorer.cache                  # usage by part and by run, as JSON
    python -m explorer.cache --prune          # apply the budget now (or --budget-gb N)
    python -m explorer.cache --pin RUN_ID     # never prune this run (--unpin to undo)
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

from explorer.paths import cache_dir
from explorer.training import runs

BUDGET_ENV = "IMDB_EXPLORER_CACHE_BUDGET_GB"
GIB = 2**30


def folder_bytes(path: Path) -> int:
    """Bytes of the files under ``path`` (files vanishing meanwhile count as 0)."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            try:
                total += (Path(folder) / name).stat().st_size
            except OSError:
                continue
    return total


def budget_bytes() -> int | None:
    """The cache budget from ``BUDGET_ENV``, or None when there is none (or it is not a number)."""
    text = os.environ.get(BUDGET_ENV, "").strip()
    try:
        return int(float(text) * GIB) if text else None
    except ValueError:
        return None


def run_sizes() -> dict[str, int]:
    """Bytes of each stored run with its cached projections, newest first."""
    return {
        run_id: folder_bytes(runs.run_dir(run_id)) + folder_bytes(runs.projections_dir(run_id))
        for run_id in runs.list_runs()
    }


def usage() -> dict[str, Any]:
    """The cache's size by top-level part and by run, with the budget."""
    root = cache_dir()
    parts = {path.name: folder_bytes(path) if path.is_dir() else path.stat().st_size for path in root.iterdir()}
    return {
        "cache": str(root),
        "total_bytes": sum(parts.values()),
        "budget_bytes": budget_bytes(),
        "parts": parts,
        "runs": [
            {"run_id": run_id, "bytes": size, "pinned": runs.is_pinned(run_id), "state": _state(run_id)}
            for run_id, size in run_sizes().items()
        ],
    }


def _state(run_id: str) -> str:
    try:
        return runs.read_status(run_id).state
    except runs.RunStoreError:
        return "damaged"


def enforce_budget(budget: int | None = None) -> list[str]:
    """Delete the oldest runs that are not active or pinned until the cache fits ``budget``; their ids.

    ``budget`` defaults to ``budget_bytes()``; with no budget nothing is deleted.
    """
    budget = budget_bytes() if budget is None else budget
    if budget is None:
        return []
    total = folder_bytes(cache_dir())
    removed = []
    for run_id, size in reversed(run_sizes().items()):  # oldest first
        if total <= budget:
            break
        if runs.is_pinned(run_id) or _state(run_id) in runs.ACTIVE_STATES:
            continue
        try:
            runs.delete_run(run_id)
        except runs.RunStoreError:
            continue  # deleted meanwhile
        total -= size
        removed.append(run_id)
    return removed


def main(argv: list[str] | None = None) -> None:
    """Print the usage as JSON; prune, pin or unpin first when asked."""
    parser = argparse.ArgumentParser(prog="python -m explorer.cache", description=__doc__.splitlines()[0])
    parser.add_argument("--prune", action="store_true", help=f"apply the budget ({BUDGET_ENV}) now")
    parser.add_argument("--budget-gb", type=float, help="apply this budget instead (GiB)")
    parser.add_argument("--pin", metavar="RUN_ID", help="never prune this run")
    parser.add_argument("--unpin", metavar="RUN_ID", help="let the budget prune this run again")
    args = parser.parse_args(argv)
    result: dict[str, Any] = {}
    try:
        for run_id, pinned in ((args.pin, True), (args.unpin, False)):
            if run_id:
                if not runs.run_dir(run_id).is_dir():
                    raise runs.RunStoreError(f"there is no run {run_id}.")
                runs.set_pinned(run_id, pinned)
    except runs.RunStoreError as error:
        parser.error(str(error))
    if args.prune or args.budget_gb is not None:
        result["removed"] = enforce_budget(None if args.budget_gb is None else int(args.budget_gb * GIB))
    print(json.dumps({**usage(), **result}, indent=2))


if __name__ == "__main__":
    main()
