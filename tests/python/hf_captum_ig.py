"""Captum's LayerIntegratedGradients on a Hugging Face encoder with sacx's head,
for the parity test `crates/sacx-ig/tests/hf_captum.rs`.

Usage: hf_captum_ig.py CASES_JSON OUT_JSON

CASES_JSON: {"model_dir": DIR, "head": HEAD_SAFETENSORS, "pooling": "mean" | "first",
             "n_steps": 32, "method": "gausslegendre",
             "docs": [{"ids": [...], "baseline": [...], "targets": [...]}]}.
The model is `AutoModel.from_pretrained(DIR)` (eval, float32), pooled over the
attention mask (or its first token), then `head.weight`, `head.bias` from
HEAD_SAFETENSORS (the head sacx initialised). Each (document, target) pair is one
`attribute()` call on `embeddings.word_embeddings`, as the original pipeline did;
token attributions are summed over the hidden dimension.
OUT_JSON: [{"doc": i, "target": c, "attr": [...], "gap": F(e) - F(b)}, ...].
"""
import json
import sys
import time

import torch
from captum.attr import LayerIntegratedGradients
from safetensors.torch import load_file
from transformers import AutoModel


class Classifier(torch.nn.Module):
    def __init__(self, encoder, head, pooling):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(head["head.weight"].shape[1], head["head.weight"].shape[0])
        with torch.no_grad():
            self.head.weight.copy_(head["head.weight"])
            self.head.bias.copy_(head["head.bias"])
        self.pooling = pooling

    def forward(self, ids, mask):
        hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        if self.pooling == "first":
            pooled = hidden[:, 0]
        else:
            m = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        return self.head(pooled)


def main():
    cases_path, out_path = sys.argv[1:3]
    torch.set_num_threads(2)
    with open(cases_path) as f:
        cases = json.load(f)
    encoder = AutoModel.from_pretrained(cases["model_dir"], local_files_only=True, dtype=torch.float32)
    model = Classifier(encoder, load_file(cases["head"]), cases["pooling"]).eval()
    lig = LayerIntegratedGradients(model, model.encoder.embeddings.word_embeddings)
    pairs = []
    start = time.perf_counter()
    for d, doc in enumerate(cases["docs"]):
        ids = torch.tensor([doc["ids"]], dtype=torch.long)
        base = torch.tensor([doc["baseline"]], dtype=torch.long)
        mask = torch.ones_like(ids)
        with torch.no_grad():
            gap = model(ids, mask)[0] - model(base, mask)[0]
        for c in doc["targets"]:
            attr = lig.attribute(
                ids,
                baselines=base,
                additional_forward_args=(mask,),
                target=c,
                n_steps=cases["n_steps"],
                method=cases["method"],
            )
            pairs.append({"doc": d, "target": c, "attr": attr.sum(-1)[0].tolist(), "gap": float(gap[c])})
    seconds = time.perf_counter() - start
    with open(out_path, "w") as f:
        json.dump(pairs, f)
    print(f"captum pairs {len(pairs)} in {seconds:.2f} s")


if __name__ == "__main__":
    main()
