"""Run storage for a class: snapshots the projections page can show, projections deleted with their run,
the cache budget and ``python -m explorer.cache``, atomic saves, memory estimates, instance liveness."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import numpy as np
import pytest

from explorer import cache
from explorer.embeddings.projection import ProjectionSettings
from explorer.embeddings.projection_cache import projection_path
from explorer.embeddings.word_spaces import FIRST_WORD_ID
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.instance import InstanceLock, instance_alive, remove_dead_locks
from explorer.training.memory import GIB, RUN_MEMORY_ENV, estimate, estimate_bytes
from ui.embeddings.choices import WORDS_RANGE


@pytest.fixture()
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(tmp_path))
    return tmp_path


def finished_run(size: int = 0, **changes: object) -> str:
    """A stored finished run with ``size`` bytes of weights."""
    run_id = runs.create_run(RunConfig(**changes), "", "owner")
    runs.write_status(run_id, runs.RunStatus("finished"))
    (runs.run_dir(run_id) / runs.WEIGHTS_FILE).write_bytes(b"w" * size)
    return run_id


def test_snapshots_keep_exactly_the_rows_the_projections_page_can_show(own_cache: Path) -> None:
    assert runs.SNAPSHOT_ROWS == FIRST_WORD_ID + WORDS_RANGE[1]  # ids 4 .. 5,003: the page's 5,000 words
    run_id = finished_run(num_words=20_000)
    runs.save_embedding(run_id, 1, np.ones((20_000, 16), np.float32))
    assert runs.load_embedding(run_id, 1).shape == (runs.SNAPSHOT_ROWS, 16)
    runs.save_embedding(run_id, 2, np.ones((500, 16), np.float32))  # a smaller vocabulary is kept whole
    assert runs.load_embedding(run_id, 2).shape == (500, 16)


def test_a_deleted_run_takes_its_projections_along(own_cache: Path) -> None:
    run_id, other = finished_run(), finished_run()
    vectors = np.ones((10, 2), np.float32)
    for owner in (run_id, other):
        path = projection_path(f"run-{owner}", 1, vectors, ProjectionSettings())
        path.parent.mkdir(parents=True)
        path.write_bytes(b"x")
        assert path.parent == runs.projections_dir(owner)
    runs.delete_run(run_id)
    assert not runs.projections_dir(run_id).exists() and runs.projections_dir(other).exists()
    assert not [path for path in runs.runs_dir().iterdir() if path.name.startswith(runs.TRASH_PREFIX)]


def test_a_deleted_run_stays_deleted_when_a_left_over_worker_saves_into_it(own_cache: Path) -> None:
    run_id = finished_run()
    runs.delete_run(run_id)
    saves = [  # what a worker of a server that died may still do after the owner deleted the run
        lambda: runs.write_history(run_id, [{"epoch": 0}]),
        lambda: runs.save_weights(run_id, {"kernel": np.ones(2)}),
        lambda: runs.save_embedding(run_id, 1, np.ones((3, 2))),
        lambda: runs.save_evaluation(run_id, {"accuracy": 0.5}),
        lambda: runs.write_status(run_id, runs.RunStatus("finished")),
    ]
    for save in saves:
        with pytest.raises(FileNotFoundError):
            save()
    assert run_id not in runs.list_runs() and not runs.run_dir(run_id).exists()


def test_the_budget_prunes_the_oldest_unpinned_finished_runs(own_cache: Path, monkeypatch) -> None:
    oldest, pinned, active, newest = (finished_run(1000) for _ in range(4))
    runs.set_pinned(pinned, True)
    keeper = InstanceLock()
    runs.write_status(active, runs.RunStatus("running", instance=keeper.instance_id))
    assert cache.enforce_budget() == []  # no budget, nothing deleted
    monkeypatch.setenv(cache.BUDGET_ENV, str(2500 / GIB))
    assert cache.enforce_budget() == [oldest, newest]  # pinned and active runs stay, however old
    assert set(runs.list_runs()) == {pinned, active}
    keeper.release()


def test_the_cache_command_shows_and_prunes(own_cache: Path, capsys) -> None:
    kept, pruned = finished_run(100), finished_run(100)
    cache.main(["--pin", kept])
    shown = json.loads(capsys.readouterr().out)
    assert {row["run_id"]: row["pinned"] for row in shown["runs"]} == {kept: True, pruned: False}
    assert shown["parts"]["runs"] >= 200 and shown["total_bytes"] >= 200
    cache.main(["--budget-gb", "0"])
    assert json.loads(capsys.readouterr().out)["removed"] == [pruned]
    with pytest.raises(SystemExit):
        cache.main(["--pin", "../../etc"])


def test_the_best_model_is_saved_atomically(own_cache: Path) -> None:
    run_id = finished_run()
    runs.save_model(run_id, lambda path: path.write_bytes(b"model"))
    assert runs.model_path(run_id).read_bytes() == b"model"

    def half_then_full(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError):
        runs.save_model(run_id, half_then_full)
    assert runs.model_path(run_id).read_bytes() == b"model"  # the previous best stays whole
    assert sorted(path.name for path in runs.run_dir(run_id).iterdir() if path.name.startswith(".")) == []


def test_memory_estimates_refuse_the_giants_and_pass_the_book(monkeypatch) -> None:
    book = RunConfig(layer="lstm", units=32, maxlen=500, batch_size=128)
    giant = RunConfig(layer="lstm", units=512, stacked=4, bidirectional=True, maxlen=2500, batch_size=4096)
    assert estimate_bytes(book) < GIB < 100 * GIB < estimate_bytes(giant)
    monkeypatch.setenv(RUN_MEMORY_ENV, "4")
    assert estimate(book, 1).fits and not estimate(giant, 1).fits
    assert "GiB" in estimate(giant, 1).refusal() and "\n" not in estimate(giant, 1).refusal()
    monkeypatch.setenv(RUN_MEMORY_ENV, "not a number")
    assert estimate(book, 1).budget_bytes > 0


def test_an_instance_is_alive_exactly_while_it_holds_its_lock(own_cache: Path) -> None:
    lock = InstanceLock()
    assert instance_alive(lock.instance_id) and not instance_alive("0" * 16) and not instance_alive("../x")
    remove_dead_locks()
    assert lock.path.exists()  # a live instance's file stays
    lock.release()
    assert not instance_alive(lock.instance_id)


def test_a_status_stamped_by_a_dead_instance_or_a_bare_pid_reads_interrupted(own_cache: Path) -> None:
    run_id = finished_run()
    path = runs.run_dir(run_id) / runs.STATUS_FILE
    path.write_text(json.dumps({"state": "running", "reason": "", "updated": 0.0, "pid": 1}))  # pid 1 is alive
    assert runs.read_status(run_id).state == "interrupted"
    assert runs.settle_orphans() == [run_id]
    assert json.loads(path.read_text())["state"] == "interrupted"
