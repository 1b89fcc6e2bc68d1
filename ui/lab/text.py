"""The text-to-numbers lab's sections: the texts, one-hot pictures, a fitted word index, hashing, n-grams."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from explorer.data.corpus import Corpus
from explorer.lab import text_numbers as tn
from explorer.lab.plots import collision_curve, feature_bars, hashed_columns, matrix_heatmap, matrix_modes_figure
from ui import state
from ui.charts import draw_chart
from ui.i18n import language, option_names, t
from ui.links import int_within, linked
from ui.review import show_review
from ui.sidebar import settings

BOOK_SAMPLES = "The cat sat on the mat.\nThe dog ate my homework."  # the book's two samples
MAX_LENGTH_RANGE = (1, 60)  # tokens per one-hot picture (the book takes 10 words, 50 characters)
INDEX_REVIEWS_RANGE = (10, 1_000)  # a word index fitted on up to 1,000 reviews stays live (< 0.5 s)
MATRIX_COLUMNS = 30  # texts_to_matrix pictures show the 30 most frequent words
HASH_DIMENSIONS = np.unique(np.geomspace(16, 2**20, 30).astype(int))  # x values of the collision curve
HASH_CHOICES = [2**k for k in range(1, 21)]
HASHED_WORDS = 40  # the hashing picture and its collisions use the document's first 40 distinct words
TOP_NGRAMS = 30


def pick_texts(corpus: Corpus) -> tuple[list[str], int]:
    """The texts to turn into numbers (typed lines or one review) and the one the pictures show.

    Stops the page with a hint when no text is left.
    """
    source = st.segmented_control(
        t("lab.text_source"),
        ("typed", "review"),
        default="typed",
        required=True,
        format_func=option_names("lab.source"),
        **linked(state.LAB_SOURCE),
    )
    if source == "review":
        last = len(corpus.train) - 1
        review = st.number_input(
            t("lab.review_index"), 0, last, **linked(state.LAB_REVIEW, int_within(0, last), f"0–{last:,}")
        )
        texts = [corpus.text(corpus.train, int(review))]
        show_review(st.container(), texts[0], caption=True)
    else:
        typed = st.text_area(t("lab.text"), BOOK_SAMPLES, key="lab_text")
        texts = [line for line in typed.splitlines() if line.strip()]
    if not texts:
        st.info(t("lab.no_text"))
        st.stop()
    if len(texts) == 1:
        return texts, 0
    return texts, st.selectbox(
        t("lab.document"), range(len(texts)), format_func=lambda i: texts[i][:80], key="lab_document"
    )


def draw_one_hot(texts: list[str], document: int) -> None:
    """One text as a one-hot matrix of words or characters, as the book's first listings do."""
    st.markdown(t("lab.onehot_intro"))
    level = st.segmented_control(
        t("lab.level"),
        ("word", "character"),
        default="word",
        required=True,
        format_func=option_names("lab.level"),
        key="lab_level",
    )
    max_length = st.slider(t("lab.max_length"), *MAX_LENGTH_RANGE, 20, key="lab_max_length")
    tokens = [tn.words_of(text) if level == "word" else tn.characters_of(text) for text in texts]
    index = tn.first_seen_index(tokens) if level == "word" else tn.printable_index()
    rows = tokens[document][:max_length] + [""] * max(0, max_length - len(tokens[document]))
    matrix = tn.one_hot_matrix(tokens[document], index, max_length)
    labels = [f"{number} {tn.visible(token)}" for number, token in enumerate(("·", *index))]
    figure = matrix_heatmap(matrix, [tn.visible(row) for row in rows], labels, "1", language())
    draw_chart(st, figure, key="lab_onehot")
    st.caption(t("lab.onehot_caption", rows=max_length, columns=matrix.shape[1], tokens=len(index)))


