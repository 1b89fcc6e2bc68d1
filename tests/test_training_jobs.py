"""The job manager with real spawned workers: streaming, stop, pause, queue, a killed worker, restart."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_training import tiny_config

from explorer.training import runs
from explorer.training.config import RunConfig, Speed
from explorer.training.jobs import JobError, JobManager, NotOwnerError

OWNER, STRANGER = "session-a", "session-b"
WAIT_S = 90  # generous: the first run waits for the worker's TensorFlow import on a busy machine


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("jobs-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def manager(cache: Path) -> Iterator[JobManager]:
    jobs = JobManager(speed=Speed(jit_compile=False, steps_per_execution=1))
    yield jobs
    jobs.shutdown()


def long_config(cache: Path) -> RunConfig:
    """A run that would go on for 100 epochs unless stopped."""
    return tiny_config(cache, epochs=100, patience=0)


def wait_for(manager: JobManager, run_id: str, kind: str, since: int = 0) -> int:
    """Index of the first event of ``kind`` at or after ``since`` (waits for it)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for index, event in enumerate(manager.events(run_id, since), start=since):
            if event["type"] == kind:
                return index
        time.sleep(0.02)
    raise AssertionError(f"no {kind} event for {run_id}: {manager.events(run_id)}")


def test_a_run_streams_its_epochs_and_is_stored_as_finished(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(tiny_config(cache, epochs=2), OWNER)
    assert manager.wait(run_id, WAIT_S) == "finished"
    events = manager.events(run_id)
    kinds = [event["type"] for event in events]
    assert kinds[0] == "queued" and "started" in kinds and kinds[-1] == "state"
    epochs = [event for event in events if event["type"] == "epoch"]
    assert [event["epoch"] for event in epochs] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds", "eta_seconds"} <= set(epochs[0])
    assert any(event["type"] == "batch" for event in events)
    assert manager.events(run_id, since=len(events)) == []
    info = manager.info(run_id, OWNER)
    assert (info.state, info.owned, info.epochs_done) == ("finished", True, 2)
    assert not manager.info(run_id, STRANGER).owned
    folder = runs.run_dir(run_id)
    for name in (
        runs.CONFIG_FILE,
        runs.STATUS_FILE,
        runs.HISTORY_FILE,
        runs.MODEL_FILE,
        runs.WEIGHTS_FILE,
        runs.EVALUATION_FILE,
    ):
        assert (folder / name).is_file(), name
    assert runs.embedding_epochs(run_id) == [1, 2]
    assert manager.workers_ready()


def test_only_the_owner_controls_a_run_and_two_stops_are_harmless(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(long_config(cache), OWNER)
    wait_for(manager, run_id, "epoch")
    with pytest.raises(NotOwnerError):
        manager.stop(run_id, STRANGER)
    with pytest.raises(NotOwnerError):
        manager.pause(run_id, STRANGER)
    manager.stop(run_id, OWNER)
    manager.stop(run_id, OWNER)
    assert manager.wait(run_id, WAIT_S) == "stopped"
    manager.stop(run_id, OWNER)  # a stop after the end changes nothing
    history = runs.read_history(run_id)
    assert 1 <= len(history) < 100
    assert runs.read_status(run_id).state == "stopped"
    assert runs.load_weights(run_id)
    with pytest.raises(JobError, match="running"):
        manager.pause(run_id, OWNER)


def test_a_paused_run_makes_no_progress_until_resumed(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(long_config(cache), OWNER)
    first_epoch = wait_for(manager, run_id, "epoch")
    manager.pause(run_id, OWNER)
    paused_at = wait_for(manager, run_id, "paused", first_epoch)
    assert manager.info(run_id, OWNER).paused
    time.sleep(1.0)
    assert not [event for event in manager.events(run_id, paused_at + 1) if event["type"] in ("batch", "epoch")]
    manager.resume(run_id, OWNER)
    resumed_at = wait_for(manager, run_id, "resumed", paused_at)
    wait_for(manager, run_id, "epoch", resumed_at)
    manager.stop(run_id, OWNER)
    assert manager.wait(run_id, WAIT_S) == "stopped"


def test_runs_wait_in_the_queue_and_a_queued_run_can_be_stopped(manager: JobManager, cache: Path) -> None:
    running = manager.submit(long_config(cache), OWNER)
    queued = manager.submit(long_config(cache), OWNER)
    assert manager.info(queued, OWNER).queue_position == 0
    manager.stop(queued, OWNER)
    assert manager.info(queued).state == "stopped"
    assert manager.info(queued).reason == "stopped before it started"
    with pytest.raises(JobError, match="stop it first"):
        manager.delete(running, OWNER)
    manager.stop(running, OWNER)
    assert manager.wait(running, WAIT_S) == "stopped"
    manager.delete(queued, OWNER)
    assert queued not in runs.list_runs()


def test_a_killed_worker_fails_its_run_and_is_replaced(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(long_config(cache), OWNER)
    wait_for(manager, run_id, "epoch")
    pid = manager.running_pid(run_id)
    os.kill(pid, signal.SIGKILL)
    assert manager.wait(run_id, WAIT_S) == "failed"
    assert "killed (SIGKILL)" in manager.info(run_id).reason
    assert runs.read_status(run_id).state == "failed"
    after = manager.submit(tiny_config(cache, epochs=1), OWNER)
    assert manager.wait(after, WAIT_S) == "finished"
    assert pid not in manager.worker_pids()


def test_runs_reload_from_disk_in_a_new_manager(manager: JobManager, cache: Path) -> None:
    finished = {info.run_id: info.state for info in manager.list_runs()}
    restarted = JobManager(prestart=False)
    try:
        reloaded = {info.run_id: info.state for info in restarted.list_runs(OWNER)}
        assert reloaded == finished and "finished" in reloaded.values()
        assert not any(info.owned for info in restarted.list_runs(OWNER))
        some_run = next(run_id for run_id, state in reloaded.items() if state == "finished")
        restarted.delete(some_run, STRANGER)  # no owner survives a restart: anyone may tidy up
        assert some_run not in runs.list_runs()
    finally:
        restarted.shutdown()
