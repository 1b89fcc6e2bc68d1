"""The "why" page's hidden units: the clustered unit × word heat map (click a unit), where the unit fires most,
and its value along the chosen review."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.data.corpus import Corpus
from explorer.lab.attribution import review_window
from explorer.lab.hidden_units import SAMPLE_REVIEWS, UnitStatistics, unit_statistics, unit_trace
from explorer.lab.interpret_plots import unit_activation_figure, unit_word_heatmap
from explorer.training.inference import Predictor
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, t
from ui.lab.why_review import Review, sample_indices
from ui.review import plain_review

HEATMAP_KEY = "why_units_heatmap"
CONTEXT = 5  # tokens shown on each side of a unit's strongest token


@st.cache_data(max_entries=8, show_spinner=False)
def cached_statistics(run_id: str, corpus_key: str, _corpus: Corpus) -> tuple[UnitStatistics, np.ndarray]:
    """A run's unit statistics over the sampled test reviews, and those reviews' test numbers."""
    predictor = Predictor.load(run_id)
    indices = sample_indices(_corpus, SAMPLE_REVIEWS)
    return unit_statistics(predictor.config, predictor.weights, _corpus.test.ids.take(indices)), indices


def _select_clicked_unit() -> None:
    """on_select: a click on a heat-map cell picks that cell's unit in the unit box."""
    points = st.session_state[HEATMAP_KEY].selection.get("points", [])
    if points and "customdata" in points[0]:
        data = points[0]["customdata"]  # (unit, value): a list, or a dict by position as the browser sends it
        values = list(data.values()) if isinstance(data, dict) else data
        st.session_state[state.WHY_UNIT] = int(values[0] if isinstance(values, list) else values)


def draw_units(run_id: str, corpus: Corpus, corpus_key: str, review: Review) -> None:
    """Statistics over the sample, the heat map, the chosen unit's strongest tokens and reviews, its trace."""
    st.markdown(t("why.units_intro", reviews=SAMPLE_REVIEWS))
    with st.spinner(t("why.computing")):
        stats, indices = cached_statistics(run_id, corpus_key, corpus)
    units = stats.top_tokens.shape[0]
    words = corpus.decode(stats.word_ids[stats.word_order])
    responses = stats.responses[stats.unit_order][:, stats.word_order]
    heatmap = unit_word_heatmap(responses, stats.unit_order.tolist(), words, language())
    draw_chart(st, heatmap, key=HEATMAP_KEY, on_select=_select_clicked_unit, selection_mode="points")
    st.caption(t("why.heat_caption"))
    if st.session_state.get(state.WHY_UNIT, 0) >= units:  # another run with fewer units was shown before
        st.session_state[state.WHY_UNIT] = 0
    unit = st.selectbox(t("why.unit"), range(units), key=state.WHY_UNIT)
    tokens, reviews = st.columns(2)
    tokens.markdown(t("why.top_tokens_title", unit=unit))
    rows = [(int(r), int(p)) for r, p in stats.top_tokens[unit]]
    tokens.dataframe(
        {
            t("why.column_word"): [corpus.word(int(stats.ids[r, p])) for r, p in rows],
            t("why.column_context"): [_context(corpus, stats.ids[r], p) for r, p in rows],
            t("why.column_review"): [int(indices[r]) for r, _ in rows],
            t("why.column_value"): stats.top_token_values[unit].round(3).tolist(),
        },
        hide_index=True,
        key="why_top_tokens",
    )
    reviews.markdown(t("why.top_reviews_title", unit=unit))
    reviews.dataframe(
        {
            t("why.column_review"): [int(indices[r]) for r in stats.top_reviews[unit]],
            t("why.column_peak"): stats.top_review_values[unit].round(3).tolist(),
            t("why.column_start"): [
                plain_review(corpus.text(corpus.test, int(indices[r])))[:80] for r in stats.top_reviews[unit]
            ],
        },
        hide_index=True,
        key="why_top_reviews",
    )
    predictor = Predictor.load(run_id)
    window = review_window(review.ids, predictor.config)
    values = unit_trace(predictor.config, predictor.weights, window.ids, unit)
    real = window.source >= 0
    shown = [review.words[i] for i in window.source[real]]
    draw_chart(st, unit_activation_figure(values[real], shown, unit, language()), key="why_unit_trace")


def _context(corpus: Corpus, ids: np.ndarray, position: int) -> str:
    """The tokens around ``position`` (padding left out), the token itself in brackets."""
    left = [i for i in ids[max(0, position - CONTEXT) : position] if i]
    right = [i for i in ids[position + 1 : position + 1 + CONTEXT] if i]
    return " ".join([*corpus.decode(left), f"[{corpus.word(int(ids[position]))}]", *corpus.decode(right)])
