"""The "book vs this explorer" table: the book's printed figures, this data's, and the best book-model run."""

import numpy as np

from explorer import book
from explorer.training import runs
from explorer.training.book_compare import best_book_runs, comparison_rows
from explorer.training.config import RunConfig
from explorer.training.view import preset_config


class FakeRunStore:
    """Runs in memory, behind the functions of ``explorer.training.runs`` that the table reads."""

    def __init__(self, monkeypatch) -> None:
        self.stored: dict[str, tuple[RunConfig, list[dict], str]] = {}
        monkeypatch.setattr(runs, "list_runs", lambda: sorted(self.stored, reverse=True))
        monkeypatch.setattr(runs, "read_status", lambda run_id: runs.RunStatus(self.stored[run_id][2]))
        monkeypatch.setattr(runs, "read_config", lambda run_id: self.stored[run_id][0])
        monkeypatch.setattr(runs, "read_history", lambda run_id: self.stored[run_id][1])

    def add(self, config: RunConfig, val_accuracies: list[float], state: str = "finished", seconds: float = 2.0) -> str:
        run_id = f"run-{len(self.stored)}"
        history = [
            {"epoch": epoch, "loss": 0.5, "accuracy": 0.8, "val_loss": 1 - accuracy, "val_accuracy": accuracy,
             "seconds": seconds}
            for epoch, accuracy in enumerate(val_accuracies, start=1)
        ]  # fmt: skip
        self.stored[run_id] = (config, history, state)
        return run_id


def test_best_book_runs_picks_the_best_finished_run_of_each_book_model(monkeypatch):
    store, onehot = FakeRunStore(monkeypatch), preset_config("book_onehot")
    store.add(onehot, [0.70, 0.75])
    best_onehot = store.add(onehot.with_changes(seed=7), [0.71, 0.78, 0.77], seconds=3.0)
    store.add(onehot, [0.95], state="stopped")  # not finished: does not count
    store.add(onehot.with_changes(units=32), [0.99])  # not the book's model
    best = best_book_runs()
    assert set(best) == {"book_onehot"}
    assert best["book_onehot"].run_id == best_onehot
    assert best["book_onehot"].result == book.TrainingResult(0.78, 3, 3.0)


def test_rows_put_the_book_beside_this_data(monkeypatch):
    lengths = np.array([10, 20, 30, 41])
    FakeRunStore(monkeypatch).add(preset_config("book_embedding"), [0.6, 0.8123])
    rows = {what: (printed, ours) for what, printed, ours in comparison_rows(lengths, 500, 100, best_book_runs(), "en")}
    assert rows["Mean / median review length (training split)"] == ("239.00925 / 178.0", "25.25000 / 25.0")
    assert rows["train_seq.shape"] == ("(20000, 100)", "(4, 100)")
    assert rows["train_seq.nbytes"] == ("8,000,000", "1,600")
    assert rows["train_oh.nbytes"][0] == "4,000,000,000 (float32)"
    assert rows["train_oh.nbytes"][1].startswith("800,000 (float32) · 1,600,000 (Keras 3")
    one_hot_parameters, embedding_parameters = list(rows.values())[4:6]
    assert one_hot_parameters == ("4,081", "4,081") and embedding_parameters == ("8,209", "8,209")
    assert rows["One-hot model: best val accuracy · epochs · time"] == (
        "0.7896 · 47 epochs · 10.0 s per epoch",
        "no finished run yet",
    )
    assert rows["Embedding model: best val accuracy · epochs · time"][1] == "0.8123 · 2 epochs · 2.0 s per epoch"


def test_rows_follow_the_sidebar_settings():
    rows = comparison_rows(np.array([100, 200]), 1_000, 50, {}, "ko")
    parameters = [ours for what, _, ours in rows if what.startswith("파라미터")]
    assert parameters == [f"{1_000 * 8 + 8 * 8 + 8 + 9:,}", f"{1_000 * 16 + 16 * 8 + 8 * 8 + 8 + 9:,}"]
