"""Training speed, memory and learning: the tutorial's own Keras code vs the explorer's engine.

For each of the book's four models (one-hot SimpleRNN(8); Embedding(500, 16) + SimpleRNN(8),
LSTM(8), GRU(8)) the benchmark trains both implementations on the same data (the book's
20,000 / 5,000 split, maxlen 100, num_words 500, batch 64, RMSprop 1e-4, seed 42), each in its
own process so that peak memory (VmHWM) is that implementation's alone, and prints one
JSON line per model:

- ``peer``: the tutorial's code: ``pad_sequences`` + ``to_categorical`` (one-hot) + ``model.fit``
  with ``ModelCheckpoint`` and ``EarlyStopping(patience=3, restore_best_weights=True)``;
- ``ours``: ``explorer.training.engine.trainer.train_run`` (what the worker runs, saving included; the
  book's models take its compiled loops, ``explorer.training.engine.compiled_fit``, which shuffle with
  their own random numbers, so the two learn alike but not identically at the same seed).

``s_per_epoch`` is the median of the steady-state epochs (the first epoch, which traces and
compiles, is reported apart as ``first_epoch_s``). The one-hot peer needs a 4 GB array (22 GB
peak) at full size, which would not fit on a shared machine: it trains on ``--peer-one-hot-reviews``
reviews and its time is scaled up linearly (time per batch does not depend on the data size);
the learning comparison for that model uses the same reduced data for both.

Data: the real corpus when ``IMDB_EXPLORER_DATA`` names it, else random ids of the same shape
(speed only: random labels cannot be learnt, so accuracies are then meaningless).

    python bench/bench_training.py [--epochs 5] [--models one_hot_rnn,embedding_rnn,...]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from explorer.data.corpus import OOV_ID, Corpus, Split  # noqa: E402
from explorer.data.ragged import Ragged  # noqa: E402
from explorer.training.config import RunConfig  # noqa: E402

MODELS = {  # the book's four models as run configs (the book's defaults elsewhere)
    "one_hot_rnn": RunConfig(encoding="one_hot", layer="simple_rnn"),
    "embedding_rnn": RunConfig(encoding="embedding", layer="simple_rnn"),
    "embedding_lstm": RunConfig(encoding="embedding", layer="lstm"),
    "embedding_gru": RunConfig(encoding="embedding", layer="gru"),
}
SEED = 42
RANDOM_REVIEWS, RANDOM_LENGTH, RANDOM_VOCABULARY = 25_000, 230, 10_000  # the real corpus's shape
DEFAULT_PEER_ONE_HOT_REVIEWS = 2_000  # 2,000 × 100 × 500 floats = 400 MB instead of 4 GB


def main() -> None:
    """Parse the arguments and run the parent or one child measurement."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--models", default=",".join(MODELS))
    parser.add_argument("--implementations", default="peer,ours")
    parser.add_argument("--peer-one-hot-reviews", type=int, default=DEFAULT_PEER_ONE_HOT_REVIEWS)
    parser.add_argument(
        "--latency", action="store_true", help="also time submit → first streamed batch with a pre-started worker"
    )
    parser.add_argument("--child", nargs=3, metavar=("MODEL", "IMPLEMENTATION", "REVIEWS"), help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        model, implementation, reviews = args.child
        print(json.dumps(measure(model, implementation, int(reviews), args.epochs, Path(args.data))))
        return
    with tempfile.TemporaryDirectory() as folder:
        data, kind = write_data(Path(folder))
        for model in args.models.split(","):
            print(
                json.dumps(
                    compare(model, args.implementations.split(","), args.epochs, args.peer_one_hot_reviews, data, kind)
                ),
                flush=True,
            )
        if args.latency:
            print(json.dumps(first_point_latency(data, kind)), flush=True)


def first_point_latency(data: Path, kind: str) -> dict:
    """Seconds from ``submit`` to the first batch and first epoch message, worker pre-started and warm."""
    os.environ["IMDB_EXPLORER_CACHE"] = tempfile.mkdtemp(prefix="bench-cache-")
    from explorer.training.jobs import JobManager

    manager = JobManager()
    try:
        while not manager.workers_ready():
            time.sleep(0.05)
        config = MODELS["embedding_rnn"].with_changes(source=f"arrays:{data}", epochs=1)
        submitted = time.perf_counter()
        run_id = manager.submit(config, "bench")
        seen: dict[str, float] = {}
        while len(seen) < 2 and manager.info(run_id).state in ("queued", "running"):
            for event in manager.events(run_id):
                if event["type"] in ("batch", "epoch"):
                    seen.setdefault(event["type"], time.perf_counter() - submitted)
            time.sleep(0.01)
        manager.wait(run_id, 600)
    finally:
        manager.shutdown()
    return {
        "measure": "first_point_latency",
        "data": kind,
        "model": "embedding_rnn",
        "first_batch_s": round(seen.get("batch", -1), 2),
        "first_epoch_s": round(seen.get("epoch", -1), 2),
    }


def write_data(folder: Path) -> tuple[Path, str]:
    """Store the benchmark corpus once as an ``arrays:`` file both implementations read."""
    from explorer.training.data import save_arrays

    corpus, kind = load_real() or (random_corpus(), "random")
    path = folder / "corpus.npz"
    save_arrays(path, corpus)
    return path, kind


def load_real() -> tuple[Corpus, str] | None:
    """The real corpus, if ``IMDB_EXPLORER_DATA`` points at it."""
    if not os.environ.get("IMDB_EXPLORER_DATA"):
        return None
    from explorer.data import sources

    return sources.load(sources.resolve("aclimdb")), "real"


def random_corpus() -> Corpus:
    """Random ids and labels with the real corpus's shape (speed only)."""
    rng = np.random.default_rng(SEED)

    def split() -> Split:
        ids = rng.integers(4, RANDOM_VOCABULARY, size=(RANDOM_REVIEWS, RANDOM_LENGTH), dtype=np.int32)
        ids[:, 0] = 1
        offsets = np.arange(RANDOM_REVIEWS + 1, dtype=np.int64) * RANDOM_LENGTH
        return Split(Ragged(ids.ravel(), offsets), rng.integers(0, 2, RANDOM_REVIEWS), None)

    return Corpus("random", "bench", split(), split(), tuple(f"w{rank}" for rank in range(1, RANDOM_VOCABULARY)))


def compare(
    model: str, implementations: list[str], epochs: int, peer_one_hot_reviews: int, data: Path, kind: str
) -> dict:
    """Both implementations on one model: times, their ratio, accuracies, memory."""
    full = 0  # 0 = every review of the book's split
    reduced = peer_one_hot_reviews if MODELS[model].encoding == "one_hot" else full
    result: dict = {
        "model": model,
        "data": kind,
        "epochs": epochs,
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
    }
    for implementation in implementations:
        measured = run_child(model, implementation, reduced if implementation == "peer" else full, epochs, data)
        result[implementation] = measured
    if "ours" in result and reduced:
        result["ours_on_peer_data"] = run_child(model, "ours", reduced, epochs, data)
    if "peer" in result and "ours" in result:
        result["ratio_peer_over_ours"] = round(
            result["peer"]["s_per_epoch_full_size"] / result["ours"]["s_per_epoch_full_size"], 2
        )
        learning = result.get("ours_on_peer_data", result["ours"])
        result["val_accuracy_difference"] = round(
            learning["val_accuracy_last"] - result["peer"]["val_accuracy_last"], 4
        )
    return result


def run_child(model: str, implementation: str, reviews: int, epochs: int, data: Path) -> dict:
    """One measurement in a fresh process (so its peak memory is its own)."""
    command = [
        sys.executable,
        __file__,
        "--child",
        model,
        implementation,
        str(reviews),
        "--epochs",
        str(epochs),
        "--data",
        str(data),
    ]
    completed = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    )
    if completed.returncode != 0:
        return {"error": completed.stderr.strip().splitlines()[-1:] or [f"exit code {completed.returncode}"]}
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure(model: str, implementation: str, reviews: int, epochs: int, data: Path) -> dict:
    """Train one implementation and return its per-epoch times, accuracies and peak memory."""
    config = MODELS[model].with_changes(source=f"arrays:{data}", epochs=epochs, seed=SEED)
    started = time.process_time()
    times, accuracies, train_size = (train_peer if implementation == "peer" else train_ours)(config, reviews)
    steady = times[1:] or times
    median = statistics.median(steady)
    return {
        "s_per_epoch": round(median, 3),
        "s_per_epoch_full_size": round(median * full_size(config) / train_size, 3),
        "train_reviews": train_size,
        "first_epoch_s": round(times[0], 2),
        "epoch_s": [round(value, 3) for value in times],
        "steady_spread_s": round(max(steady) - min(steady), 3),
        "val_accuracy_last": round(accuracies[-1], 4),
        "val_accuracy": [round(value, 4) for value in accuracies],
        "peak_rss_mb": peak_rss_mb(),
        "cpu_s_total": round(time.process_time() - started, 1),
    }


