"""Speed peer for fine-tuning in sacx-model: all-MiniLM-L6-v2 (transformers,
float32) with a 35-class linear head over `[CLS]`, the same batches as
`benches/hf.rs` (`SACX_HF_MODE=train`, written to
target/sacx-bench/hf/train_batches.json), in a plain PyTorch loop: train mode
(dropout), BCE-with-logits, backward, clip_grad_norm_, torch.optim.AdamW at a
constant learning rate -- what sacx's `fit_batches` does.

Usage: .venv/bin/python benches/peers/hf_finetune_torch.py [BATCHES_JSON] [passes]
Prints documents/s of training passes (median of `passes`, default 3, after
one warm-up pass).
"""
import json
import os
import statistics
import sys
import time

import torch
from transformers import AutoModel

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Classifier(torch.nn.Module):
    def __init__(self, encoder, classes):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Linear(encoder.config.hidden_size, classes)

    def forward(self, ids, mask):
        return self.head(self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state[:, 0])


def tensors(batch, classes):
    width = max(len(d["ids"]) for d in batch)
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, d in enumerate(batch):
        ids[i, : len(d["ids"])] = torch.tensor(d["ids"])
        mask[i, : len(d["ids"])] = 1
    y = torch.zeros((len(batch), classes))
    for i, d in enumerate(batch):
        y[i, d["labels"]] = 1.0  # class indices, as sacx's examples hold them
    return ids, mask, y


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target/sacx-bench/hf/train_batches.json")
    passes = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path) as f:
        spec = json.load(f)
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(1)
    encoder = AutoModel.from_pretrained(spec["model_dir"], local_files_only=True, dtype=torch.float32)
    model = Classifier(encoder, spec["num_classes"]).train()
    opt = torch.optim.AdamW(model.parameters(), lr=spec["lr"], weight_decay=spec["weight_decay"])
    batches = [tensors(b, spec["num_classes"]) for b in spec["batches"]]
    docs = sum(len(b[0]) for b in batches)

    def one_pass():
        for ids, mask, y in batches:
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(ids, mask), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), spec["clip_norm"])
            opt.step()

    one_pass()
    rates = []
    for _ in range(passes):
        start = time.perf_counter()
        one_pass()
        rates.append(docs / (time.perf_counter() - start))
    print(f"torch MiniLM train docs={docs} batch={len(spec['batches'][0])} threads={spec['threads']} "
          f"docs/s median={statistics.median(rates):.2f} all={[round(r, 2) for r in rates]}")


if __name__ == "__main__":
    main()
