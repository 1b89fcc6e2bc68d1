"""The embeddings page's picture: the projected word cloud (still or animated over epochs) and its export."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from explorer.embeddings import word_spaces as word_vectors
from explorer.embeddings.polarity import WordStatistics
from explorer.embeddings.projection_cache import cached_projection, epoch_frames
from explorer.embeddings.projection_plots import WordPoints, animated_figure, axis_titles, projection_figure
from ui.embeddings.choices import ProjectionChoice
from ui.embeddings.projecting import projected_apart, projected_with_estimate
from ui.i18n import language, t

Highlight = tuple[int | None, list[int]]  # rows of the searched word and of its neighbours


def projected_figure(
    space: word_vectors.WordSpace,
    statistics: WordStatistics,
    run_id: str | None,
    epochs: list[int],
    choice: ProjectionChoice,
    highlight: Highlight,
) -> tuple[go.Figure, np.ndarray]:
    """The words of ``space`` projected as chosen (coloured by polarity, sized by frequency) and each axis's
    explained variance.

    Only a run's vectors can be animated (``run_id`` and its stored ``epochs``). Raises
    ``ProjectionError`` for settings the vectors cannot satisfy.
    """
    points = WordPoints(space.words, statistics.polarity[space.ids], statistics.frequency[space.ids])
    if choice.animate:
        return _animated_figure(space, points, run_id, epochs, choice, highlight)
    return _still_figure(space, points, choice, highlight)


def _animated_figure(
    space: word_vectors.WordSpace,
    points: WordPoints,
    run_id: str,
    epochs: list[int],
    choice: ProjectionChoice,
    highlight: Highlight,
) -> tuple[go.Figure, np.ndarray]:
    """One frame per epoch of the run, with a progress bar while the frames are projected."""
    lang = language()
    bar = st.progress(0.0, text=t("embeddings.projecting"))
    frames, variance = epoch_frames(
        space.label,
        epochs,
        word_vectors.run_frames(run_id, epochs, space),
        choice.settings,
        lambda done, total: bar.progress(done / total, text=t("embeddings.progress", done=done, total=total)),
        projected_apart,
    )
    bar.empty()
    titles = axis_titles(choice.settings, variance, lang)
    return animated_figure(frames, epochs, points, titles, lang, *highlight), variance


def _still_figure(
    space: word_vectors.WordSpace,
    points: WordPoints,
    choice: ProjectionChoice,
    highlight: Highlight,
) -> tuple[go.Figure, np.ndarray]:
    """The chosen epoch (``None`` for GloVe) alone; t-SNE and UMAP show their progress against an estimate."""
    lang = language()
    projection = cached_projection(space.label, choice.epoch, space.vectors, choice.settings, projected_with_estimate)
    variance = projection.explained_variance
    titles = axis_titles(choice.settings, variance, lang)
    return projection_figure(projection.coordinates, points, titles, lang, *highlight), variance


def draw_downloads(space: word_vectors.WordSpace, statistics: WordStatistics, epoch: int | None) -> None:
    """The vectors (after ``epoch`` of a run) and their metadata as TSV files for the TensorFlow Embedding
    Projector, named by source and epoch."""
    names = word_vectors.projector_names(space, epoch)
    for part, column in enumerate(st.columns(2)):
        column.download_button(
            t("embeddings.download", file=names[part]),
            lambda part=part: word_vectors.projector_files(space, statistics)[part],
            names[part],
            "text/tab-separated-values",
            on_click="ignore",
            key=f"embeddings_download_{part}",
        )
