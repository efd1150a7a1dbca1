#!/bin/bash
# Issue 15's speed and memory bars, one after the other on a quiet machine:
# MiniLM IG (sacx, then Captum with internal_batch_size 10 and None), IG peak
# memory at several --max-batch-tokens budgets, fine-tuning docs/s (sacx, then a
# plain PyTorch loop). Figures in docs/benchmarks.md. Run from the repository root.
set -euo pipefail
cargo bench --bench hf --no-run
B=$(ls -t target/release/deps/hf-* | grep -v '\.d$' | head -1)
P=.venv/bin/python
uptime
SACX_HF_MODE=ig SACX_HF_DOCS=8 SACX_HF_REPS=3 $B
$P benches/peers/hf_captum_ig.py --ibs 10 --reps 2
$P benches/peers/hf_captum_ig.py --ibs none --reps 2
for budget in 512 1280 65536; do
  SACX_HF_MODE=memory SACX_HF_DOCS=8 SACX_HF_BATCH_TOKENS=$budget /usr/bin/time -f "peak RSS %M KiB" $B
done
SACX_HF_MODE=memory SACX_HF_DOCS=32 SACX_HF_BATCH_TOKENS=65536 /usr/bin/time -f "peak RSS %M KiB" $B
SACX_HF_MODE=train SACX_HF_DOCS=128 SACX_HF_REPS=2 $B
$P benches/peers/hf_finetune_torch.py target/sacx-bench/hf/train_batches.json 2
uptime
