"""AppTest of the training studio with a fake engine: the page logic without training anything.

``FakeJobManager`` answers the job manager's API from memory, while the runs' files are real
(written with ``explorer.training.runs`` into the test's cache), so the page reads histories,
evaluations and weights exactly as it does for a real run. Each AppTest is one browser tab.
"""

from __future__ import annotations

import inspect
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import create_autospec

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ui.training.manager
from explorer.i18n import translate
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.inference import Predictor
from explorer.training.jobs import JobError, JobManager, NotOwnerError, QuotaError, RunInfo
from explorer.training.runs import ACTIVE_STATES
from tests.apptest import click, metrics, open_page, rerun_with

PAGE = "pages/training.py"
WARM_UP = ui.training.manager.warm_up  # the real one, before conftest replaces it for a test
STEPS = 4  # batches per epoch in the fake runs


@dataclass
class FakeJob:
    owner: str
    config: RunConfig
    state: str = "running"
    paused: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)


class FakeJobManager:
    """The JobManager API over in-memory jobs and real run folders; records every control call.

    The page reaches it through ``held_to_the_real_interface``: every call the page makes must
    also be a valid call of the real ``JobManager`` (an autospec), and
    ``test_the_fake_has_the_real_managers_signatures`` keeps the two in step.
    """

    def __init__(self) -> None:
        self.jobs: dict[str, FakeJob] = {}
        self.calls: list[tuple[str, str, str]] = []
        self.ready = True  # False: as at a server's start, while the worker starts
        self.first_batch_after: float | None = None  # seconds after Train a free worker streams its first batch

    def submit(self, config: RunConfig, owner: str, *, admin: bool = False) -> str:
        config.validate()
        run_id = runs.create_run(config, "", owner)
        self.jobs[run_id] = FakeJob(owner, config, events=[{"type": "queued", "time": time.time(), "seq": 0}])
        if self.first_batch_after is not None:
            threading.Timer(self.first_batch_after, self.stream_first_batch, (run_id,)).start()
        return run_id

    def identical(self, config: RunConfig) -> RunInfo | None:
        found = [run_id for run_id in runs.list_runs() if runs.read_config(run_id) == config]
        alive = [run_id for run_id in found if run_id in self.jobs or runs.read_status(run_id).state == "finished"]
        return self.info(alive[0]) if alive else None

    def info(self, run_id: str, owner: str | None = None) -> RunInfo:
        job = self.jobs.get(run_id)
        if job is not None and job.state in ACTIVE_STATES:
            epochs = sum(event["type"] == "epoch" for event in job.events)
            return RunInfo(
                run_id,
                job.state,
                "",
                job.config,
                job.owner == owner,
                job.paused,
                0 if job.state == "queued" else None,
                epochs,
            )
        status = runs.read_status(run_id)
        owned = bool(owner) and runs.read_owner(run_id) == runs.owner_digest(owner)
        return RunInfo(
            run_id,
            status.state,
            status.reason,
            runs.read_config(run_id),
            owned,
            epochs_done=len(runs.read_history(run_id)),
        )

    def list_runs(self, owner: str | None = None) -> list[RunInfo]:
        listed = []
        for run_id in runs.list_runs():
            try:
                info = self.info(run_id, owner)
                runs.check_run(run_id)
            except runs.RunStoreError as error:
                info = RunInfo(run_id, "damaged", str(error), None, runs.read_owner(run_id) == runs.owner_digest(owner))
            listed.append(info)
        return listed

    def workers_ready(self) -> bool:
        return self.ready

    def events(self, run_id: str, since: int = 0) -> list[dict[str, Any]]:
        job = self.jobs.get(run_id)
        return [] if job is None else [event for event in job.events if event["seq"] >= since]

    def _owned(self, run_id: str, owner: str, command: str, admin: bool) -> FakeJob:
        job = self.jobs[run_id]
        if job.owner != owner and not admin:
            raise NotOwnerError("only the session that started this run may control it.")
        self.calls.append((command, run_id, owner))
        return job

    def pause(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        self._owned(run_id, owner, "pause", admin).paused = True

    def resume(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        self._owned(run_id, owner, "resume", admin).paused = False

    def stop(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        job = self._owned(run_id, owner, "stop", admin)
        if job.state == "queued":
            job.state = "stopped"
            runs.write_status(run_id, runs.RunStatus("stopped", "cancelled by its owner before it started"))

    def delete(self, run_id: str, owner: str, *, admin: bool = False) -> None:
        job = self.jobs.get(run_id)
        if not admin and runs.read_owner(run_id) != runs.owner_digest(owner):
            raise NotOwnerError("only the session that started this run may delete it.")
        if job is not None and job.state in ACTIVE_STATES:
            raise JobError("this run is still active: stop it first.")
        self.calls.append(("delete", run_id, owner))
        runs.delete_run(run_id)
        self.jobs.pop(run_id, None)

    # ----- what the worker would do -----

    def emit(self, job: FakeJob, event: dict[str, Any]) -> None:
        """Add a progress message with the next sequence number."""
        job.events.append({**event, "seq": job.events[-1]["seq"] + 1})

    def stream_first_batch(self, run_id: str) -> None:
        """The first batch's message, as a worker sends it."""
        first = {"type": "batch", "epoch": 1, "batch": 1, "steps": STEPS, "loss": 0.69, "accuracy": 0.5}
        self.emit(self.jobs[run_id], {**first, "time": time.time()})

    def train_epochs(self, run_id: str, count: int) -> None:
        """Stream ``count`` more epochs of made-up but plausible numbers."""
        job = self.jobs[run_id]
        for _ in range(count):
            epoch = sum(event["type"] == "epoch" for event in job.events) + 1
            for batch in range(1, STEPS + 1):
                loss = 0.7 / (epoch + batch / STEPS)
                self.emit(
                    job,
                    {
                        "type": "batch",
                        "epoch": epoch,
                        "batch": batch,
                        "steps": STEPS,
                        "loss": loss,
                        "accuracy": 1 - loss,
                        "time": 100.0 + epoch * STEPS + batch,
                    },
                )
            self.emit(job, {"type": "epoch", **epoch_row(epoch)})
        runs.write_history(run_id, [event for event in job.events if event["type"] == "epoch"])

    def finish(self, run_id: str, weights: dict[str, np.ndarray]) -> None:
        job = self.jobs[run_id]
        job.state = "finished"
        runs.save_weights(run_id, weights)
        runs.save_evaluation(run_id, EVALUATION)
        runs.write_status(run_id, runs.RunStatus("finished"))


def epoch_row(epoch: int) -> dict[str, Any]:
    """Validation loss falls until epoch 2, then rises: epoch 2 is the best."""
    val_loss = 0.5 + 0.05 * (epoch - 2) ** 2
    return {
        "epoch": epoch,
        "loss": 0.6 / epoch,
        "accuracy": 0.6 + 0.05 * epoch,
        "val_loss": val_loss,
        "val_accuracy": 0.9 - val_loss / 4,
        "seconds": 2.0,
        "eta_seconds": 10.0,
        "best": epoch <= 2,
        "partial": False,
    }


EVALUATION = {
    "accuracy": 0.75,
    "loss": 0.52,
    "confusion": [[40, 20], [10, 50]],
    "roc_fpr": [0.0, 0.3, 1.0],
    "roc_tpr": [0.0, 0.8, 1.0],
    "roc_auc": 0.81,
    "count": 120,
}


def random_weights(config: RunConfig) -> dict[str, np.ndarray]:
    """Weights of an Embedding → SimpleRNN → Dense model, named as the engine exports them."""
    rng = np.random.default_rng(0)
    dim, units = config.embedding_dim, config.units
    shapes = {
        "embedding/embeddings": (config.num_words, dim),
        "rnn_1/forward/kernel": (dim, units),
        "rnn_1/forward/recurrent_kernel": (units, units),
        "rnn_1/forward/bias": (units,),
        "dense/kernel": (units, 1),
        "dense/bias": (1,),
    }
    return {name: rng.normal(size=shape).astype(np.float32) for name, shape in shapes.items()}


@pytest.fixture()
def engine(app_environment, tmp_path, monkeypatch) -> FakeJobManager:
    """A fake job manager in place of the server's, and a fresh cache for the runs (list it after small_corpus)."""
    fake = FakeJobManager()
    checked = held_to_the_real_interface(fake)
    monkeypatch.setattr(ui.training.manager, "job_manager", lambda: checked)
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(tmp_path / "cache"))
    return fake


# The JobManager methods the page calls; the fake answers them, with the real ones' signatures.
PAGE_API = ("submit", "identical", "info", "list_runs", "events", "workers_ready", "pause", "resume", "stop", "delete")


def held_to_the_real_interface(fake: FakeJobManager) -> Any:
    """An autospec of the real ``JobManager`` whose methods the fake answers.

    A call the real manager would refuse (a wrong or missing argument), or a method it does not
    have, fails the test at the call, even where the fake alone would accept it.
    """
    checked = create_autospec(JobManager, instance=True, spec_set=True)
    for name in PAGE_API:
        getattr(checked, name).side_effect = getattr(fake, name)
    return checked


def test_the_fake_has_the_real_managers_signatures():
    for name in PAGE_API:
        assert inspect.signature(getattr(FakeJobManager, name)) == inspect.signature(getattr(JobManager, name)), name


def open_training(app_environment, **state: object) -> AppTest:
    return open_page(app_environment, PAGE, **state)


def started_run(app_environment, engine: FakeJobManager, **state: object) -> tuple[AppTest, str]:
    """A tab that pressed Train with the book's embedding preset on a small model."""
    at = open_training(app_environment, **state)
    click(at, "training_preset_book_embedding")
    rerun_with(at, training_units=3, training_embedding_dim=4, training_maxlen=20)
    click(at, "training_train")
    (run_id,) = engine.jobs
    return at, run_id


def table(at: AppTest, column: str):
    """The dataframe that has ``column``."""
    return next(frame.value for frame in at.dataframe if column in frame.value.columns)


def expanded_text(at: AppTest) -> str:
    return " ".join(element.value for element in [*at.markdown, *at.caption, *at.info, *at.warning, *at.error])


def test_the_book_presets_have_the_books_parameter_counts(app_environment, small_corpus, engine):
    at = open_training(app_environment)
    words = small_corpus.max_num_words  # the tiny corpus has fewer than the book's 500 words
    click(at, "training_preset_book_onehot")
    assert at.session_state["training_encoding"] == "one_hot" and at.session_state["training_num_words"] == words
    assert (
        metrics(at)["Parameters in all"] == f"{words * 8 + 8 * 8 + 8 + 8 + 1:,}"
    )  # SimpleRNN(8) on one-hot + Dense(1)
    click(at, "training_preset_book_embedding")
    assert metrics(at)["Parameters in all"] == f"{words * 16 + 16 * 8 + 8 * 8 + 8 + 8 + 1:,}"
    assert any("SimpleRNN(8)" in m.value for m in at.markdown)


def test_presets_set_every_field_and_the_form_survives_a_page_switch(app_environment, engine):
    at = open_training(app_environment)
    click(at, "training_preset_chollet_lstm")
    assert (
        at.session_state["training_layer"],
        at.session_state["training_units"],
        at.session_state["training_maxlen"],
    ) == ("lstm", 32, 500)
    assert at.session_state["training_patience"] == 0 and at.session_state["training_batch_size"] == 128
    rerun_with(at, training_units=5)
    at.switch_page("pages/lengths.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.session_state["training_units"] == 5 and at.session_state["training_layer"] == "lstm"


def test_the_form_follows_the_sidebar(app_environment, engine):
    at = open_training(app_environment, maxlen=100)
    assert at.session_state["training_maxlen"] == 100
    rerun_with(at, maxlen=42, padding="post")
    assert at.session_state["training_maxlen"] == 42 and at.session_state["training_padding"] == "post"


def test_impossible_settings_are_explained_and_cannot_train(app_environment, engine, tmp_path):
    at = open_training(app_environment)
    rerun_with(at, training_encoding="glove", training_glove_path=str(tmp_path / "missing.txt"))
    assert at.error and "does not exist" in at.error[0].value
    assert at.button(key="training_train").disabled


def test_train_submits_the_form_and_the_live_panel_follows_the_run(app_environment, engine):
    at, run_id = started_run(app_environment, engine)
    config = engine.jobs[run_id].config
    assert (config.encoding, config.layer, config.units, config.embedding_dim, config.maxlen) == (
        "embedding",
        "simple_rnn",
        3,
        4,
        20,
    )
    assert engine.jobs[run_id].owner == at.session_state["training_owner"]
    engine.train_epochs(run_id, 1)
    at.run()
    assert metrics(at)["Epoch"] == f"1 / {config.epochs}" and metrics(at)["Step in epoch"] == f"{STEPS} / {STEPS}"
    first = len(at.get("plotly_chart")[0].proto.spec)
    engine.train_epochs(run_id, 2)
    at.run()
    assert metrics(at)["Epoch"] == f"3 / {config.epochs}" and metrics(at)["Best epoch"] == "2"
    assert len(at.get("plotly_chart")[0].proto.spec) > first, "the live chart did not grow"
    assert "best 2" in at.get("plotly_chart")[0].proto.spec
    click(at, "training_pause")
    assert engine.calls[-1] == ("pause", run_id, at.session_state["training_owner"])
    assert at.run().button(key="training_pause").label == "Resume"  # once the worker has paused
    click(at, "training_stop")
    assert engine.calls[-1][0] == "stop"


def test_a_second_tab_sees_the_run_but_cannot_control_it(app_environment, engine):
    first, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 1)
    second = open_training(app_environment)
    assert second.session_state["training_owner"] != first.session_state["training_owner"]
    queue = table(second, "Place in queue (0 = next)")
    assert list(queue["Id"]) == [run_id] and not queue["Started in this browser"][0]
    assert metrics(second)["Epoch"] == f"1 / {engine.jobs[run_id].config.epochs}"
    assert second.button(key="training_stop").disabled and second.button(key="training_pause").disabled
    assert "only that browser, or the teacher, can pause or stop it" in expanded_text(second)
    assert first.button(key="training_stop").disabled is False


def test_a_finished_run_shows_results_downloads_and_predicts_a_typed_review(app_environment, small_corpus, engine):
    at, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 3)
    config = engine.jobs[run_id].config
    weights = random_weights(config)
    engine.finish(run_id, weights)
    at.run()
    assert not at.exception
    shown = metrics(at)
    assert shown["Test accuracy"] == "0.7500" and shown["ROC AUC"] == "0.8100"
    listed = table(at, "Best validation accuracy")
    assert list(listed["Id"]) == [run_id]
    assert listed["Epochs"][0] == 3 and math.isclose(listed["Best validation accuracy"][0], 0.9 - 0.5 / 4)
    specs = " ".join(chart.proto.spec for chart in at.get("plotly_chart"))
    assert "AUC 0.810" in specs and "threshold 0.5" in specs and "NBSVM" in specs
    assert {"training_download_history", "training_download_config"} <= {b.key for b in at.get("download_button")}

    at.text_area(key="training_review").input("great film zebrawords awful").run()
    html = " ".join(element.proto.body for element in at.get("html"))
    assert "zebrawords" in html and "line-through" in html
    expected = Predictor(config, weights).predict_ids(
        [1, small_corpus.word_id("great"), small_corpus.word_id("film"), 2, small_corpus.word_id("awful")]
    )
    assert metrics(at)["P(positive)"] == f"{expected.probability:.3f}"


def test_deleting_a_run_asks_the_engine(app_environment, engine):
    at, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 1)
    engine.finish(run_id, random_weights(engine.jobs[run_id].config))
    at.run()
    click(at, "training_delete")
    assert engine.calls[-1] == ("delete", run_id, at.session_state["training_owner"])
    assert not runs.list_runs()
    assert "No finished run yet." in expanded_text(at)


