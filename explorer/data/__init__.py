"""Where the reviews come from: Keras's imdb.npz or the aclImdb text, encoded once into cached ragged corpora."""
