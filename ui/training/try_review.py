"""The training page's "try your own review": a typed review through the picked run's model."""

from __future__ import annotations

import streamlit as st

from explorer.data.corpus import Corpus
from explorer.sequences.padding_plots import category_legend, token_grid
from explorer.training import runs
from explorer.training.config import RunConfig
from explorer.training.evaluate import DECISION_THRESHOLD
from explorer.training.inference import MIN_KNOWN_WORDS, Predictor, ReviewPrediction
from explorer.training.view import review_ids, tokens_html
from ui.charts import draw_chart
from ui.i18n import language, t

SAMPLE_REVIEW = "This movie was wonderful and the actors were brilliant, but the ending was a boring waste of time."


def draw_review_prediction(run_id: str, config: RunConfig, corpus: Corpus, source: str) -> None:
    """A review to type, the ids run ``run_id``'s model sees (unknown words struck through, then padded) and
    its verdict; a run without saved weights says so instead.

    ``source`` is the data the page shows; a run trained on other data gets a warning first.
    """
    try:
        predictor = Predictor.load(run_id)
    except runs.RunStoreError as error:
        st.info(t("training.no_weights", reason=error))
        return
    if config.source != source:
        st.warning(t("training.other_source", source=config.source or "?"))
    text = st.text_area(t("training.try_text"), SAMPLE_REVIEW, key="training_review")
    words, ids = review_ids(text, corpus)
    prediction = predictor.predict_ids(ids)
    _draw_words(words, prediction, config)
    _draw_padded(predictor, prediction, config, corpus)
    if prediction.has_verdict:
        _draw_verdict(prediction)
    else:  # Korean text, an empty box, or only rare words: the probability would be about padding
        st.warning(t("training.try_too_few", known=prediction.known_words, minimum=MIN_KNOWN_WORDS))


def _draw_words(words: list[str], prediction: ReviewPrediction, config: RunConfig) -> None:
    """The review's words, those outside the run's ``num_words`` struck through."""
    oov = prediction.out_of_vocabulary[1:]  # after the start id
    st.markdown(t("training.try_tokens", count=len(words), oov=sum(oov), num_words=config.num_words))
    st.html(tokens_html(words, oov, t("training.oov_hint", num_words=config.num_words)))


def _draw_padded(predictor: Predictor, prediction: ReviewPrediction, config: RunConfig, corpus: Corpus) -> None:
    """The ids after the run's padding and truncation, as a grid of tokens."""
    padded = predictor.pad([prediction.ids])[0]
    st.html(category_legend(language()))
    title = t("training.try_padded", maxlen=config.maxlen, padding=config.padding, truncating=config.truncating)
    draw_chart(st, token_grid(padded, corpus.decode(padded), title), key="training_try_grid")


def _draw_verdict(prediction: ReviewPrediction) -> None:
    """The probability that the review is positive, and the verdict at the decision threshold."""
    verdict = t("training.positive") if prediction.probability >= DECISION_THRESHOLD else t("training.negative")
    st.metric(
        t("training.try_probability"), f"{prediction.probability:.3f}", verdict, delta_color="off", delta_arrow="off"
    )
    st.progress(prediction.probability)
    st.caption(t("training.try_note"))
