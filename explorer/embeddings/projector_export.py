"""Export word vectors in the TensorFlow Embedding Projector's two-file TSV format.

``vectors.tsv`` has one vector per line, values separated by tabs, no header. ``metadata.tsv``
has one line per vector in the same order; with more than one column its first line is a header
(the Projector's rule). The Projector splits on tabs and newlines and knows no quoting, so those
characters (and the backslash that escapes them) are written as ``\\t``, ``\\n``, ``\\r`` and
``\\\\`` inside a field.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np

VECTOR_FORMAT = "%.6g"  # six significant digits: float32 precision, about half the bytes of repr
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class ExportError(ValueError):
    """Vectors and metadata that do not describe the same words."""


def escape_field(value: object) -> str:
    """``value`` as one TSV field the Projector reads back unchanged (tabs, newlines escaped)."""
    return str(value).translate(_ESCAPES)


def vectors_tsv(vectors: np.ndarray) -> bytes:
    """The content of ``vectors.tsv`` for a (words x dimensions) matrix."""
    matrix = np.asarray(vectors, dtype=np.float64)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ExportError(f"Vectors must be a non-empty 2-D matrix, not an array of shape {matrix.shape}.")
    buffer = io.BytesIO()
    np.savetxt(buffer, matrix, fmt=VECTOR_FORMAT, delimiter="\t")
    return buffer.getvalue()


def metadata_tsv(words: Sequence[str], columns: Mapping[str, Sequence[object]] | None = None) -> bytes:
    """The content of ``metadata.tsv``: a ``word`` column, then ``columns`` (e.g. polarity, frequency).

    With extra columns the first line is the header, as the Projector requires; a word list alone
    is written without one.
    """
    columns = dict(columns or {})
    for name, values in columns.items():
        if len(values) != len(words):
            raise ExportError(f"Column {name!r} has {len(values)} values for {len(words)} words.")
    table = {"word": words, **columns}
    lines = ["\t".join(escape_field(name) for name in table)] if columns else []
    lines += ["\t".join(escape_field(values[row]) for values in table.values()) for row in range(len(words))]
    return ("\n".join(lines) + "\n").encode("utf-8")
