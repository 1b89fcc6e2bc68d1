"""Home: what the explorer teaches, where to go next, the loaded data set, and the book beside it."""

import pandas as pd
import streamlit as st

from explorer.training.book_compare import best_book_runs, comparison_rows, why_key
from ui.code_behind import draw_code_behind
from ui.data import book_split, corpus_or_none, effective_num_words
from ui.i18n import language, t
from ui.navigation import pages_by_section
from ui.page import page_header
from ui.sidebar import SOURCE_LABELS, settings

page_header("home")

st.subheader(t("home.pages"))
for section, entries in pages_by_section().items():
    st.caption(t(section))
    for column, page in zip(st.columns(3), entries, strict=False):
        with column.container(border=True):
            st.page_link(page.path, label=t(f"{page.key}.nav_title"), icon=page.icon)
            st.caption(t(f"{page.key}.summary"))

st.subheader(t("home.data_card"))
corpus = corpus_or_none()
if corpus is None:
    st.stop()
train, validation = book_split(corpus)
card = st.columns([1, 1.6, 1, 1])  # the pairs of numbers need wider columns at 1280 pixels
card[0].metric(t("home.train_reviews"), f"{len(corpus.train):,}")
card[1].metric(t("home.book_split"), f"{len(train):,} / {len(validation):,}")
card[2].metric(t("home.test_reviews"), f"{len(corpus.test):,}")
card[3].metric(t("home.vocabulary"), f"{corpus.vocabulary_size:,}")
details = st.columns([3, 3, 2])
details[0].metric(t("home.source"), SOURCE_LABELS[corpus.source])
details[1].metric(t("home.positive_share"), f"{corpus.train.labels.mean():.1%} / {corpus.test.labels.mean():.1%}")
details[2].metric(t("home.raw_text"), t("home.yes") if corpus.train.texts is not None else t("home.no"))
st.caption(f"{t('home.origin')}: `{corpus.origin}`")

st.subheader(t("home.book_title"))
chosen = settings()
num_words = effective_num_words(corpus, chosen.num_words)
rows = comparison_rows(train.ids.lengths, num_words, chosen.maxlen, best_book_runs(), language())
columns = [t("home.book_column"), t("home.explorer_column")]
st.table(pd.DataFrame([row[1:] for row in rows], index=[row[0] for row in rows], columns=columns))
st.caption(t("home.book_settings", num_words=num_words, maxlen=chosen.maxlen))
st.info(t(why_key(corpus.source)))
draw_code_behind("home")
