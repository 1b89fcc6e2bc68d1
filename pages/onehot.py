"""One-hot vs integer ids: what each encoding costs in memory, and why embeddings win."""

import numpy as np
import streamlit as st

from explorer.book import BOOK_EMBEDDING_DIM
from explorer.data.corpus import OOV_ID
from explorer.data.ragged import pad_sequences
from explorer.sequences import memory
from explorer.sequences.memory_plots import human_bytes, memory_bars, one_hot_image, one_hot_size_map
from ui.charts import shared_chart
from ui.code_behind import draw_code_behind
from ui.data import book_split, effective_num_words, require_corpus
from ui.i18n import language, t
from ui.page import page_header
from ui.sidebar import settings

BATCH_SIZE = 64  # the book's batch size: one batch of one-hot is all a model needs at a time
PROOF_SAMPLE_MAX = 512  # reviews in the "prove it" sample, at most

page_header("onehot")
corpus = require_corpus()
draw_code_behind("onehot")
num_words, maxlen = effective_num_words(corpus, settings().num_words), settings().maxlen
train = book_split(corpus)[0]
rows = len(train)

sizes = memory.encoding_sizes(rows, maxlen, num_words, BOOK_EMBEDDING_DIM, BATCH_SIZE)
ids_bytes, one_hot_bytes = sizes["onehot.padded_int32"], sizes["onehot.one_hot_float32"]
top = st.columns(3)
top[0].metric(t("onehot.padded_int32"), human_bytes(ids_bytes))
top[1].metric(t("onehot.one_hot_float32"), human_bytes(one_hot_bytes), f"× {one_hot_bytes / ids_bytes:,.0f}", "inverse")
top[2].metric(t("onehot.machine"), human_bytes(memory.machine_memory_bytes()))
log_bars = st.toggle(t("onehot.log_bars"), key="onehot_log_bars")  # linear first: the true proportions
shared_chart(
    st,
    "onehot_bars",
    (rows, num_words, maxlen, log_bars),
    lambda: memory_bars(sizes, memory.WHOLE_ONE_HOT_KEYS, "onehot.padded_int32", log_bars, language()),
)
st.markdown(t("onehot.formula", rows=rows, maxlen=maxlen, num_words=num_words, dim=BOOK_EMBEDDING_DIM, ids=ids_bytes,
              onehot=one_hot_bytes, ratio=one_hot_bytes / ids_bytes, categorical=sizes["onehot.to_categorical"],
              dtype=memory.smallest_id_dtype(num_words).name))  # fmt: skip

st.subheader(t("onehot.map_title"))
shared_chart(
    st,
    "onehot_map",
    (rows, num_words, maxlen),
    lambda: one_hot_size_map(rows, num_words, maxlen, memory.machine_memory_bytes(), language()),
)

st.subheader(t("onehot.prove_title"))


@st.fragment  # the sample slider and the button change only the proof: rerun this part alone
def draw_proof() -> None:
    """Build the one-hot of a small sample for real (within its memory budget) and compare the byte counts."""
    sample = st.slider(t("onehot.prove_sample"), 1, min(PROOF_SAMPLE_MAX, rows), min(64, rows), key="onehot_sample")
    if st.button(t("onehot.prove_button"), key="onehot_prove"):
        padded = pad_sequences(train.ids.take(np.arange(sample)).with_vocabulary(num_words, OOV_ID), maxlen)
        try:
            encoded = memory.one_hot(padded, num_words, memory.ONE_HOT_BUDGET_BYTES)
        except memory.OneHotTooLarge:
            needed = memory.one_hot_bytes(sample, maxlen, num_words)
            st.error(t("onehot.prove_refused", bytes=needed, budget=memory.ONE_HOT_BUDGET_BYTES))
        else:
            proof = st.columns(2)
            proof[0].code(memory.nbytes_report("ids", padded, memory.padded_ids_bytes(sample, maxlen)))
            proof[1].code(memory.nbytes_report("onehot", encoded, memory.one_hot_bytes(sample, maxlen, num_words)))
            st.success(t("onehot.prove_equal", share=1 / num_words))


@st.fragment  # picking another review changes only its image
def draw_one_hot_image() -> None:
    """One review's one-hot matrix as an image."""
    review = st.number_input(t("padding.index"), 0, rows - 1, 0, key="onehot_review")
    padded_review = pad_sequences(train.ids.take([review]).with_vocabulary(num_words, OOV_ID), maxlen)[0]
    shared_chart(
        st, "onehot_image", (review, num_words, maxlen), lambda: one_hot_image(padded_review, num_words, language())
    )
    st.caption(t("onehot.image_caption", ones=maxlen, cells=maxlen * num_words, share=1 / num_words))


draw_proof()
st.subheader(t("onehot.image_title"))
draw_one_hot_image()
