"""The tutorial's own settings, used as the app's defaults and the presets' values."""

BOOK_NUM_WORDS = 500  # imdb.load_data(num_words=500): ids 0-3 are reserved, so the 496 most frequent words keep theirs
BOOK_MAXLEN = 100  # pad_sequences(maxlen=100): far below the median review length of 178
BOOK_PADDING = "pre"  # Keras's default: zeros go before the review ...
BOOK_TRUNCATING = "pre"  # ... and long reviews lose their beginning, keeping the verdict at the end
BOOK_EMBEDDING_DIM = 16  # Embedding(500, 16) in section 09-2 (8-4 of the blog post that retells it)
BOOK_UNITS = 8  # SimpleRNN(8)
# Both of 09-2's models end near this validation accuracy (one-hot 0.7896 at epoch 47, embedding 0.7898 at
# epoch 25, in the printed logs); the training charts draw it as a reference line.
BOOK_VAL_ACCURACY = 0.79