def test_a_run_that_ends_is_overlaid_and_shown_and_a_deleted_one_leaves(app_environment, engine):
    at, first = started_run(app_environment, engine)
    engine.train_epochs(first, 2)
    engine.finish(first, random_weights(engine.jobs[first].config))
    at.run()
    assert at.session_state["training_overlay"] == [first] and at.session_state["training_inspect"] == first
    click(at, "training_train")  # the same settings again: the finished run is offered, nothing is queued
    assert list(engine.jobs) == [first] and at.session_state["training_run"] == first
    assert "An identical run (same model, data and seed) has already finished" in expanded_text(at)
    click(at, "training_train_again")
    second = next(run for run in engine.jobs if run != first)
    engine.train_epochs(second, 1)
    engine.finish(second, random_weights(engine.jobs[second].config))
    at.run()
    assert at.session_state["training_overlay"] == [second, first] and at.session_state["training_inspect"] == second
    click(at, "training_delete")
    assert at.session_state["training_overlay"] == [first] and at.session_state["training_inspect"] == first
    assert metrics(at)["Test accuracy"] == "0.7500"


def test_the_queue_lists_every_active_run_and_a_queued_one_waits(app_environment, engine):
    at, running = started_run(app_environment, engine)
    click(at, "training_train")
    assert list(engine.jobs) == [running]  # the same settings are training already: that run is offered
    click(at, "training_train_again")
    queued = next(run for run in engine.jobs if run != running)
    engine.jobs[queued].state = "queued"
    at.run()
    queue = table(at, "Place in queue (0 = next)")
    assert set(queue["Id"]) == {running, queued} and list(queue["Started in this browser"]) == [True, True]
    assert at.session_state["training_run"] == queued
    assert "Waiting for the training process: place 1 in the queue." in expanded_text(at)
    assert metrics(at)["Epoch"] == f"0 / {engine.jobs[queued].config.epochs}"
    engine.ready = False  # a server just started: its worker is still importing TensorFlow
    at.run()
    assert translate("en", "training.engine_starting") in expanded_text(at)
    assert "Waiting for the training process" not in expanded_text(at)