def peak_rss_mb() -> int:
    """This process's peak resident memory (VmHWM; ru_maxrss would include the parent's peak,
    which Linux carries over a fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def full_size(config: RunConfig) -> int:
    """Training reviews in the book's split of the benchmark corpus."""
    from explorer.training.data import load_corpus_for

    return len(load_corpus_for(config.source).book_split()[0])


def with_subset(config: RunConfig, reviews: int) -> RunConfig:
    """``config`` restricted to ``reviews`` training reviews (0 = all)."""
    return config.with_changes(subset=reviews) if reviews else config


def train_ours(config: RunConfig, reviews: int) -> tuple[list[float], list[float], int]:
    """The engine, exactly as the worker runs it, into a throwaway cache."""
    os.environ["IMDB_EXPLORER_CACHE"] = tempfile.mkdtemp(prefix="bench-cache-")
    from explorer.training import runs
    from explorer.training.engine.trainer import NoControl, train_run

    config = with_subset(config, reviews)
    run_id = runs.create_run(config)
    events: list[dict] = []
    train_run(run_id, config, events.append, NoControl())
    history = runs.read_history(run_id)
    train_size = next(event["train"] for event in events if event["type"] == "data")
    return [row["seconds"] for row in history], [row["val_accuracy"] for row in history], train_size


