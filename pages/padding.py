"""Padding and truncation: one review through pad_sequences, then a whole batch."""

import streamlit as st

from explorer.data.ragged import SIDES
from explorer.sequences import padding as one_review
from explorer.sequences.padding_plots import NARROW_GRID_COLUMNS, category_legend, token_grid
from ui import state
from ui.charts import shared_chart
from ui.code_behind import draw_code_behind
from ui.data import book_split, effective_num_words, require_corpus, training_ids
from ui.i18n import language, t
from ui.links import int_within, linked
from ui.page import page_header
from ui.sequences.sections import draw_padded_batch
from ui.sidebar import settings
from ui.user_text import markdown_literal

page_header("padding")
corpus = require_corpus()
draw_code_behind("padding")
chosen = settings()
train = book_split(corpus)[0]
num_words = effective_num_words(corpus, chosen.num_words)
sides = (chosen.maxlen, chosen.padding, chosen.truncating)
ids = training_ids(corpus, num_words)


def draw_grid(where, token_ids, title: str, key: str, **options) -> None:
    """One padded (or dropped) row as a grid of tokens with their words, the searched word's cells marked."""
    shown = (review, num_words, *sides, searched_id)  # all a grid depends on
    shared_chart(where, key, shown, lambda: token_grid(token_ids, corpus.decode(token_ids), title,
                                                       searched_id=searched_id, **options))  # fmt: skip


mode_column, detail_column = st.columns([3, 1])  # room for the five pick modes in Korean at 1280 pixels
last = len(train) - 1
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
    st.session_state["padding_seed"] = st.session_state.get("padding_seed", 0) + 1
searched = word.strip().lower()  # the tokenizer's form, so the grid and the text can mark it
word_id = corpus.word_id(searched)
try:
    review = one_review.pick_review(ids, mode, index, word_id, st.session_state.get("padding_seed", 0), num_words)
except one_review.NoSuchReview as error:
    st.warning(t(f"padding.no_{error.reason}", word=markdown_literal(word), id=word_id, num_words=num_words))
    st.stop()

row = ids.row(review)
cut = one_review.truncation(len(row), chosen.maxlen, chosen.truncating)
label = t("lengths.positive" if train.labels[review] else "lengths.negative")
st.markdown(t("padding.review_line", index=review, length=len(row), label=label))
searched_id, marked = (word_id, searched) if mode == "word" else (None, None)  # what the grids and text mark
if marked:
    seen = one_review.sighting(row, searched_id, cut)
    (st.warning if seen.dropped else st.caption)(
        t(seen.message_key, word=markdown_literal(marked), kept=seen.kept, dropped=seen.dropped)
    )
st.html(category_legend(language(), marked))
# one above the other, each the page's width: 20 cells a row stay readable on a 1280-pixel projector
grid, dropped = st.container(), st.container() if cut.dropped.stop > cut.dropped.start else None
settings_title = t("padding.padded_title", maxlen=chosen.maxlen, padding=chosen.padding, truncating=chosen.truncating)
draw_grid(
    grid, one_review.padded_row(row, chosen.maxlen, chosen.padding, chosen.truncating), settings_title, "padding_grid"
)
if dropped is not None:
    lost = row[cut.dropped]
    title = t("padding.dropped_title", count=len(lost))
    draw_grid(dropped, lost, title, "padding_dropped", faded=True)
with st.expander(t("padding.raw_text"), expanded=True):
    st.html(one_review.struck_text_html(corpus.text(train, review), one_review.as_word_positions(cut.dropped), marked))

st.subheader(t("padding.combinations"))
combos = st.columns(2)
for number, (pad_side, cut_side) in enumerate((p, c) for p in SIDES for c in SIDES):
    combo = one_review.padded_row(row, chosen.maxlen, pad_side, cut_side)
    title = f"padding='{pad_side}', truncating='{cut_side}'"
    draw_grid(combos[number % 2], combo, title, f"padding_combo_{pad_side}_{cut_side}", columns=NARROW_GRID_COLUMNS)
st.markdown(t("padding.why_pre"))

st.subheader(t("padding.batch_title"))
draw_padded_batch(ids, num_words, chosen.maxlen, chosen.padding, chosen.truncating)