def test_a_failed_run_says_why(app_environment, engine):
    at, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 1)
    engine.jobs[run_id].state = "failed"
    runs.write_status(run_id, runs.RunStatus("failed", "the training process was killed (SIGKILL)."))
    at.run()
    assert not at.exception
    assert "Why: the training process was killed (SIGKILL)." in expanded_text(at)
    assert "no test-set evaluation" in expanded_text(at) and "no saved weights" in expanded_text(at)


def test_korean_interface(app_environment, engine):
    at = open_training(app_environment, lang="ko")
    assert at.title[0].value == "훈련 스튜디오"
    assert at.button(key="training_train").label == "훈련"


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("review", ["이 영화 정말 최고예요", ""])
def test_korean_or_empty_text_gets_a_warning_not_a_verdict(app_environment, engine, language, review):
    at, run_id = started_run(app_environment, engine, lang=language)
    engine.train_epochs(run_id, 1)
    engine.finish(run_id, random_weights(engine.jobs[run_id].config))
    at.run()
    probability = translate(language, "training.try_probability")
    assert probability in metrics(at)  # the sample review has enough known words
    at.text_area(key="training_review").input(review).run()
    assert not at.exception and not at.error
    assert probability not in metrics(at)
    warning = " ".join(element.value for element in at.warning)
    assert ("fewer than 3" if language == "en" else "3개 미만") in warning
    chips = " ".join(element.proto.body for element in at.get("html"))
    assert all(word in chips for word in review.split()), "the Korean words are shown as unknown words"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_a_paused_run_reads_paused_in_the_queue_and_the_live_panel(app_environment, engine, language):
    at, run_id = started_run(app_environment, engine, lang=language)
    engine.train_epochs(run_id, 1)
    click(at, "training_pause")
    at.run()
    paused = translate(language, "training.state_paused")
    queue = table(at, translate(language, "training.queue_position"))
    assert list(queue[translate(language, "training.state")]) == [paused]
    assert paused in " ".join(m.value for m in at.markdown if run_id in m.value)


