"""AppTest of the embedding projection page, with runs fabricated in the engine's on-disk format."""

from __future__ import annotations

import base64
import json
import os
import re
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from explorer.embeddings.projection import ProjectionSettings
from explorer.embeddings.projection_plots import label_positions
from explorer.i18n import translate
from explorer.paths import CACHE_ENV
from explorer.training import runs
from explorer.training.config import RunConfig
from tests import apptest
from tests.conftest import REPO
from ui import state
from ui.embeddings.projecting import ProjectionProcess, _bar_text, _queue, projected_apart, projection_process

EPOCHS = 3
WAIT_S = 30  # how long a killed process may take to be gone
KILL_AFTER_S = 3.0  # the projection process is killed this long into compiling UMAP (which takes ~15 s)
WORDS = 30  # num_words of the fabricated runs: fewer than the synthetic corpus's 50 words


@pytest.fixture()
def own_cache(app_environment: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of this test's own, so the runs and projections written here stay here."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache"


def store_run(config: RunConfig) -> str:
    """A run folder as the engine leaves it: config, status, and word vectors after each epoch."""
    run_id = runs.create_run(config.validate(), "tests", "tests")
    rng = np.random.default_rng(1)
    vectors = rng.normal(0, 0.05, (config.num_words, config.embedding_dim)).astype(np.float32)
    for epoch in range(1, EPOCHS + 1):
        vectors = vectors + rng.normal(0, 0.05, vectors.shape).astype(np.float32)  # "learning": vectors drift
        runs.save_embedding(run_id, epoch, vectors)
    runs.write_status(run_id, runs.RunStatus("finished"))
    return run_id


def open_page(**state: object) -> AppTest:
    app = apptest.open_page(REPO / "app.py", "pages/embeddings.py", **state)
    assert_clean(app)
    return app


def assert_clean(app: AppTest) -> None:
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]


