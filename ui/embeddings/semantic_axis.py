"""The embeddings page's semantic axis: words placed along a direction from one word to another."""

from __future__ import annotations

import streamlit as st

from explorer.embeddings import word_spaces as word_vectors
from explorer.embeddings.polarity import WordStatistics
from explorer.embeddings.projection import ProjectionError, UnknownWordError
from explorer.embeddings.projection_plots import WordPoints, projection_figure
from explorer.embeddings.semantic_axis import MAX_COMPONENT, semantic_projection
from ui.charts import draw_chart
from ui.i18n import language, option_names, t

DEFAULT_AXIS = ("awful", "great")  # the sentiment axis of the example
DEFAULT_SECOND_AXIS = ("boring", "funny")


def draw_semantic_axis(space: word_vectors.WordSpace, statistics: WordStatistics) -> None:
    """Two words for x, a principal component or two more words for y, and the words so placed."""
    st.subheader(t("semantic_axis.title"))
    st.markdown(t("semantic_axis.intro"))
    start_column, end_column, mode_column, y_column = st.columns(4)
    start = start_column.text_input(t("semantic_axis.start"), DEFAULT_AXIS[0], key="semantic_axis_start")
    end = end_column.text_input(t("semantic_axis.end"), DEFAULT_AXIS[1], key="semantic_axis_end")
    mode = mode_column.segmented_control(
        t("semantic_axis.y_mode"),
        ("pc", "axis"),
        default="pc",
        required=True,
        format_func=option_names("semantic_axis.y_mode"),
        key="semantic_axis_y_mode",
    )
    if mode == "pc":
        y = y_column.number_input(t("semantic_axis.component"), 1, MAX_COMPONENT, 1, key="semantic_axis_component")
    else:
        first, second = y_column.columns(2)
        y = (
            first.text_input(t("semantic_axis.y_start"), DEFAULT_SECOND_AXIS[0], key="semantic_axis_y_start"),
            second.text_input(t("semantic_axis.y_end"), DEFAULT_SECOND_AXIS[1], key="semantic_axis_y_end"),
        )
    try:
        placed = semantic_projection(space.vectors, space.words, (start, end), y)
    except UnknownWordError as error:
        st.warning(t("semantic_axis.unknown", word=error.word.replace("`", "")))
        return
    except ProjectionError as error:
        st.warning(t("semantic_axis.cannot", reason=error))
        return
    names = [space.words[row] for row in placed.endpoints]
    titles = [t("semantic_axis.axis_title", start=names[0], end=names[1])]
    if placed.y_share is None:
        titles.append(t("semantic_axis.axis_title", start=names[2], end=names[3]))
    else:
        titles.append(t("semantic_axis.pc_title", component=y, share=placed.y_share))
    points = WordPoints(space.words, statistics.polarity[space.ids], statistics.frequency[space.ids])
    figure = projection_figure(
        placed.coordinates, points, titles, language(), None, list(placed.endpoints), "embeddings.legend_axis_ends"
    )
    draw_chart(st, figure, key="semantic_axis_plot")
    first_end, last_end = placed.ends(space.words)
    st.dataframe(  # words of the reviews: shown as data, never as markdown
        {t("semantic_axis.nearest", word=names[0]): first_end, t("semantic_axis.nearest", word=names[1]): last_end},
        hide_index=True,
        key="semantic_axis_ends",
    )