@pytest.mark.parametrize("ready", [True, False], ids=["free-worker", "worker-starting"])
def test_train_waits_a_moment_for_the_first_point_and_draws_it(app_environment, engine, ready):
    """A free worker streams a book model's first batch about 0.1 s after Train: the page waits for it
    and draws it in the same redraw, not a poll later. While the worker starts, it draws at once."""
    engine.ready = ready
    engine.first_batch_after = 0.1
    at, _ = started_run(app_environment, engine)
    points = 1 if ready else 0
    assert translate("en", "training.points", points=points) in [caption.value for caption in at.caption]


def test_train_scrolls_the_live_panel_into_view_once(app_environment, engine):
    def scrolls(at: AppTest) -> bool:
        return any("scrollIntoView" in element.proto.body for element in at.get("html"))

    at = open_training(app_environment)
    assert not scrolls(at)
    click(at, "training_train")
    assert scrolls(at), "Train did not bring the live panel into view"
    assert not scrolls(at.run()), "a later redraw must not pull the page back up"


def test_a_stop_part_way_counts_the_batches_it_trained(app_environment, engine):
    at, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 1)
    job = engine.jobs[run_id]
    engine.emit(
        job, {"type": "batch", "epoch": 2, "batch": 2, "steps": STEPS, "loss": 0.3, "accuracy": 0.7, "time": 200.0}
    )
    engine.emit(job, {"type": "epoch", **epoch_row(2), "partial": True})
    at.run()
    assert metrics(at)["Step in epoch"] == f"2 / {STEPS}"
    spec = at.get("plotly_chart")[0].proto.spec
    assert "circle-open" in spec and "stopped 2" in spec


