"""The job manager with real spawned workers: streaming, control, the fair queue, and faults.

Faults: a worker killed mid-run, a manager killed mid-run (and a reused process id), a failing
step of the background loop, a full disk while submitting and while the worker saves a run,
damaged and vanishing run files.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_page_training import expanded_text, open_training
from test_training import tiny_config

import explorer.paths
import ui.training.manager
from explorer.training import jobs, runs
from explorer.training.config import RunConfig, Speed
from explorer.training.jobs import JobError, JobManager, NotOwnerError, QuotaError
from ui import state

OWNER, STRANGER = "session-a", "session-b"
WAIT_S = 90  # generous: the worker starts (and imports TensorFlow) on a busy 2-core machine
TEST_SPEED = Speed(jit_compile=False, steps_per_execution=1)
REPO = Path(__file__).resolve().parent.parent
SMALL_DISK_BYTES = 8 * 2**20  # room for the tiny corpus and a few tiny runs, filled up in a moment


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("jobs-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IMDB_EXPLORER_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="module")
def manager(cache: Path) -> Iterator[JobManager]:
    manager = JobManager(max_concurrent=1, speed=TEST_SPEED)
    yield manager
    manager.shutdown()


def long_config(cache: Path, **changes: object) -> RunConfig:
    """A run that would go on for 100 epochs unless stopped."""
    return tiny_config(cache, epochs=100, patience=0, **changes)


def wait_for(manager: JobManager, run_id: str, kind: str, since: int = 0) -> int:
    """Sequence number of the first event of ``kind`` at or after ``since`` (waits for it)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for event in manager.events(run_id, since):
            if event["type"] == kind:
                return event["seq"]
        time.sleep(0.02)
    raise AssertionError(f"no {kind} event for {run_id}: {manager.events(run_id)}")


def test_a_run_streams_its_epochs_and_is_stored_as_finished(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(tiny_config(cache, epochs=2), OWNER)
    first = wait_for(manager, run_id, "epoch")
    seen = manager.events(run_id)
    assert seen[0]["type"] == "queued" and [event["seq"] for event in seen] == sorted({e["seq"] for e in seen})
    assert all(event["seq"] > first for event in manager.events(run_id, first + 1))
    assert manager.wait(run_id, WAIT_S) == "finished"
    assert manager.events(run_id) == []  # an ended run's events leave memory; its history serves them
    history = runs.read_history(run_id)
    assert [row["epoch"] for row in history] == [1, 2]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "seconds", "eta_seconds"} <= set(history[0])
    info = manager.info(run_id, OWNER)
    assert (info.state, info.owned, info.epochs_done) == ("finished", True, 2)
    assert not manager.info(run_id, STRANGER).owned
    folder = runs.run_dir(run_id)
    for name in (
        runs.CONFIG_FILE,
        runs.STATUS_FILE,
        runs.OWNER_FILE,
        runs.HISTORY_FILE,
        runs.MODEL_FILE,
        runs.WEIGHTS_FILE,
        runs.EVALUATION_FILE,
    ):
        assert (folder / name).is_file(), name
    assert not [path.name for path in folder.iterdir() if path.name.startswith(".")], "a temporary file was left"
    assert OWNER not in (folder / runs.OWNER_FILE).read_text()  # only a digest of the browser's identity
    assert runs.embedding_epochs(run_id) == [1, 2]
    assert manager.workers_ready()
    assert manager.identical(tiny_config(cache, epochs=2)).run_id == run_id
    assert manager.identical(tiny_config(cache, epochs=2, seed=7)) is None


