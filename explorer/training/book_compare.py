"""The book's printed figures beside this explorer's: data, memory, parameters and training, in one table.

The book ran Keras's ``imdb.npz``; this explorer may read the raw aclImdb text with its own
tokeniser instead (when the Keras file cannot be had), and trains with its own seeds on another
machine, so the two columns need not agree. ``why_key`` names the sentence that says why.
Runs are read from disk (``explorer.training.runs``): nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from explorer import book
from explorer.i18n import translate
from explorer.sequences.memory import one_hot_bytes, padded_ids_bytes, to_categorical_bytes
from explorer.sequences.stats import length_summary
from explorer.training import runs
from explorer.training.config import total_parameters
from explorer.training.view import preset_config, summarize

BOOK_MODELS = {"book_onehot": book.BOOK_ONE_HOT_RESULT, "book_embedding": book.BOOK_EMBEDDING_RESULT}


@dataclass(frozen=True)
class BestRun:
    """This explorer's best finished run of one of the book's models."""

    run_id: str
    result: book.TrainingResult


def best_book_runs() -> dict[str, BestRun]:
    """For each of the book's two models (by preset name), the finished run with the best validation accuracy.

    A run counts when its settings are the preset's (any seed or data source): the book's model
    on the book's num_words and maxlen, so its accuracy is comparable with the printed one.
    """
    best: dict[str, BestRun] = {}
    for run_id in runs.list_runs():
        try:
            if runs.read_status(run_id).state != "finished":
                continue
            config = runs.read_config(run_id)
            history = runs.read_history(run_id)
        except runs.RunStoreError:
            continue  # a damaged run is the training page's to report
        name = next((name for name in BOOK_MODELS if preset_config(name, config.seed, config.source) == config), None)
        summary = summarize(config, history, None)
        if name is None or summary.best_val_accuracy is None or not summary.epochs:
            continue
        result = book.TrainingResult(summary.best_val_accuracy, summary.epochs, summary.seconds / summary.epochs)
        if name not in best or result.val_accuracy > best[name].result.val_accuracy:
            best[name] = BestRun(run_id, result)
    return best


def _result_text(result: book.TrainingResult | None, language: str) -> str:
    if result is None:
        return translate(language, "home.book_no_run")
    return translate(
        language,
        "home.book_result",
        accuracy=result.val_accuracy,
        epochs=result.epochs,
        seconds=result.seconds_per_epoch,
    )


def comparison_rows(
    lengths: np.ndarray, num_words: int, maxlen: int, best: dict[str, BestRun], language: str
) -> list[tuple[str, str, str]]:
    """``(what, the book, this explorer)`` rows; this explorer's at the loaded data and the sidebar's settings.

    ``lengths`` are the review lengths of the training split (the book's 80%).
    """
    summary = length_summary(lengths)
    rows = len(lengths)
    parameters = {
        name: total_parameters(preset_config(name).with_changes(num_words=num_words, maxlen=maxlen))
        for name in BOOK_MODELS
    }
    oh_float32, oh_float64 = one_hot_bytes(rows, maxlen, num_words), to_categorical_bytes(rows, maxlen, num_words)
    return [
        (
            translate(language, "home.book_lengths"),
            f"{book.BOOK_MEAN_LENGTH:.5f} / {book.BOOK_MEDIAN_LENGTH:.1f}",
            f"{summary.mean:.5f} / {summary.median:.1f}",
        ),
        ("train_seq.shape", str(book.BOOK_TRAIN_SEQ_SHAPE), str((rows, maxlen))),
        ("train_seq.nbytes", f"{book.BOOK_TRAIN_SEQ_NBYTES:,}", f"{padded_ids_bytes(rows, maxlen):,}"),
        (
            "train_oh.nbytes",
            translate(language, "home.book_float32", value=f"{book.BOOK_TRAIN_OH_NBYTES:,}"),
            translate(language, "home.book_both_floats", float32=f"{oh_float32:,}", float64=f"{oh_float64:,}"),
        ),
        (
            translate(language, "home.book_parameters_one_hot"),
            f"{book.BOOK_ONE_HOT_PARAMETERS:,}",
            f"{parameters['book_onehot']:,}",
        ),
        (
            translate(language, "home.book_parameters_embedding"),
            f"{book.BOOK_EMBEDDING_PARAMETERS:,}",
            f"{parameters['book_embedding']:,}",
        ),
        *(
            (
                translate(language, f"home.run_{name}"),
                _result_text(printed, language),
                _result_text(best[name].result if name in best else None, language),
            )
            for name, printed in BOOK_MODELS.items()
        ),
    ]


def why_key(source: str) -> str:
    """The catalogue key of the sentence that says why the columns differ, for a corpus from ``source``."""
    return f"home.book_why_{source}"
