"""How much memory a run needs, estimated from its settings before it is queued.

The form allows models far beyond one machine (a 4-layer bidirectional LSTM of 512 units on
2,500 steps in batches of 4,096 asks TensorFlow for over 100 GiB). Such a run would fail after
seconds of loading, with TensorFlow's page-long error as its reason; the job manager refuses it
up front instead, with a sentence that says what to make smaller.

The estimate is an upper bound of the big terms, not a measurement: the padded id arrays of the
whole data set, the weights with their gradients, optimizer slots and best copy, and the
activations a batch keeps for the backward pass (every recurrent layer stores its gates and
states at every step), or a validation batch, whichever is larger.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from explorer.training.config import FLOAT_BYTES, GATES, RunConfig, total_parameters

RUN_MEMORY_ENV = "IMDB_EXPLORER_RUN_MEMORY_GB"  # optional: the memory one run may use, in GiB
MEMORY_SHARE = 0.5  # without the variable, a run may use this share of the machine's memory over the workers
IMDB_REVIEWS = 50_000  # training and test reviews: the padded id arrays hold at most this many
ID_BYTES = 4  # int32 ids
WEIGHT_COPIES = 5  # the weights, their gradients, two optimizer slots and the best weights kept
SAVED_PER_STEP = 3  # a recurrent step keeps its gate values, its state and the state's gradient
GIB = 2**30


@dataclass(frozen=True)
class MemoryEstimate:
    """A run's estimated peak memory, and the budget it is measured against."""

    needed_bytes: int
    budget_bytes: int

    @property
    def fits(self) -> bool:
        """True if the run fits its budget."""
        return self.needed_bytes <= self.budget_bytes

    def refusal(self) -> str:
        """The sentence shown when it does not fit."""
        return (
            f"this model needs about {self.needed_bytes / GIB:,.1f} GiB of memory, more than the "
            f"{self.budget_bytes / GIB:,.1f} GiB one run may use on this server: lower the units, layers, "
            "maxlen or batch size."
        )


def estimate_bytes(config: RunConfig) -> int:
    """The run's estimated peak memory in bytes (see the module docstring)."""
    features = config.num_words if config.encoding == "one_hot" else config.embedding_dim
    data = IMDB_REVIEWS * config.maxlen * ID_BYTES
    weights = total_parameters(config) * FLOAT_BYTES * WEIGHT_COPIES
    directions = 2 if config.bidirectional else 1
    if config.is_recurrent:
        per_review = config.units * GATES[config.layer] * directions * config.stacked * SAVED_PER_STEP + features
    else:
        per_review = features * 2  # Flatten's input and its gradient
    training = config.batch_size * config.maxlen * per_review * FLOAT_BYTES
    validation = config.inference_batch_size() * config.maxlen * per_review * FLOAT_BYTES // SAVED_PER_STEP
    return data + weights + max(training, validation)


def run_budget_bytes(workers: int) -> int:
    """The memory one of ``workers`` concurrent runs may use (``RUN_MEMORY_ENV`` overrides it)."""
    try:
        return int(float(os.environ[RUN_MEMORY_ENV]) * GIB)
    except (KeyError, ValueError):
        pass  # not set, or not a number: the share of the machine
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return int(total * MEMORY_SHARE / max(workers, 1))


def estimate(config: RunConfig, workers: int) -> MemoryEstimate:
    """The run's estimate against the budget of one of ``workers`` runs."""
    return MemoryEstimate(estimate_bytes(config), run_budget_bytes(workers))
