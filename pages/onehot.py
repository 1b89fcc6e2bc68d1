"""One-hot vs integer ids: what each encoding costs in memory, and why embeddings win."""

import streamlit as st

from explorer.book import BOOK_EMBEDDING_DIM
from explorer.sequences import memory
from explorer.sequences.memory_plots import human_bytes, memory_bars, one_hot_size_map
from ui.charts import shared_chart
from ui.code_behind import draw_code_behind
from ui.data import book_split, effective_num_words, require_corpus
from ui.i18n import language, t
from ui.page import page_header
from ui.presenter import section
from ui.sequences.sections import draw_one_hot_image, draw_one_hot_proof
from ui.sidebar import settings

BATCH_SIZE = 64  # the book's batch size: one batch of one-hot is all a model needs at a time

page_header("onehot")
corpus = require_corpus()
draw_code_behind("onehot")
num_words, maxlen = effective_num_words(corpus, settings().num_words), settings().maxlen
train = book_split(corpus)[0]
rows = len(train)

sizes = memory.encoding_sizes(rows, maxlen, num_words, BOOK_EMBEDDING_DIM, BATCH_SIZE)
ids_bytes, one_hot_bytes = sizes["onehot.padded_int32"], sizes["onehot.one_hot_float32"]
ratio = one_hot_bytes / ids_bytes
with section("onehot", "sizes"):
    top = st.columns(3)
    top[0].metric(t("onehot.padded_int32"), human_bytes(ids_bytes))
    top[1].metric(t("onehot.one_hot_float32"), human_bytes(one_hot_bytes), f"× {ratio:,.0f}", "inverse")
    top[2].metric(t("onehot.machine"), human_bytes(memory.machine_memory_bytes()))
    log_bars = st.toggle(t("onehot.log_bars"), key="onehot_log_bars")  # linear first: the true proportions
    shared_chart(
        st,
        "onehot_bars",
        (rows, num_words, maxlen, log_bars),
        lambda: memory_bars(sizes, memory.WHOLE_ONE_HOT_KEYS, "onehot.padded_int32", log_bars, language()),
    )
    st.markdown(t("onehot.formula", rows=rows, maxlen=maxlen, num_words=num_words, dim=BOOK_EMBEDDING_DIM,
                  ids=ids_bytes, onehot=one_hot_bytes, ratio=ratio, categorical=sizes["onehot.to_categorical"],
                  dtype=memory.smallest_id_dtype(num_words).name))  # fmt: skip

with section("onehot", "map"):
    st.subheader(t("onehot.map_title"))
    shared_chart(
        st,
        "onehot_map",
        (rows, num_words, maxlen),
        lambda: one_hot_size_map(rows, num_words, maxlen, memory.machine_memory_bytes(), language()),
    )

with section("onehot", "proof"):
    st.subheader(t("onehot.prove_title"))
    draw_one_hot_proof(train.ids, num_words, maxlen)

with section("onehot", "image"):
    st.subheader(t("onehot.image_title"))
    draw_one_hot_image(train.ids, num_words, maxlen)
