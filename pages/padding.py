"""Padding and truncation: one review through pad_sequences, then a whole batch."""

import streamlit as st

from explorer.data.ragged import SIDES
from explorer.sequences import padding as one_review
from explorer.sequences.padding_plots import NARROW_GRID_COLUMNS, category_legend, token_grid
from ui.charts import shared_chart
from ui.code_behind import draw_code_behind
from ui.data import book_split, effective_num_words, require_corpus, training_ids
from ui.i18n import language, t
from ui.page import page_header
from ui.presenter import section
from ui.sequences.review_picker import pick_review
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


with section("padding", "review"):
    picked = pick_review(ids, corpus, num_words)
    review, marked, searched_id = picked.index, picked.word, picked.word_id
    row = ids.row(review)
    cut = one_review.truncation(len(row), chosen.maxlen, chosen.truncating)
    label = t("lengths.positive" if train.labels[review] else "lengths.negative")
    st.markdown(t("padding.review_line", index=review, length=len(row), label=label))
    if marked:
        seen = one_review.sighting(row, searched_id, cut)
        (st.warning if seen.dropped else st.caption)(
            t(seen.message_key, word=markdown_literal(marked), kept=seen.kept, dropped=seen.dropped)
        )
    st.html(category_legend(language(), marked))
    # one above the other, each the page's width: 20 cells a row stay readable on a 1280-pixel projector
    grid, dropped = st.container(), st.container() if cut.dropped.stop > cut.dropped.start else None
    settings_title = t("padding.padded_title", maxlen=sides[0], padding=sides[1], truncating=sides[2])
    draw_grid(grid, one_review.padded_row(row, *sides), settings_title, "padding_grid")
    if dropped is not None:
        lost = row[cut.dropped]
        title = t("padding.dropped_title", count=len(lost))
        draw_grid(dropped, lost, title, "padding_dropped", faded=True)
    with st.expander(t("padding.raw_text"), expanded=True):
        struck = one_review.as_word_positions(cut.dropped)
        st.html(one_review.struck_text_html(corpus.text(train, review), struck, marked))

with section("padding", "combinations"):
    st.subheader(t("padding.combinations"))
    combos = st.columns(2)
    for number, (pad_side, cut_side) in enumerate((p, c) for p in SIDES for c in SIDES):
        combo = one_review.padded_row(row, chosen.maxlen, pad_side, cut_side)
        title = f"padding='{pad_side}', truncating='{cut_side}'"
        draw_grid(combos[number % 2], combo, title, f"padding_combo_{pad_side}_{cut_side}", columns=NARROW_GRID_COLUMNS)
    st.markdown(t("padding.why_pre"))

with section("padding", "batch"):
    st.subheader(t("padding.batch_title"))
    draw_padded_batch(ids, num_words, chosen.maxlen, chosen.padding, chosen.truncating)
