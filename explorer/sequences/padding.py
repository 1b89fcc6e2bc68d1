"""One review through ``pad_sequences``: which tokens are kept, which padded, which dropped.

These are the pieces the padding page shows: a review picked by index, at random, by length
or by a word; the split of its ids into what survives truncation and what is thrown away; and
its raw text with the thrown-away words struck through.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import numpy as np

from explorer.data.corpus import OOV_ID, PAD_ID, START_ID
from explorer.data.ragged import Ragged, Side, pad_sequences

PICK_MODES = ("index", "random", "shortest", "longest", "word")
# The tokenizer's words, found in the original text (HTML line breaks matched separately so
# that "<br />" is never read as the word "br").
TEXT_TOKEN = re.compile(r"(<br\s*/?>)|([a-z0-9]+(?:'[a-z0-9]+)*)", re.IGNORECASE)
# Token categories, in the order of the grid's colour scale.
CATEGORY_PAD, CATEGORY_START, CATEGORY_OOV, CATEGORY_WORD, CATEGORY_SEARCHED = 0, 1, 2, 3, 4


class NoSuchReview(ValueError):
    """No review matches the request; ``reason`` is "index", "unknown_word", "cut_word" or "absent_word"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def pick_review(
    ids: Ragged, mode: str, index: int = 0, word_id: int | None = None, seed: int = 0, num_words: int | None = None
) -> int:
    """The index of the review that ``mode`` (one of ``PICK_MODES``) picks.

    ``word_id`` is the id of the word to look for (``None``: it has no id); ``num_words`` the
    vocabulary cut ``ids`` went through, which turns rarer words into OOV.
    """
    if mode == "index":
        if not 0 <= index < len(ids):
            raise NoSuchReview("index", f"There are {len(ids):,} reviews: pick an index from 0 to {len(ids) - 1:,}.")
        return index
    if mode == "random":
        return int(np.random.default_rng(seed).integers(len(ids)))
    if mode == "shortest":
        return int(np.argmin(ids.lengths))
    if mode == "longest":
        return int(np.argmax(ids.lengths))
    if word_id is None:
        raise NoSuchReview("unknown_word", "That word is not in the vocabulary.")
    if num_words is not None and word_id >= num_words:
        raise NoSuchReview("cut_word", f"That word's id {word_id} is outside num_words={num_words}: it reads as OOV.")
    containing = np.unique(np.searchsorted(ids.offsets, np.flatnonzero(ids.flat == word_id), side="right") - 1)
    if len(containing) == 0:
        raise NoSuchReview("absent_word", "No review here contains that word.")
    return int(containing[np.random.default_rng(seed).integers(len(containing))])


@dataclass(frozen=True)
class Truncation:
    """Which positions of a sequence survive ``maxlen``: ``ids[kept]`` stay, ``ids[dropped]`` go."""

    kept: slice
    dropped: slice


def truncation(length: int, maxlen: int, truncating: Side) -> Truncation:
    """Kept and dropped positions of a ``length``-token sequence cut to ``maxlen``."""
    cut = max(length - maxlen, 0)
    if truncating == "pre":
        return Truncation(slice(cut, length), slice(0, cut))
    return Truncation(slice(0, length - cut), slice(length - cut, length))


def as_word_positions(positions: slice) -> slice:
    """Sequence positions turned into word positions (position 0 is the start token, not a word)."""
    return slice(max(positions.start - 1, 0), max(positions.stop - 1, 0))


def padded_row(row: np.ndarray, maxlen: int, padding: Side, truncating: Side) -> np.ndarray:
    """``pad_sequences`` of a single row."""
    return pad_sequences([row], maxlen=maxlen, padding=padding, truncating=truncating)[0]


def token_categories(ids: np.ndarray, searched_id: int | None = None) -> np.ndarray:
    """Padding / start / out-of-vocabulary / word category of each id (the searched word's own, if given)."""
    return np.select(
        [ids == PAD_ID, ids == START_ID, ids == OOV_ID, ids == (-1 if searched_id is None else searched_id)],
        [CATEGORY_PAD, CATEGORY_START, CATEGORY_OOV, CATEGORY_SEARCHED],
        CATEGORY_WORD,
    )


def collapse_padding(ids: np.ndarray, longest_run: int) -> tuple[np.ndarray, np.ndarray]:
    """Runs of padding longer than ``longest_run`` squeezed into one cell: ``(cell ids, tokens per cell)``.

    A short review at maxlen 1,000 is mostly zeros; drawn one cell each they fill dozens of grid
    rows and push the review itself off screen. Shorter runs stay as they are, one cell a token.
    """
    if len(ids) == 0:
        return ids, np.zeros(0, dtype=np.int64)
    # run-length encoding: where the id changes, each run's first position and length
    starts = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
    lengths = np.diff(np.r_[starts, len(ids)])
    squeeze = (ids[starts] == PAD_ID) & (lengths > longest_run)
    counts = np.ones(len(ids), dtype=np.int64)
    keep = np.ones(len(ids), dtype=bool)
    for start, length in zip(starts[squeeze], lengths[squeeze], strict=True):
        counts[start] = length
        keep[start + 1 : start + length] = False
    return ids[keep], counts[keep]


@dataclass(frozen=True)
class Sighting:
    """How often the searched word occurs in a review: in the part the network sees, and in the part cut off."""

    kept: int
    dropped: int

    @property
    def message_key(self) -> str:
        """The catalogue key that says it: all kept, some dropped, or every one dropped."""
        if self.dropped == 0:
            return "padding.word_all_kept"
        return "padding.word_all_dropped" if self.kept == 0 else "padding.word_some_dropped"


def sighting(row: np.ndarray, word_id: int, cut: Truncation) -> Sighting:
    """Occurrences of ``word_id`` in the kept and the dropped part of ``row``."""
    return Sighting(int(np.sum(row[cut.kept] == word_id)), int(np.sum(row[cut.dropped] == word_id)))


def word_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the tokenizer's words in the original review text."""
    return [match.span(2) for match in TEXT_TOKEN.finditer(text) if match.group(2)]


def struck_text_html(text: str, dropped_words: slice, highlight: str | None = None) -> str:
    """The review as HTML: the words in ``dropped_words`` (word positions) struck through, ``highlight`` marked.

    ``highlight`` is a tokenizer word (lower case); every occurrence is wrapped in ``<mark>``,
    inside the struck-through part too, so a reader sees which of them truncation throws away.
    """
    spans = word_spans(text)
    marked = [(a, b) for a, b in spans if highlight is not None and text[a:b].lower() == highlight]
    struck = spans[dropped_words]
    tags = [(a, 1, "<mark>") for a, _ in marked] + [(b, 0, "</mark>") for _, b in marked]
    if struck:
        tags += [(struck[0][0], 0, "<del>"), (struck[-1][1], 1, "</del>")]
    pieces, done = [], 0
    # at one position, closing tags come before opening ones, and <mark> nests inside <del>
    for position, _, tag in sorted(tags):
        pieces += [html.escape(text[done:position]), tag]
        done = position
    pieces.append(html.escape(text[done:]))
    return "".join(pieces).replace("&lt;br /&gt;", "<br>")
