"""Review lengths: how long reviews are, and what a given maxlen keeps and throws away."""

import streamlit as st

from explorer.sequences.length_plots import cumulative_curve, length_histogram
from explorer.sequences.stats import (
    SPLIT_NAMES,
    chosen_reviews,
    dropped_token_share,
    length_summary,
    maxlen_for_share,
    truncated_share,
)
from ui.charts import shared_chart
from ui.code_behind import draw_code_behind
from ui.data import book_split, effective_num_words, require_corpus, reviews_oov_share
from ui.i18n import language, t
from ui.page import page_header
from ui.presenter import section
from ui.sidebar import settings

page_header("lengths")
corpus = require_corpus()
draw_code_behind("lengths")
chosen = settings()
num_words = effective_num_words(corpus, chosen.num_words)

split_column, scale_column = st.columns([3, 1])
split = split_column.segmented_control(
    t("lengths.split"),
    SPLIT_NAMES,
    default="train",
    required=True,
    format_func=lambda s: t(f"lengths.split_{s}"),
    key="lengths_split",
)
log_x = scale_column.toggle(t("lengths.log_x"), key="lengths_log_x")
ids, labels = chosen_reviews(corpus, book_split(corpus), split)
lengths = ids.lengths

with section("lengths", "histogram"):
    plot, figures = st.columns([2, 1])
    shared_chart(plot, "lengths_histogram", (split, chosen.maxlen, log_x),
                 lambda: length_histogram(lengths, labels, chosen.maxlen, log_x, language()))  # fmt: skip
    summary = length_summary(lengths)
    with figures:
        top = st.columns(2)
        top[0].metric(t("lengths.count"), f"{summary.count:,}")
        top[1].metric(t("lengths.max"), f"{summary.max:,}")
        top[0].metric(t("lengths.mean"), f"{summary.mean:,.1f}")
        top[1].metric(t("lengths.median"), f"{summary.median:,.1f}")
        st.caption(t("lengths.percentiles", p90=summary.p90, p95=summary.p95, p99=summary.p99))
        st.metric(t("lengths.truncated", maxlen=chosen.maxlen), f"{truncated_share(lengths, chosen.maxlen):.1%}")
        st.metric(t("lengths.dropped", maxlen=chosen.maxlen), f"{dropped_token_share(lengths, chosen.maxlen):.1%}")
        st.metric(t("lengths.oov", num_words=num_words), f"{reviews_oov_share(corpus, split, num_words):.1%}")


@st.fragment  # the share slider changes only its own answer: rerun this part alone
def draw_needed_maxlen() -> None:
    """The maxlen that keeps a chosen share of reviews whole."""
    share = st.slider(t("lengths.keep_share"), 0.50, 0.99, 0.90, 0.01, format="%.2f", key="lengths_keep_share")
    st.metric(t("lengths.needed_maxlen", share=share), f"{maxlen_for_share(lengths, share):,}")


with section("lengths", "cumulative"):
    st.subheader(t("lengths.cumulative_title"))
    curve, target = st.columns([2, 1])
    shared_chart(curve, "lengths_cumulative", (split, chosen.maxlen),
                 lambda: cumulative_curve(lengths, chosen.maxlen, language()))  # fmt: skip
    with target:
        draw_needed_maxlen()
        st.caption(t("lengths.kept_whole", maxlen=chosen.maxlen, share=float((lengths <= chosen.maxlen).mean())))
st.info(t(f"lengths.note_{corpus.source}"))
