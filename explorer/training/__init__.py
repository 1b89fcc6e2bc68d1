"""Training the tutorials' models: settings, storage, the job manager, workers and inference.

The app process may import ``config``, ``runs``, ``jobs``, ``data``, ``evaluate`` and
``inference`` (none imports TensorFlow); ``engine`` runs only in the worker process, the tests
and the benchmark (its ``model``, ``fast_rnn`` and ``keras_fit`` import TensorFlow).
"""
