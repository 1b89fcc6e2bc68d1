"""The code behind every view: the tutorials' own Keras / numpy code for what a page shows.

Each generator returns Python source that reproduces a page with the current settings, written
with the tutorials' API (``imdb.load_data``, ``pad_sequences``, ``keras.Sequential``, ``fit``).
Code is built from small sections (a heading and its code), so the same sections become a
script (headings as comments) or a notebook (headings as markdown cells, ``explorer.lesson.export``).

When the data is the raw aclImdb text, ``load_data`` is spelled out in the code: the same
tokeniser and ids as the explorer (``explorer.data.aclimdb``: lower-cased words, ids by
training-set frequency rank + 3, reviews shuffled with Keras's seed 113), so the numbers match
the page's. A test runs that loader against the explorer's corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from explorer.book import BOOK_EMBEDDING_DIM
from explorer.data.aclimdb import LINE_BREAK, SHUFFLE_SEED, TOKEN
from explorer.data.corpus import BOOK_SPLIT_SEED, BOOK_VALIDATION_SHARE, INDEX_FROM, OOV_ID, START_ID
from explorer.training.config import KERAS_CLASS, RunConfig
from explorer.training.data import VALIDATION_PER_TRAIN

KERAS_SOURCE = "keras"
ACLIMDB_SOURCE = "aclimdb"
IMDB_REVIEWS = 50_000  # training, validation and test reviews together, all one-hot encoded by the script
DEFAULT_ACLIMDB_NAME = "aclImdb_v1.tar.gz"  # what the generated code opens when no file name is known


@dataclass(frozen=True)
class DataSource:
    """Where the generated code reads reviews: Keras's imdb.npz, or an aclImdb tarball/folder by name."""

    kind: str = KERAS_SOURCE
    path: str = DEFAULT_ACLIMDB_NAME


@dataclass(frozen=True)
class ViewSettings:
    """The sidebar's settings a page's code uses."""

    num_words: int
    maxlen: int
    padding: str = "pre"
    truncating: str = "pre"


Section = tuple[str, str]  # (heading, code)


def script(sections: list[Section]) -> str:
    """Sections joined into one Python script, each heading a comment."""
    return "\n\n".join(f"# --- {heading} ---\n{code.strip()}" for heading, code in sections) + "\n"


def load_sections(source: DataSource, num_words: int) -> list[Section]:
    """Read the reviews with ``num_words`` and split off the book's validation set."""
    if source.kind == ACLIMDB_SOURCE:
        loading = _aclimdb_loader(source.path, num_words)
    else:
        loading = f"""from tensorflow.keras.datasets import imdb

(train_input, train_target), (test_input, test_target) = imdb.load_data(num_words={num_words})
word_index = {{word: rank + {INDEX_FROM} for word, rank in imdb.get_word_index().items()}}"""
    split = f"""from sklearn.model_selection import train_test_split

train_input, val_input, train_target, val_target = train_test_split(
    train_input, train_target, test_size={BOOK_VALIDATION_SHARE}, random_state={BOOK_SPLIT_SEED})
print(len(train_input), len(val_input), len(test_input))"""
    return [("Load the IMDB reviews", loading), ("The book's validation split", split)]


def _aclimdb_loader(path: str, num_words: int) -> str:
    return f'''import re
import tarfile
from collections import Counter
from pathlib import Path

import numpy as np

ACLIMDB = {path!r}  # the aclImdb tarball or extracted folder
TOKEN = re.compile({TOKEN.pattern!r})  # lower-case words, in-word apostrophes kept
LINE_BREAK = re.compile({LINE_BREAK.pattern!r}, re.IGNORECASE)
REVIEW = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\\d+)_(\\d+)\\.txt$")


def review_files(path):
    """(name, text) of every .txt file in the tarball or under the folder."""
    if Path(path).is_dir():
        for file in sorted(Path(path).rglob("*.txt")):
            yield file.as_posix(), file.read_text(encoding="utf-8")
        return
    with tarfile.open(path) as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(".txt"):
                yield member.name, archive.extractfile(member).read().decode("utf-8")


def load_data(path, num_words):
    """imdb.load_data for the raw text: id = word rank + {INDEX_FROM}, {START_ID} = start, {OOV_ID} = unknown."""
    found = {{}}
    for name, text in review_files(path):
        match = REVIEW.search(name)
        if match:
            split, label, number, rating = match.groups()
            found[split, label, int(number), int(rating)] = TOKEN.findall(LINE_BREAK.sub(" ", text.lower()))
    splits = {{}}
    for split in ("train", "test"):
        keys = sorted(key for key in found if key[0] == split)
        order = np.random.RandomState({SHUFFLE_SEED}).permutation(len(keys))  # Keras's shuffle seed
        splits[split] = [found[keys[i]] for i in order], np.array([keys[i][1] == "pos" for i in order], dtype=int)
    counts = Counter(word for review in splits["train"][0] for word in review)
    ranked = sorted(counts, key=lambda word: (-counts[word], word))
    word_index = {{word: rank + {INDEX_FROM} for rank, word in enumerate(ranked, 1)}}

    def ids(review):
        known = (word_index.get(word, {OOV_ID}) for word in review)
        return [{START_ID}] + [i if i < num_words else {OOV_ID} for i in known]

    (train, train_target), (test, test_target) = splits["train"], splits["test"]
    return ([ids(r) for r in train], train_target), ([ids(r) for r in test], test_target), word_index


(train_input, train_target), (test_input, test_target), word_index = load_data(ACLIMDB, num_words={num_words})'''


