"""Test-set evaluation of predicted probabilities: accuracy, loss, confusion matrix, ROC points.

Works on numpy arrays only (scikit-learn does the counting), so the app can evaluate a stored
run through ``explorer.training.inference`` without TensorFlow, and the worker can evaluate
its Keras model's predictions the same way.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

DECISION_THRESHOLD = 0.5  # a review is predicted positive when its probability is at least this
MAX_ROC_POINTS = 200  # enough for a smooth curve, small enough to store and plot


@dataclass(frozen=True)
class Evaluation:
    """How a model does on labelled reviews."""

    accuracy: float
    loss: float  # binary cross-entropy, as Keras reports it
    confusion: list[list[int]]  # [[true neg, false pos], [false neg, true pos]]
    roc_fpr: list[float]
    roc_tpr: list[float]
    roc_auc: float | None  # None when only one class is present
    count: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)


def evaluate_predictions(labels: np.ndarray, probabilities: np.ndarray) -> Evaluation:
    """Score ``probabilities`` (of the positive class) against 0/1 ``labels``."""
    from sklearn.metrics import confusion_matrix, log_loss, roc_auc_score, roc_curve  # ~0.5 s to import

    labels = np.asarray(labels).astype(np.int64).ravel()
    probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
    if len(labels) != len(probabilities) or len(labels) == 0:
        raise ValueError(
            f"need as many probabilities as labels (got {len(probabilities)} and {len(labels)}), at least one."
        )
    predicted = (probabilities >= DECISION_THRESHOLD).astype(np.int64)
    both_classes = len(np.unique(labels)) == 2
    fpr, tpr = (
        (roc_curve(labels, probabilities, drop_intermediate=True)[:2]) if both_classes else (np.array([]), np.array([]))
    )
    keep = _thin(len(fpr), MAX_ROC_POINTS)
    return Evaluation(
        accuracy=float(np.mean(predicted == labels)),
        loss=float(log_loss(labels, probabilities, labels=[0, 1])),
        confusion=confusion_matrix(labels, predicted, labels=[0, 1]).tolist(),
        roc_fpr=fpr[keep].tolist(),
        roc_tpr=tpr[keep].tolist(),
        roc_auc=float(roc_auc_score(labels, probabilities)) if both_classes else None,
        count=len(labels),
    )


def _thin(count: int, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spread indices of ``count`` points, first and last kept."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, limit).round().astype(np.int64))
