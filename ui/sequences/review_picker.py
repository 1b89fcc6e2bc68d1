"""The padding page's review picker: by number, at random, or one holding a word."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from explorer.data.corpus import Corpus
from explorer.data.ragged import Ragged
from explorer.sequences import padding as one_review
from ui import state
from ui.i18n import t
from ui.links import int_within, linked
from ui.user_text import markdown_literal


@dataclass(frozen=True)
class PickedReview:
    """The review to show, and the word the grids and text mark (if the user searched one)."""

    index: int
    word: str | None
    word_id: int | None


def pick_review(ids: Ragged, corpus: Corpus, num_words: int) -> PickedReview:
    """The pick mode and its detail field side by side; the chosen review, or a warning and a stop."""
    mode_column, detail_column = st.columns([3, 1])  # room for the five pick modes in Korean at 1280 pixels
    last = len(ids) - 1
    index_link = linked(state.PADDING_INDEX, int_within(0, last), f"0–{last:,}")  # the review number, in shared links
    mode = mode_column.segmented_control(
        t("padding.pick"),
        one_review.PICK_MODES,
        default="index",
        required=True,
        format_func=lambda m: t(f"padding.pick_{m}"),
        **linked(state.PADDING_PICK),
    )
    index = detail_column.number_input(t("padding.index"), 0, last, **index_link) if mode == "index" else 0
    word = detail_column.text_input(t("padding.word"), "great", **linked(state.PADDING_WORD)) if mode == "word" else ""
    if mode in ("random", "word") and detail_column.button(t("padding.another"), key="padding_another"):
        st.session_state[state.PADDING_SEED] = st.session_state.get(state.PADDING_SEED, 0) + 1
    searched = word.strip().lower()  # the tokenizer's form, so the grid and the text can mark it
    word_id = corpus.word_id(searched)
    seed = st.session_state.get(state.PADDING_SEED, 0)
    try:
        review = one_review.pick_review(ids, mode, index, word_id, seed, num_words)
    except one_review.NoSuchReview as error:
        st.warning(t(f"padding.no_{error.reason}", word=markdown_literal(word), id=word_id, num_words=num_words))
        st.stop()
    return PickedReview(review, searched, word_id) if mode == "word" else PickedReview(review, None, None)
