"""Sections of the data pages that a widget of their own changes: each is an ``st.fragment``.

Moving the batch-rows slider, the "prove it" sample or the one-hot review number reruns only the
section, not the page (and the sidebar) around it.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from explorer.data.corpus import OOV_ID
from explorer.data.ragged import Ragged, pad_sequences
from explorer.sequences import memory
from explorer.sequences.memory_plots import one_hot_image
from explorer.sequences.padding_plots import batch_heatmap
from ui.charts import shared_chart
from ui.i18n import language, t

PROOF_SAMPLE_MAX = 512  # reviews in the "prove it" sample, at most


@st.fragment
def draw_padded_batch(ids: Ragged, num_words: int, maxlen: int, padding: str, truncating: str) -> None:
    """The first reviews of ``ids`` as one padded batch (a heatmap of ids)."""
    rows = st.slider(t("padding.batch_rows"), 5, 50, 10, key="padding_batch_rows")
    batch = pad_sequences(ids.take(range(rows)), maxlen, padding=padding, truncating=truncating)
    settings = (rows, num_words, maxlen, padding, truncating)
    shared_chart(st, "padding_batch", settings, lambda: batch_heatmap(batch, language()))
    st.caption(t("padding.batch_caption", rows=rows, maxlen=maxlen, zeros=float((batch == 0).mean())))


@st.fragment
def draw_one_hot_proof(ids: Ragged, num_words: int, maxlen: int) -> None:
    """Build the one-hot of a small sample for real (within its memory budget) and compare the byte counts."""
    sample = st.slider(t("onehot.prove_sample"), 1, min(PROOF_SAMPLE_MAX, len(ids)), min(64, len(ids)),
                       key="onehot_sample")  # fmt: skip
    if not st.button(t("onehot.prove_button"), key="onehot_prove"):
        return
    padded = pad_sequences(ids.take(np.arange(sample)).with_vocabulary(num_words, OOV_ID), maxlen)
    try:
        encoded = memory.one_hot(padded, num_words, memory.ONE_HOT_BUDGET_BYTES)
    except memory.OneHotTooLarge:
        needed = memory.one_hot_bytes(sample, maxlen, num_words)
        st.error(t("onehot.prove_refused", bytes=needed, budget=memory.ONE_HOT_BUDGET_BYTES))
        return
    proof = st.columns(2)
    proof[0].code(memory.nbytes_report("ids", padded, memory.padded_ids_bytes(sample, maxlen)))
    proof[1].code(memory.nbytes_report("onehot", encoded, memory.one_hot_bytes(sample, maxlen, num_words)))
    st.success(t("onehot.prove_equal", share=1 / num_words))


@st.fragment
def draw_one_hot_image(ids: Ragged, num_words: int, maxlen: int) -> None:
    """One review's one-hot matrix as an image."""
    review = st.number_input(t("padding.index"), 0, len(ids) - 1, 0, key="onehot_review")
    padded = pad_sequences(ids.take([review]).with_vocabulary(num_words, OOV_ID), maxlen)[0]
    shared_chart(st, "onehot_image", (review, num_words, maxlen), lambda: one_hot_image(padded, num_words, language()))
    st.caption(t("onehot.image_caption", ones=maxlen, cells=maxlen * num_words, share=1 / num_words))
