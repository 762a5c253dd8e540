"""The torch side of the encoder: the packaged transformers model itself.

Two uses: the ``torch`` embedding backend (`VOCPORTAL_EMBEDDING_BACKEND=torch`), and the
one-time ONNX export of the weights that the default backend then runs without torch
(`vocportal.embeddings.encoder_onnx.ensure_model`; a worker's warm-up normally makes it
first). The only module of the portal that imports torch or transformers (.importlinter
says so).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from vocportal.embeddings.encoder_onnx import INPUTS, write_atomically


def torch_encoder(model_dir: str, threads: int):
    """Token ids and attention mask in, token vectors out, with the transformers model."""
    import torch
    from transformers import AutoModel

    torch.set_num_threads(threads)
    model = AutoModel.from_pretrained(model_dir).eval()

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        ids_t, mask_t = torch.from_numpy(ids), torch.from_numpy(mask)
        with torch.inference_mode():
            out = model(
                input_ids=ids_t, attention_mask=mask_t, token_type_ids=torch.zeros_like(ids_t)
            )
        return out.last_hidden_state.numpy()

    return run


def export_float(model_dir: str, target: Path) -> None:
    """Trace the packaged transformers model to ONNX (token vectors out, no pooling)."""
    import torch
    from transformers import AutoModel, AutoTokenizer

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # Eager attention: the traced graph then always applies the padding mask.
    model = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    # Traced on a padded batch, so the mask path is the one recorded.
    sample = tokenizer(["a short one", "a somewhat longer example text"], padding=True)
    args = tuple(torch.tensor(sample[name]) for name in INPUTS)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}

    def write(name: str) -> None:
        # The TorchScript exporter needs no extra package (the dynamo one needs
        # onnxscript); its deprecation and tracer warnings are about this call only.
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHiddenState(model),
                args,
                name,
                input_names=list(INPUTS),
                output_names=["last_hidden_state"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )

    write_atomically(target, write)
