"""The colours every figure shares, by meaning, so a positive review looks the same on every page,
and the one way a figure's text is enlarged for a projector (``larger_text``).

Positive and negative are Okabe-Ito blue and orange, told apart with every common colour-vision
deficiency; a figure module names a colour by what it marks, never by its hex code.
"""

from __future__ import annotations

import plotly.graph_objects as go

POSITIVE = "#0072B2"  # positive reviews, kept words, "good" directions (Okabe-Ito blue)
NEGATIVE = "#E69F00"  # negative reviews, one-hot costs, "bad" directions (Okabe-Ito orange)
INK = "#264653"  # marks drawn over data: maxlen, the machine's memory, neighbours (dark blue-green)
HIGHLIGHT = "#f4a261"  # the thing the student searched or picked (sand)
ACCENT = "#e9c46a"  # a second highlight: shaded regions, the current step (yellow)
MUTED = "#adb5bd"  # reference lines such as chance level (grey)
PAPER = "#f8f9fa"  # a plot's pale background
PAD = "#e9ecef"  # padding tokens

LABEL_COLOURS = {1: POSITIVE, 0: NEGATIVE}  # by IMDB label: 1 positive, 0 negative

# The text sizes (px) of a figure that sets none, as the app draws it: Streamlit's chart theme
# gives them in its template, which explicit sizes in the figure's own layout override.
BODY_TEXT = 12  # tick labels, legends, hover labels, and the figure's font (annotations, text on marks)
AXIS_TITLE = 14  # axis and colour-bar titles
CHART_TITLE = 16  # the figure's title


def larger_text(figure: go.Figure, scale: float) -> go.Figure:
    """A copy of ``figure`` with every piece of its text ``scale`` times its size, ``figure`` untouched.

    Every size is set explicitly, since the chart theme's template would otherwise keep its own:
    the chart title, axis tick labels and titles (with ``automargin``, so the larger labels push the
    plot inward rather than off the edge), legend, hover labels, annotations (subplot titles
    among them), colour bars, and the text a trace draws on its marks. A size the figure leaves
    unset is scaled from what it is drawn at: the theme's, or the figure's font for text that
    inherits it.
    """
    larger = go.Figure(figure)
    layout = larger.layout
    font = layout.font.size or BODY_TEXT  # what annotations, colour bars and text on marks inherit

    def enlarged(size: float | None, drawn_at: float) -> float:
        return (size or drawn_at) * scale

    layout.font.size = enlarged(layout.font.size, BODY_TEXT)
    layout.title.font.size = enlarged(layout.title.font.size, CHART_TITLE)
    for part in (layout.legend, layout.legend.title, layout.hoverlabel):
        part.font.size = enlarged(part.font.size, BODY_TEXT)
    for axis in (*larger.select_xaxes(), *larger.select_yaxes()):
        axis.automargin = True
        axis.tickfont.size = enlarged(axis.tickfont.size, BODY_TEXT)
        axis.title.font.size = enlarged(axis.title.font.size, AXIS_TITLE)
    for annotation in layout.annotations:
        annotation.font.size = enlarged(annotation.font.size, font)
    for trace in larger.data:
        if "textfont" in trace:
            trace.textfont.size = enlarged(trace.textfont.size, font)
        # A heatmap carries its colour bar itself (drawn unless showscale is off); a marker's counts
        # only where the figure sets it up, since plotly draws a marker's colour bar once it has one.
        bars = [trace.colorbar] if "colorbar" in trace else []
        if "marker" in trace and "colorbar" in trace.marker and trace.marker.colorbar.to_plotly_json():
            bars.append(trace.marker.colorbar)
        for bar in bars:
            bar.tickfont.size = enlarged(bar.tickfont.size, font)
            bar.title.font.size = enlarged(bar.title.font.size, AXIS_TITLE)
    return larger
