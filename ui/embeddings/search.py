"""The embeddings page's word search: a word's nearest neighbours in each space that knows it."""

from __future__ import annotations

import streamlit as st

from explorer.embeddings import projection as proj
from explorer.embeddings import word_spaces as word_vectors
from ui import state
from ui.i18n import option_names, t
from ui.links import linked
from ui.user_text import markdown_literal


def draw_search(spaces: dict[str, word_vectors.WordSpace]) -> tuple[word_vectors.Search, proj.Metric]:
    """A word, how many neighbours and the distance; the search in every space, and the distance used.

    A space that does not know the word says so.
    """
    box, count, metric = st.columns([2, 1, 1])
    query = box.text_input(
        t("embeddings.search"), placeholder=t("embeddings.search_placeholder"), **linked(state.EMBEDDINGS_SEARCH)
    )
    k = count.number_input(t("embeddings.k"), 1, 50, proj.DEFAULT_NEIGHBOUR_COUNT, key="embeddings_k")
    distance = metric.segmented_control(
        t("embeddings.metric"),
        proj.METRICS,
        default="cosine",
        required=True,
        format_func=option_names("embeddings.metric"),
        key="embeddings_metric",
    )
    found = word_vectors.search(spaces, query, k, distance)
    if found.word.isdigit():  # "2" is the word written in reviews, not id 2 (the unknown-word marker)
        st.caption(t("embeddings.number_is_word", word=markdown_literal(found.word)))
    for name in found.unknown_in:
        st.warning(t("embeddings.unknown_word", word=markdown_literal(found.word), space=t(f"embeddings.space_{name}")))
    return found, distance


def draw_neighbours(found: word_vectors.Search, distance: proj.Metric) -> None:
    """The searched word's nearest words, one table per space, side by side (nothing before a search)."""
    if not found.neighbours:
        return
    st.subheader(t("embeddings.neighbours_title", word=found.word, metric=t(f"embeddings.metric_{distance}")))
    for column, (name, nearest) in zip(st.columns(len(found.neighbours)), found.neighbours.items(), strict=True):
        column.caption(t(f"embeddings.source_{name}"))
        column.dataframe(
            {t("embeddings.word"): [n.word for n in nearest], t("embeddings.distance"): [n.distance for n in nearest]},
            hide_index=True,
            key=f"embeddings_neighbours_{name}",
        )