def figure(app: AppTest) -> dict:
    charts = [chart for chart in app.get("plotly_chart") if chart.key == "embeddings_plot"]
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def values(array: dict | list) -> np.ndarray:
    """A plotly JSON array: plotly 7 sends numbers as base64 typed arrays, text as lists."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def en(key: str, **values: object) -> str:
    return translate("en", f"embeddings.{key}", **values)


def test_a_stored_run_is_projected_searched_and_animated(own_cache: Path) -> None:
    run_id = store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    assert app.selectbox(key="embeddings_run").value == run_id
    cloud = figure(app)["data"][0]
    assert len(values(cloud["x"])) == WORDS - 4  # every real word of the run's vocabulary (ids 0-3 are not words)
    assert cloud["marker"]["colorbar"]["title"]["text"] == en("colour_legend")

    app.text_input(key="embeddings_search").input("Film ").run()
    assert_clean(app)
    learned, glove = (frame.value for frame in app.dataframe)
    assert len(learned) == len(glove) == app.number_input(key="embeddings_k").value
    assert "film" not in set(learned[en("word")]) and list(learned[en("distance")]) == sorted(learned[en("distance")])
    searched = figure(app)["data"][2]
    assert searched["text"] == ["film"]

    app.toggle(key="embeddings_animate").set_value(True).run()
    assert_clean(app)
    assert [frame["name"] for frame in figure(app)["frames"]] == [str(epoch) for epoch in range(1, EPOCHS + 1)]


def test_unknown_word_says_it_is_not_in_the_vocabulary(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    app.text_input(key="embeddings_search").input("zzzzqx").run()
    assert_clean(app)
    assert en("unknown_word", word="zzzzqx", space=en("space_run")) in [warning.value for warning in app.warning]
    assert len(app.dataframe) == 0


def test_tsne_is_cached_under_the_projections_folder(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    app.segmented_control(key="embeddings_method").set_value("tsne").run()
    app.slider(key="embeddings_perplexity").set_value(5.0).run()
    app.slider(key="embeddings_iterations").set_value(250).run()
    assert_clean(app)
    assert len(values(figure(app)["data"][0]["x"])) == WORDS - 4
    assert list((own_cache / "projections").glob("run-*/epoch003_tsne_*.npz"))


def test_a_projection_process_killed_mid_task_or_idle_is_replaced(own_cache: Path) -> None:
    """t-SNE and UMAP run in the server's projection process (a GIL of its own). Killed while it
    works (here: compiling UMAP, its first task), the page says so in one line and caches nothing;
    the next try starts a new process and works. Killed while idle, it is replaced unnoticed."""
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    projection_process().pool.shutdown(wait=False, cancel_futures=True)
    projection_process.clear()
    process = projection_process()  # a new process, compiling UMAP for the next ~15 s
    threading.Timer(KILL_AFTER_S, kill_workers, (process,)).start()
    app.segmented_control(key="embeddings_method").set_value("umap").run()
    assert not app.exception
    assert [error.value for error in app.error] == [
        translate("en", "embeddings.cannot_project", reason=en("projection_process_died"))
    ]
    assert not list((own_cache / "projections").rglob("*_umap_*.npz"))
    assert not _queue()  # a failed projection leaves the server's queue too
    app.run()
    assert_clean(app)
    replacement = projection_process()
    assert replacement is not process
    assert len(values(figure(app)["data"][0]["x"])) == WORDS - 4
    kill_workers(replacement)
    app.slider(key="embeddings_neighbours").set_value(10).run()
    assert_clean(app)
    assert len(values(figure(app)["data"][0]["x"])) == WORDS - 4


def test_a_projection_behind_others_says_so_and_counts_their_time() -> None:
    waiting = _bar_text("umap", 1_000, estimate=3.0, total=11.0, waiting=2, compiling=False)
    assert waiting == translate(
        "en", "embeddings.projecting_queued", method=en("method_umap"), words=1_000, others=2, estimate=11.0
    )
    assert "2" in waiting and "11 s" in waiting
    alone = _bar_text("umap", 1_000, estimate=3.0, total=3.0, waiting=0, compiling=False)
    assert "3 s" in alone and "11" not in alone


def test_an_animation_frame_joins_the_queue_other_bars_count() -> None:
    """The epoch animation projects each frame without a bar of its own; other students' bars still
    count it among the projections ahead of theirs, until it is done."""
    vectors = np.random.default_rng(0).normal(size=(200, 8)).astype(np.float32)
    settings = ProjectionSettings(method="tsne", perplexity=5.0, iterations=250)
    with ThreadPoolExecutor(1) as pool:
        frame = pool.submit(projected_apart, vectors, settings)
        while not _queue() and not frame.done():
            time.sleep(0.005)
        queued = [entry.future.done() for entry in _queue()]
        assert frame.result().coordinates.shape == (200, 2)
    assert queued == [False]  # seen waiting or working, with nothing else queued
    assert not _queue()


def kill_workers(process: ProjectionProcess) -> None:
    """SIGKILL the projection process's worker and wait until it is gone."""
    workers = list(process.pool._processes.values())  # the pool's own record (it has no public one)
    assert workers and all(worker.pid != os.getpid() for worker in workers)
    for worker in workers:
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=WAIT_S)


def test_a_one_hot_run_says_so_and_shows_glove(own_cache: Path) -> None:
    store_run(RunConfig(encoding="one_hot", num_words=WORDS))
    app = open_page()
    assert en("one_hot") in [info.value for info in app.info]
    # the GloVe cloud holds exactly the words the coverage line says GloVe knows
    known = re.search(r"GloVe knows ([\d,]+) of these", " ".join(caption.value for caption in app.caption))
    assert known and len(values(figure(app)["data"][0]["x"])) == int(known.group(1).replace(",", "")) > 0


def test_without_runs_the_page_points_to_training_and_shows_glove(own_cache: Path) -> None:
    app = open_page()
    assert app.segmented_control(key="embeddings_source").value == "glove"
    app.segmented_control(key="embeddings_source").set_value("run").run()
    assert_clean(app)
    assert en("need_run") in [info.value for info in app.info]
    assert len(values(figure(app)["data"][0]["x"])) > 0


