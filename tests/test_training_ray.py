"""The job manager's Ray back end (issue 17) on a Ray cluster started inside the test process.

The book's two models train end to end through the manager on Ray actors: streamed events,
pause / resume / stop, a killed Ray worker, the cluster going away, and artifacts that equal a
local run's at the same seed. Ray is in requirements-dev.txt, so these run (never skip) in CI.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import ray
from test_training import tiny_config

from explorer.training import ray_backend, runs
from explorer.training.config import RunConfig, Speed
from explorer.training.jobs import JobManager
from explorer.training.runs import ACTIVE_STATES
from tests.apptest import TIMEOUT_S as APPTEST_TIMEOUT_S

WAIT_S = 180  # generous: actors import TensorFlow on a busy 2-core machine before their first run
CLUSTER_CPUS = 2
TEST_SPEED = Speed(jit_compile=False, steps_per_execution=1)
REPO = Path(__file__).resolve().parent.parent
TIMING_KEYS = {"seconds", "eta_seconds"}  # the only history values that differ between two equal runs
PROCESS_KEYS = {"name", "shared_object_id"}  # the only model config values that differ between two equal runs


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("ray-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    """A local Ray cluster of two CPUs in this process, shipping the explorer package as the app does."""
    ray.init(num_cpus=CLUSTER_CPUS, include_dashboard=False, runtime_env=ray_backend.runtime_env())
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def manager(cache: Path, cluster: None) -> Iterator[JobManager]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(ray_backend.ADDRESS_ENV, "auto")  # already connected: the back end uses that connection
        patch.setattr(ray_backend, "_current", None)  # later tests' pages must not see this (lost) cluster
        manager = JobManager(speed=TEST_SPEED)
        yield manager
        manager.shutdown()


def book_models(cache: Path, **changes: object) -> list[RunConfig]:
    """The book's two models (section 09-2): one-hot + SimpleRNN, and Embedding + SimpleRNN, made tiny."""
    return [tiny_config(cache, encoding=encoding, **changes) for encoding in ("one_hot", "embedding")]


def follow(manager: JobManager, run_ids: list[str], until: str | None = None, since: int = 0) -> list[list[dict]]:
    """Each run's events from sequence number ``since`` on, as they stream, polled together: until every run
    has one of type ``until`` or, without it, until every run has ended (an ended run's events leave memory)."""
    seen: list[list[dict[str, Any]]] = [[] for _ in run_ids]
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for run_id, events in zip(run_ids, seen, strict=True):
            events += manager.events(run_id, events[-1]["seq"] + 1 if events else since)
        if until is not None and all(any(event["type"] == until for event in events) for events in seen):
            return seen
        if until is None and all(manager.info(run_id).state not in ACTIVE_STATES for run_id in run_ids):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"{run_ids} did not get to {until or 'their end'}: {[[e['type'] for e in s] for s in seen]}")


def portable(value: Any) -> Any:
    """A Keras config without what depends on the process: layer names (numbered per process:
    simple_rnn, simple_rnn_1, ...) and the ids of shared Python objects."""
    if isinstance(value, dict):
        return {key: portable(item) for key, item in value.items() if key not in PROCESS_KEYS}
    return [portable(item) for item in value] if isinstance(value, list) else value


def stored(run_id: str) -> dict[str, Any]:
    """What the run store holds of a finished run, timings left out."""
    with np.load(runs.run_dir(run_id) / runs.WEIGHTS_FILE) as weights:
        arrays = {name: weights[name] for name in weights.files}
    arrays |= {f"embedding {epoch}": runs.load_embedding(run_id, epoch) for epoch in runs.embedding_epochs(run_id)}
    with zipfile.ZipFile(runs.model_path(run_id)) as model:
        model = {"files": model.namelist(), "config": portable(json.loads(model.read("config.json")))}
    history = [
        {key: value for key, value in row.items() if key not in TIMING_KEYS} for row in runs.read_history(run_id)
    ]
    return {"arrays": arrays, "model": model, "history": history, "evaluation": runs.read_evaluation(run_id)}


