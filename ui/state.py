"""Every session-state key of the app, in one place.

The sidebar's keys double as URL query parameters (``?num_words=1000&maxlen=200&lang=ko``), so
a teacher can share a link that opens the app with the same settings.
"""

LANGUAGE = "lang"
SOURCE_KIND = "source"
SOURCE_PATH = "data"
NUM_WORDS = "num_words"
MAXLEN = "maxlen"
PADDING = "padding"
TRUNCATING = "truncating"
DATA_ERRORS = "data_errors"  # {source spec: why it could not be loaded}, until "try again"

# The training studio's bookkeeping (the keys of its form fields are "training_<field>").
TRAINING_OWNER = "training_owner"  # this tab's owner token
TRAINING_SAVED = "training_saved"  # the form's values, kept across page switches
TRAINING_SIDEBAR_SEEN = "training_sidebar_seen"  # the sidebar's data settings the form last followed
TRAINING_WATCHED = "training_run"  # the run this tab follows in the live panel
TRAINING_SCROLL = "training_scroll"  # set by Train: scroll the live panel into view on the next draw
TRAINING_SEEN_ACTIVE = "training_seen_active"  # runs the live panel saw active (their end reruns the whole page)
TRAINING_LISTED = "training_listed"  # the finished runs the page showed last time (a new one gets picked)
TRAINING_OVERLAY = "training_overlay"  # widget: the runs overlaid, set by the page when a run ends
TRAINING_INSPECT = "training_inspect"  # widget: the run whose results are shown, likewise

# Page state that shared links carry (ui.links binds these widgets to URL query parameters of the same name).
EMBEDDINGS_RUN = "embeddings_run"  # widget: the run whose word vectors are projected
EMBEDDINGS_SEARCH = "embeddings_search"  # widget: the searched word
EMBEDDINGS_WORDS = "embeddings_words"  # widget: how many of the most frequent words are projected
EMBEDDINGS_EPOCH = "embeddings_epoch"  # widget: the epoch shown
EMBEDDINGS_EPOCH_OF = "embeddings_epoch_of"  # the run the epoch control was set for (a new run opens at its best)
LAB_SOURCE = "lab_source"  # widget: typed text or a review, on the text-to-numbers lab
LAB_REVIEW = "lab_review"  # widget: the review number there
LAB_RNN_RUN = "lab_rnn_run"  # widget: the run replayed inside the RNN
LAB_RNN_REVIEW = "lab_rnn_review_{label}"  # widgets: the picked positive (1) and negative (0) test review
LAB_RNN_SHOWN = "lab_rnn_shown"  # widget: which of the two reviews is shown
LAB_RNN_STEP = "lab_rnn_step"  # widget: the token the stepper is at
LAB_RNN_PLAYING = "lab_rnn_playing"  # whether the stepper is playing
