"""A training run as files to take home: a runnable Python script and a Jupyter notebook.

Both hold the same code (``explorer.lesson.code.training_sections``); the notebook is written
with ``nbformat``, the Jupyter project's own library, so it opens in Jupyter and Colab.
"""

from __future__ import annotations

import nbformat
from nbformat import v4

from explorer.lesson.code import DataSource, script, training_sections
from explorer.training.config import RunConfig
from explorer.training.view import describe_model


def run_script(config: RunConfig, source: DataSource, run_name: str) -> str:
    """The run as one script, headed by what it trains."""
    header = f'"""Reproduces the IMDB Sequence Explorer run {run_name}: {describe_model(config)}."""\n\n'
    return header + script(training_sections(config, source))


def run_notebook(config: RunConfig, source: DataSource, run_name: str) -> str:
    """The run as a notebook (JSON text): a markdown cell before each code cell."""
    notebook = v4.new_notebook()
    title = f"# IMDB Sequence Explorer: run {run_name}\n\n`{describe_model(config)}`"
    notebook.cells.append(v4.new_markdown_cell(title))
    for heading, code in training_sections(config, source):
        notebook.cells += [v4.new_markdown_cell(f"## {heading}"), v4.new_code_cell(code.strip())]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.validate(notebook)
    return nbformat.writes(notebook)