def test_only_the_owner_or_the_teacher_controls_a_run(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(long_config(cache), OWNER)
    wait_for(manager, run_id, "epoch")
    for command in (manager.stop, manager.pause):
        with pytest.raises(NotOwnerError):
            command(run_id, STRANGER)
    manager.pause(run_id, STRANGER, admin=True)
    wait_for(manager, run_id, "paused")
    manager.stop(run_id, STRANGER, admin=True)
    manager.stop(run_id, OWNER)  # a second stop is harmless
    assert manager.wait(run_id, WAIT_S) == "stopped"
    assert manager.info(run_id).reason == "stopped by the teacher"
    manager.stop(run_id, OWNER)  # a stop after the end changes nothing
    assert 1 <= len(runs.read_history(run_id)) < 100 and runs.load_weights(run_id)
    with pytest.raises(JobError, match="not active"):
        manager.pause(run_id, OWNER)
    with pytest.raises(NotOwnerError):
        manager.delete(run_id, STRANGER)


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


def test_the_queue_is_fair_limited_and_cancellable(manager: JobManager, cache: Path) -> None:
    running = manager.submit(long_config(cache), OWNER)
    wait_for(manager, running, "epoch")
    mine = [manager.submit(long_config(cache, seed=seed), OWNER) for seed in (1, 2)]
    with pytest.raises(QuotaError, match="3"):
        manager.submit(long_config(cache, seed=3), OWNER)
    theirs = manager.submit(long_config(cache), STRANGER)
    # round-robin: the stranger, who has had no turn yet, goes before the owner, whose run is training
    assert [manager.info(run_id).queue_position for run_id in (theirs, mine[0], mine[1])] == [0, 1, 2]
    assert manager.info(mine[0]).estimated_start_s is not None  # earlier runs of this model were timed
    manager.stop(mine[1], OWNER)  # an owner cancels any of its queued runs
    assert manager.info(mine[1]).state == "stopped"
    assert manager.info(mine[1]).reason == "cancelled by its owner before it started"
    with pytest.raises(NotOwnerError):
        manager.stop(theirs, OWNER)
    with pytest.raises(JobError, match="stop it first"):
        manager.delete(running, OWNER)
    for run_id in (theirs, mine[0]):
        manager.stop(run_id, STRANGER, admin=True)
    manager.stop(running, OWNER)
    assert manager.wait(running, WAIT_S) == "stopped"
    manager.delete(mine[1], OWNER)
    assert mine[1] not in runs.list_runs()


def test_a_model_that_cannot_fit_is_refused_before_it_is_queued(manager: JobManager, cache: Path) -> None:
    before = runs.list_runs()
    huge = tiny_config(cache, layer="lstm", units=512, stacked=4, bidirectional=True, maxlen=2500, batch_size=4096)
    with pytest.raises(JobError, match="GiB of memory") as refused:
        manager.submit(huge, OWNER)
    assert "\n" not in str(refused.value)
    assert runs.list_runs() == before


def poll_until(manager: JobManager, present: tuple[str, str], done) -> None:
    """Poll as the page of ``present`` = (run, owner) does, until ``done()``."""
    deadline = time.monotonic() + WAIT_S
    while not done():
        assert time.monotonic() < deadline, "timed out"
        manager.info(*present)
        time.sleep(0.05)


def test_abandoned_runs_stop_blocking_others(manager: JobManager, cache: Path, monkeypatch) -> None:
    monkeypatch.setattr(jobs, "ABANDON_AFTER_S", 1.0)
    running = manager.submit(long_config(cache, units=256), OWNER)  # Keras's fit: slow enough to be running still
    poll_until(manager, (running, OWNER), lambda: any(e["type"] == "epoch" for e in manager.events(running)))
    queued = manager.submit(long_config(cache), STRANGER)  # its owner never polls
    poll_until(manager, (running, OWNER), lambda: manager.info(queued).state != "queued")
    assert manager.info(queued).state == "stopped"
    assert manager.info(queued).reason == "cancelled: its owner left the page before it started"
    assert manager.info(running).state == "running"  # its owner is here
    waiting = manager.submit(long_config(cache), "session-c")  # now the running run's owner leaves
    poll_until(manager, (waiting, "session-c"), lambda: manager.info(running).state != "running")
    assert manager.wait(running, WAIT_S) == "stopped"
    assert manager.info(running).reason == "stopped: its owner left the page while others were waiting"
    manager.stop(waiting, "session-c")
    assert manager.wait(waiting, WAIT_S) == "stopped"


def test_a_failing_step_of_the_loop_is_logged_and_the_loop_goes_on(
    manager: JobManager, cache: Path, monkeypatch, caplog
) -> None:
    real, failures = manager._leave_abandoned, []

    def fail_once() -> None:
        if not failures:
            failures.append(1)
            raise RuntimeError("a bad file")
        real()

    monkeypatch.setattr(manager, "_leave_abandoned", fail_once)
    run_id = manager.submit(tiny_config(cache, epochs=1, seed=11), OWNER)
    assert manager.wait(run_id, WAIT_S) == "finished"
    assert failures and "a step of the background loop failed" in caplog.text


def test_a_killed_worker_fails_its_run_and_is_replaced(manager: JobManager, cache: Path) -> None:
    run_id = manager.submit(long_config(cache), OWNER)
    wait_for(manager, run_id, "epoch")
    pid = manager.running_pid(run_id)
    os.kill(pid, signal.SIGKILL)
    assert manager.wait(run_id, WAIT_S) == "failed"
    assert "killed (SIGKILL)" in manager.info(run_id).reason
    assert runs.read_status(run_id).state == "failed"
    after = manager.submit(tiny_config(cache, epochs=1, seed=5), OWNER)
    assert manager.wait(after, WAIT_S) == "finished"
    assert pid not in manager.worker_pids()


def test_a_full_disk_while_submitting_leaves_nothing_half_created(
    manager: JobManager, cache: Path, monkeypatch
) -> None:
    before = sorted(path.name for path in runs.runs_dir().iterdir())

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runs, "atomic_write_json", full)
    with pytest.raises(JobError, match="disk is full"):
        manager.submit(tiny_config(cache, seed=99), OWNER)
    assert sorted(path.name for path in runs.runs_dir().iterdir()) == before


