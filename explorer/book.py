"""The tutorial's own settings, used as the app's defaults and the presets' values, and its printed figures."""

from dataclasses import dataclass

BOOK_NUM_WORDS = 500  # imdb.load_data(num_words=500): ids 0-3 are reserved, so the 496 most frequent words keep theirs
BOOK_MAXLEN = 100  # pad_sequences(maxlen=100): far below the median review length of 178
BOOK_PADDING = "pre"  # Keras's default: zeros go before the review ...
BOOK_TRUNCATING = "pre"  # ... and long reviews lose their beginning, keeping the verdict at the end
BOOK_EMBEDDING_DIM = 16  # Embedding(500, 16) in section 09-2 (8-4 of the blog post that retells it)
BOOK_UNITS = 8  # SimpleRNN(8)
# Both of 09-2's models end near this validation accuracy (one-hot 0.7896 at epoch 47, embedding 0.7898 at
# epoch 25, in the printed logs); the training charts draw it as a reference line.
BOOK_VAL_ACCURACY = 0.79

# The first tutorial's printed figures (혼자 공부하는 머신러닝+딥러닝 09-2, seed 000), for "book vs this explorer":
# Keras's imdb.npz at num_words=500, its training split after train_test_split(test_size=0.2, random_state=42).
BOOK_MEAN_LENGTH = 239.00925  # np.mean of the training split's review lengths (start token included)
BOOK_MEDIAN_LENGTH = 178.0  # np.median of the same
BOOK_TRAIN_SEQ_SHAPE = (20_000, 100)  # train_seq = pad_sequences(train_input, maxlen=100)
BOOK_TRAIN_SEQ_NBYTES = 8_000_000  # train_seq.nbytes: int32 ids
BOOK_TRAIN_OH_NBYTES = 4_000_000_000  # train_oh.nbytes as printed: float32 in the Keras of its time (Keras 3: float64)
BOOK_ONE_HOT_PARAMETERS = 4_072 + 9  # SimpleRNN(8) over 500-wide one-hot vectors, then Dense(1)
BOOK_EMBEDDING_PARAMETERS = 8_000 + 200 + 9  # Embedding(500, 16), SimpleRNN(8), Dense(1)


@dataclass(frozen=True)
class TrainingResult:
    """How a training run ended: its best validation accuracy, the epochs it ran, and seconds per epoch."""

    val_accuracy: float
    epochs: int
    seconds_per_epoch: float


BOOK_ONE_HOT_RESULT = TrainingResult(0.7896, 47, 10.0)  # the one-hot model's printed log ends at epoch 47
BOOK_EMBEDDING_RESULT = TrainingResult(0.7898, 25, 8.0)  # the embedding model's, at epoch 25
