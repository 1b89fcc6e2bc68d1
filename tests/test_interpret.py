"""The "why" computations: backpropagation through time, attributions, memory over distance, hidden units,
and the semantic axis, checked against finite differences, Keras's GradientTape and plain re-runs."""

from __future__ import annotations

import numpy as np
import pytest

from explorer.embeddings.projection import ProjectionError, UnknownWordError
from explorer.embeddings.semantic_axis import axis_position, semantic_projection
from explorer.lab import attribution as attr
from explorer.lab.backprop import Network, Shared, forward, gradient, predicted_probability
from explorer.lab.hidden_units import cluster_order, unit_statistics, unit_trace
from explorer.lab.memory_distance import both_paddings, sensitivity
from explorer.lab.run_trace import trace_run
from explorer.training.config import GATES, RunConfig
from explorer.training.inference import Predictor

STEP = 1e-6  # central finite differences in float64: error ~ STEP² · f''' plus rounding ~ 1e-16 / STEP
SETTINGS = [
    {"layer": "simple_rnn"},
    {"layer": "lstm", "mask_zero": True},
    {"layer": "gru", "stacked": 2, "bidirectional": True, "mask_zero": True},
    {"layer": "lstm", "encoding": "one_hot", "stacked": 2, "padding": "post"},
    {"layer": "gru", "truncating": "post"},
]


def random_weights(config: RunConfig, seed: int = 0, recurrent_scale: float = 0.5) -> dict[str, np.ndarray]:
    """Weights of any recurrent run in the engine's layout (stacked, bidirectional, one-hot included)."""
    rng = np.random.default_rng(seed)
    directions = ("forward", "backward") if config.bidirectional else ("forward",)
    blocks, units = GATES[config.layer], config.units
    weights = {}
    if config.encoding != "one_hot":
        weights["embedding/embeddings"] = rng.normal(0, 0.5, (config.num_words, config.embedding_dim))
    for layer in range(1, config.stacked + 1):
        features = (config.num_words if config.encoding == "one_hot" else config.embedding_dim) if layer == 1 else 0
        features = features or units * len(directions)
        for direction in directions:
            prefix = f"rnn_{layer}/{direction}"
            weights[f"{prefix}/kernel"] = rng.normal(0, 0.5, (features, blocks * units))
            weights[f"{prefix}/recurrent_kernel"] = rng.normal(0, recurrent_scale, (units, blocks * units))
            bias_shape = (2, blocks * units) if config.layer == "gru" else (blocks * units,)
            weights[f"{prefix}/bias"] = rng.normal(0, 0.2, bias_shape)
    weights["dense/kernel"] = rng.normal(0, 1, (units * len(directions), 1))
    weights["dense/bias"] = rng.normal(0, 0.1, (1,))
    return weights


def tiny_config(**settings: object) -> RunConfig:
    return RunConfig(**{"num_words": 30, "maxlen": 12, "units": 3, "embedding_dim": 4, **settings}).validate()


REVIEWS = [[1, 5, 7, 9, 2, 4, 11], [1, 3, 8, 7, 9, 2, 4, 6, 12, 13, 14, 15, 16, 17], [1, 29]]