@pytest.fixture()
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An empty folder on a tmpfs of its own, ``SMALL_DISK_BYTES`` big: a disk that really fills up.

    Mounting needs root, which CI has; without that right this test fails and says why (a skip
    would count as a pass that tested nothing).
    """
    folder = tmp_path / "small-disk"
    folder.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK_BYTES}", "tmpfs", str(folder)]
    mounted = subprocess.run(command, capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.fail(f"the full-disk test mounts a small tmpfs, which needs root (as CI has): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def fill(disk: Path) -> Path:
    """Write one file until ``disk`` has no room left (the kernel says ENOSPC); delete it to free the space."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as stream, pytest.raises(OSError) as full:
        while True:
            stream.write(bytes(2**16))
    assert full.value.errno == errno.ENOSPC
    return filler


def test_a_full_disk_while_the_worker_saves_fails_the_run_cleanly(app_environment, small_disk: Path, monkeypatch):
    """The cache lies on a small tmpfs, written full while a run is paused: when the run goes on, the
    real worker's next save gets ENOSPC from the kernel (no injected error: the worker is a process
    of its own, and the manager's status write fails the same way). The run ends failed, saying the
    disk is full; every file it offers reads back; the run before it is untouched; the training page
    answers; once space is freed the run's status is saved and the next run trains.
    """
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(small_disk))
    manager = JobManager(max_concurrent=1, speed=TEST_SPEED)
    monkeypatch.setattr(ui.training.manager, "job_manager", lambda: manager)
    try:
        earlier = manager.submit(tiny_config(small_disk, epochs=2), OWNER)
        assert manager.wait(earlier, WAIT_S) == "finished"
        earlier_files = {path.name: path.read_bytes() for path in runs.run_dir(earlier).iterdir()}
        run_id = manager.submit(long_config(small_disk), OWNER)
        wait_for(manager, run_id, "epoch")
        manager.pause(run_id, OWNER)  # while paused the worker writes nothing: no save races the filling
        wait_for(manager, run_id, "paused")
        refused = tiny_config(small_disk, seed=99)  # tiny_config writes the corpus file: before the disk is full
        filler = fill(small_disk)
        listed = sorted(path.name for path in runs.runs_dir().iterdir())
        with pytest.raises(JobError, match="disk is full"):
            manager.submit(refused, OWNER)
        assert sorted(path.name for path in runs.runs_dir().iterdir()) == listed  # nothing half-created
        manager.resume(run_id, OWNER)
        assert manager.wait(run_id, WAIT_S) == "failed"  # not "running": the unsaved status is kept in memory
        assert manager.info(run_id, OWNER).reason == "the disk is full, so the run could not be saved."

        folder = runs.run_dir(run_id)
        assert not [path.name for path in folder.iterdir() if path.name.startswith(".")], "a temporary file was left"
        runs.check_run(run_id)  # status, config, owner, history: each parses
        history = runs.read_history(run_id)
        assert [row["epoch"] for row in history] == list(range(1, len(history) + 1)) and history
        assert runs.load_weights(run_id)
        with zipfile.ZipFile(runs.model_path(run_id)) as model:
            assert model.testzip() is None
        vectors = runs.embedding_epochs(run_id)  # the failed epoch's may be there, whole, if its history was not
        assert vectors[: len(history)] == [row["epoch"] for row in history]
        assert all(runs.load_embedding(run_id, epoch).ndim == 2 for epoch in vectors)
        assert {path.name: path.read_bytes() for path in runs.run_dir(earlier).iterdir()} == earlier_files
        assert manager.info(earlier).state == "finished"

        page = open_training(app_environment, **{state.TRAINING_OWNER: OWNER, state.TRAINING_WATCHED: run_id})
        assert "Why: the disk is full, so the run could not be saved." in expanded_text(page)

        filler.unlink()
        status_file = folder / runs.STATUS_FILE
        deadline = time.monotonic() + WAIT_S
        while json.loads(status_file.read_text())["state"] != "failed":  # the manager writes it again
            assert time.monotonic() < deadline, "the failed run's status was never saved"
            time.sleep(0.1)
        after = manager.submit(tiny_config(small_disk, epochs=1, seed=5), OWNER)
        assert manager.wait(after, WAIT_S) == "finished"
    finally:
        manager.shutdown()


