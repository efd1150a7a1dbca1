"""Speed peer for `sacx predict`: the same xml-cnn (the module of
xml_cnn_torch.py, loaded with the checkpoint's own model.safetensors), on the
same documents (token ids written by `cargo bench --bench predict`), cut the
same way (chunks of chunk_docs in pool order, each sorted by length into
batches of batch_size), in plain PyTorch: inference_mode, sigmoid, the
per-document probabilities gathered in pool order. Tokenization and file
writing are not timed here (sacx's end-to-end figure includes both).

Usage: .venv/bin/python benches/peers/xml_cnn_predict_torch.py target/sacx-bench/predict/peer.json [passes]
Prints documents/s (median of `passes`, default 3, after one warm-up pass) and
the largest |difference| from sacx's probabilities (its Parquet output).
"""
import glob
import json
import os
import statistics
import sys
import time

import torch
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(__file__))
from xml_cnn_torch import XmlCnn  # noqa: E402


def batch(docs, pad):
    n = max(max(len(d) for d in docs), 1)
    ids = torch.full((len(docs), n), pad, dtype=torch.long)
    mask = torch.zeros(len(docs), n)
    for r, d in enumerate(docs):
        ids[r, : len(d)] = torch.tensor(d, dtype=torch.long)
        mask[r, : len(d)] = 1
    return ids, mask


def main():
    cfg = json.load(open(sys.argv[1]))
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    torch.set_num_threads(cfg["threads"])
    model = XmlCnn(cfg["architecture"], cfg["vocab_size"], cfg["num_classes"])
    model.load_state_dict(load_file(cfg["weights"]))
    model.eval()
    docs, bs, chunk = cfg["docs"], cfg["batch_size"], cfg["chunk_docs"]

    def one_pass():
        out = [None] * len(docs)
        start = time.perf_counter()
        with torch.inference_mode():
            for c in range(0, len(docs), chunk):
                order = sorted(range(c, min(c + chunk, len(docs))), key=lambda i: len(docs[i]))
                for b in range(0, len(order), bs):
                    idx = order[b : b + bs]
                    ids, mask = batch([docs[i] for i in idx], cfg["pad_id"])
                    probs = torch.sigmoid(model(ids, mask))
                    for row, i in zip(probs, idx):
                        out[i] = row
        return time.perf_counter() - start, out

    one_pass()
    runs = [one_pass() for _ in range(passes)]
    times = [t for t, _ in runs]
    med = statistics.median(times)
    print(f"pytorch {torch.__version__}: {len(docs)} docs, {cfg['threads']} threads, "
          f"median {med:.3f}s = {len(docs) / med:.1f} docs/s (min {min(times):.3f}s, max {max(times):.3f}s)")
    try:
        import pyarrow.parquet as pq
        parts = sorted(glob.glob(os.path.join(cfg["predictions"], "part-*.parquet")))
        ours = [p for part in parts for p in pq.read_table(part, columns=["prob"]).column("prob").to_pylist()]
        theirs = runs[0][1]
        diff = max(float((torch.tensor(a) - b).abs().max()) for a, b in zip(ours, theirs))
        print(f"max |prob difference| from sacx over {len(ours)} documents: {diff:.2e}")
    except ImportError:
        print("(pyarrow missing: no comparison with sacx's output)")


if __name__ == "__main__":
    main()
