"""Tiny random Hugging Face encoders and their `transformers` outputs, for the
parity tests in `crates/sacx-model/tests/hf_bert.rs`:

- tiny-xlm-roberta: RoBERTa's position ids (offset by `pad_token_id + 1`) and a
  one-row token-type embedding;
- tiny-distilbert: DistilBERT's layer names and configuration keys, no token types.

Usage: hf_tiny_models.py [FIXTURES_DIR]

FIXTURES_DIR defaults to crates/sacx-model/tests/fixtures. Each model directory
gets `save_pretrained`'s config.json and model.safetensors, plus
reference.safetensors: input_ids and attention_mask [docs, len] int64 (right
padding), last_hidden_state [docs, len, hidden] float32 (eval mode).
"""
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import DistilBertConfig, DistilBertModel, XLMRobertaConfig, XLMRobertaModel


def perturb(model):
    """Moves every weight away from its initialisation (unit layer norms, zero
    biases) so that each one matters for the outputs."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.eval()


def write(model, out, pad, bos, eos, lens):
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    width = max(lens)
    ids = torch.full((len(lens), width), pad, dtype=torch.int64)
    for d, n in enumerate(lens):
        body = torch.randint(3, model.config.vocab_size, (n - 2,))
        ids[d, :n] = torch.cat([torch.tensor([bos]), body, torch.tensor([eos])])
    mask = (ids != pad).to(torch.int64)
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    save_file(
        {"input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden.contiguous()},
        os.path.join(out, "reference.safetensors"),
    )
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"wrote {out}: {sum(p.numel() for p in model.parameters())} parameters, {size} bytes")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "crates", "sacx-model", "tests", "fixtures")
    root = sys.argv[1] if len(sys.argv) > 1 else default_out
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
    perturb(model)
    write(model, os.path.join(root, "tiny-xlm-roberta"), pad=1, bos=0, eos=2, lens=[9, 5, 3])
    torch.manual_seed(1)
    config = DistilBertConfig(
        vocab_size=64, dim=16, n_layers=2, n_heads=4, hidden_dim=32, max_position_embeddings=24, pad_token_id=0
    )
    model = DistilBertModel(config)
    perturb(model)
    write(model, os.path.join(root, "tiny-distilbert"), pad=0, bos=1, eos=2, lens=[8, 3, 6])


if __name__ == "__main__":
    main()
