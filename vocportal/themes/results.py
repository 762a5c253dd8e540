"""What a theme fit returns, and the corpus size below which there is nothing to fit.

Pure code (numpy only): web processes may import it; the fit itself
(:mod:`vocportal.themes.pipeline`) runs in workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Below this many texts clustering means nothing: `fit_topics` raises TooFewItems.
MIN_ITEMS = 30


class TooFewItems(ValueError):
    """Raised when the corpus is too small for clustering to mean anything."""


@dataclass
class Topic:
    key: int  # this fit's topic number (0..n-1); NOT stable between fits
    label: str  # the theme's name, a short noun phrase, e.g. "Card delivery tracking"
    top_words: list[str]  # c-TF-IDF keywords, 10 or so: secondary detail
    size: int  # number of documents assigned
    representative: list[int]  # indices (into the input) of 3-5 representative documents
    centroid: np.ndarray = field(repr=False)  # float32 (384,), L2-normalised mean embedding
    #: The previous theme (a key of ``fit_topics(previous=...)``) more than half of whose
    #: items are in this topic: the theme it continues. None for a new need.
    previous: int | None = None


@dataclass
class FitResult:
    assignments: np.ndarray  # int per input document: topic key, or -1 for outlier/unsorted
    topics: list[Topic]
    outlier_share: float
    seconds: float
    params: dict = field(default_factory=dict)  # what this fit chose and measured
    #: Indices of the items the model was fitted on (all of them below the threshold);
    #: the others were placed by nearest centroid.
    fitted: np.ndarray | None = field(default=None, repr=False)
