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
