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
REFUSED_LINK_VALUES = "refused_link_values"  # {query parameter: the link value refused}, warned once
LINK_REFUSAL_RERUN = "link_refusal_rerun"  # this run follows the removal of a refused link value
SHOWN_SOURCE = "shown_source"  # the data source of the corpus this run shows (what shared charts are keyed by)
DATA_ERRORS = "data_errors"  # {source spec: why it could not be loaded}, until "try again"

# The training studio's bookkeeping (the keys of its form fields are "training_<field>").
TRAINING_OWNER = "training_owner"  # this browser's owner token (kept in a cookie: a reload keeps it)
TRAINING_COOKIE_SENT = "training_cookie_sent"  # the owner cookie was handed to this browser in this session
TRAINING_ADMIN = "training_admin"  # widget: the teacher's token as typed (controls every run when right)
TRAINING_EVENTS = "training_events"  # (run id, its progress messages so far): the live panel asks only for newer ones
TRAINING_SHARED = "training_shared"  # (config JSON, run id): Train found this identical run and shows it
TRAINING_SAVED = "training_saved"  # the form's values, kept across page switches
TRAINING_SIDEBAR_SEEN = "training_sidebar_seen"  # the sidebar's data settings the form last followed
TRAINING_WATCHED = "training_run"  # the run this tab follows in the live panel
TRAINING_SCROLL = "training_scroll"  # set by Train: scroll the live panel into view on the next draw
TRAINING_SEEN_ACTIVE = "training_seen_active"  # runs the live panel saw active (their end reruns the whole page)
TRAINING_LISTED = "training_listed"  # the finished runs the page showed last time (a new one gets picked)
TRAINING_OVERLAY = "training_overlay"  # widget: the runs overlaid, set by the page when a run ends
TRAINING_INSPECT = "training_inspect"  # widget: the run whose results are shown, likewise

# Page state that shared links carry (ui.links binds these widgets to URL query parameters of the same name).
PADDING_PICK = "padding_pick"  # widget: how the padding page picks its review (number, random, with a word)
PADDING_INDEX = "padding_index"  # widget: the review number there
PADDING_WORD = "padding_word"  # widget: the word searched there
PADDING_SEED = "padding_seed"  # how often "another review" was pressed there (seeds the random pick)
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
LAB_RNN_TICKED = "lab_rnn_ticked"  # Play has shown the current word once (the next tick moves on)
LAB_RNN_TYPED = "lab_rnn_typed"  # widget: the review typed into the lab
LAB_RNN_NOT_FOUND = "lab_rnn_not_found"  # (label, right) when "find one it gets right / wrong" found none

# The "why did it say that?" page.
WHY_UNIT = "why_unit"  # widget: the hidden unit shown (also set by a click on the heat map)
WHY_TAB = "why_tab"  # widget: the open tab (stateful st.tabs: reruns stay on it, hidden tabs are skipped)

# Lesson mode (issue 15). "lesson" and "step" are query parameters too, so a link opens a lesson's step.
LESSON = "lesson"  # the lesson being followed (its file name without .toml)
LESSON_STEP = "step"  # its step, counted from 1
LESSON_SWITCH = "lesson_switch"  # the page a Next/Back click asked for, switched to on the next run
LESSON_GUESS = "lesson_guess_{lesson}_{step}"  # widget: the class's answer to a step's question
LESSON_REVEALED = "lesson_revealed"  # {(lesson, step)}: the questions whose answer was revealed
PRESENTER = "presenter"  # widget (and query parameter): projector-friendly display
BOARD_NAME = "board_name_{run_id}"  # widget: the nickname typed for one of this session's runs
