"""Inside the models: text to numbers, the numpy RNN replaying a run, the Keras check, the TF-IDF baseline."""