def _pad(names: tuple[str, ...], settings: ViewSettings) -> str:
    options = f"maxlen={settings.maxlen}, padding={settings.padding!r}, truncating={settings.truncating!r}"
    lines = [f"{name}_seq = pad_sequences({name}_input, {options})" for name in names]
    return "from tensorflow.keras.preprocessing.sequence import pad_sequences\n\n" + "\n".join(lines)


def home_code(source: DataSource, settings: ViewSettings) -> str:
    """The home page's data card."""
    card = """import numpy as np

print(len(train_input), len(test_input), np.mean(train_target))"""
    return script([*load_sections(source, settings.num_words), ("What was loaded", card)])


def lengths_code(source: DataSource, settings: ViewSettings) -> str:
    """The review-lengths page: mean, median, the histogram and what maxlen cuts."""
    lengths = f"""import matplotlib.pyplot as plt
import numpy as np

lengths = np.array([len(x) for x in train_input])
print(np.mean(lengths), np.median(lengths))
print("longer than maxlen:", np.mean(lengths > {settings.maxlen}))
print("unknown words (id {OOV_ID}):", np.mean(np.concatenate(train_input) == {OOV_ID}))
plt.hist(lengths)
plt.xlabel('length')
plt.ylabel('frequency')
plt.show()"""
    return script([*load_sections(source, settings.num_words), ("Review lengths", lengths)])


def padding_code(source: DataSource, settings: ViewSettings) -> str:
    """The padding page: one review padded, and what the cut dropped."""
    show = """print(train_seq.shape)
print(train_seq[0])
print(train_input[0][-10:])  # with truncating='pre' the last tokens survive"""
    padded = _pad(("train",), settings) + "\n" + show
    return script([*load_sections(source, settings.num_words), ("pad_sequences", padded)])


def onehot_code(source: DataSource, settings: ViewSettings) -> str:
    """The one-hot page: the bytes of padded ids against one-hot vectors."""
    memory = f"""from tensorflow import keras

# one-hot of every training review: {settings.maxlen} × {settings.num_words} values per review
train_oh = keras.utils.to_categorical(train_seq[:64], num_classes={settings.num_words})  # one batch
print(train_seq.nbytes, train_oh.nbytes * len(train_seq) // 64)
print(train_oh[0][0][:12])"""
    padded = _pad(("train",), settings)
    return script([*load_sections(source, settings.num_words), ("pad_sequences", padded), ("One-hot", memory)])