@pytest.mark.parametrize("language", ["en", "ko"])
def test_runs_are_named_by_preset_with_a_number_and_the_owner_renames_them(app_environment, engine, language):
    at = open_training(app_environment, lang=language)
    click(at, "training_preset_book_embedding")
    rerun_with(at, training_epochs=2)  # a preset changed: named after its model instead
    click(at, "training_train")
    rerun_with(at, training_epochs=100)  # the preset again
    click(at, "training_train")
    click(at, "training_train")  # the same settings: that run is offered ...
    click(at, "training_train_again")  # ... and a second one trains only when asked for
    book = translate(language, "training.run_name_book_embedding")
    for run_id in runs.list_runs():
        engine.train_epochs(run_id, 1)
        engine.finish(run_id, random_weights(engine.jobs[run_id].config))
    at.run()
    listed = table(at, translate(language, "training.best_val_accuracy"))
    numbered = set(listed[translate(language, "training.run")])
    changed = next(name for name in numbered if not name.startswith(book))
    assert numbered == {f"{book} #1", f"{book} #2", changed} and changed.endswith("→ SimpleRNN(8) #1")
    assert set(listed[translate(language, "training.run_id")]) == set(runs.list_runs())  # the id kept
    newest = runs.list_runs()[0]
    at.text_input(key=f"training_rename_{newest}").input("Ji-woo's *best*").run()
    click(at, "training_rename_button")
    assert (
        "Ji-woo's *best*"
        in table(at, translate(language, "training.best_val_accuracy"))[translate(language, "training.run")].tolist()
    )
    other_tab = open_training(app_environment, lang=language)
    assert other_tab.button(key="training_rename_button").disabled, "only the owner may rename"


