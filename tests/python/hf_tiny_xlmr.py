"""A tiny random XLM-RoBERTa and its `transformers` outputs, for the parity test
`crates/sacx-model/tests/hf_bert.rs` (the RoBERTa position ids, offset by
`pad_token_id + 1`, and a one-row token-type embedding).

Usage: hf_tiny_xlmr.py [OUT_DIR]

OUT_DIR defaults to crates/sacx-model/tests/fixtures/tiny-xlm-roberta. Writes the
model with `save_pretrained` (config.json, model.safetensors) and
reference.safetensors: input_ids and attention_mask [docs, len] int64 (right
padding with pad id 1), last_hidden_state [docs, len, hidden] float32 (eval mode).
"""
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import XLMRobertaConfig, XLMRobertaModel


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "crates", "sacx-model", "tests", "fixtures", "tiny-xlm-roberta")
    out = sys.argv[1] if len(sys.argv) > 1 else default_out
    torch.manual_seed(0)
    config = XLMRobertaConfig(
        vocab_size=64,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=24,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    model = XLMRobertaModel(config)
    with torch.no_grad():
        # Move every weight away from its initialisation (unit layer norms, zero
        # biases) so that each one matters for the outputs.
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.eval()
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    lens = [9, 5, 3]
    width = max(lens)
    ids = torch.full((len(lens), width), config.pad_token_id, dtype=torch.int64)
    for d, n in enumerate(lens):
        body = torch.randint(3, config.vocab_size, (n - 2,))
        ids[d, :n] = torch.cat([torch.tensor([0]), body, torch.tensor([2])])
    mask = (ids != config.pad_token_id).to(torch.int64)
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    save_file(
        {"input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden.contiguous()},
        os.path.join(out, "reference.safetensors"),
    )
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"wrote {out}: {sum(p.numel() for p in model.parameters())} parameters, {size} bytes")


if __name__ == "__main__":
    main()
