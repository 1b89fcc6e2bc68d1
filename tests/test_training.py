"""The training engine without worker processes: configs, models, storage, inference, GloVe."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from explorer.data.corpus import OOV_ID, START_ID, Corpus, Split, book_split_indices
from explorer.data.glove import GloveError, embedding_matrix, load_glove
from explorer.data.ragged import Ragged
from explorer.paths import CACHE_ENV, DATA_ENV
from explorer.training import runs
from explorer.training.config import (
    INFERENCE_BATCH,
    ONE_HOT_BATCH_BUDGET_BYTES,
    ConfigError,
    RunConfig,
    Speed,
    parameter_breakdown,
    total_parameters,
)
from explorer.training.data import ARRAYS_PREFIX, prepare, prepared_for, save_arrays
from explorer.training.evaluate import evaluate_predictions
from explorer.training.inference import Predictor
from explorer.training.instance import InstanceLock

TINY_WORDS = tuple(f"w{rank}" for rank in range(1, 80))
TEST_SPEED = Speed(jit_compile=False, steps_per_execution=1)  # XLA compiles too long for tiny tests
GLOVE_DIM = 6


def tiny_corpus(seed: int = 0, train: int = 200, test: int = 80) -> Corpus:
    """Reviews whose label shows in their words: positive ones use higher ids."""
    rng = np.random.default_rng(seed)

    def split(count: int) -> Split:
        labels = rng.integers(0, 2, count)
        rows = [[1, *(rng.integers(4, 60, rng.integers(5, 30)) + 7 * label)] for label in labels]
        return Split(Ragged.from_lists(rows), labels.astype(np.int64), None)

    return Corpus("tiny", "generated", split(train), split(test), TINY_WORDS)


def tiny_config(cache: Path, **changes: object) -> RunConfig:
    """A small run config on the tiny corpus stored in ``cache``."""
    source = save_arrays(cache / "tiny.npz", tiny_corpus())
    values = {
        "source": source,
        "num_words": 70,
        "maxlen": 20,
        "units": 4,
        "embedding_dim": GLOVE_DIM,
        "batch_size": 32,
        "epochs": 1,
    }
    return RunConfig(**{**values, **changes}).validate()


def write_glove(path: Path, words: list[str], dim: int = GLOVE_DIM) -> Path:
    """A glove.6B-style text file with random vectors for ``words``."""
    rng = np.random.default_rng(3)
    path.write_text(
        "".join(f"{word} {' '.join(f'{value:.5f}' for value in rng.normal(size=dim))}\n" for word in words),
        encoding="utf-8",
    )
    return path


# ----- configs and the parameter breakdown (no TensorFlow) -----


def test_the_books_two_models_have_the_books_parameter_counts() -> None:
    one_hot = RunConfig(encoding="one_hot", layer="simple_rnn", units=8, num_words=500, maxlen=100)
    embedding = RunConfig(
        encoding="embedding", layer="simple_rnn", units=8, num_words=500, maxlen=100, embedding_dim=16
    )
    assert total_parameters(one_hot) == 4_081
    assert total_parameters(embedding) == 8_209
    assert [row.count for row in parameter_breakdown(embedding)] == [8_000, 200, 9]
    assert parameter_breakdown(one_hot)[1].formula == "500×8 + 8×8 + 8 = 4,072"


def test_validation_and_test_batches_are_larger_but_one_hot_ones_stay_within_the_memory_budget() -> None:
    assert RunConfig().inference_batch_size() == INFERENCE_BATCH
    assert RunConfig(batch_size=2048).inference_batch_size() == 2048  # never smaller than training's
    assert RunConfig(encoding="one_hot").inference_batch_size() == INFERENCE_BATCH  # the book's 500 × 100
    wide = RunConfig(encoding="one_hot", num_words=10_000, maxlen=100, batch_size=32)
    assert wide.inference_batch_size() == 67  # 256 MiB / 4 MB per review; 1,024 reviews would be 4 GB
    assert wide.inference_batch_size() * 100 * 10_000 * 4 <= ONE_HOT_BATCH_BUDGET_BYTES


def test_a_config_survives_a_json_round_trip() -> None:
    config = RunConfig(
        encoding="glove",
        layer="gru",
        bidirectional=True,
        stacked=2,
        embedding_dim=50,
        subset=500,
        dropout=0.2,
        optimizer="adam",
    )
    assert RunConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"units": 0}, "units must be between 1"),
        ({"maxlen": 0}, "maxlen"),
        ({"num_words": 3}, "num_words"),
        ({"epochs": 101}, "epochs"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"dropout": 1.5}, "dropout"),
        ({"layer": "transformer"}, "layer must be one of"),
        ({"units": 8.5}, "whole number"),
        ({"encoding": "one_hot", "num_words": 100_000, "maxlen": 500}, "MiB"),
        ({"layer": "flatten_dense", "mask_zero": True}, "Flatten"),
        (
            {"encoding": "glove", "glove_path": "/nowhere/glove.6B.50d.txt", "embedding_dim": 50},
            "only opens files inside",
        ),
        ({"encoding": "glove", "embedding_dim": 16}, "must be 50"),
    ],
)
def test_impossible_settings_raise_a_readable_config_error(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig(**changes).validate()


def test_unknown_or_malformed_json_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="unknown setting"):
        RunConfig.from_dict({"unitz": 3})
    with pytest.raises(ConfigError, match="not valid JSON"):
        RunConfig.from_json("{units: 3")


def test_the_training_modules_the_app_imports_do_not_import_tensorflow() -> None:
    code = (
        "import sys; import explorer.training.jobs, explorer.training.inference, explorer.training.evaluate;"
        "import explorer.data.glove;"
        "print(any(name.split('.')[0] in ('tensorflow', 'keras') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent
    )
    assert result.stdout.strip() == "False"


# ----- GloVe -----


def test_a_glove_text_file_gives_an_embedding_matrix_and_its_coverage(tmp_path: Path) -> None:
    glove = load_glove(write_glove(tmp_path / "glove.6B.6d.txt", ["w1", "w2", "w5"]))
    matrix, coverage = embedding_matrix(glove, [None, None, None, None, "w1", "w2", "w3", "w4", "w5"], 8)
    assert matrix.shape == (8, GLOVE_DIM)
    np.testing.assert_allclose(matrix[4], glove.vectors[0])
    assert not matrix[:4].any() and not matrix[6:].any()  # special ids and unknown words stay zero
    assert (coverage.found, coverage.total) == (2, 4)  # w5 has id 8, beyond num_words
    assert coverage.missing_examples == ("w3", "w4")


def test_the_packaged_glove_vectors_load() -> None:
    glove = load_glove(None)
    assert glove.dim == 50 and len(glove.words) == glove.vectors.shape[0] > 100_000
    assert glove.index["the"] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [("", "empty"), ("the 0.1 0.2\nof 0.3\n", "line 2"), ("the 0.1 abc\n", "line 1"), ("the\n", "no numbers")],
)
def test_a_malformed_glove_file_raises_a_glove_error(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "glove.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GloveError, match=message):
        load_glove(path)
    with pytest.raises(GloveError, match="does not exist"):
        load_glove(tmp_path / "missing.txt")


# ----- storage and evaluation -----


def test_run_ids_sort_in_creation_order_within_a_second_and_old_ids_still_read() -> None:
    first = runs.new_run_id()
    time.sleep(0.002)
    second = runs.new_run_id()
    assert first < second  # 2 ms apart: the milliseconds order them
    assert runs.run_dir("20261121-235959-abcdef").name == "20261121-235959-abcdef"  # an id from before milliseconds
    with pytest.raises(runs.RunStoreError):
        runs.run_dir("../20261121-235959-abcdef")


def test_a_run_left_running_by_a_dead_server_reads_as_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(tmp_path))
    gone = InstanceLock()
    run_id = runs.create_run(RunConfig(), gone.instance_id, "owner")
    runs.write_status(run_id, runs.RunStatus("running", instance=gone.instance_id))
    assert runs.read_status(run_id).state == "running"
    gone.release()
    assert runs.read_status(run_id).state == "interrupted"
    alive = InstanceLock()
    live = runs.create_run(RunConfig(), alive.instance_id, "owner")
    assert runs.read_status(live).state == "queued"
    runs.delete_run(run_id)
    assert runs.list_runs() == [live]
    with pytest.raises(runs.RunStoreError):
        runs.run_dir("../etc")


def test_a_full_disk_is_reported_as_such() -> None:
    from explorer.training.engine.worker import describe_error

    assert describe_error(OSError(errno.ENOSPC, "No space left on device")).startswith("the disk is full")
    assert (
        describe_error(ConfigError("units must be between 1 and 512, not 0."))
        == "units must be between 1 and 512, not 0."
    )
    assert describe_error(RuntimeError("boom")) == "RuntimeError: boom"


def test_evaluation_counts_like_a_hand_made_example() -> None:
    labels = np.array([0, 0, 1, 1, 1])
    probabilities = np.array([0.1, 0.7, 0.8, 0.4, 0.9])
    evaluation = evaluate_predictions(labels, probabilities)
    assert evaluation.accuracy == pytest.approx(3 / 5)
    assert evaluation.confusion == [[1, 1], [1, 2]]
    expected_loss = -np.mean([np.log(0.9), np.log(0.3), np.log(0.8), np.log(0.4), np.log(0.9)])
    assert evaluation.loss == pytest.approx(expected_loss)
    assert evaluation.roc_auc == pytest.approx(5 / 6)  # 5 of the 6 (positive, negative) pairs are ordered right
    assert evaluation.roc_fpr[0] == 0 and evaluation.roc_tpr[-1] == 1


def test_prepare_uses_the_books_split_the_vocabulary_cut_and_the_subset(tmp_path: Path) -> None:
    config = tiny_config(tmp_path, num_words=30, maxlen=8, padding="post")
    data = prepare(config, tiny_corpus())
    assert data.x_train.shape == (160, 8) and data.x_val.shape == (40, 8) and data.x_test.shape == (80, 8)
    assert data.x_train.max() < 30
    assert data.words_by_id[:5] == (None, None, None, None, "w1")
    small = prepare(config.with_changes(subset=40), tiny_corpus())
    assert (len(small.y_train), len(small.y_val)) == (40, 10)


@pytest.mark.parametrize("count", [5, 11, 200, 25_000])
def test_the_books_split_is_scikit_learns(count: int) -> None:
    from sklearn.model_selection import train_test_split

    train, validation = book_split_indices(count)
    expected_train, expected_validation = train_test_split(np.arange(count), test_size=0.2, random_state=42)
    np.testing.assert_array_equal(train, expected_train)
    np.testing.assert_array_equal(validation, expected_validation)


def test_a_worker_reuses_prepared_data_until_the_data_settings_or_the_data_change(tmp_path: Path) -> None:
    config = tiny_config(tmp_path, num_words=30, maxlen=8)
    first = prepared_for(config)
    assert prepared_for(config.with_changes(layer="lstm", units=3, epochs=5)) is first  # only the model differs
    other = prepared_for(config.with_changes(maxlen=9))
    assert other is not first and other.x_train.shape[1] == 9
    path = Path(config.source.removeprefix(ARRAYS_PREFIX))
    time.sleep(0.01)  # a new modification time
    save_arrays(path, tiny_corpus(train=120))  # the same file, other data
    again = prepared_for(config.with_changes(maxlen=9))
    assert again is not other and len(again.y_train) != len(other.y_train)


def test_an_idle_worker_prepares_the_books_run_only_from_a_corpus_cached_on_disk(tmp_path: Path, monkeypatch) -> None:
    from explorer.data import corpus as corpora
    from explorer.data import sources
    from explorer.training import data
    from explorer.training.engine import trainer

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "aclImdb"))  # nothing there yet
    loads: list[str] = []
    monkeypatch.setattr(data, "load_corpus_for", lambda source: loads.append(source))
    trainer.warm_up()
    assert loads == [] and not (tmp_path / "corpora").exists()  # nothing downloaded, encoded or loaded
    monkeypatch.undo()

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "aclImdb"))
    spec = sources.resolve()
    words = tuple(f"w{rank}" for rank in range(1, 600))  # enough for the book's num_words of 500
    cached = Corpus("aclimdb", spec.path, tiny_corpus().train, tiny_corpus().test, words)
    corpora.save_corpus(cached, sources.cache_path(spec), "")
    trainer.warm_up()
    monkeypatch.setattr(data, "load_corpus_for", lambda source: pytest.fail("the corpus was loaded again"))
    book_run = RunConfig(layer="lstm", source=data.source_spec(spec.kind, spec.path))  # the form's source string
    assert prepared_for(book_run).x_train.shape[1] == RunConfig().maxlen


def test_a_typed_review_is_encoded_with_oov_marked() -> None:
    ids = [START_ID, *(tiny_corpus().word_id(word) or OOV_ID for word in ["w1", "zzz", "w70"])]
    assert ids == [1, 4, 2, 73]
    weights = {
        "embedding/embeddings": np.zeros((50, 2), np.float32),
        "dense/kernel": np.zeros((8, 1), np.float32),
        "dense/bias": np.zeros(1, np.float32),
    }
    prediction = Predictor(
        RunConfig(layer="flatten_dense", num_words=50, maxlen=4, embedding_dim=2), weights
    ).predict_ids(ids)
    assert prediction.ids == [1, 4, 2, 2] and prediction.out_of_vocabulary == [False, False, True, True]
    assert prediction.probability == pytest.approx(0.5)


# ----- models (TensorFlow, in this process) -----


VARIANTS = [
    {"encoding": "one_hot", "layer": "simple_rnn"},
    {"encoding": "one_hot", "layer": "lstm"},
    {"encoding": "one_hot", "layer": "lstm", "mask_zero": True, "bidirectional": True},
    {"encoding": "one_hot", "layer": "gru", "dropout": 0.2, "stacked": 2},
    {"encoding": "one_hot", "layer": "flatten_dense"},
    {"encoding": "embedding", "layer": "simple_rnn", "stacked": 2, "bidirectional": True, "mask_zero": True},
    {"encoding": "embedding", "layer": "lstm", "dropout": 0.3, "optimizer": "adam"},
    {"encoding": "embedding", "layer": "lstm"},
    {"encoding": "embedding", "layer": "gru", "optimizer": "adam"},
    {"encoding": "embedding", "layer": "gru", "mask_zero": True, "padding": "post"},
    {"encoding": "embedding", "layer": "flatten_dense", "dropout": 0.5},
    {"encoding": "glove", "layer": "simple_rnn"},
    {"encoding": "glove", "layer": "lstm", "glove_trainable": True, "bidirectional": True},
    {"encoding": "glove", "layer": "gru", "stacked": 2, "mask_zero": True},
    {"encoding": "glove", "layer": "gru", "glove_trainable": True},
    {"encoding": "glove", "layer": "flatten_dense"},
]


@pytest.fixture()
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("IMDB_EXPLORER_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    return tmp_path / "cache"


@pytest.mark.parametrize("settings", VARIANTS, ids=lambda settings: "-".join(str(value) for value in settings.values()))
def test_every_variant_trains_an_epoch_and_numpy_inference_matches_keras(own_cache: Path, settings: dict) -> None:
    import keras

    from explorer.training.engine.trainer import NoControl, train_run

    glove = write_glove(own_cache / "glove.6B.6d.txt", [f"w{rank}" for rank in range(1, 80, 2)])
    config = tiny_config(own_cache, glove_path=str(glove), **settings)
    run_id = runs.create_run(config)
    events: list[dict] = []
    assert train_run(run_id, config, events.append, NoControl(), TEST_SPEED) == "finished"

    model = keras.models.load_model(runs.model_path(run_id))
    assert model.count_params() == total_parameters(config)
    assert [(layer.name, layer.count_params()) for layer in model.layers] == [
        (row.name, row.count) for row in parameter_breakdown(config)
    ]
    history = runs.read_history(run_id)
    assert len(history) == 1 and {"loss", "accuracy", "val_loss", "val_accuracy", "seconds", "eta_seconds"} <= set(
        history[0]
    )
    assert any(event["type"] == "epoch" for event in events)
    if config.encoding == "glove":
        coverage = next(event for event in events if event["type"] == "glove")
        assert coverage["found"] == 33 and coverage["total"] == 66  # odd-ranked words w1 … w65 of ids 4 … 69
    assert runs.embedding_epochs(run_id) == ([] if config.encoding == "one_hot" else [1])

    data = prepare(config, tiny_corpus())
    expected = model.predict(data.x_test, verbose=0)[:, 0]
    np.testing.assert_allclose(Predictor.load(run_id).predict(data.x_test), expected, atol=2e-5)
    assert runs.read_evaluation(run_id)["count"] == len(data.y_test)


def test_the_xla_path_trains_the_one_hot_gather_model(own_cache: Path) -> None:
    from explorer.training.config import DEFAULT_SPEED
    from explorer.training.engine.trainer import NoControl, train_run

    config = tiny_config(own_cache, encoding="one_hot", layer="simple_rnn", epochs=2)
    run_id = runs.create_run(config)
    keras_fit = replace(DEFAULT_SPEED, compiled_loops=False)  # this model would otherwise take the compiled loops
    assert train_run(run_id, config, lambda event: None, NoControl(), keras_fit) == "finished"
    assert [row["epoch"] for row in runs.read_history(run_id)] == [1, 2]


def test_a_compiled_run_saves_a_model_that_resumes_with_its_optimizer_state(own_cache: Path) -> None:
    import warnings

    import keras

    from explorer.training.engine.trainer import NoControl, train_run

    glove = write_glove(own_cache / "glove.6B.6d.txt", list(TINY_WORDS))
    config = tiny_config(own_cache, encoding="glove", glove_path=str(glove), layer="lstm", optimizer="adam", epochs=2)
    run_id = runs.create_run(config)
    assert train_run(run_id, config, lambda event: None, NoControl(), TEST_SPEED) == "finished"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Skipping variable loading for optimizer"
        model = keras.models.load_model(runs.model_path(run_id))
    optimizer = model.optimizer
    best_epoch = next(row["epoch"] for row in runs.read_history(run_id)[::-1] if row["best"])
    assert int(optimizer.iterations) == best_epoch * -(-160 // config.batch_size)  # 160 reviews an epoch
    slots = [variable for variable in optimizer.variables if variable.name.endswith(("_momentum", "_velocity"))]
    assert len(slots) == 2 * len(model.trainable_variables) == 2 * 5  # the frozen GloVe vectors have none
    assert all(np.abs(keras.ops.convert_to_numpy(variable)).sum() > 0 for variable in slots)


def test_the_fast_layers_compute_what_keras_layers_compute() -> None:
    import keras

    from explorer.training.engine.fast_rnn import FAST_LAYERS

    rng = np.random.default_rng(0)
    inputs = rng.normal(size=(4, 9, 3)).astype(np.float32)
    mask = rng.random((4, 9)) > 0.3
    plain = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    for kind, layer_class in plain.items():
        for options in ({}, {"go_backwards": True}, {"return_sequences": True}):
            reference, fast = layer_class(5, **options), FAST_LAYERS[kind](5, **options)
            reference.build(inputs.shape)
            fast.build(inputs.shape)
            weights = [rng.normal(0, 0.5, w.shape).astype(np.float32) for w in reference.get_weights()]
            reference.set_weights(weights)
            fast.set_weights(weights)
            for step_mask in (None, mask):
                np.testing.assert_allclose(
                    np.asarray(fast(inputs, mask=step_mask)), np.asarray(reference(inputs, mask=step_mask)), atol=1e-6
                )


@pytest.mark.parametrize("compiled_loops", [True, False], ids=["compiled-loops", "keras-fit"])
def test_a_stop_mid_epoch_still_validates_and_restores_the_best_weights(own_cache: Path, compiled_loops: bool) -> None:
    from explorer.training.engine.trainer import train_run

    class StopInEpochThree:
        calls = 0

        def should_stop(self) -> bool:
            self.calls += 1
            return self.calls > 2 * steps + 1  # two full epochs, then two batches of the third

    config = tiny_config(own_cache, epochs=10, patience=0, learning_rate=0.05, optimizer="adam")
    steps = -(-160 // config.batch_size)
    run_id = runs.create_run(config)
    speed = replace(TEST_SPEED, compiled_loops=compiled_loops)
    assert train_run(run_id, config, lambda event: None, StopInEpochThree(), speed) == "stopped"
    history = runs.read_history(run_id)
    assert [row["partial"] for row in history] == [False, False, True]
    assert (history[-1]["batches"], history[-1]["steps"]) == (2, steps)  # how far the stopped epoch got
    assert all("val_loss" in row for row in history)
    best = min(history, key=lambda row: row["val_loss"])
    weights = runs.load_weights(run_id)
    data = prepare(config, tiny_corpus())
    probabilities = np.clip(Predictor(config, weights).predict(data.x_val), 1e-7, 1 - 1e-7)
    loss = -np.mean(data.y_val * np.log(probabilities) + (1 - data.y_val) * np.log(1 - probabilities))
    assert loss == pytest.approx(best["val_loss"], abs=1e-4)


LOAD_IN_PLAIN_KERAS = """
import json, sys
import keras, numpy as np
model = keras.models.load_model(sys.argv[1])
probabilities = model.predict(np.load(sys.argv[2]), verbose=0)[:, 0]
print(json.dumps({"modules": sorted({type(layer).__module__.split(".")[0] for layer in model.layers}),
                  "probabilities": probabilities.tolist()}))
