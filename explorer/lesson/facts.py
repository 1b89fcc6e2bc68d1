"""The numbers a lesson's "predict, then reveal" questions are answered with, computed from the data.

Each fact is a function of the loaded corpus and the step's settings (``num_words``, ``maxlen``),
so the class's guess is compared with what this data really says, not with a number typed into
the lesson file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from explorer.data.corpus import Corpus
from explorer.sequences import memory
from explorer.training.config import total_parameters
from explorer.training.view import preset_config


@dataclass(frozen=True)
class FactInput:
    """What a fact may use: the corpus, the step's (effective) settings, and a preset name."""

    corpus: Corpus
    num_words: int
    maxlen: int
    preset: str = ""


@dataclass(frozen=True)
class Fact:
    """How to compute one fact, and whether it reads a preset (``preset_parameters``)."""

    compute: Callable[[FactInput], float]
    needs_preset: bool = False
    percent: bool = False  # shown as a percentage (the value is a share between 0 and 1)


def _train_lengths(given: FactInput) -> np.ndarray:
    """Lengths of the book's training reviews (80% of the training set, as in the tutorial)."""
    return given.corpus.book_split()[0].ids.lengths


def _train_rows(given: FactInput) -> int:
    return len(given.corpus.book_split()[0])


FACTS: dict[str, Fact] = {
    # how many of the book's training reviews pad_sequences(maxlen) cuts
    "truncated_reviews": Fact(lambda g: float((_train_lengths(g) > g.maxlen).sum())),
    "truncated_share": Fact(lambda g: float((_train_lengths(g) > g.maxlen).mean()), percent=True),
    "mean_length": Fact(lambda g: float(_train_lengths(g).mean())),
    "median_length": Fact(lambda g: float(np.median(_train_lengths(g)))),
    # train_seq.nbytes and train_oh.nbytes of the book (int32 ids, float32 one-hot)
    "padded_bytes": Fact(lambda g: float(memory.padded_ids_bytes(_train_rows(g), g.maxlen))),
    "one_hot_bytes": Fact(lambda g: float(memory.one_hot_bytes(_train_rows(g), g.maxlen, g.num_words))),
    "vocabulary_size": Fact(lambda g: float(g.corpus.vocabulary_size)),
    # model.summary()'s "Total params" of a training preset's model
    "preset_parameters": Fact(lambda g: float(total_parameters(preset_config(g.preset))), needs_preset=True),
}


@dataclass(frozen=True)
class Reveal:
    """The real value next to the class's guess."""

    value: float
    guess: float
    percent: bool

    @property
    def off_by(self) -> float:
        """How far the guess was: guess minus the real value."""
        return self.guess - self.value

    @property
    def relative(self) -> float | None:
        """The miss as a share of the real value (None when the real value is 0)."""
        return abs(self.off_by) / abs(self.value) if self.value else None


def reveal(fact: str, given: FactInput, guess: float) -> Reveal:
    """Compute ``fact`` and compare it with ``guess`` (a percentage fact takes its guess in percent)."""
    spec = FACTS[fact]
    value = spec.compute(given)
    return Reveal(value * 100 if spec.percent else value, guess, spec.percent)
