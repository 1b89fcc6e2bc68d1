"""The "why" page's token attributions: the review coloured by one method, its top tokens, the methods compared."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.lab import attribution as attr
from explorer.lab.interpret_plots import attribution_html, top_tokens_figure
from explorer.training.inference import Predictor
from ui.charts import draw_chart
from ui.i18n import language, option_names, t
from ui.lab.why_review import Review


@st.cache_data(max_entries=32, show_spinner=False)
def cached_attribution(run_id: str, ids: tuple[int, ...], occluder: attr.Occluder) -> attr.Attribution:
    """Every method's attributions for one review of one run (a second look is instant)."""
    predictor = Predictor.load(run_id)
    return attr.attribute(predictor.config, predictor.weights, list(ids), occluder)


def draw_attributions(run_id: str, padding: str, review: Review) -> None:
    """The method and occluder choice, the coloured text, the top tokens and how the methods agree."""
    left, right = st.columns(2)
    method = left.segmented_control(
        t("why.method"),
        attr.METHODS,
        default="occlusion",
        required=True,
        format_func=option_names("why.method"),
        key="why_method",
    )
    occluder = right.segmented_control(
        t("why.occluder"),
        attr.OCCLUDERS,
        default="unknown",
        required=True,
        format_func=option_names("why.occluder"),
        key="why_occluder",
    )
    result = cached_attribution(run_id, tuple(review.ids), occluder)
    st.markdown(t(f"why.explain_{method}"))
    real = result.window.source >= 0
    others = [other for other in attr.METHODS if other != method]
    scores = st.columns(4)
    scores[0].metric(t("why.probability"), f"{result.probability:.3f}")
    scores[1].metric(t("why.label"), t(f"why.label_{review.label}") if review.label is not None else "—")
    for column, other in zip(scores[2:], others, strict=True):
        agreement = attr.rank_agreement(result.scores[method], result.scores[other], real)
        column.metric(t("why.agreement", other=t(f"why.method_{other}")), f"{agreement:.2f}")
    st.html(attribution_html(review.words, result.window, result.scores[method], language(), padding))
    st.caption(t("why.text_caption", gap=result.completeness_gap, change=result.logit_change))
    sides = (1, -1)
    for column, sign in zip(st.columns(2), sides, strict=True):
        positions = result.top(method, sign)
        if not positions:
            column.caption(t(f"why.none_{'up' if sign > 0 else 'down'}"))
            continue
        labels = [f"{review.words[result.window.source[p]]} · {p}" for p in positions]
        values = np.asarray(result.scores[method])[positions]
        figure = top_tokens_figure(labels, values, language(), t(f"why.value_{method}"))
        draw_chart(column, figure, key=f"why_top_{sign}")
