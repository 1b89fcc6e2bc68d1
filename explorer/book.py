"""The tutorial's own settings, used as the app's defaults and the presets' values."""

BOOK_NUM_WORDS = 500  # imdb.load_data(num_words=500): the 497 most frequent words keep their ids
BOOK_MAXLEN = 100  # pad_sequences(maxlen=100): far below the median review length of 178
BOOK_PADDING = "pre"  # Keras's default: zeros go before the review ...
BOOK_TRUNCATING = "pre"  # ... and long reviews lose their beginning, keeping the verdict at the end
BOOK_EMBEDDING_DIM = 16  # Embedding(500, 16) in section 9-3
BOOK_UNITS = 8  # SimpleRNN(8)