def model_code(config: RunConfig, seed: int | None = None) -> str:
    """``keras.Sequential`` for ``config``, as the tutorials write it (``seed``: set Keras's random seed first)."""
    lines = ["from tensorflow import keras", ""]
    if seed is not None:
        lines.append(f"keras.utils.set_random_seed({seed})  # the run's seed: the same starting weights")
    lines.append("model = keras.Sequential()")
    if config.encoding == "one_hot":
        lines.append(f"model.add(keras.Input(shape=({config.maxlen}, {config.num_words})))  # the book's input_shape")
    else:
        lines.append(f"model.add(keras.Input(shape=({config.maxlen},)))  # the book's input_length")
        options = ", mask_zero=True" if config.mask_zero else ""
        if config.encoding == "glove":
            trainable = config.glove_trainable
            options += f", embeddings_initializer=keras.initializers.Constant(glove_matrix), trainable={trainable}"
        lines.append(f"model.add(keras.layers.Embedding({config.num_words}, {config.embedding_dim}{options}))")
    if config.is_recurrent:
        for index in range(config.stacked):
            options = [str(config.units)]
            if config.dropout:
                options.append(f"dropout={config.dropout}")
            if index < config.stacked - 1:
                options.append("return_sequences=True")
            layer = f"keras.layers.{KERAS_CLASS[config.layer]}({', '.join(options)})"
            layer = f"keras.layers.Bidirectional({layer})" if config.bidirectional else layer
            lines.append(f"model.add({layer})")
    else:
        lines.append("model.add(keras.layers.Flatten())")
        if config.dropout:
            lines.append(f"model.add(keras.layers.Dropout({config.dropout}))")
    lines += ["model.add(keras.layers.Dense(1, activation='sigmoid'))", "model.summary()"]
    return "\n".join(lines)


def training_sections(config: RunConfig, source: DataSource) -> list[Section]:
    """Everything a run does, from loading the reviews to the test accuracy."""
    settings = ViewSettings(config.num_words, config.maxlen, config.padding, config.truncating)
    sections = load_sections(source, config.num_words)
    if config.subset is not None:
        sections.append(("A quick classroom subset", _subset_code(config)))
    sections.append(("pad_sequences", _pad(("train", "val", "test"), settings)))
    inputs = "seq"
    if config.encoding == "one_hot":
        inputs = "oh"
        sections.append(("One-hot", _one_hot_code(config)))
    elif config.encoding == "glove":
        sections.append(("GloVe vectors", _glove_code(config)))
    sections.append(("The model", model_code(config, config.seed)))
    sections.append(("Train", _fit_code(config, inputs)))
    test = f"test_loss, test_accuracy = model.evaluate(test_{inputs}, test_target)\nprint(test_accuracy)"
    sections.append(("Test", test))
    return sections


def training_code(config: RunConfig, source: DataSource) -> str:
    """A runnable script reproducing a training run."""
    return script(training_sections(config, source))


def _subset_code(config: RunConfig) -> str:
    validation = f"max(1, {config.subset} // {VALIDATION_PER_TRAIN})"
    return f"""import numpy as np

rng = np.random.default_rng({config.seed})
keep = np.sort(rng.choice(len(train_input), min({config.subset}, len(train_input)), replace=False))
keep_val = np.sort(rng.choice(len(val_input), min({validation}, len(val_input)), replace=False))
train_input, train_target = [train_input[i] for i in keep], np.asarray(train_target)[keep]
val_input, val_target = [val_input[i] for i in keep_val], np.asarray(val_target)[keep_val]"""


def _one_hot_code(config: RunConfig) -> str:
    gigabytes = 8 * config.maxlen * config.num_words * IMDB_REVIEWS / 1e9
    return f"""from tensorflow import keras

# the book's way: to_categorical gives float64, about {gigabytes:,.1f} GB for IMDB's 50,000 reviews at these settings
train_oh = keras.utils.to_categorical(train_seq, num_classes={config.num_words})
val_oh = keras.utils.to_categorical(val_seq, num_classes={config.num_words})
test_oh = keras.utils.to_categorical(test_seq, num_classes={config.num_words})"""


def _glove_code(config: RunConfig) -> str:
    return f"""import numpy as np

GLOVE = "glove.6B.{config.embedding_dim}d.txt"  # from https://nlp.stanford.edu/projects/glove/
glove_matrix = np.zeros(({config.num_words}, {config.embedding_dim}))
with open(GLOVE, encoding="utf-8") as vectors:
    for line in vectors:
        word, *values = line.split(" ")
        if word_index.get(word, {config.num_words}) < {config.num_words}:
            glove_matrix[word_index[word]] = np.asarray(values, dtype="float32")"""


