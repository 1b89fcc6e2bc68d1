"""The review the "why did it say that?" page explains: a test review, or one typed by the user."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from explorer.data.corpus import Corpus
from explorer.training.view import review_ids
from ui.i18n import option_names, t
from ui.review import show_review

SAMPLE_SEED = 0  # the test reviews the memory and hidden-unit views sample, the same on every visit


@dataclass(frozen=True)
class Review:
    """A review as corpus ids (start id first), the text of each token, and its label if known."""

    ids: list[int]
    words: list[str]
    label: int | None


def pick_review(corpus: Corpus) -> Review:
    """A test review by number (its text in an expander, shown as plain text) or a typed one."""
    source = st.segmented_control(
        t("why.review_source"),
        ("test", "typed"),
        default="test",
        required=True,
        format_func=option_names("why.source"),
        key="why_source",
    )
    if source == "typed":
        text = st.text_area(t("why.typed"), t("why.typed_default"), key="why_text")
        words, ids = review_ids(text, corpus)
        if not words:
            st.info(t("why.no_words"))
            st.stop()
        return Review(ids, [corpus.word(ids[0]), *words], None)
    number = st.number_input(t("why.review_number"), 0, len(corpus.test) - 1, 0, key="why_review")
    ids = corpus.test.ids.row(number).tolist()
    show_review(st.expander(t("why.review_text")), corpus.text(corpus.test, number))
    return Review(ids, corpus.decode(ids), int(corpus.test.labels[number]))


def sample_indices(corpus: Corpus, count: int, shorter_than: int | None = None) -> np.ndarray:
    """``count`` test reviews drawn once with a fixed seed (all of them if there are fewer); with
    ``shorter_than``, only reviews with fewer tokens (the shortest ones if too few are)."""
    candidates = np.arange(len(corpus.test))
    if shorter_than is not None:
        lengths = corpus.test.ids.lengths
        short = np.flatnonzero(lengths < shorter_than)
        candidates = short if len(short) >= count else np.argsort(lengths, kind="stable")[:count]
    chosen = np.random.default_rng(SAMPLE_SEED).permutation(candidates)[: min(count, len(candidates))]
    return np.sort(chosen)
