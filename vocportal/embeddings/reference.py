"""sentence-transformers' own model of the packaged weights: the reference `embed()` is
measured against (tests/test_embeddings_fast.py, benchmarks/embed.py).

The portal itself never imports this module (.importlinter says so): `embed()` makes the
same vectors, to 1e-6, without sentence-transformers.
"""

from __future__ import annotations

import threading
from functools import cache

from vocportal.embeddings.encoder import model_dir

_lock = threading.Lock()


@cache
def _sentence_transformer():
    path = model_dir()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def get_model():
    """The sentence-transformers model, loaded once per process."""
    with _lock:
        return _sentence_transformer()