def draw_word_index(texts: list[str], corpus: Corpus) -> None:
    """A word index fitted like Keras's Tokenizer, its sequences, and texts_to_matrix in every mode."""
    st.markdown(t("lab.index_intro"))
    fit_on = st.segmented_control(
        t("lab.fit_on"),
        ("texts", "reviews"),
        default="texts",
        required=True,
        format_func=option_names("lab.fit_on"),
        key="lab_fit_on",
    )
    corpus_texts = texts
    if fit_on == "reviews":
        count = st.slider(t("lab.index_reviews"), *INDEX_REVIEWS_RANGE, 200, key="lab_index_reviews")
        corpus_texts = [corpus.text(corpus.train, i) for i in range(min(count, len(corpus.train)))]
    fitted = tn.fit_word_index(corpus_texts, num_words=settings().num_words)
    ranked = list(fitted.word_index)[:MATRIX_COLUMNS]
    table = {
        t("lab.word"): ranked,
        "index": [fitted.word_index[w] for w in ranked],
        t("lab.count"): [fitted.word_counts[w] for w in ranked],
        t("lab.documents"): [fitted.document_frequency[w] for w in ranked],
    }
    st.dataframe(pd.DataFrame(table), hide_index=True, height=240, key="lab_word_index")
    st.code("\n".join(f"texts_to_sequences → {row}" for row in fitted.texts_to_sequences(texts)), language=None)
    columns = min(fitted.width, len(ranked) + 1)  # column 0 (no word) and the most frequent words
    matrices = {mode: fitted.texts_to_matrix(texts, mode)[:, :columns] for mode in tn.MATRIX_MODES}
    names = [f"{i}" for i in range(len(texts))]
    draw_chart(st, matrix_modes_figure(matrices, names, ["·", *ranked][:columns]), key="lab_modes")
    st.markdown(t("lab.modes_formulas", documents=fitted.document_count))


def draw_hashing(texts: list[str], document: int, corpus: Corpus) -> None:
    """The hashing trick: one text's words in their buckets, its collisions, and the corpus's collision curve."""
    st.markdown(t("lab.hashing_intro"))
    dimension = st.select_slider(t("lab.dimension"), HASH_CHOICES, 1024, key="lab_dimension")
    words = list(dict.fromkeys(tn.words_of(texts[document])))[:HASHED_WORDS]  # distinct words
    drawing, listing = st.columns([3, 2])
    columns_of_words = [tn.hashed_index(word, dimension) for word in words]
    draw_chart(drawing, hashed_columns(words, columns_of_words, dimension, language()), key="lab_hashed")
    shared = tn.collisions(words, dimension)
    listing.metric(t("lab.colliding_buckets"), len(shared))
    shared_table = {t("lab.bucket"): list(shared), t("lab.words"): [", ".join(m) for m in shared.values()]}
    listing.dataframe(pd.DataFrame(shared_table), hide_index=True, key="lab_collisions")
    rates = tn.collision_rates(corpus.words, HASH_DIMENSIONS)
    expected = tn.expected_collision_rates(corpus.vocabulary_size, HASH_DIMENSIONS)
    curve = collision_curve(HASH_DIMENSIONS, rates, expected, dimension, language())
    draw_chart(st, curve, key="lab_collision_curve")
    rate = float(tn.collision_rates(corpus.words, [dimension])[0])
    st.caption(t("lab.collision_caption", words=corpus.vocabulary_size, dimension=dimension, rate=rate))


def draw_ngrams(texts: list[str], document: int) -> None:
    """One text's bag of n-grams: how many distinct ones, how many in all, the most frequent."""
    st.markdown(t("lab.ngram_intro"))
    low, high = st.slider(t("lab.n_range"), 1, tn.MAX_NGRAM, (1, 2), key="lab_n_range")
    bag = tn.ngram_counts(texts[document], low, high)
    left, right = st.columns(2)
    left.metric(t("lab.distinct_ngrams"), f"{len(bag):,}")
    right.metric(t("lab.ngram_total"), f"{sum(count for _, count in bag):,}")
    draw_chart(st, feature_bars(bag[:TOP_NGRAMS], t("lab.count")), key="lab_ngrams")
