"""A class on one server: N simulated students against a real ``streamlit run app.py``.

    .venv/bin/python -m bench.bench_classroom [--students 10 30] [--seconds 60] [--data PATH]

Each student is a websocket client speaking Streamlit's own protocol (the ``BackMsg`` and
``ForwardMsg`` protobufs the streamlit package ships), exactly what a browser tab sends and
receives, minus the drawing. Browsers were the alternative; on a 2-core machine 30 Chromiums
would take the cores the server is being measured on, so the load would measure the browsers.
A student opens pages and moves sliders with a human pause between actions; one student in
``TRAINER_SHARE`` opens the training studio and presses Train on the book's preset (a short run:
``TRAINER_EPOCHS`` epochs on ``TRAINER_SUBSET`` reviews), through the page's own button and the
server's real job manager.

First prints the server CPU of one student alone (per page: a page open and each slider move,
medians), then one JSON line per class size: ``students``, ``p50_s`` / ``p95_s`` (send to
``script_finished``, per interaction), ``server_cpu_s_per_interaction`` (the server process's
user+system CPU over the load divided by its interactions; training workers are separate
processes and not counted), ``runs_finished`` / ``runs_unfinished`` (after a bounded wait) and
``rss_mb`` (the server's resident memory sampled over the load). Not run by the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

from explorer.paths import REPO_ROOT

SHARED_DATA = Path("/work/shared/data/aclImdb_v1_labeled.tar.gz")
PORT = 8591  # the bench's own port
THINK_S = (1.0, 3.0)  # a student's pause between two actions (uniform)
TRAINER_SHARE = 10  # one student in this many presses Train once
TRAINER_EPOCHS = 2  # a short book run, so a run can finish within the load
TRAINER_SUBSET = 2_000  # training reviews of that run
RUN_WAIT_S = 120  # how long to wait for submitted runs to finish after the load
SCRIPT_TIMEOUT_S = 120  # an interaction that takes longer counts as this long
RSS_EVERY_S = 5.0
SOLO_REPEATS = 5  # page opens and slider moves measured per page with one student alone
SETTLE_S = 30  # after the first visits: the server compiles UMAP once in the background (not part of a lesson)
PAGES = ("lengths", "padding", "onehot", "")  # "" is the home page
# Slider moves a student makes, by page: (widget key, values to pick from).
SLIDERS = {
    "lengths": [("maxlen", [80, 100, 150, 200, 300]), ("lengths_keep_share", [0.8, 0.85, 0.9, 0.95])],
    "padding": [("maxlen", [50, 100, 150, 200]), ("padding_batch_rows", [5, 10, 20, 30])],
    "onehot": [("maxlen", [50, 100, 150, 200]), ("onehot_sample", [16, 32, 64, 128])],
    "": [("maxlen", [80, 100, 150])],
}


@dataclass
class Student:
    """One tab: a websocket, the widget ids it has seen, and its widget values."""

    url: str
    widget_ids: dict[str, str] = field(default_factory=dict)  # key -> widget id
    fragments: dict[str, str] = field(default_factory=dict)  # widget id -> the st.fragment drawing it
    values: dict[str, WidgetState] = field(default_factory=dict)  # widget id -> its value
    page: str = ""
    socket: websockets.ClientConnection | None = None

    async def connect(self) -> None:
        """Open the tab's websocket (the same subprotocol a browser asks for)."""
        self.socket = await websockets.connect(self.url, subprotocols=["streamlit"], max_size=None)

    async def rerun(self, page: str, triggers: tuple[str, ...] = (), moved: str | None = None) -> float:
        """Run the script for ``page`` with this tab's widget values; the seconds until it finished.

        A ``moved`` widget drawn inside an ``st.fragment`` reruns that fragment only, as a browser does.
        """
        message = BackMsg()
        state = message.rerun_script
        state.page_name = page
        state.fragment_id = self.fragments.get(self.widget_ids.get(moved or ""), "") if page == self.page else ""
        state.query_string = ""
        for widget in self.values.values():
            state.widget_states.widgets.append(widget)
        for key in (key for key in triggers if key in self.widget_ids):
            trigger = state.widget_states.widgets.add()
            trigger.id = self.widget_ids[key]
            trigger.trigger_value = True
        start = time.perf_counter()
        await self.socket.send(message.SerializeToString())
        deadline = start + SCRIPT_TIMEOUT_S
        while time.perf_counter() < deadline:
            received = ForwardMsg()
            received.ParseFromString(await asyncio.wait_for(self.socket.recv(), deadline - time.perf_counter()))
            kind = received.WhichOneof("type")
            if kind == "delta" and received.delta.WhichOneof("type") == "new_element":
                self._remember_widget(received.delta.new_element, received.delta.fragment_id)
            elif kind == "script_finished":
                self.page = page
                return time.perf_counter() - start
        return SCRIPT_TIMEOUT_S

    def _remember_widget(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        widget_id = getattr(getattr(element, kind), "id", "") if kind else ""
        if isinstance(widget_id, str) and widget_id.startswith("$$ID"):
            self.widget_ids[widget_id.rsplit("-", 1)[-1]] = widget_id
            self.fragments[widget_id] = fragment_id

    def set_value(self, key: str, value: float | int) -> bool:
        """Give widget ``key`` a value (a slider's double array, a number input's int); False if unseen."""
        widget_id = self.widget_ids.get(key)
        if widget_id is None:
            return False
        widget = WidgetState(id=widget_id)
        if isinstance(value, float):
            widget.double_array_value.data.append(value)
        elif key.startswith("training_"):
            widget.int_value = value
        else:
            widget.double_array_value.data.append(float(value))
        self.values[widget_id] = widget
        return True


async def student_life(student: Student, until: float, seed: int, trainer: bool, latencies: list[float]) -> None:
    """Visit pages and move sliders until ``until``; a trainer first submits one short book run."""
    rng = random.Random(seed)
    await student.connect()
    latencies.append(await student.rerun(rng.choice(PAGES)))
    if trainer:
        await student.rerun("training")
        latencies.append(await student.rerun("training", ("training_preset_book_embedding",)))
        student.set_value("training_epochs", TRAINER_EPOCHS)
        student.set_value("training_subset", TRAINER_SUBSET)
        student.set_value("training_seed", seed)  # a run of its own (equal settings would share one training)
        latencies.append(await student.rerun("training", ("training_train",)))
    while time.perf_counter() < until:
        await asyncio.sleep(rng.uniform(*THINK_S))
        if rng.random() < 0.3:
            latencies.append(await student.rerun(rng.choice(PAGES)))
            continue
        key, choices = rng.choice(SLIDERS.get(student.page, SLIDERS[""]))
        student.set_value(key, rng.choice(choices))
        latencies.append(await student.rerun(student.page, moved=key))
    await student.socket.close()


def process_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def sample_rss(pid: int, until: float, samples: list[float]) -> None:
    """Record the server's RSS every ``RSS_EVERY_S`` until ``until``."""
    while time.perf_counter() < until:
        samples.append(round(process_rss_mb(pid)))
        await asyncio.sleep(RSS_EVERY_S)


async def guarded(life: Awaitable[None], failures: list[str]) -> None:
    """A student's life; a broken connection or a timeout is counted, not fatal to the lesson."""
    try:
        await life
    except (OSError, TimeoutError, websockets.WebSocketException) as error:
        failures.append(type(error).__name__)


async def class_session(url: str, pid: int, students: int, seconds: float) -> dict:
    """One lesson of ``students`` students for ``seconds``: latencies, CPU and memory."""
    latencies: list[float] = []
    rss: list[float] = []
    cpu_before = process_cpu_s(pid)
    until = time.perf_counter() + seconds
    lives = [
        student_life(Student(url), until, number, number % TRAINER_SHARE == 0, latencies) for number in range(students)
    ]
    failures: list[str] = []
    await asyncio.gather(sample_rss(pid, until, rss), *(guarded(life, failures) for life in lives))
    cpu = process_cpu_s(pid) - cpu_before
    ordered = sorted(latencies)
    return {
        "students": students,
        "interactions": len(ordered),
        "p50_s": round(statistics.median(ordered), 3),
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3),
        "server_cpu_s_per_interaction": round(cpu / len(ordered), 4),
        "rss_mb": rss,
        "students_failed": len(failures),
    }


