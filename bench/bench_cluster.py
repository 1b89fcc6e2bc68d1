"""A class presses Train at once: the local back end vs the Ray back end on this machine (issue 17).

Eight owners each submit one of the book's two models (section 09-2: one-hot + SimpleRNN(8) and
Embedding(16) + SimpleRNN(8), alternating; num_words 500, maxlen 100, batch 64, RMSprop 1e-4) at
the same moment, to a job manager whose workers are already warm:

- ``local``: spawned worker processes, one per core (``--workers``, default the CPU count);
- ``ray``: Ray actors on a cluster started in the benchmark's process with the same CPU count
  (``IMDB_EXPLORER_RAY_ADDRESS=local``; every file travels through Ray, as with remote nodes).

Each back end runs in its own child process. Printed, one JSON line per back end: runs finished
per minute (8 runs / the time from the first submit to the last run stored), the time from submit
to the first streamed batch (median over the runs that start at once, and over all), and each
run's *service time* (from the run leaving the queue to its final status, as the manager sees
it). Then one line with Ray's overhead per run (median service time on Ray minus on local: the
same runs, so the difference is what Ray adds: dispatch, the object store, relaying events and
files), and a projection table.

Projection: a node like this one has ``C`` CPUs; a run costs ``T`` seconds of service on one CPU
(the measured Ray median). ``N`` nodes train ``N·C`` runs at once, so they finish
``60·N·C / T`` runs per minute at most, and a class of ``S`` students pressing Train together
waits ``ceil(S / (N·C)) · T`` seconds for the last run. The app server's own share (one relay
thread and a file write per run) is not the limit at these sizes.

Data: the real corpus when ``IMDB_EXPLORER_DATA`` names it, else random ids of the same shape;
``--subset`` training reviews and ``--epochs`` epochs keep a run short.

    python -m bench.bench_cluster [--runs 8] [--subset 2000] [--epochs 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_training import write_data  # noqa: E402
from explorer.training.config import RunConfig  # noqa: E402
from explorer.training.runs import ACTIVE_STATES  # noqa: E402
from explorer.training.view import PRESETS  # noqa: E402

BOOK_MODELS = ("book_onehot", "book_embedding")  # the training page's presets of the book's two models
POLL_S = 0.01  # how often the benchmark asks the manager for news
WAIT_S = 1800  # a generous limit for the whole class's runs
STUDENTS = (30, 200)
NODES = (1, 4, 16)


def main() -> None:
    """Parse the arguments; run both back ends in child processes, or one measurement as the child."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--subset", type=int, default=2000, help="training reviews per run")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="CPUs of both back ends")
    parser.add_argument("--child", choices=("local", "ray"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, Path(args.data), args)))
        return
    with tempfile.TemporaryDirectory() as folder:
        data, kind = write_data(Path(folder))
        results = {}
        for backend in ("local", "ray"):
            command = [sys.executable, "-m", "bench.bench_cluster", "--child", backend, "--data", str(data)]
            command += ["--runs", str(args.runs), "--subset", str(args.subset), "--epochs", str(args.epochs)]
            command += ["--workers", str(args.workers)]
            child = subprocess.run(
                command, capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
            )
            results[backend] = json.loads(child.stdout.strip().splitlines()[-1]) | {"data": kind}
            print(json.dumps(results[backend]), flush=True)
    local, ray = results["local"], results["ray"]
    overhead = ray["service_median_s"] - local["service_median_s"]
    print(
        json.dumps(
            {
                "measure": "ray_vs_local",
                "ray_overhead_per_run_s": round(overhead, 2),
                "throughput_ratio": round(ray["runs_per_minute"] / local["runs_per_minute"], 3),
                "targets": {"overhead_per_run_s": "<= 1", "throughput_ratio": ">= 0.8"},
            }
        ),
        flush=True,
    )
    print(projection(ray["service_median_s"], args.workers), flush=True)


def measure(backend: str, data: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Submit ``args.runs`` book runs at once to a warm job manager of ``backend``; what happened."""
    os.environ["IMDB_EXPLORER_CACHE"] = tempfile.mkdtemp(prefix="bench-cluster-")
    if backend == "ray":
        os.environ["IMDB_EXPLORER_RAY_ADDRESS"] = "local"
        import ray

        from explorer.training import ray_backend

        ray.init(num_cpus=args.workers, include_dashboard=False, runtime_env=ray_backend.runtime_env())
    from explorer.training.jobs import JobManager

    manager = JobManager(max_concurrent=args.workers, max_active=1, max_queued=1)
    try:
        while not manager.workers_ready():
            time.sleep(0.1)
        configs = [
            RunConfig(
                **PRESETS[BOOK_MODELS[index % 2]], source=f"arrays:{data}", subset=args.subset, epochs=args.epochs
            )
            for index in range(args.runs)
        ]
        start = time.perf_counter()
        submitted = {
            manager.submit(config, f"student-{index}"): time.perf_counter() for index, config in enumerate(configs)
        }
        first_point, running, ended = {}, {}, {}
        while len(ended) < len(submitted) and time.perf_counter() - start < WAIT_S:
            for run_id in submitted.keys() - ended.keys():
                info = manager.info(run_id)
                now = time.perf_counter()
                if info.state == "running":
                    running.setdefault(run_id, now)
                elif info.state not in ACTIVE_STATES:
                    running.setdefault(run_id, now)
                    ended[run_id] = (now, info.state)
                if run_id not in first_point and any(e["type"] == "batch" for e in manager.events(run_id)):
                    first_point[run_id] = now - submitted[run_id]
            time.sleep(POLL_S)
        wall = max(at for at, _ in ended.values()) - start
    finally:
        manager.shutdown()
    states = sorted({state for _, state in ended.values()})
    service = [ended[run_id][0] - running[run_id] for run_id in ended]
    first_wave = sorted(first_point.values())[: args.workers]
    return {
        "measure": "class_burst",
        "backend": backend,
        "runs": args.runs,
        "cpus": args.workers,
        "subset": args.subset,
        "epochs": args.epochs,
        "states": states,
        "wall_s": round(wall, 2),
        "runs_per_minute": round(60 * args.runs / wall, 2),
        "first_point_first_wave_median_s": round(statistics.median(first_wave), 2) if first_wave else None,
        "first_point_all_median_s": round(statistics.median(first_point.values()), 2) if first_point else None,
        "service_median_s": round(statistics.median(service), 2),
        "service_s": sorted(round(seconds, 2) for seconds in service),
    }


def projection(run_seconds: float, cpus_per_node: int) -> str:
    """The projection table (see the module docstring) as one JSON line."""
    rows = []
    for students in STUDENTS:
        for nodes in NODES:
            slots = nodes * cpus_per_node
            rows.append(
                {
                    "students": students,
                    "nodes": nodes,
                    "cpus": slots,
                    "runs_per_minute": round(60 * slots / run_seconds, 1),
                    "last_run_done_s": round(math.ceil(students / slots) * run_seconds, 1),
                }
            )
    how = (
        f"T = {run_seconds:.2f} s, the measured median service time of one run on Ray (one CPU); nodes of "
        f"{cpus_per_node} CPUs like this one; runs/minute = 60 * nodes * CPUs / T; "
        "the class's last run is done after ceil(students / (nodes * CPUs)) * T"
    )
    return json.dumps({"measure": "projection", "how": how, "rows": rows})


if __name__ == "__main__":
    main()
