"""Binary text classifier (hashed character n-grams + logistic regression) stored as a compact .npz file."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from yuqing.analysis.features import featurise
from yuqing.analysis.logistic import margins, sigmoid

MODELS_DIR = Path(__file__).resolve().parent / "models"
SENTIMENT_MODEL_FILE = MODELS_DIR / "negativity.npz"
OFFENSIVE_MODEL_FILE = MODELS_DIR / "offensive.npz"
FORMAT_VERSION = 1


class ModelFileError(ValueError):
    """The model file is missing, unreadable or of an unknown format."""


@dataclass
class Classifier:
    """Scores texts with P(positive class), e.g. P(negative sentiment) or P(offensive)."""

    weights: np.ndarray  # float32, length 2**bits
    bias: float
    bits: int
    ngram_max: int = 3
    meta: dict = field(default_factory=dict)

    def predict_proba(self, texts: Sequence[str], *, already_normalised: bool = False) -> np.ndarray:
        """Probabilities (float64 in 0..1) for a batch of raw (or `normalise`d) texts, in one vectorised pass."""
        if len(texts) == 0:
            return np.zeros(0)
        batch = featurise(texts, self.bits, self.ngram_max, already_normalised=already_normalised)
        return sigmoid(margins(batch, self.weights, self.bias))

    def score(self, text: str) -> float:
        """Probability for a single text."""
        return float(self.predict_proba([text])[0])

    def save(self, path: str | Path) -> Path:
        """Write the model as a compressed .npz (weights in float16, which is ample for a linear model)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as handle:
            np.savez_compressed(
                handle,
                weights=self.weights.astype(np.float16),
                bias=np.array([self.bias], dtype=np.float64),
                config=np.array([FORMAT_VERSION, self.bits, self.ngram_max], dtype=np.int64),
                meta=np.array(json.dumps(self.meta, ensure_ascii=False)),
            )
        return path

    @classmethod
    def load(cls, path: str | Path) -> Classifier:
        """Read a model written by :meth:`save`; never touches the network."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                version, bits, ngram_max = (int(v) for v in data["config"])
                if version != FORMAT_VERSION:
                    raise ModelFileError(f"{path}: unsupported model format version {version}")
                weights = data["weights"].astype(np.float32)
                bias = float(data["bias"][0])
                meta = json.loads(str(data["meta"]))
        except (OSError, KeyError, ValueError) as exc:
            if isinstance(exc, ModelFileError):
                raise
            raise ModelFileError(f"{path}: cannot read model ({exc})") from exc
        if weights.shape != (2**bits,):
            raise ModelFileError(f"{path}: weight vector has shape {weights.shape}, expected {(2**bits,)}")
        return cls(weights=weights, bias=bias, bits=bits, ngram_max=ngram_max, meta=meta)


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime_ns: int) -> Classifier:
    # The modification time is part of the key so that a retrained file replaces the cached model.
    return Classifier.load(path)


def _load_file(path: Path) -> Classifier:
    try:
        mtime_ns = path.stat().st_mtime_ns
    except OSError as exc:
        raise ModelFileError(f"{path}: model file not found") from exc
    return _load_cached(str(path), mtime_ns)


def load_default_classifier() -> Classifier:
    """The shipped negativity model, loaded once per process."""
    return _load_file(SENTIMENT_MODEL_FILE)


def load_offensive_classifier() -> Classifier:
    """The shipped offensive-language model, loaded once per process."""
    return _load_file(OFFENSIVE_MODEL_FILE)


def load_classifier(path: str | Path | None = None) -> Classifier:
    """A negativity model from ``path`` (e.g. an organisation's retrained model), else the shipped one."""
    if path is None:
        return load_default_classifier()
    return _load_file(Path(path).resolve())
