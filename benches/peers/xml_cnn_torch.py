"""Speed peer for sacx-model: the same xml-cnn (dynamic max pooling, bottleneck
with dropout), batch size, batches and thread count in a plain PyTorch training
loop (BCE-with-logits, clip_grad_norm_, torch.optim.AdamW).

Usage: .venv/bin/python benches/peers/xml_cnn_torch.py target/sacx-bench/xml_cnn_batches.json [passes]
(the file is written by `cargo bench --bench model`). Prints documents/s of
training passes (median of `passes`, default 10, after one warm-up pass).
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class XmlCnn(torch.nn.Module):
    def __init__(self, a, vocab, classes):
        super().__init__()
        self.widths, self.p, self.drop = a["filter_widths"], a["chunks"], a["dropout"]
        self.embedding = torch.nn.Embedding(vocab, a["embedding_dim"])
        self.convs = torch.nn.ModuleList(
            torch.nn.Conv1d(a["embedding_dim"], a["num_filters"], w) for w in self.widths)
        self.bottleneck = torch.nn.Linear(len(self.widths) * a["num_filters"] * self.p, a["hidden"])
        self.output = torch.nn.Linear(a["hidden"], classes)

    def forward(self, ids, mask):
        x = (self.embedding(ids) * mask.unsqueeze(-1)).transpose(1, 2)
        short = max(self.widths) - x.shape[2]
        if short > 0:
            x = F.pad(x, (0, short))
        lens = mask.sum(1).long()
        k = torch.arange(self.p).unsqueeze(0)
        feats = []
        for conv, w in zip(self.convs, self.widths):
            h = torch.relu(conv(x))  # [b, f, t]
            t = h.shape[2]
            n = (lens - w + 1).clamp(1, t).unsqueeze(1)
            start = torch.div(k * n, self.p, rounding_mode="floor")
            end = torch.div((k + 1) * n + self.p - 1, self.p, rounding_mode="floor")
            pos = torch.arange(t).view(1, 1, t)
            inside = (pos >= start.unsqueeze(2)) & (pos < end.unsqueeze(2))  # [b, p, t]
            pooled = (h.unsqueeze(2) * inside.unsqueeze(1).float()).amax(3)
            feats.append(pooled.flatten(1))
        z = torch.relu(self.bottleneck(torch.cat(feats, 1)))
        z = F.dropout(z, self.drop, self.training)
        return self.output(z)


def make_batch(docs, pad, classes):
    n = max(max(len(d["ids"]) for d in docs), 1)
    ids = torch.full((len(docs), n), pad, dtype=torch.long)
    mask = torch.zeros(len(docs), n)
    y = torch.zeros(len(docs), classes)
    for r, d in enumerate(docs):
        ids[r, : len(d["ids"])] = torch.tensor(d["ids"], dtype=torch.long)
        mask[r, : len(d["ids"])] = 1
        y[r, d["labels"]] = 1
    return ids, mask, y


def main():
    cfg = json.load(open(sys.argv[1]))
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    torch.set_num_threads(cfg["threads"])
    torch.manual_seed(1)
    model = XmlCnn(cfg["architecture"], cfg["vocab_size"], cfg["num_classes"])
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=0.01)
    docs = sum(len(b) for b in cfg["batches"])

    def one_pass():
        start = time.perf_counter()
        for batch in cfg["batches"]:
            ids, mask, y = make_batch(batch, cfg["pad_id"], cfg["num_classes"])
            loss = F.binary_cross_entropy_with_logits(model(ids, mask), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["clip_norm"])
            opt.step()
            opt.zero_grad()
        return time.perf_counter() - start

    one_pass()
    times = [one_pass() for _ in range(passes)]
    med = statistics.median(times)
    print(f"pytorch {torch.__version__}: {docs} docs/pass, {cfg['threads']} threads, "
          f"median {med:.3f}s/pass = {docs / med:.1f} docs/s (min {min(times):.3f}s, max {max(times):.3f}s)")


if __name__ == "__main__":
    main()
