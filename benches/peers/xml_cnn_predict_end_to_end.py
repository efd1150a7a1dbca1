"""End-to-end peer for `sacx predict`: what a plain PyTorch user runs to
score a corpus with the same xml-cnn weights (the `XmlCnn` module of
xml_cnn_torch.py loading the checkpoint's model.safetensors): read the gzipped
JSON Lines, tokenize with Hugging Face `tokenizers` (a WordLevel model over
the checkpoint's own vocab.txt, lower-cased, split into words and
punctuation by the Whitespace pre-tokenizer, cut at the checkpoint's
max_len), score in the same chunks and length-sorted batches as sacx
(inference_mode, sigmoid), take the seed mean (one seed) and the labels above
the threshold, and write one Parquet file per chunk with pyarrow (id, lang,
prob, predicted). Timed from opening the corpus to the last file written,
after one untimed warm-up pass; model construction is not timed.

Word segmentation differs from sacx's (ICU4X with dictionaries for Chinese,
Japanese and Thai), so token ids, and probabilities, differ on some documents;
the work per document is the same kind.

Usage: .venv/bin/python benches/peers/xml_cnn_predict_end_to_end.py target/sacx-bench/predict/peer.json data/appstream.jsonl.gz [passes]
"""
import gzip
import json
import os
import statistics
import sys
import tempfile
import time

import pyarrow as pa
import pyarrow.parquet as pq
import torch
from safetensors.torch import load_file
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers

sys.path.insert(0, os.path.dirname(__file__))
from xml_cnn_torch import XmlCnn  # noqa: E402
from xml_cnn_predict_torch import batch  # noqa: E402


def tokenizer(tok_dir):
    cfg = json.load(open(os.path.join(tok_dir, "sacx-tokenizer.json")))
    vocab = {w: i for i, w in enumerate(open(os.path.join(tok_dir, "vocab.txt"), encoding="utf-8").read().split("\n")) if w}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.enable_truncation(cfg["max_len"])
    return tok


def main():
    cfg = json.load(open(sys.argv[1]))
    corpus = sys.argv[2]
    passes = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    torch.set_num_threads(cfg["threads"])
    model = XmlCnn(cfg["architecture"], cfg["vocab_size"], cfg["num_classes"])
    model.load_state_dict(load_file(cfg["weights"]))
    model.eval()
    labels = json.load(open(os.path.join(os.path.dirname(cfg["weights"]), "config.json")))["labels"]
    tok = tokenizer(os.path.join(os.path.dirname(cfg["weights"]), "tokenizer"))
    bs, chunk, threshold = cfg["batch_size"], cfg["chunk_docs"], 0.5

    def score_chunk(docs, out_dir, index):
        enc = tok.encode_batch([d["text"] for d in docs])
        ids = [e.ids for e in enc]
        probs = [None] * len(docs)
        order = sorted(range(len(docs)), key=lambda i: len(ids[i]))
        with torch.inference_mode():
            for b in range(0, len(order), bs):
                idx = order[b : b + bs]
                t, mask = batch([ids[i] for i in idx], cfg["pad_id"])
                for row, i in zip(torch.sigmoid(model(t, mask)).tolist(), idx):
                    probs[i] = row
        table = pa.table({
            "id": [d["id"] for d in docs],
            "lang": [d.get("lang", "") for d in docs],
            "prob": probs,
            "predicted": [[labels[k] for k, p in enumerate(row) if p >= threshold] for row in probs],
        })
        pq.write_table(table, os.path.join(out_dir, f"part-{index:05d}.parquet"))

    def one_pass():
        with tempfile.TemporaryDirectory() as out_dir:
            start = time.perf_counter()
            docs, index, n = [], 0, 0
            with gzip.open(corpus, "rt", encoding="utf-8") as f:
                for line in f:
                    d = json.loads(line)
                    if not d.get("text"):
                        continue
                    docs.append(d)
                    if len(docs) == chunk:
                        score_chunk(docs, out_dir, index)
                        n, docs, index = n + len(docs), [], index + 1
            if docs:
                score_chunk(docs, out_dir, index)
                n += len(docs)
            return time.perf_counter() - start, n

    one_pass()
    runs = [one_pass() for _ in range(passes)]
    times = [t for t, _ in runs]
    med, n = statistics.median(times), runs[0][1]
    print(f"pytorch {torch.__version__} end to end: {n} docs, {cfg['threads']} threads, "
          f"median {med:.3f}s = {n / med:.1f} docs/s (min {min(times):.3f}s, max {max(times):.3f}s)")


if __name__ == "__main__":
    main()