def test_the_books_two_models_train_on_ray_as_they_do_in_a_local_worker(
    manager: JobManager, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = ray_backend.cluster_info()
    assert info is not None and (info.cpus, info.nodes, info.lost) == (CLUSTER_CPUS, 1, "")
    assert manager.max_concurrent == CLUSTER_CPUS  # one actor per CPU of the cluster
    on_ray = [manager.submit(config, f"student-{index}") for index, config in enumerate(book_models(cache, epochs=2))]
    for run_id, events in zip(on_ray, follow(manager, on_ray), strict=True):
        kinds = [event["type"] for event in events]
        # Ray hands a run's messages over in bunches, and a run's messages leave memory when it ends, so a
        # tiny run's batches may be gone before this poll: streamed progress is followed in the pause test.
        assert kinds[:2] == ["queued", "started"], kinds
        started = next(event for event in events if event["type"] == "started")
        assert started["node"] == ray.util.get_node_ip_address() and started["pid"] != os.getpid()
        assert manager.info(run_id).state == "finished" and len(runs.read_history(run_id)) == 2

    monkeypatch.delenv(ray_backend.ADDRESS_ENV, raising=False)
    local = JobManager(max_concurrent=1, speed=TEST_SPEED)
    try:
        on_this_server = [local.submit(config, "student-local") for config in book_models(cache, epochs=2)]
        assert [local.wait(run_id, WAIT_S) for run_id in on_this_server] == ["finished", "finished"]
    finally:
        local.shutdown()
    for ray_run, local_run in zip(on_ray, on_this_server, strict=True):
        from_ray, from_local = stored(ray_run), stored(local_run)
        assert from_ray["arrays"].keys() == from_local["arrays"].keys() and len(from_ray["arrays"]) > 2
        for name, array in from_ray["arrays"].items():
            np.testing.assert_array_equal(array, from_local["arrays"][name], err_msg=name)
        assert from_ray["model"] == from_local["model"]
        assert from_ray["history"] == from_local["history"] and len(from_ray["history"]) == 2
        assert from_ray["evaluation"] == from_local["evaluation"] is not None
        assert not list(runs.run_dir(ray_run).glob("*.tmp"))  # only whole files were stored


def test_a_ray_run_pauses_resumes_and_stops(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(tiny_config(cache, epochs=100, patience=0), "student-pause")
    [events] = follow(manager, [run_id], until="epoch")
    manager.pause(run_id, "student-pause")
    [events] = follow(manager, [run_id], until="paused", since=events[-1]["seq"] + 1)
    assert manager.info(run_id).paused
    time.sleep(1.0)
    quiet = manager.events(run_id, events[-1]["seq"] + 1)
    assert not [event for event in quiet if event["type"] in ("batch", "epoch")]
    manager.resume(run_id, "student-pause")
    [events] = follow(manager, [run_id], until="resumed", since=events[-1]["seq"] + 1)
    follow(manager, [run_id], until="epoch", since=events[-1]["seq"] + 1)
    manager.stop(run_id, "student-pause")
    assert manager.wait(run_id, WAIT_S) == "stopped"
    assert 2 <= len(runs.read_history(run_id)) < 100
    assert runs.load_weights(run_id) and runs.read_evaluation(run_id) is not None


def test_a_killed_ray_worker_fails_its_run_and_is_replaced(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(tiny_config(cache, epochs=100, patience=0), "student-kill")
    follow(manager, [run_id], until="epoch")
    pid = manager.running_pid(run_id)
    assert pid is not None and pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    assert manager.wait(run_id, WAIT_S) == "failed"
    assert "the Ray worker training this run died" in manager.info(run_id).reason
    after = manager.submit(tiny_config(cache, epochs=1), "student-kill")
    assert manager.wait(after, WAIT_S) == "finished"
    assert pid not in manager.worker_pids()


def test_the_cluster_going_away_fails_active_runs_with_a_clear_message(
    manager: JobManager, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cluster goes away as a remote one does for this server: Ray's calls raise ``ConnectionError``.

    (``ray.shutdown()`` here would not do: Ray ends the whole process when a thread that is
    still polling touches a shut-down driver, so the test would kill pytest, not the cluster.)
    """
    run_id = manager.submit(tiny_config(cache, epochs=100, patience=0), "student-lost")
    follow(manager, [run_id], until="epoch")

    def unreachable(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("the cluster's head node does not answer")

    for call in ("wait", "get", "put", "kill"):
        monkeypatch.setattr(ray, call, unreachable)
    assert manager.wait(run_id, 30) == "failed"
    assert "cannot be reached" in manager.info(run_id).reason
    later = manager.submit(tiny_config(cache, epochs=1), "student-lost")
    assert manager.wait(later, 10) == "failed"  # at once, not a hang
    assert "Ray cluster" in manager.info(later).reason
    assert ray_backend.cluster_info().lost


def test_without_the_address_the_app_side_never_imports_ray(cache: Path) -> None:
    """Ray is an optional extra: with it made unimportable, the job manager starts and queues runs."""
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "from explorer.training.jobs import JobManager\n"
        "import ui.training.manager, explorer.training.ray_backend as backend\n"
        "manager = JobManager(prestart=False)\n"
        "assert backend.cluster_info() is None and manager.max_concurrent >= 1\n"
        "manager.shutdown()\n"
        "print('ok')\n"
    )
    environment = {key: value for key, value in os.environ.items() if key != ray_backend.ADDRESS_ENV}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def draw_where_runs_train() -> None:
    """An AppTest script: the cluster line, then a run on a cluster node and one on this server."""
    from ui.training.cluster import draw_cluster_line, draw_where

    draw_cluster_line()
    draw_where([{"type": "queued"}, {"type": "started", "pid": 7, "node": "10.0.0.7", "host": "worker-7"}])
    draw_where([{"type": "started", "pid": 8}])


class FakeCluster:
    """Stands in for the server's Ray back end: four CPUs on two nodes, or a lost cluster."""

    def __init__(self, lost: str = "") -> None:
        self.lost = lost

    def info(self) -> ray_backend.ClusterInfo:
        return ray_backend.ClusterInfo("ray://head:10001", 4, 2, self.lost)


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_training_page_says_where_runs_train(monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    from streamlit.testing.v1 import AppTest

    from ui import state

    monkeypatch.setattr(ray_backend, "_current", FakeCluster())
    app = AppTest.from_function(draw_where_runs_train, default_timeout=APPTEST_TIMEOUT_S)
    app.session_state[state.LANGUAGE] = lang
    captions = [caption.value for caption in app.run().caption]
    assert len(captions) == 3 and "ray://head:10001" in captions[0] and "4" in captions[0]
    assert "worker-7" in captions[1] and "10.0.0.7" in captions[1]
    assert captions[2] not in captions[1] and "worker-7" not in captions[2]
    monkeypatch.setattr(ray_backend, "_current", FakeCluster(lost="the Ray cluster (x) cannot be reached any more"))
    assert "cannot be reached any more" in app.run().warning[0].value
