"""The worker-only training engine, run in a spawned worker process.

These are the only modules of the app that import TensorFlow/Keras (see the import contracts in
``pyproject.toml``): the Keras model and its training (``model``, ``fast_rnn``, ``keras_fit``). The
numba-compiled loops of the book's models, the trainer and the worker's entry point do not, so a
worker can train the book's models while it is still importing TensorFlow. One exception to
"worker-only": ``loop_kernels`` imports only numba and numpy, and the lab's attributions
(``explorer.lab.compiled_loops``) run its compiled steps in the Streamlit process too.
"""
