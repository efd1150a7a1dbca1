"""Captum's LayerIntegratedGradients on sacx checkpoints, for the parity test
(`tests/captum_parity.rs`).

Usage: captum_ig.py CASES_JSON OUT_JSON

CASES_JSON: {"n_steps": 50, "method": "gausslegendre", "dtypes": ["float32", "float64"],
             "models": [{"name": "xml-cnn", "ckpt": DIR,
                         "docs": [{"ids": [...], "baseline": [...], "targets": [...]}]}]}.
Each (document, target) pair is one `attribute()` call on the model's embedding
layer (`sacx_torch.load`), as the original pipeline did; token attributions are
summed over the embedding dimension, not normalised.
OUT_JSON: {"<name>/<dtype>": [{"doc": i, "target": c, "attr": [...],
"delta": δ, "gap": F(e) - F(b)}, ...]} with pairs in case order.
"""
import json
import sys

import torch
from captum.attr import LayerIntegratedGradients

from sacx_torch import load


def attribute(model, docs, n_steps, method):
    lig = LayerIntegratedGradients(model, model.embedding)
    pairs = []
    for d, doc in enumerate(docs):
        ids = torch.tensor([doc["ids"]], dtype=torch.long)
        base = torch.tensor([doc["baseline"]], dtype=torch.long)
        with torch.no_grad():
            gap = model(ids)[0] - model(base)[0]
        for c in doc["targets"]:
            attr, delta = lig.attribute(
                ids,
                baselines=base,
                target=c,
                n_steps=n_steps,
                method=method,
                return_convergence_delta=True,
            )
            pairs.append({
                "doc": d,
                "target": c,
                "attr": attr.sum(-1)[0].tolist(),
                "delta": float(delta[0]),
                "gap": float(gap[c]),
            })
    return pairs


def main():
    cases_path, out_path = sys.argv[1:3]
    torch.set_num_threads(2)
    with open(cases_path) as f:
        cases = json.load(f)
    out = {}
    for m in cases["models"]:
        for name in cases.get("dtypes", ["float32"]):
            model, _ = load(m["ckpt"], getattr(torch, name))
            out[f"{m['name']}/{name}"] = attribute(model, m["docs"], cases["n_steps"], cases["method"])
    with open(out_path, "w") as f:
        json.dump(out, f)
    print(f"captum runs {len(out)}")


if __name__ == "__main__":
    main()
