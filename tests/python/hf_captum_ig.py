"""Captum's LayerIntegratedGradients on a Hugging Face encoder with sacx's head,
for the parity tests `crates/sacx-ig/tests/hf_captum.rs`: MiniLM, and the tiny
XLM-R fixture `crates/sacx-model/tests/fixtures/tiny-xlm-roberta` (committed
weights, written by `hf_tiny_models.py`).

Usage: hf_captum_ig.py CASES_JSON OUT_JSON

CASES_JSON: {"model_dir": DIR, "head": HEAD_SAFETENSORS, "pooling": "mean" | "first",
             "n_steps": 32, "method": "gausslegendre",
             "docs": [{"ids": [...], "baseline": [...], "targets": [...]}]}.
The model is `AutoModel.from_pretrained(DIR)` (eval, float32), pooled over the
attention mask (or its first token), then `head.weight`, `head.bias` from
HEAD_SAFETENSORS (the head sacx initialised). The baseline ids are the
test's: the input at special tokens (and tokens without a word), the padding
elsewhere. Each (document, target) pair is one
`attribute()` call on `embeddings.word_embeddings`, as the original pipeline did;
token attributions are summed over the hidden dimension.
OUT_JSON: [{"doc": i, "target": c, "attr": [...], "gap": F(e) - F(b)}, ...], where
F(b) has the baseline's word embeddings in place of the input's and the input's
position ids (`with_word_embeddings`; calling the model on the baseline ids
would give RoBERTa and XLM-R other position ids where the baseline is `<pad>`).
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


def with_word_embeddings(model, ids, mask, emb_ids):
    """The logits of `ids` with the word embeddings of `emb_ids` in their place,
    as along LayerIntegratedGradients' path: everything else (RoBERTa's and
    XLM-R's position ids, computed from the ids) stays the input's."""
    layer = model.encoder.embeddings.word_embeddings
    with torch.no_grad():
        replacement = layer(emb_ids)
        hook = layer.register_forward_hook(lambda module, args, output: replacement)
        try:
            return model(ids, mask)
        finally:
            hook.remove()


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
        gap = model(ids, mask)[0] - with_word_embeddings(model, ids, mask, base)[0]
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