def test_the_first_page_of_a_server_starts_the_training_worker(app_environment, monkeypatch):
    started = []
    monkeypatch.setattr(ui.training.manager, "warm_up", WARM_UP)  # conftest switches it off for page tests
    monkeypatch.setattr(ui.training.manager, "job_manager", lambda: started.append(True))
    at = open_page(app_environment, "pages/home.py")
    assert not at.exception and started, "opening the home page did not start the job manager"


def test_an_owner_cancels_its_queued_run_and_another_browser_cannot(app_environment, engine):
    at, running = started_run(app_environment, engine)
    click(at, "training_train")
    click(at, "training_train_again")
    queued = next(run for run in engine.jobs if run != running)
    engine.jobs[queued].state = "queued"
    stranger = open_training(app_environment)
    assert not [button for button in stranger.button if button.key == f"training_cancel_{queued}"]
    at.run()
    click(at, f"training_cancel_{queued}")
    assert engine.calls[-1] == ("stop", queued, at.session_state["training_owner"])
    assert engine.jobs[queued].state == "stopped"


def test_the_teachers_token_controls_every_run(app_environment, engine, monkeypatch):
    monkeypatch.setenv("IMDB_EXPLORER_ADMIN_TOKEN", "chalk")
    first, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 1)
    teacher = open_training(app_environment)
    assert teacher.button(key="training_stop").disabled
    rerun_with(teacher, training_admin="wrong")
    assert teacher.button(key="training_stop").disabled and "not the teacher's token" in expanded_text(teacher)
    rerun_with(teacher, training_admin="chalk")
    assert not teacher.button(key="training_stop").disabled
    click(teacher, "training_pause")
    assert engine.calls[-1] == ("pause", run_id, teacher.session_state["training_owner"])


def test_a_refused_run_says_why_in_one_line(app_environment, engine, monkeypatch):
    def refuse(config: RunConfig, owner: str, *, admin: bool = False) -> str:
        raise QuotaError("you already have 3 runs queued or training")

    monkeypatch.setattr(engine, "submit", refuse)
    monkeypatch.setattr(ui.training.manager, "job_manager", lambda: held_to_the_real_interface(engine))
    at = open_training(app_environment)
    click(at, "training_train")
    assert [error.value for error in at.error] == [
        "The run was not started: you already have 3 runs queued or training"
    ]


@pytest.mark.parametrize("name", [runs.HISTORY_FILE, runs.EVALUATION_FILE, runs.CONFIG_FILE, runs.STATUS_FILE])
def test_a_damaged_run_is_listed_as_damaged_with_delete(app_environment, engine, name):
    at, run_id = started_run(app_environment, engine)
    engine.train_epochs(run_id, 2)
    engine.finish(run_id, random_weights(engine.jobs[run_id].config))
    (runs.run_dir(run_id) / name).write_text("{broken")
    at.run()
    assert not at.exception
    assert "1 run(s) on this server have a file that cannot be read" in expanded_text(at)
    shown = next(line for line in at.caption if line.value.startswith("Damaged:")).value
    assert run_id in shown and "Traceback" not in shown
    click(at, f"training_delete_damaged_{run_id}")
    assert engine.calls[-1] == ("delete", run_id, at.session_state["training_owner"]) and not runs.list_runs()
