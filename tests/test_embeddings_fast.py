"""The embedding backends: the ONNX export of the packaged weights, its cache, and its
vectors beside the float model's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from vocportal.embeddings import encoder
from vocportal.embeddings.reference import get_model

ROOT = Path(__file__).resolve().parent.parent

TEXTS = [
    "Single sign-on with Okta and SAML, please",
    "dark mode",
    "My card payment was declined twice at the supermarket and I don't know why.",
    "Ünïcödé: ça marche? 日本語もOK 🎉",
    "",
    "export " * 400,  # past the model's 256-token limit: truncated, as sentence-transformers does
]


def _run(code: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_an_unknown_backend_is_refused(monkeypatch):
    monkeypatch.setenv("VOCPORTAL_EMBEDDING_BACKEND", "fast-please")
    with pytest.raises(ValueError, match="VOCPORTAL_EMBEDDING_BACKEND"):
        encoder.embed(["x"])


@pytest.mark.slow
def test_fast_vectors_match_the_float_model():
    """The default (float ONNX) and torch, both length-sorted, agree with sentence-transformers'
    own encode; the opt-in int8 export stays close (it is not the default: its worst
    cosine on BANKING77 is just under 0.99)."""
    reference = get_model().encode(TEXTS, batch_size=32, normalize_embeddings=True)
    torch_vectors = encoder.embed(TEXTS, backend_name="torch")
    onnx_vectors = encoder.embed(TEXTS, backend_name="onnx")
    int8_vectors = encoder.embed(TEXTS, backend_name="onnx-int8")
    one_by_one = np.vstack([encoder.embed([t], backend_name="onnx-int8") for t in TEXTS])

    for vectors in (torch_vectors, onnx_vectors, int8_vectors):
        assert vectors.shape == (len(TEXTS), encoder.DIMENSIONS) and vectors.dtype == np.float32
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(torch_vectors * reference, axis=1)) > 0.99999
    assert np.min(np.sum(onnx_vectors * reference, axis=1)) > 0.99999
    assert np.mean(np.sum(int8_vectors * reference, axis=1)) >= 0.99
    assert np.min(np.sum(int8_vectors * reference, axis=1)) >= 0.975
    assert np.min(np.sum(one_by_one * reference, axis=1)) >= 0.975
    # Sorting by length must not mix up which vector belongs to which text.
    assert np.argmax(int8_vectors @ reference.T, axis=1).tolist() == list(range(len(TEXTS)))


@pytest.mark.slow
def test_export_is_made_once_and_reused_from_the_cache(tmp_path):
    """Two processes starting at once on an empty cache: one exports, both get whole files;
    a later start reuses them untouched, and embeds without importing torch."""
    env = {"VOCPORTAL_MODEL_CACHE": str(tmp_path), "VOCPORTAL_EMBEDDING_BACKEND": "onnx-int8"}
    code = """
        import sys
        from vocportal.embeddings.encoder import embed
        vector = embed(["where is my card?"])[0]
        print(round(float(vector @ vector), 4), "torch" in sys.modules)
    """
    first, second = _run(code, env), _run(code, env)
    outputs = [p.communicate(timeout=600) for p in (first, second)]
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
        assert out.split()[0] == "1.0"
    files = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".onnx")
    assert len(files) == 2 and files[0].endswith("-int8.onnx")  # float export and int8
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}

    third = _run(code, env)
    out, err = third.communicate(timeout=600)
    assert third.returncode == 0, err
    assert out.split() == ["1.0", "False"]  # the cached file is used: no torch import
    after = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in tmp_path.iterdir()}
    assert after == before


@pytest.mark.slow
def test_the_job_stores_the_backends_vectors(app, make_user):
    """embed_feedback stores one vector per item, the default backend's, for MODEL_NAME."""
    from sqlalchemy import select

    from tests.test_jobs import run_worker
    from vocportal.embeddings.models import Embedding
    from vocportal.extensions import db
    from vocportal.feedback import operations as feedback
    from vocportal.feedback.models import FeedbackItem, FeedbackSource

    texts = TEXTS[:4]
    feedback.create_feedback_bulk(
        [{"text": t, "email": f"c{i}@example.com"} for i, t in enumerate(texts)],
        FeedbackSource.csv,
    )
    db.session.commit()
    run_worker(app, "embeddings")
    db.session.expire_all()
    rows = db.session.execute(
        select(FeedbackItem.text, Embedding.vector, Embedding.model)
        .join(Embedding, (Embedding.item_id == FeedbackItem.id))
        .where(Embedding.item_type == "feedback")
        .order_by(FeedbackItem.id)
    ).all()
    assert [r.text for r in rows] == texts
    assert {r.model for r in rows} == {encoder.MODEL_NAME}
    stored = np.vstack([np.frombuffer(r.vector, dtype="<f4") for r in rows])
    fresh = encoder.embed(texts)
    assert np.min(np.sum(stored * fresh, axis=1)) > 0.999
    reference = encoder.embed(texts, backend_name="torch")
    assert np.min(np.sum(stored * reference, axis=1)) > 0.99999
