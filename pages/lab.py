"""Text to numbers: tokens and one-hot matrices, a fitted word index, the hashing trick, n-grams."""

import numpy as np
import pandas as pd
import streamlit as st

from explorer import text_numbers as tn
from explorer.lab_plots import collision_curve, feature_bars, hashed_columns, matrix_heatmap, matrix_modes_figure
from ui.data import require_corpus
from ui.i18n import language, t
from ui.navigation import require_entrypoint
from ui.sidebar import settings

require_entrypoint()

BOOK_SAMPLES = "The cat sat on the mat.\nThe dog ate my homework."  # the book's two samples
MAX_LENGTH_RANGE = (1, 60)  # tokens per one-hot picture (the book takes 10 words, 50 characters)
INDEX_REVIEWS_RANGE = (10, 1_000)  # a word index fitted on up to 1,000 reviews stays live (< 0.5 s)
MATRIX_COLUMNS = 30  # texts_to_matrix pictures show the 30 most frequent words
HASH_DIMENSIONS = np.unique(np.geomspace(16, 2**20, 30).astype(int))  # x values of the collision curve
HASH_CHOICES = [2**k for k in range(1, 21)]
HASHED_WORDS = 40  # the hashing picture and its collisions use the document's first 40 distinct words
TOP_NGRAMS = 30

st.title(t("lab.title"))
st.markdown(t("lab.intro"))
corpus = require_corpus()
lang = language()
source = st.segmented_control(
    t("lab.text_source"),
    ("typed", "review"),
    default="typed",
    required=True,
    format_func=lambda s: t(f"lab.source_{s}"),
    key="lab_source",
)
if source == "review":
    review = st.number_input(t("lab.review_index"), 0, len(corpus.train) - 1, 0, key="lab_review")
    texts = [corpus.text(corpus.train, int(review))]
    st.caption(texts[0])
else:
    texts = [line for line in st.text_area(t("lab.text"), BOOK_SAMPLES, key="lab_text").splitlines() if line.strip()]
if not texts:
    st.info(t("lab.no_text"))
    st.stop()
document = 0
if len(texts) > 1:
    document = st.selectbox(
        t("lab.document"), range(len(texts)), format_func=lambda i: texts[i][:80], key="lab_document"
    )

tab_names = ("onehot", "index", "hashing", "ngrams")
onehot_tab, index_tab, hashing_tab, ngram_tab = st.tabs([t(f"lab.tab_{name}") for name in tab_names])
with onehot_tab:
    st.markdown(t("lab.onehot_intro"))
    level = st.segmented_control(
        t("lab.level"),
        ("word", "character"),
        default="word",
        required=True,
        format_func=lambda s: t(f"lab.level_{s}"),
        key="lab_level",
    )
    max_length = st.slider(t("lab.max_length"), *MAX_LENGTH_RANGE, 20, key="lab_max_length")
    tokens = [tn.words_of(text) if level == "word" else tn.characters_of(text) for text in texts]
    index = tn.first_seen_index(tokens) if level == "word" else tn.printable_index()
    rows = tokens[document][:max_length] + [""] * max(0, max_length - len(tokens[document]))
    matrix = tn.one_hot_matrix(tokens[document], index, max_length)
    labels = [f"{number} {tn.visible(token)}" for number, token in enumerate(("·", *index))]
    st.plotly_chart(matrix_heatmap(matrix, [tn.visible(r) for r in rows], labels, "1", lang), key="lab_onehot")
    st.caption(t("lab.onehot_caption", rows=max_length, columns=matrix.shape[1], tokens=len(index)))

with index_tab:
    st.markdown(t("lab.index_intro"))
    fit_on = st.segmented_control(
        t("lab.fit_on"),
        ("texts", "reviews"),
        default="texts",
        required=True,
        format_func=lambda s: t(f"lab.fit_on_{s}"),
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
    st.plotly_chart(matrix_modes_figure(matrices, names, ["·", *ranked][:columns]), key="lab_modes")
    st.markdown(t("lab.modes_formulas", documents=fitted.document_count))

with hashing_tab:
    st.markdown(t("lab.hashing_intro"))
    dimension = st.select_slider(t("lab.dimension"), HASH_CHOICES, 1024, key="lab_dimension")
    words = list(dict.fromkeys(tn.words_of(texts[document])))[:HASHED_WORDS]  # distinct words
    drawing, listing = st.columns([3, 2])
    columns_of_words = [tn.hashed_index(word, dimension) for word in words]
    drawing.plotly_chart(hashed_columns(words, columns_of_words, dimension, lang), key="lab_hashed")
    shared = tn.collisions(words, dimension)
    listing.metric(t("lab.colliding_buckets"), len(shared))
    shared_table = {t("lab.bucket"): list(shared), t("lab.words"): [", ".join(m) for m in shared.values()]}
    listing.dataframe(pd.DataFrame(shared_table), hide_index=True, key="lab_collisions")
    rates = tn.collision_rates(corpus.words, HASH_DIMENSIONS)
    expected = tn.expected_collision_rates(corpus.vocabulary_size, HASH_DIMENSIONS)
    st.plotly_chart(collision_curve(HASH_DIMENSIONS, rates, expected, dimension, lang), key="lab_collision_curve")
    rate = float(tn.collision_rates(corpus.words, [dimension])[0])
    st.caption(t("lab.collision_caption", words=corpus.vocabulary_size, dimension=dimension, rate=rate))

with ngram_tab:
    st.markdown(t("lab.ngram_intro"))
    low, high = st.slider(t("lab.n_range"), 1, tn.MAX_NGRAM, (1, 2), key="lab_n_range")
    bag = tn.ngram_counts(texts[document], low, high)
    left, right = st.columns(2)
    left.metric(t("lab.distinct_ngrams"), f"{len(bag):,}")
    right.metric(t("lab.ngram_total"), f"{sum(count for _, count in bag):,}")
    st.plotly_chart(feature_bars(bag[:TOP_NGRAMS], t("lab.count")), key="lab_ngrams")