class DenseInput:
    """A first-layer ``x · W`` given as a full array, to perturb one entry of it."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def at(self, t: int, count: int | None = None) -> np.ndarray:
        return self.values[..., t, :] if count is None else self.values[:count, t]


@pytest.mark.parametrize("settings", SETTINGS)
def test_forward_equals_the_predictor_and_the_gradient_equals_finite_differences(settings) -> None:
    config = tiny_config(**settings)
    weights = random_weights(config)
    network = Network.of_run(config, weights)
    ids = Predictor(config, weights).pad(REVIEWS)
    tape = forward(network, ids)
    expected = Predictor(config, {k: v.astype(np.float32) for k, v in weights.items()}).predict(ids)
    np.testing.assert_allclose(tape.probability, expected, atol=1e-5)
    grads = gradient(network, tape)
    full = {d: network.projected(ids)[d].full() for d in network.directions}
    rng = np.random.default_rng(3)
    for direction in network.directions:
        for _ in range(8):
            index = tuple(int(rng.integers(n)) for n in full[direction].shape)
            values = []
            for sign in (1, -1):
                moved = {d: DenseInput(v.copy()) for d, v in full.items()}
                moved[direction].values[index] += sign * STEP
                values.append(forward(network, ids, moved).logit[index[0]])
            numeric = (values[0] - values[1]) / (2 * STEP)
            assert grads[direction][index] == pytest.approx(numeric, abs=1e-7), (direction, index)


@pytest.mark.parametrize("settings", [s for s in SETTINGS if "bidirectional" not in s])
def test_shared_prefixes_change_nothing_but_the_work(settings) -> None:
    config = tiny_config(**settings)
    network = Network.of_run(config, random_weights(config))
    ids = Predictor(config, {}).pad([*REVIEWS, [1] * 20, []])
    variants = np.repeat(ids[1][None], config.maxlen, axis=0)
    variants[np.arange(config.maxlen), np.arange(config.maxlen)] = 2  # "unknown" in place of token p
    for batch, shared in (
        (ids, Shared.leading_padding(ids)),
        (variants, Shared(ids[1], np.arange(config.maxlen))),
        (variants[::-1], Shared(ids[1], np.arange(config.maxlen)[::-1])),  # unsorted starts
    ):
        plain, quick = forward(network, batch), forward(network, batch, shared=shared)
        np.testing.assert_allclose(quick.logit, plain.logit, atol=1e-12)
        np.testing.assert_allclose(predicted_probability(network, batch, shared), plain.probability, atol=1e-12)
        for layer in range(config.stacked):
            np.testing.assert_allclose(quick.outputs(layer), plain.outputs(layer), atol=1e-12)
        np.testing.assert_allclose(gradient(network, quick)["forward"], gradient(network, plain)["forward"], atol=1e-12)


@pytest.mark.parametrize("settings", SETTINGS[:3])
def test_gradient_x_input_is_the_derivative_along_each_token_and_integrated_gradients_are_complete(settings) -> None:
    config = tiny_config(**settings)
    network = Network.of_run(config, random_weights(config))
    ids = attr.review_window(REVIEWS[1], config).ids
    product = attr.gradient_x_input(network, ids)
    base = network.projected(ids)
    for position in range(config.maxlen):  # d/dε logit(x with x_t scaled by 1 + ε) at ε = 0 is g_t · x_t
        values = []
        for sign in (1, -1):
            scaled = {d: DenseInput(base[d].full()) for d in network.directions}
            for d in network.directions:
                scaled[d].values[position] *= 1 + sign * STEP
            values.append(forward(network, ids[None], {d: DenseInput(v.values[None]) for d, v in scaled.items()}))
        numeric = (values[0].logit[0] - values[1].logit[0]) / (2 * STEP)
        assert product[position] == pytest.approx(numeric, abs=1e-7)
    integrated, change = attr.integrated_gradients(network, ids, steps=256)
    assert integrated.sum() == pytest.approx(change, abs=1e-3 * max(1.0, abs(change)))


@pytest.fixture(scope="module")
def keras():
    import keras as keras_module  # heavy: only the GradientTape test pays for it (tests are not the app)

    return keras_module


@pytest.mark.parametrize("settings", [{"layer": "simple_rnn"}, {"layer": "lstm"}, {"layer": "gru", "stacked": 2}])
def test_gradient_x_input_equals_keras_gradient_tape(keras, settings) -> None:
    import tensorflow as tf

    from explorer.training.engine.model import build_model, export_weights

    config = tiny_config(**settings)
    model = build_model(config)
    rng = np.random.default_rng(1)
    for layer in model.layers:  # fresh models have zero biases: randomise every weight
        layer.set_weights([rng.normal(0, 0.5, w.shape).astype(np.float32) for w in layer.get_weights()])
    weights = export_weights(model)
    ids = attr.review_window(REVIEWS[1], config).ids
    embedded = model.get_layer("embedding")(ids[None])
    with tf.GradientTape() as tape:
        tape.watch(embedded)
        hidden = embedded
        for layer in model.layers[1:-1]:
            hidden = layer(hidden)
        dense = model.get_layer("dense")
        logit = tf.matmul(hidden, dense.kernel) + dense.bias
    keras_product = tf.reduce_sum(tape.gradient(logit, embedded) * embedded, axis=-1).numpy()[0]
    ours = attr.gradient_x_input(Network.of_run(config, weights), ids)
    np.testing.assert_allclose(ours, keras_product, atol=1e-4)


@pytest.mark.parametrize("occluder", attr.OCCLUDERS)
@pytest.mark.parametrize("settings", SETTINGS)
def test_occlusion_equals_rerunning_the_numpy_forward_pass(settings, occluder) -> None:
    config = tiny_config(**settings)
    weights = random_weights(config)
    predictor = Predictor(config, weights)
    tokens = REVIEWS[1]
    scores, probability = attr.occlusion(Network.of_run(config, weights), predictor, tokens, occluder)
    window = attr.review_window(tokens, config)
    assert probability == pytest.approx(float(predictor.predict(predictor.pad([tokens]))[0]), abs=1e-6)
    for position in range(config.maxlen):
        index = window.source[position]
        if index < 0:
            assert scores[position] == 0.0
            continue
        changed = tokens[:index] + ([] if occluder == "delete" else [2]) + tokens[index + 1 :]
        rerun = float(trace_run(config, weights, predictor.pad([changed])[0]).prediction)  # the lab's step-by-step pass
        assert scores[position] == pytest.approx(probability - rerun, abs=1e-6)


@pytest.mark.parametrize(
    ("padding", "truncating"), [("pre", "pre"), ("pre", "post"), ("post", "pre"), ("post", "post")]
)
def test_the_review_window_is_what_the_run_pads(padding, truncating) -> None:
    config = tiny_config(padding=padding, truncating=truncating)
    predictor = Predictor(config, {})
    for tokens in REVIEWS + [[1, 40, 41, *range(4, 20)]]:  # ids beyond num_words become OOV
        window = attr.review_window(tokens, config)
        np.testing.assert_array_equal(window.ids, predictor.pad([tokens])[0])
        kept = window.source[window.source >= 0]
        assert sorted([*kept, *window.truncated]) == list(range(len(tokens)))
        assert len(kept) == min(len(tokens), config.maxlen)


def test_attribute_reports_every_method_zero_on_padding_and_sorted_top_tokens() -> None:
    config = tiny_config(layer="lstm")
    result = attr.attribute(config, random_weights(config), REVIEWS[0])
    padding = result.window.source < 0
    assert padding.sum() == config.maxlen - len(REVIEWS[0])
    for method in attr.METHODS:
        assert np.all(result.scores[method][padding] == 0.0)
        up, down = result.top(method, 1), result.top(method, -1)
        assert not set(up) & set(down) and not any(padding[up + down])
        assert list(result.scores[method][up]) == sorted(result.scores[method][up], reverse=True)
        assert list(result.scores[method][down]) == sorted(result.scores[method][down])
    assert result.completeness_gap < 0.05 * max(1.0, abs(result.logit_change))


def test_sensitivity_is_the_norm_of_the_input_gradient() -> None:
    config = tiny_config(layer="gru", encoding="one_hot", bidirectional=True)
    network = Network.of_run(config, random_weights(config))
    ids = Predictor(config, {}).pad(REVIEWS)
    grads = gradient(network, forward(network, ids))
    explicit = sum(grads[d] @ network.cell(0, d)[0].T for d in network.directions)  # ∂logit/∂(one-hot x)
    np.testing.assert_allclose(sensitivity(network, ids), np.linalg.norm(explicit, axis=-1), rtol=1e-10)


def test_memory_profiles_show_post_padding_forgetting_and_a_masked_run_not_caring() -> None:
    reviews = [[1, *range(4, 4 + n)] for n in (3, 5, 8)]  # short reviews: post padding leaves many pad steps
    config = tiny_config(maxlen=40, units=4)
    forgetful = both_paddings(config, random_weights(config, recurrent_scale=0.1), reviews)
    assert forgetful["pre"].review_share > 0.9 > 0.1 > forgetful["post"].review_share
    assert forgetful["post"].median_gap == 40 - 6  # the median review (start + 5 words) fills steps 0-5
    assert forgetful["pre"].median_gap == 0
    assert forgetful["pre"].curve.shape == (40,) and 0 < forgetful["pre"].reach < 40
    masked = tiny_config(maxlen=40, units=4, mask_zero=True)
    careless = both_paddings(masked, random_weights(masked), reviews)
    assert careless["pre"].review_share == pytest.approx(1.0) == careless["post"].review_share


@pytest.mark.parametrize("settings", [{"layer": "lstm"}, {"layer": "gru", "bidirectional": True}])
def test_unit_statistics_match_a_step_by_step_replay_and_leave_padding_out(settings) -> None:
    config = tiny_config(**settings)
    weights = random_weights(config)
    rng = np.random.default_rng(4)
    reviews = [[1, *rng.integers(4, 30, int(rng.integers(1, 16)))] for _ in range(60)]
    stats = unit_statistics(config, weights, reviews)
    predictor = Predictor(config, weights)
    traces = [trace_run(config, weights, row) for row in stats.ids]
    outputs = np.stack(
        [np.concatenate([trace.layers[-1][d].states for d in trace.layers[-1]], axis=-1) for trace in traces]
    )
    real = stats.ids != 0
    units = outputs.shape[-1]
    assert stats.top_tokens.shape[:2] == (units, 10)
    for unit in range(units):
        best = np.sort(outputs[..., unit][real])[::-1][:10]
        np.testing.assert_allclose(stats.top_token_values[unit], best, rtol=1e-5)
        assert all(real[r, p] for r, p in stats.top_tokens[unit])
        peaks = np.where(real, outputs[..., unit], -np.inf).max(axis=1)
        np.testing.assert_allclose(stats.top_review_values[unit], np.sort(peaks)[::-1][:10], rtol=1e-5)
    word = int(stats.word_ids[0])
    flat = outputs[real]
    expected = flat[stats.ids[real] == word].mean(axis=0) - flat.mean(axis=0)
    np.testing.assert_allclose(stats.responses[:, 0], expected, rtol=1e-3, atol=1e-5)  # float32 sums
    assert sorted(stats.unit_order) == list(range(units)) and sorted(stats.word_order) == list(
        range(len(stats.word_ids))
    )
    assert np.all(stats.word_ids >= 4)
    trace = unit_trace(config, weights, predictor.pad(reviews[:1])[0], 1)
    np.testing.assert_allclose(trace, outputs[0, :, 1], rtol=1e-5, atol=1e-7)


def test_cluster_order_puts_similar_rows_together() -> None:
    rows = np.array([[0.0, 0.0], [10.0, 10.0], [0.1, 0.0], [10.0, 10.1], [0.0, 0.1]])
    order = list(cluster_order(rows))
    groups = ["low" if rows[i, 0] < 5 else "high" for i in order]
    assert groups in (["low"] * 3 + ["high"] * 2, ["high"] * 2 + ["low"] * 3)


WORDS = ("awful", "great", "film", "boring", "funny", "plot")


def test_semantic_axis_puts_the_two_words_at_zero_and_one_and_y_leaves_x_out() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(WORDS), 5))
    placed = semantic_projection(vectors, WORDS, ("awful", "great"), 1)
    assert placed.coordinates[0, 0] == pytest.approx(0.0) and placed.coordinates[1, 0] == pytest.approx(1.0)
    _, direction = axis_position(vectors, WORDS, "awful", "great")
    shifted = vectors + 3.0 * direction  # moving every word along x must not move it along y
    np.testing.assert_allclose(
        semantic_projection(shifted, WORDS, ("awful", "great"), 1).coordinates[:, 1], placed.coordinates[:, 1]
    )
    assert 0 < placed.y_share <= 1
    first, last = placed.ends(WORDS, len(WORDS))
    assert first == last[::-1] and placed.coordinates[WORDS.index(first[0]), 0] == placed.coordinates[:, 0].min()
    second = semantic_projection(vectors, WORDS, ("awful", "great"), ("boring", "funny"))
    assert second.coordinates[3, 1] == pytest.approx(0.0) and second.coordinates[4, 1] == pytest.approx(1.0)
    assert second.y_share is None and second.endpoints == (0, 1, 3, 4)
    with pytest.raises(UnknownWordError):
        semantic_projection(vectors, WORDS, ("awful", "superb"), 1)
    with pytest.raises(ProjectionError):
        semantic_projection(vectors, WORDS, ("awful", "awful"), 1)
    with pytest.raises(ProjectionError):
        semantic_projection(vectors, WORDS, ("awful", "great"), 11)


def test_gradients_that_overflow_float32_are_redone_in_float64(monkeypatch: pytest.MonkeyPatch) -> None:
    config = tiny_config(layer="lstm")
    weights = random_weights(config)
    exact = attr.gradient_methods(Network.of_run(config, weights), attr.review_window(REVIEWS[1], config).ids)
    original = attr.gradient_methods

    def overflowing(network: Network, ids: np.ndarray, steps: int = attr.INTEGRATION_STEPS):  # noqa: ANN202
        integrated, product, change = original(network, ids, steps)
        if network.weight("dense/kernel").dtype == np.float32:  # what exploding gradients do to float32
            integrated = np.full_like(integrated, np.inf)
        return integrated, product, change

    monkeypatch.setattr(attr, "gradient_methods", overflowing)
    result = attr.attribute(config, weights, REVIEWS[1])
    real = result.window.source >= 0
    np.testing.assert_allclose(result.scores["integrated_gradients"][real], exact[0][real])