def run_states(cache: Path) -> list[str]:
    """The state of every stored run (read from the run folders, as the app does)."""
    states = []
    for status in sorted((cache / "runs").glob("*/status.json")):
        try:
            states.append(json.loads(status.read_text()).get("state", "?"))
        except (OSError, ValueError):
            states.append("unreadable")
    return states


def wait_for_runs(cache: Path, before: int) -> tuple[int, int]:
    """Finished and unfinished runs among those submitted during the load (waiting up to ``RUN_WAIT_S``)."""
    deadline = time.monotonic() + RUN_WAIT_S
    while True:
        new = run_states(cache)[before:]
        unfinished = sum(state in ("queued", "running", "paused") for state in new)
        if not unfinished or time.monotonic() > deadline:
            return sum(state == "finished" for state in new), len(new) - sum(state == "finished" for state in new)
        time.sleep(2)


def start_server(data: Path, cache: Path, port: int) -> subprocess.Popen:
    """``streamlit run app.py`` on ``port``, answering once its health check does."""
    env = {**os.environ, "IMDB_EXPLORER_DATA": str(data), "IMDB_EXPLORER_CACHE": str(cache)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.fileWatcherType", "none"]  # as a class server runs (README): no reloads, no watcher CPU
    server = subprocess.Popen(
        [*command, "--server.port", str(port)], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10, 30])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each lesson")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("IMDB_EXPLORER_DATA") or SHARED_DATA))
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "imdb-explorer-bench-cache")
    parser.add_argument("--port", type=int, default=PORT)
    args = parser.parse_args()
    server = start_server(args.data, args.cache, args.port)
    url = f"ws://127.0.0.1:{args.port}/_stcore/stream"
    try:
        warm = Student(url)  # the first visit encodes or loads the corpus: not part of a lesson
        asyncio.run(_warm_up(warm))
        time.sleep(SETTLE_S)
        for line in asyncio.run(solo_costs(url, server.pid)):
            print(json.dumps(line), flush=True)
        for students in args.students:
            before = len(run_states(args.cache))
            line = asyncio.run(class_session(url, server.pid, students, args.seconds))
            finished, unfinished = wait_for_runs(args.cache, before)
            print(json.dumps(line | {"runs_finished": finished, "runs_unfinished": unfinished}), flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


async def solo_costs(url: str, pid: int) -> list[dict]:
    """Server CPU of one student's page opens and slider moves, alone on the server (medians of ``SOLO_REPEATS``)."""
    student = Student(url)
    await student.connect()
    lines = []
    for page in PAGES:
        await student.rerun(page)
        costs: dict[str, list[float]] = {"open": []}
        for repeat in range(SOLO_REPEATS):
            before = process_cpu_s(pid)
            await student.rerun(page)
            costs["open"].append(process_cpu_s(pid) - before)
            for key, choices in SLIDERS[page]:
                student.set_value(key, choices[repeat % len(choices)])
                before = process_cpu_s(pid)
                await student.rerun(page, moved=key)
                costs.setdefault(key, []).append(process_cpu_s(pid) - before)
        medians = {name: round(statistics.median(values), 3) for name, values in costs.items()}
        lines.append({"measure": "solo_server_cpu_s", "page": page or "home", **medians})
    await student.socket.close()
    return lines


async def _warm_up(student: Student) -> None:
    await student.connect()
    for page in (*PAGES, "training"):
        await student.rerun(page)
    await student.socket.close()


if __name__ == "__main__":
    main()
