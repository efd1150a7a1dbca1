"""Why sacx predicts with another pooling than it trains with: xml-cnn's
dynamic max pooling, as sacx computes it with a gradient (per chunk: masked
argmax, then gather, so the backward pass scatters into the winners only)
against the one-pass form sacx uses without a gradient (the maximum of
h × window over all chunks, which the PyTorch peer uses too). Both run inside
the peer's `XmlCnn` module on the bench's token ids and batches.

Usage: .venv/bin/python benches/peers/xml_cnn_pooling.py target/sacx-bench/predict/peer.json
Prints seconds per pass over the 9,493 documents (median of 3) for each form
and the largest difference between their probabilities.
"""
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(__file__))
from xml_cnn_torch import XmlCnn  # noqa: E402
from xml_cnn_predict_torch import batch  # noqa: E402


def windows(lens, w, p, t):
    n = (lens - (w - 1)).clamp(1, t).unsqueeze(1)
    k = torch.arange(p).unsqueeze(0)
    start = torch.div(k * n, p, rounding_mode="floor")
    end = torch.div((k + 1) * n + p - 1, p, rounding_mode="floor")
    return start, end


def argmax_pool(h, lens, w, p):
    b, f, t = h.shape
    start, end = windows(lens, w, p, t)
    pos = torch.arange(t).view(1, t)
    out = []
    for j in range(p):
        outside = ((pos < start[:, j : j + 1]) | (pos >= end[:, j : j + 1])).unsqueeze(1)
        idx = h.detach().masked_fill(outside, -1.0).argmax(-1, keepdim=True)
        out.append(h.gather(-1, idx))
    return torch.cat(out, 2).view(b, f * p)


def one_pass_pool(h, lens, w, p):
    b, f, t = h.shape
    start, end = windows(lens, w, p, t)
    pos = torch.arange(t).view(1, 1, t)
    inside = (pos >= start.unsqueeze(2)) & (pos < end.unsqueeze(2))
    return (h.unsqueeze(2) * inside.unsqueeze(1).float()).amax(3).view(b, f * p)


def main():
    cfg = json.load(open(sys.argv[1]))
    torch.set_num_threads(cfg["threads"])
    m = XmlCnn(cfg["architecture"], cfg["vocab_size"], cfg["num_classes"])
    m.load_state_dict(load_file(cfg["weights"]))
    m.eval()
    docs, bs = cfg["docs"], cfg["batch_size"]
    order = sorted(range(len(docs)), key=lambda i: len(docs[i]))
    batches = [batch([docs[i] for i in order[b : b + bs]], cfg["pad_id"]) for b in range(0, len(order), bs)]

    def forward(ids, mask, pool):
        x = (m.embedding(ids) * mask.unsqueeze(-1)).transpose(1, 2)
        short = max(m.widths) - x.shape[2]
        if short > 0:
            x = F.pad(x, (0, short))
        lens = (mask > 0).sum(1)
        feats = [pool(torch.relu(conv(x)), lens, w, m.p) for conv, w in zip(m.convs, m.widths)]
        return torch.sigmoid(m.output(torch.relu(m.bottleneck(torch.cat(feats, 1)))))

    results = {}
    for name, pool in [("argmax + gather (sacx with a gradient)", argmax_pool), ("one pass (sacx without a gradient, the peer)", one_pass_pool)]:
        with torch.no_grad():
            probs = torch.cat([forward(i, k, pool) for i, k in batches])
            times = []
            for _ in range(3):
                t = time.perf_counter()
                for i, k in batches:
                    forward(i, k, pool)
                times.append(time.perf_counter() - t)
        results[name] = probs
        print(f"{name}: median {statistics.median(times):.3f}s per pass", flush=True)
    a, b = results.values()
    print(f"max |difference|: {float((a - b).abs().max()):.2e}")


if __name__ == "__main__":
    main()