"""
PORTABLE_VARIANTS = [
    {"encoding": "one_hot", "layer": "simple_rnn"},  # the book's first model, in the compiled loops
    {"encoding": "one_hot", "layer": "gru", "dropout": 0.2},  # Keras's fit, one-hot
    {"encoding": "embedding", "layer": "lstm", "stacked": 2, "bidirectional": True},  # Keras's fit, fast layers
]


@pytest.mark.parametrize("settings", PORTABLE_VARIANTS, ids=lambda settings: "-".join(map(str, settings.values())))
def test_a_downloaded_model_loads_in_plain_keras(own_cache: Path, tmp_path: Path, settings: dict) -> None:
    """A student's Model (.keras) download loads with ``keras.models.load_model`` in a Python that has none
    of this explorer's code (its fast layers would not load there), and predicts what the app predicts."""
    import json

    from explorer.training.engine.trainer import NoControl, train_run

    config = tiny_config(own_cache, **settings)
    run_id = runs.create_run(config)
    assert train_run(run_id, config, lambda event: None, NoControl(), TEST_SPEED) == "finished"
    reviews = prepare(config, tiny_corpus()).x_test
    np.save(tmp_path / "reviews.npy", reviews)
    elsewhere = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-c", LOAD_IN_PLAIN_KERAS, str(runs.model_path(run_id)), str(tmp_path / "reviews.npy")],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository: ``explorer`` cannot be imported there
        env=elsewhere,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded["modules"] == ["keras"]
    np.testing.assert_allclose(loaded["probabilities"], Predictor.load(run_id).predict(reviews), atol=2e-5)


