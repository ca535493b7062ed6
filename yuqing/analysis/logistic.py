"""Weighted, L2-regularised logistic regression on hashed features, fitted with the numpy L-BFGS."""

from __future__ import annotations

import numpy as np

from yuqing.analysis.features import FeatureBatch
from yuqing.analysis.lbfgs import minimise


def margins(batch: FeatureBatch, weights: np.ndarray, bias: float) -> np.ndarray:
    """Linear score ``w·x + b`` of every document in the batch."""
    contrib = weights[batch.index].astype(np.float64) * batch.value
    return np.bincount(batch.doc, weights=contrib, minlength=batch.n_docs) + bias


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Numerically stable logistic function."""
    out = np.empty_like(z, dtype=np.float64)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def fit(
    batch: FeatureBatch,
    labels: np.ndarray,
    sample_weight: np.ndarray | None,
    dim: int,
    c: float = 1.0,
    max_iter: int = 300,
    start: tuple[np.ndarray, float] | None = None,
) -> tuple[np.ndarray, float]:
    """Minimise ``C·Σ sᵢ·loss(yᵢ, w·xᵢ + b) + ½‖w‖²`` (scikit-learn's convention); returns (w, b)."""
    y = labels.astype(np.float64)
    s = np.ones_like(y) if sample_weight is None else sample_weight.astype(np.float64)
    total = float(s.sum())
    # Divide the whole objective by C·Σs so that its scale does not depend on the corpus size.
    lam = 1.0 / (c * total)
    doc, index, value, n_docs = batch.doc, batch.index, batch.value.astype(np.float64), batch.n_docs

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = theta[:dim], theta[dim]
        z = np.bincount(doc, weights=w[index] * value, minlength=n_docs) + b
        # log(1 + e^z) - y·z, computed stably.
        loss = np.logaddexp(0.0, z) - y * z
        p = sigmoid(z)
        r = s * (p - y) / total
        grad = np.empty_like(theta)
        grad[:dim] = np.bincount(index, weights=r[doc] * value, minlength=dim) + lam * w
        grad[dim] = r.sum()
        return float((s * loss).sum() / total + 0.5 * lam * float(w @ w)), grad

    x0 = np.zeros(dim + 1)
    if start is not None:  # warm start from an existing model: same optimum, far fewer iterations
        x0[:dim] = start[0]
        x0[dim] = start[1]
    result = minimise(objective, x0, max_iter=max_iter)
    return result.x[:dim], float(result.x[dim])


def log_count_ratios(
    batch: FeatureBatch, labels: np.ndarray, sample_weight: np.ndarray | None, dim: int, alpha: float = 1.0
) -> np.ndarray:
    """NB-SVM's log-count ratios ``r = log((p/‖p‖₁) / (q/‖q‖₁))`` of feature presence in class 1 vs class 0.

    ``p``/``q`` are the (sample-weighted) numbers of class-1/class-0 documents containing each feature, plus
    ``alpha``. Scaling every feature by its ratio before fitting the logistic regression (Wang & Manning 2012)
    lets rare but telling n-grams count for more; the fitted weights times ``r`` are again one linear model.
    """
    y = labels.astype(np.float64)
    s = np.ones_like(y) if sample_weight is None else sample_weight.astype(np.float64)
    # Presence, not counts: each (document, feature) pair once.
    pair = np.unique(batch.doc * np.int64(dim) + batch.index)
    doc, index = pair // dim, pair % dim
    p = np.bincount(index, weights=s[doc] * y[doc], minlength=dim) + alpha
    q = np.bincount(index, weights=s[doc] * (1.0 - y[doc]), minlength=dim) + alpha
    return np.log(p / p.sum()) - np.log(q / q.sum())


def fit_liblinear(
    batch: FeatureBatch, labels: np.ndarray, sample_weight: np.ndarray | None, dim: int, c: float = 1.0
) -> tuple[np.ndarray, float]:
    """The same objective solved to convergence by liblinear (needs the ``train`` extra, scikit-learn).

    Used to rebuild the shipped models: far faster than the numpy L-BFGS on the full corpus.
    """
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    x = sparse.csr_matrix((batch.value.astype(np.float64), (batch.doc, batch.index)), shape=(batch.n_docs, dim))
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000)
    model.fit(x, labels, sample_weight=sample_weight)
    return model.coef_.ravel().astype(np.float64), float(model.intercept_[0])
