"""Speed peer for sacx-ig on a pretrained encoder: Captum's
LayerIntegratedGradients on `embeddings.word_embeddings` of all-MiniLM-L6-v2
(transformers, eval mode, float32) with sacx's seeded head over `[CLS]`, called
as the original pipeline called it -- one `attribute()` per (document, target)
pair, Gauss-Legendre, pad baseline with `[CLS]`/`[SEP]` kept,
`internal_batch_size` 10 or None -- on the documents of `benches/hf.rs`.

Usage:
  SACX_HF_MODE=ig cargo bench --bench hf      # writes target/sacx-bench/hf/
  .venv/bin/python benches/peers/hf_captum_ig.py [--ibs 10|none] [--reps 1] [--threads 2]
Prints pairs/s (median of reps; the clock runs around the attribute() calls
only) and the largest difference from sacx's attributions (`sacx_attr.json`),
relative to the pair's largest |attribution|.
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from captum.attr import LayerIntegratedGradients
from safetensors.torch import load_file
from transformers import AutoModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from hf_captum_ig import Classifier  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "sacx-bench", "hf"))
    ap.add_argument("--ibs", default="10")
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ibs = None if a.ibs == "none" else int(a.ibs)
    with open(os.path.join(a.dir, "ig_cases.json")) as f:
        cases = json.load(f)
    encoder = AutoModel.from_pretrained(cases["model_dir"], local_files_only=True, dtype=torch.float32)
    model = Classifier(encoder, load_file(cases["head"]), cases["pooling"]).eval()
    lig = LayerIntegratedGradients(model, model.encoder.embeddings.word_embeddings)
    inputs = []
    for doc in cases["docs"]:
        ids = torch.tensor([doc["ids"]], dtype=torch.long)
        inputs.append((ids, torch.tensor([doc["baseline"]], dtype=torch.long), torch.ones_like(ids), doc["targets"]))
    rates, attrs = [], []
    for _ in range(a.reps):
        attrs = []
        start = time.perf_counter()
        for ids, base, mask, targets in inputs:
            for c in targets:
                attr = lig.attribute(ids, baselines=base, additional_forward_args=(mask,), target=c,
                                     n_steps=cases["n_steps"], method=cases["method"],
                                     internal_batch_size=ibs)
                attrs.append(attr.sum(-1)[0].detach())
        rates.append(len(attrs) / (time.perf_counter() - start))
    worst = float("nan")
    sacx_path = os.path.join(a.dir, "sacx_attr.json")
    if os.path.exists(sacx_path):
        with open(sacx_path) as f:
            sacx = json.load(f)
        worst = 0.0
        for theirs, ours in zip(attrs, sacx):
            t = theirs[1:-1]  # sacx's words are the tokens between [CLS] and [SEP]
            o = torch.tensor(ours["attr"], dtype=t.dtype)
            worst = max(worst, float((o - t).abs().max() / t.abs().max()))
    print(f"captum MiniLM ibs={a.ibs} len={inputs[0][0].shape[1]} steps={cases['n_steps']} "
          f"pairs={len(attrs)} pairs/s median={statistics.median(rates):.3f} "
          f"all={[round(r, 3) for r in rates]} max_rel_diff_vs_sacx={worst:.2e}")


if __name__ == "__main__":
    main()
