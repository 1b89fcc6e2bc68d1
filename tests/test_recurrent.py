"""The numpy recurrent layers against hand-computed steps and against Keras 3's own layers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from explorer.lab.recurrent import (
    RecurrentWeightsError,
    gru_forward,
    lstm_forward,
    probability_per_step,
    project_paths,
    run_recurrent,
    simple_rnn_forward,
)

STEPS, FEATURES, UNITS = 7, 5, 4
TOLERANCE = 2e-5  # Keras computes in float32, the numpy passes in float64


@pytest.fixture(scope="module")
def keras():
    import keras as keras_module  # heavy: only this test module pays for it

    return keras_module


def random_weights(rng: np.random.Generator, blocks: int, bias_shape: tuple[int, ...]) -> list[np.ndarray]:
    return [
        rng.normal(0, 0.6, (FEATURES, blocks * UNITS)).astype(np.float32),
        rng.normal(0, 0.6, (UNITS, blocks * UNITS)).astype(np.float32),
        rng.normal(0, 0.3, bias_shape).astype(np.float32),
    ]


def keras_sequences(keras, layer, inputs: np.ndarray, weights: list[np.ndarray], mask: np.ndarray | None) -> np.ndarray:
    layer.build((None, STEPS, FEATURES))
    layer.set_weights(weights)
    return np.asarray(layer(inputs, mask=None if mask is None else keras.ops.convert_to_tensor(mask)))


def test_simple_rnn_follows_the_book_formula_step_by_step() -> None:
    inputs = np.array([[1.0], [0.0], [-1.0]])
    trace = simple_rnn_forward(inputs, np.array([[0.5]]), np.array([[0.8]]), np.array([0.1]))
    first = math.tanh(0.5 * 1 + 0.1)
    second = math.tanh(0.8 * first + 0.1)
    third = math.tanh(-0.5 + 0.8 * second + 0.1)
    np.testing.assert_allclose(trace.states[:, 0], [first, second, third], rtol=1e-12)
    assert trace.final_state.tolist() == [pytest.approx(third)]


def test_lstm_single_step_by_hand() -> None:
    # One feature, one unit, x = 1, all weights in a block equal: i, f, o = σ(k), g = tanh(k).
    kernel = np.array([[0.2, 0.4, 0.6, 0.8]])
    trace = lstm_forward(np.array([[1.0]]), kernel, np.zeros((1, 4)), np.zeros(4))
    i, f, o = (1 / (1 + math.exp(-k)) for k in (0.2, 0.4, 0.8))
    cell = f * 0 + i * math.tanh(0.6)
    assert trace.gates["cell"][0, 0] == pytest.approx(cell)
    assert trace.states[0, 0] == pytest.approx(o * math.tanh(cell))
    assert trace.gates["forget"][0, 0] == pytest.approx(f)


@pytest.mark.parametrize("with_mask", [False, True])
@pytest.mark.parametrize(
    ("name", "blocks", "bias_shape", "options"),
    [
        ("SimpleRNN", 1, (UNITS,), {}),
        ("LSTM", 4, (4 * UNITS,), {}),
        ("GRU", 3, (2, 3 * UNITS), {}),
        ("GRU", 3, (3 * UNITS,), {"reset_after": False}),
    ],
)
def test_numpy_layers_equal_keras_on_random_weights(keras, name, blocks, bias_shape, options, with_mask) -> None:
    rng = np.random.default_rng(7)
    inputs = rng.normal(0, 1, (3, STEPS, FEATURES)).astype(np.float32)
    mask = None
    if with_mask:  # pre-padding on two rows, like pad_sequences with mask_zero=True
        mask = np.ones((3, STEPS), dtype=bool)
        mask[0, :3] = False
        mask[2, :1] = False
    weights = random_weights(rng, blocks, bias_shape)
    layer = getattr(keras.layers, name)(UNITS, return_sequences=True, **options)
    expected = keras_sequences(keras, layer, inputs, weights, mask)
    kind = {"SimpleRNN": "simple_rnn", "LSTM": "lstm", "GRU": "gru"}[name]
    trace = run_recurrent(kind, inputs.astype(np.float64), [w.astype(np.float64) for w in weights], mask=mask)
    assert trace.states.shape == (3, STEPS, UNITS)
    np.testing.assert_allclose(trace.states, expected, atol=TOLERANCE)


def test_lstm_cell_state_equals_keras_final_cell_state(keras) -> None:
    rng = np.random.default_rng(3)
    inputs = rng.normal(0, 1, (2, STEPS, FEATURES)).astype(np.float32)
    weights = random_weights(rng, 4, (4 * UNITS,))
    layer = keras.layers.LSTM(UNITS, return_state=True)
    layer.build((None, STEPS, FEATURES))
    layer.set_weights(weights)
    _, final_h, final_c = layer(inputs)
    trace = lstm_forward(inputs, *weights)
    np.testing.assert_allclose(trace.final_state, np.asarray(final_h), atol=TOLERANCE)
    np.testing.assert_allclose(trace.gates["cell"][:, -1], np.asarray(final_c), atol=TOLERANCE)


def test_gates_lie_in_their_ranges_and_rebuild_the_state() -> None:
    rng = np.random.default_rng(5)
    inputs = rng.normal(0, 2, (STEPS, FEATURES))
    lstm = lstm_forward(inputs, *random_weights(rng, 4, (4 * UNITS,)))
    for name in ("input", "forget", "output"):
        assert np.all((lstm.gates[name] > 0) & (lstm.gates[name] < 1))
    np.testing.assert_allclose(lstm.states, lstm.gates["output"] * np.tanh(lstm.gates["cell"]))
    gru = gru_forward(inputs, *random_weights(rng, 3, (2, 3 * UNITS)))
    previous = np.vstack([np.zeros((1, UNITS)), gru.states[:-1]])
    update = gru.gates["update"]
    np.testing.assert_allclose(gru.states, update * previous + (1 - update) * gru.gates["candidate"])


def test_probability_per_step_ends_at_the_keras_prediction(keras) -> None:
    rng = np.random.default_rng(11)
    inputs = rng.normal(0, 1, (2, STEPS, FEATURES)).astype(np.float32)
    rnn_weights = random_weights(rng, 1, (UNITS,))
    dense_weights = [rng.normal(0, 1, (UNITS, 1)).astype(np.float32), np.array([0.2], dtype=np.float32)]
    model = keras.Sequential(
        [keras.Input((STEPS, FEATURES)), keras.layers.SimpleRNN(UNITS), keras.layers.Dense(1, activation="sigmoid")]
    )
    model.layers[0].set_weights(rnn_weights)
    model.layers[1].set_weights(dense_weights)
    predicted = np.asarray(model(inputs))[:, 0]
    per_step = probability_per_step(simple_rnn_forward(inputs, *rnn_weights).states, *dense_weights)
    assert per_step.shape == (2, STEPS)
    np.testing.assert_allclose(per_step[:, -1], predicted, atol=TOLERANCE)


def test_probability_per_step_by_hand() -> None:
    states = np.array([[0.0, 0.0], [1.0, -1.0]])
    probabilities = probability_per_step(states, np.array([[2.0], [1.0]]), np.array([-0.5]))
    np.testing.assert_allclose(probabilities, [1 / (1 + math.exp(0.5)), 1 / (1 + math.exp(-0.5))])


def distances(points: np.ndarray) -> np.ndarray:
    """Every pairwise euclidean distance between the rows of ``points``."""
    return np.linalg.norm(points[:, None] - points[None], axis=-1)


def test_projection_keeps_distances_of_paths_lying_in_a_plane() -> None:
    rng = np.random.default_rng(2)
    plane = np.linalg.qr(rng.normal(size=(6, 2)))[0].T  # two orthonormal directions in 6-d
    flat_paths = [rng.normal(size=(5, 2)), rng.normal(size=(8, 2))]
    projected = project_paths([path @ plane + 0.3 for path in flat_paths])
    assert [path.shape for path in projected.paths] == [(5, 2), (8, 2)]
    assert projected.explained_variance_ratio.sum() == pytest.approx(1.0)
    before = np.concatenate(flat_paths)
    after = np.concatenate(projected.paths)
    np.testing.assert_allclose(distances(after), distances(before), atol=1e-9)


def test_projection_of_a_one_unit_layer_is_drawn_on_a_line() -> None:
    projected = project_paths([np.array([[0.0], [1.0], [3.0]])])
    assert projected.paths[0].shape == (3, 2)
    np.testing.assert_allclose(projected.paths[0][:, 1], 0.0)
    np.testing.assert_allclose(np.abs(np.diff(projected.paths[0][:, 0])), [1.0, 2.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda: simple_rnn_forward(np.zeros((3, 2)), np.zeros((2, 4)), np.zeros((4, 5)), np.zeros(4)),
        lambda: lstm_forward(np.zeros((3, 2)), np.zeros((2, 6)), np.zeros((6, 6)), np.zeros(6)),
        lambda: gru_forward(np.zeros((3, 2)), np.zeros((2, 6)), np.zeros((2, 6)), np.zeros(6)),
        lambda: simple_rnn_forward(np.zeros((3, 3)), np.zeros((2, 4)), np.zeros((4, 4)), np.zeros(4)),
        lambda: run_recurrent("transformer", np.zeros((3, 2)), [np.zeros((2, 1))] * 3),
        lambda: probability_per_step(np.zeros((3, 4)), np.zeros((3, 1)), np.zeros(1)),
        lambda: project_paths([]),
        lambda: project_paths([np.zeros((3, 2)), np.zeros((3, 4))]),
    ],
)
def test_bad_shapes_get_a_clear_error(call) -> None:
    with pytest.raises(RecurrentWeightsError, match=r"\S"):
        call()


def test_keras_check_in_a_child_process_agrees_and_reports_failures() -> None:
    from explorer.lab.keras_check import KerasCheckError, keras_states_in_child

    rng = np.random.default_rng(13)
    inputs = rng.normal(0, 1, (STEPS, FEATURES))
    weights = random_weights(rng, 3, (2, 3 * UNITS))
    mask = np.arange(STEPS) >= 2
    states = keras_states_in_child("gru", inputs, weights, mask)
    np.testing.assert_allclose(states, gru_forward(inputs, *weights, mask=mask).states, atol=TOLERANCE)
    with pytest.raises(
        KerasCheckError, match="no recurrent layer called 'transformer'"
    ):  # the child's reason comes back
        keras_states_in_child("transformer", inputs, weights, mask)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "settings",
    [
        {"encoding": "embedding", "layer": "simple_rnn"},
        {"encoding": "one_hot", "layer": "lstm", "mask_zero": True},
        {"encoding": "embedding", "layer": "gru", "stacked": 2, "padding": "post"},
        {"encoding": "embedding", "layer": "gru", "bidirectional": True, "stacked": 2, "mask_zero": True},
    ],
)
def test_a_stored_run_replays_to_the_keras_models_prediction(keras, settings) -> None:
    from explorer.lab.run_trace import trace_run
    from explorer.training.config import RunConfig
    from explorer.training.engine.model import build_model, export_weights
    from explorer.training.inference import Predictor

    config = RunConfig(num_words=30, maxlen=12, units=3, embedding_dim=4, seed=5, **settings).validate()
    model = build_model(config)
    rng = np.random.default_rng(1)
    for layer in model.layers:  # fresh models have zero biases: randomise every weight
        layer.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()])
    weights = export_weights(model)
    predictor = Predictor(config, weights)
    ids = predictor.pad([rng.integers(4, 45, size=8)])[0]  # some ids beyond num_words: they become OOV
    expected = float(np.asarray(model(ids[None]))[0, 0])
    trace = trace_run(config, weights, ids)
    assert trace.prediction == pytest.approx(expected, abs=TOLERANCE)
    assert trace.prediction == pytest.approx(
        float(predictor.predict(ids[None])[0]), abs=TOLERANCE
    )  # the engine's numpy pass
    assert len(trace.layers) == config.stacked
    assert trace.layers[0]["forward"].states.shape == (config.maxlen, config.units)
    if config.bidirectional:
        assert trace.probabilities is None and set(trace.layers[0]) == {"forward", "backward"}
    else:
        assert trace.probabilities[-1] == pytest.approx(trace.prediction)


def test_a_run_without_recurrent_layer_or_with_foreign_weights_is_refused() -> None:
    from explorer.lab.run_trace import trace_run
    from explorer.training.config import RunConfig

    with pytest.raises(RecurrentWeightsError, match="Flatten"):
        trace_run(RunConfig(layer="flatten_dense"), {}, np.zeros(100, dtype=np.int32))
    with pytest.raises(RecurrentWeightsError, match="lack"):
        trace_run(RunConfig(), {"embedding/embeddings": np.zeros((500, 16))}, np.zeros(100, dtype=np.int32))


def test_traceable_runs_and_their_accuracies(isolated_cache) -> None:
    from explorer.lab.run_trace import run_accuracies, traceable_runs
    from explorer.training import runs
    from explorer.training.config import RunConfig

    recurrent = runs.create_run(RunConfig())
    runs.save_weights(recurrent, {"dense/bias": np.zeros(1)})
    runs.write_history(recurrent, [{"epoch": e, "val_accuracy": a} for e, a in enumerate((0.61, 0.74, 0.70), 1)])
    evaluation = {"accuracy": 0.72, "loss": 0.5, "confusion": [], "roc_fpr": [], "roc_tpr": [], "roc_auc": None}
    runs.save_evaluation(recurrent, {**evaluation, "count": 0})  # a stored evaluation has every field
    flatten = runs.create_run(RunConfig(layer="flatten_dense"))
    runs.save_weights(flatten, {"dense/bias": np.zeros(1)})
    runs.create_run(RunConfig(layer="lstm"))  # no weights yet: nothing to replay
    assert traceable_runs() == {recurrent: RunConfig()}
    assert run_accuracies(recurrent) == (0.74, 0.72)
    assert run_accuracies(flatten) == (None, None)
