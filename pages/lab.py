"""Text to numbers: tokens and one-hot matrices, a fitted word index, the hashing trick, n-grams."""

import streamlit as st

from ui.code_behind import draw_code_behind
from ui.data import require_corpus
from ui.i18n import t
from ui.lab.text import draw_hashing, draw_ngrams, draw_one_hot, draw_word_index, pick_texts
from ui.page import page_header

page_header("lab")
corpus = require_corpus()
draw_code_behind("lab")
texts, document = pick_texts(corpus)

tab_names = ("onehot", "index", "hashing", "ngrams")
onehot_tab, index_tab, hashing_tab, ngram_tab = st.tabs([t(f"lab.tab_{name}") for name in tab_names])
with onehot_tab:
    draw_one_hot(texts, document)
with index_tab:
    draw_word_index(texts, corpus)
with hashing_tab:
    draw_hashing(texts, document, corpus)
with ngram_tab:
    draw_ngrams(texts, document)
