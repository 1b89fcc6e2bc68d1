"""The worker-only training engine, run in a spawned worker process.

These are the only modules of the app that import TensorFlow/Keras (see the import contracts in
``pyproject.toml``): the Keras model, the numba-compiled loops of the book's models, the trainer
and the worker's entry point.
"""