def damage(run_id: str, name: str) -> None:
    (runs.run_dir(run_id) / name).write_bytes(b"\x00garbage{")


@pytest.mark.parametrize(
    "name",
    [runs.HISTORY_FILE, runs.EVALUATION_FILE, runs.STATUS_FILE, runs.CONFIG_FILE, runs.OWNER_FILE],
)
def test_a_damaged_run_is_listed_as_damaged_and_can_be_deleted(manager: JobManager, cache: Path, name: str) -> None:
    run_id = next(info.run_id for info in manager.list_runs() if info.state == "finished")
    backup = {path.name: path.read_bytes() for path in runs.run_dir(run_id).iterdir() if path.is_file()}
    damage(run_id, name)
    listed = {info.run_id: info for info in manager.list_runs(OWNER)}
    assert listed[run_id].state == "damaged", name
    if name in (runs.STATUS_FILE, runs.CONFIG_FILE):  # these two are always there: missing is damage too
        (runs.run_dir(run_id) / name).unlink()
        listed = {info.run_id: info for info in manager.list_runs(OWNER)}
    assert listed[run_id].state == "damaged" and run_id in listed[run_id].reason
    assert "Traceback" not in listed[run_id].reason and "\n" not in listed[run_id].reason
    assert "damaged" not in {info.state for run, info in listed.items() if run != run_id}
    for file, content in backup.items():  # restore: the other cases need the run
        (runs.run_dir(run_id) / file).write_bytes(content)
    assert manager.info(run_id).state == "finished"


def test_damaged_weights_and_vectors_raise_the_one_error(manager: JobManager) -> None:
    run_id = next(info.run_id for info in manager.list_runs() if info.state == "finished")
    folder = runs.run_dir(run_id)
    saved = {name: (folder / name).read_bytes() for name in (runs.WEIGHTS_FILE, "embedding_epoch_001.npy")}
    try:
        for name in saved:
            damage(run_id, name)
        with pytest.raises(runs.RunStoreError, match="weights"):
            runs.load_weights(run_id)
        with pytest.raises(runs.RunStoreError, match="word vectors"):
            runs.load_embedding(run_id, 1)
    finally:
        for name, content in saved.items():
            (folder / name).write_bytes(content)