def test_impossible_pca_component_is_explained(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    app.number_input(key="embeddings_pc_1").set_value(9).run()
    assert not app.exception
    assert any("between 1 and 8" in error.value for error in app.error)


def test_the_page_speaks_korean(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page(lang="ko")
    app.text_input(key="embeddings_search").input("film").run()
    app.segmented_control(key="embeddings_method").set_value("tsne").run()
    app.slider(key="embeddings_perplexity").set_value(5.0).run()
    assert_clean(app)
    metric = translate("ko", "embeddings.metric_cosine")
    assert app.subheader[0].value == translate("ko", "embeddings.neighbours_title", word="film", metric=metric)
    assert figure(app)["layout"]["xaxis"]["title"]["text"] == f"{translate('ko', 'embeddings.method_tsne')} 1"
    run_option = app.selectbox(key="embeddings_run").options[0]
    assert translate("ko", "training.encoding_embedding") in run_option and "SimpleRNN" in run_option
    assert "simple_rnn" not in run_option  # the run picker names the model as the book does, in Korean


def test_a_run_on_other_data_is_flagged(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS, source="keras"))
    app = open_page()
    assert en("other_data", source="keras") in [warning.value for warning in app.warning]
    assert len(values(figure(app)["data"][0]["x"])) == WORDS - 4  # still drawn, with the warning above it


def download_labels(app: AppTest) -> list[str]:
    return [element.proto.label for element in app.get("download_button")]


def test_choosing_a_run_opens_its_best_epoch_and_exports_name_run_and_epoch(own_cache: Path) -> None:
    best = store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    runs.write_history(best, [{"epoch": e, "val_accuracy": a} for e, a in zip((1, 2, 3), (0.6, 0.8, 0.7), strict=True)])
    newest = store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))  # no history: last
    app = open_page()
    assert app.selectbox(key=state.EMBEDDINGS_RUN).value == newest
    assert app.select_slider(key=state.EMBEDDINGS_EPOCH).value == EPOCHS
    app.select_slider(key=state.EMBEDDINGS_EPOCH).set_value(1).run()
    assert any(f"run-{newest}_epoch001" in label for label in download_labels(app))
    app.selectbox(key=state.EMBEDDINGS_RUN).set_value(best).run()
    assert_clean(app)
    assert app.select_slider(key=state.EMBEDDINGS_EPOCH).value == 2  # its best, not the other run's 1
    assert sorted(download_labels(app)) == [f"⬇ metadata_run-{best}_epoch002.tsv", f"⬇ vectors_run-{best}_epoch002.tsv"]


def test_animation_has_one_epoch_control_and_words_are_bounded_by_the_vocabulary(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    assert en("words_all", count=WORDS - 4) in [caption.value for caption in app.caption]  # 26 words, no slider
    app.toggle(key="embeddings_animate").set_value(True).run()
    assert_clean(app)
    assert not [slider for slider in app.select_slider if slider.key == state.EMBEDDINGS_EPOCH]
    assert figure(app)["layout"]["sliders"][0]["active"] == EPOCHS - 1  # the plot's slider is the one control


def test_a_number_is_searched_as_a_word(own_cache: Path) -> None:
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    app = open_page()
    app.text_input(key=state.EMBEDDINGS_SEARCH).input("2").run()
    assert_clean(app)
    assert en("number_is_word", word="2") in [caption.value for caption in app.caption]


def test_neighbour_labels_point_away_from_the_searched_word() -> None:
    coordinates = np.array([[0.0, 0.0], [0.0, 1.0], [0.0, -1.0], [2.0, 0.1], [-2.0, 0.0]])
    near, searched = label_positions(coordinates, 0, [1, 2, 3, 4])
    assert near == ["top center", "bottom center", "middle right", "middle left"]
    assert label_positions(coordinates, 0, [1])[1] == ["bottom center"]  # the neighbour is above: label below


def test_a_link_opens_the_run_and_the_searched_word(own_cache: Path) -> None:
    older = store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    store_run(RunConfig(encoding="embedding", embedding_dim=8, num_words=WORDS))
    label = open_page().selectbox(key=state.EMBEDDINGS_RUN)
    older_label = next(option for option in label.options if older in option)
    app = AppTest.from_file(str(REPO / "app.py"), default_timeout=apptest.TIMEOUT_S)
    app.query_params.update({state.EMBEDDINGS_RUN: older_label, state.EMBEDDINGS_SEARCH: "film"})
    app.run().switch_page("pages/embeddings.py").run()
    assert_clean(app)
    assert app.selectbox(key=state.EMBEDDINGS_RUN).value == older
    assert app.text_input(key=state.EMBEDDINGS_SEARCH).value == "film"
    assert figure(app)["data"][2]["text"] == ["film"]