def train_peer(config: RunConfig, reviews: int) -> tuple[list[float], list[float], int]:
    """The tutorial's code (8-2 / 8-3), on the same split."""
    import keras

    from explorer.training.data import book_splits, load_corpus_for

    train, validation = book_splits(with_subset(config, reviews), load_corpus_for(config.source))
    # the tutorial's preprocessing: lists of ids as imdb.load_data(num_words=500) gives them, then pad_sequences
    train_input, val_input = (
        split.ids.with_vocabulary(config.num_words, OOV_ID).to_lists() for split in (train, validation)
    )
    train_target, val_target = (np.asarray(split.labels) for split in (train, validation))
    train_seq = keras.utils.pad_sequences(train_input, maxlen=config.maxlen)
    val_seq = keras.utils.pad_sequences(val_input, maxlen=config.maxlen)
    keras.utils.set_random_seed(config.seed)
    if config.encoding == "one_hot":
        train_x, val_x = keras.utils.to_categorical(train_seq), keras.utils.to_categorical(val_seq)
        model = keras.Sequential(
            [
                keras.Input((config.maxlen, config.num_words)),
                keras.layers.SimpleRNN(8),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
    else:
        train_x, val_x = train_seq, val_seq
        recurrent = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}[
            config.layer
        ]
        model = keras.Sequential(
            [
                keras.Input((config.maxlen,)),
                keras.layers.Embedding(config.num_words, 16),
                recurrent(8),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=1e-4), loss="binary_crossentropy", metrics=["accuracy"]
    )
    times: list[float] = []
    clock = epoch_clock(times)
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = keras.callbacks.ModelCheckpoint(str(Path(folder) / "best-model.keras"))
        early_stopping = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
        history = model.fit(
            train_x,
            train_target,
            epochs=config.epochs,
            batch_size=64,
            validation_data=(val_x, val_target),
            callbacks=[clock, checkpoint, early_stopping],
            verbose=0,
        )
    return times, history.history["val_accuracy"], len(train_x)


def epoch_clock(times: list[float]):  # noqa: ANN201 (a keras.callbacks.Callback; keras is imported late)
    """A callback appending each epoch's duration, from its start to its end, to ``times``."""
    import keras

    class EpochClock(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            times.append(time.perf_counter() - self.start)

    return EpochClock()


if __name__ == "__main__":
    main()
