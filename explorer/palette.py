"""The colours every figure shares, by meaning, so a positive review looks the same on every page.

Positive and negative are Okabe-Ito blue and orange, told apart with every common colour-vision
deficiency; a figure module names a colour by what it marks, never by its hex code.
"""

POSITIVE = "#0072B2"  # positive reviews, kept words, "good" directions (Okabe-Ito blue)
NEGATIVE = "#E69F00"  # negative reviews, one-hot costs, "bad" directions (Okabe-Ito orange)
INK = "#264653"  # marks drawn over data: maxlen, the machine's memory, neighbours (dark blue-green)
HIGHLIGHT = "#f4a261"  # the thing the student searched or picked (sand)
ACCENT = "#e9c46a"  # a second highlight: shaded regions, the current step (yellow)
MUTED = "#adb5bd"  # reference lines such as chance level (grey)
PAPER = "#f8f9fa"  # a plot's pale background
PAD = "#e9ecef"  # padding tokens

LABEL_COLOURS = {1: POSITIVE, 0: NEGATIVE}  # by IMDB label: 1 positive, 0 negative
