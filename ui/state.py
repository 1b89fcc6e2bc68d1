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
TRAINING_SEEN_ACTIVE = "training_seen_active"  # runs the live panel saw active (their end reruns the whole page)
TRAINING_LISTED = "training_listed"  # the finished runs the page showed last time (a new one gets picked)
TRAINING_OVERLAY = "training_overlay"  # widget: the runs overlaid, set by the page when a run ends
TRAINING_INSPECT = "training_inspect"  # widget: the run whose results are shown, likewise
