"""Rebuild a sacx xml-cnn checkpoint in plain PyTorch and compare logits.

Usage: xml_cnn_parity.py CHECKPOINT_DIR CASES_JSON

CASES_JSON: {"docs": [[token ids], ...], "logits": [[sacx logits], ...]}.
Every document is run alone, at its own length, following docs/checkpoints.md:
embedding -> Conv1d per width (zero-padded to the widest filter) -> ReLU ->
adaptive max pooling of the document's own max(len - w + 1, 1) positions into
p chunks -> concat (filter-major, then chunk) -> bottleneck + ReLU -> output.
Exits 1 when any logit differs by more than 1e-5.
"""
import json
import sys

import torch
from safetensors.torch import load_file

from sacx_torch import XmlCnn


def main():
    ckpt, cases_path = sys.argv[1], sys.argv[2]
    with open(f"{ckpt}/config.json") as f:
        cfg = json.load(f)
    spec = cfg["model"]
    arch = spec["architecture"]
    assert arch["kind"] == "xml-cnn", arch["kind"]
    model = XmlCnn(arch, spec["vocab_size"], spec["num_classes"])
    state = load_file(f"{ckpt}/{cfg['weights']}")
    model.load_state_dict(state, strict=True)
    model.eval()
    with open(cases_path) as f:
        cases = json.load(f)
    worst = 0.0
    with torch.no_grad():
        for ids, expected in zip(cases["docs"], cases["logits"]):
            got = model.forward_doc(ids)
            worst = max(worst, (got - torch.tensor(expected)).abs().max().item())
    print(f"documents {len(cases['docs'])} max |torch - sacx| = {worst:.3g}")
    sys.exit(0 if worst <= 1e-5 else 1)


if __name__ == "__main__":
    main()