def _fit_code(config: RunConfig, inputs: str) -> str:
    optimizer = {"rmsprop": "RMSprop", "adam": "Adam"}[config.optimizer]
    callbacks = ["keras.callbacks.ModelCheckpoint('best-model.keras', save_best_only=True)"]
    if config.patience:
        callbacks.append(f"keras.callbacks.EarlyStopping(patience={config.patience}, restore_best_weights=True)")
    return f"""optimizer = keras.optimizers.{optimizer}(learning_rate={config.learning_rate})
model.compile(optimizer=optimizer, loss='binary_crossentropy', metrics=['accuracy'])
callbacks = [{", ".join(callbacks)}]
history = model.fit(train_{inputs}, train_target, epochs={config.epochs}, batch_size={config.batch_size},
                    validation_data=(val_{inputs}, val_target), callbacks=callbacks)
print(max(history.history['val_accuracy']))"""


def embeddings_code(source: DataSource, settings: ViewSettings) -> str:
    """The projections page: a trained model's embedding, by PCA, and a word's neighbours."""
    project = """import numpy as np
from sklearn.decomposition import PCA

# `model` is a trained model whose first layer is the Embedding (see the training studio's script)
vectors = model.layers[0].get_weights()[0]
points = PCA(n_components=2).fit_transform(vectors)
unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
great = word_index["great"]
print([i for i in np.argsort(-unit @ unit[great])[1:11]])  # ids of the 10 nearest words"""
    return script([*load_sections(source, settings.num_words), ("Project the embedding", project)])


def lab_code(source: DataSource, settings: ViewSettings) -> str:
    """Text to numbers: word-level one-hot, a word index and the hashing trick (Deep Learning with Python 6.1)."""
    samples = """import numpy as np

samples = ['The cat sat on the mat.', 'The dog ate my homework.']
token_index = {}
for sample in samples:
    for word in sample.split():
        if word not in token_index:
            token_index[word] = len(token_index) + 1
max_length = 10
results = np.zeros((len(samples), max_length, max(token_index.values()) + 1))
for i, sample in enumerate(samples):
    for j, word in list(enumerate(sample.split()))[:max_length]:
        results[i, j, token_index[word]] = 1.0

dimensionality = 1000  # the hashing trick: no index, words hashed into 1,000 slots
hashed = np.zeros((len(samples), max_length, dimensionality))
for i, sample in enumerate(samples):
    for j, word in list(enumerate(sample.split()))[:max_length]:
        hashed[i, j, abs(hash(word)) % dimensionality] = 1.0"""
    return script([("Word-level one-hot and the hashing trick", samples)])


def lab_rnn_code(source: DataSource, settings: ViewSettings) -> str:
    """Inside the RNN: the book's SimpleRNN step in numpy, fed a trained model's weights."""
    replay = f"""import numpy as np

# `model` is a trained Embedding({settings.num_words}, {BOOK_EMBEDDING_DIM}) → SimpleRNN → Dense model
embedding = model.layers[0].get_weights()[0]
kernel, recurrent, bias = model.layers[1].get_weights()
dense_w, dense_b = model.layers[2].get_weights()
state = np.zeros(kernel.shape[1])
for token in train_seq[0]:
    state = np.tanh(embedding[token] @ kernel + state @ recurrent + bias)  # h_t = tanh(x_t W + h_(t-1) U + b)
print(1 / (1 + np.exp(-(state @ dense_w + dense_b))))  # the same as model.predict(train_seq[:1])"""
    padded = _pad(("train",), settings)
    sections = [*load_sections(source, settings.num_words), ("pad_sequences", padded), ("One step at a time", replay)]
    return script(sections)


def why_code(source: DataSource, settings: ViewSettings) -> str:
    """Why did it say that? Each token's share in a verdict by occlusion: the change when it is replaced by padding."""
    occlude = """import numpy as np

# `model` is a trained model of the training studio (see its script)
review = train_seq[0]
base = model.predict(review[None], verbose=0)[0, 0]
covered = np.repeat(review[None], len(review), axis=0)
covered[np.arange(len(review)), np.arange(len(review))] = 0  # row i hides token i behind the padding id
shares = base - model.predict(covered, verbose=0)[:, 0]  # > 0: the token pushed the verdict up
print(base, sorted(zip(shares, review), reverse=True)[:10])"""
    padded = _pad(("train",), settings)
    return script([*load_sections(source, settings.num_words), ("pad_sequences", padded), ("Occlusion", occlude)])


PAGE_CODE: dict[str, Callable[[DataSource, ViewSettings], str]] = {
    "home": home_code,
    "lengths": lengths_code,
    "padding": padding_code,
    "onehot": onehot_code,
    "embeddings": embeddings_code,
    "lab": lab_code,
    "lab_rnn": lab_rnn_code,
    "why": why_code,
}