def test_a_run_folder_deleted_while_listed_is_left_out(manager: JobManager, cache: Path, monkeypatch) -> None:
    listed = runs.list_runs()
    victim = listed[-1]
    monkeypatch.setattr(runs, "list_runs", lambda: listed)
    runs.delete_run(victim)
    assert victim not in [info.run_id for info in manager.list_runs()]


KILLED_SERVER = textwrap.dedent(
    """
    import sys, time
    sys.path[:0] = [{repo!r}, {tests!r}]
    from pathlib import Path
    from test_training import tiny_config
    from explorer.training.config import Speed
    from explorer.training.jobs import JobManager

    manager = JobManager(max_concurrent=1, speed=Speed(jit_compile=False, steps_per_execution=1))
    run_id = manager.submit(tiny_config(Path({cache!r}), epochs=100, patience=0), "session-a")
    while not any(event["type"] == "epoch" for event in manager.events(run_id)):
        time.sleep(0.05)
    print(run_id, manager.instance_id, manager.running_pid(run_id), flush=True)
    time.sleep(600)
    """
)


def test_a_manager_killed_mid_run_leaves_it_interrupted_even_with_a_reused_pid(
    manager: JobManager, cache: Path
) -> None:
    code = KILLED_SERVER.format(repo=str(REPO), tests=str(REPO / "tests"), cache=str(cache))
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        run_id, instance, worker = server.stdout.readline().split()
        assert runs.read_status(run_id).state == "running"  # its server is alive
    finally:
        server.kill()
        server.wait()
    stored = json.loads((runs.run_dir(run_id) / runs.STATUS_FILE).read_text())
    stored["pid"] = os.getpid()  # as an old status would say: a process id that is alive again
    explorer.paths.atomic_write_json(runs.run_dir(run_id) / runs.STATUS_FILE, stored)
    assert runs.read_status(run_id).state == "interrupted"
    restarted = JobManager(max_concurrent=1, prestart=False)
    try:
        assert json.loads((runs.run_dir(run_id) / runs.STATUS_FILE).read_text())["state"] == "interrupted"
        assert not (runs.run_dir(run_id).parent.parent / "instances" / f"{instance}.lock").exists()
        info = restarted.info(run_id, OWNER)
        assert info.owned and not restarted.info(run_id, STRANGER).owned  # ownership survives the restart
        with pytest.raises(NotOwnerError):
            restarted.delete(run_id, STRANGER)
        restarted.delete(run_id, OWNER)
        assert run_id not in runs.list_runs()
        other = next(info.run_id for info in restarted.list_runs() if info.state == "finished")
        restarted.delete(other, STRANGER, admin=True)
    finally:
        restarted.shutdown()
    deadline = time.monotonic() + 10  # the killed server's worker notices its parent is gone and exits
    while time.monotonic() < deadline and _running(int(worker)):
        time.sleep(0.2)
    assert not _running(int(worker)), "the killed server's worker kept training"


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


NORMAL_EXIT = textwrap.dedent(
    """
    import sys
    sys.path[:0] = [{repo!r}, {tests!r}]
    from pathlib import Path
    from test_training import tiny_config
    from explorer.training.jobs import JobManager

    manager = JobManager(max_concurrent=1, prestart=False)  # no worker: the run stays queued
    print(manager.submit(tiny_config(Path({cache!r}), seed=123), "session-a"), manager.instance_id, flush=True)
    """
)


def test_a_server_that_exits_normally_shuts_its_manager_down(manager: JobManager, cache: Path) -> None:
    code = NORMAL_EXIT.format(repo=str(REPO), tests=str(REPO / "tests"), cache=str(cache))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    run_id, instance = done.stdout.split()
    stored = json.loads((runs.run_dir(run_id) / runs.STATUS_FILE).read_text())
    assert (stored["state"], stored["reason"]) == ("interrupted", "the server shut down before this run ended")
    assert not (cache / "instances" / f"{instance}.lock").exists()