PLAIN_RUN_WITHOUT_TENSORFLOW = """
import json, sys
from explorer.training.config import RunConfig, Speed
from explorer.training.engine.trainer import NoControl, train_run
seen = []
state = train_run(sys.argv[2], RunConfig.from_json(sys.argv[1]),
                  lambda event: seen.append([event["type"], "tensorflow" in sys.modules]),
                  NoControl(), Speed(jit_compile=False, steps_per_execution=1))
print(json.dumps({"state": state, "seen": seen}))
"""


def test_a_plain_run_trains_every_epoch_before_tensorflow_is_imported(own_cache: Path) -> None:
    """What lets a just-started worker begin at once: TensorFlow comes in only to write best.keras, at the end."""
    import json

    import keras

    from explorer.training.engine import model as registers_the_layers_best_keras_names  # noqa: F401

    config = tiny_config(own_cache, encoding="embedding", layer="lstm", epochs=3, patience=0)
    run_id = runs.create_run(config)
    result = subprocess.run(
        [sys.executable, "-c", PLAIN_RUN_WITHOUT_TENSORFLOW, config.to_json(), run_id],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["state"] == "finished"
    progress = [loaded for kind, loaded in outcome["seen"] if kind in ("model", "batch", "epoch")]
    assert len(progress) >= 5 and not any(progress)  # the model, batches and all three epochs
    best = min(runs.read_history(run_id), key=lambda row: row["val_loss"])
    model = keras.models.load_model(runs.model_path(run_id))
    saved = runs.load_weights(run_id)
    for mine, theirs in zip(saved.values(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(mine, theirs)  # best.keras holds the best epoch's weights too
    data = prepare(config, tiny_corpus())
    probabilities = np.clip(Predictor(config, saved).predict(data.x_val), 1e-7, 1 - 1e-7)
    loss = -np.mean(data.y_val * np.log(probabilities) + (1 - data.y_val) * np.log(1 - probabilities))
    assert loss == pytest.approx(best["val_loss"], abs=1e-4)
