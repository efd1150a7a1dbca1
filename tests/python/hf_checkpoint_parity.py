"""A fine-tuned sacx `hf` checkpoint loads in `transformers`.

Usage: hf_checkpoint_parity.py CHECKPOINT_DIR CASES_JSON

`CHECKPOINT_DIR/encoder` is loaded with `transformers.AutoModel.from_pretrained`
(eval mode), the head `head.weight`, `head.bias` of `CHECKPOINT_DIR/model.safetensors`
is applied to the pooled last hidden state (pooling from sacx's `config.json`),
and the logits must equal sacx's (`CASES_JSON`: `ids`, `mask`, `logits`) within 1e-4.
"""
import json
import sys
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoModel

TOL = 1e-4


def main() -> None:
    ck, cases_path = Path(sys.argv[1]), Path(sys.argv[2])
    config = json.loads((ck / "config.json").read_text())
    arch = config["model"]["architecture"]
    assert arch["kind"] == "hf", arch
    head = load_file(str(ck / "model.safetensors"))
    assert sorted(head) == ["head.bias", "head.weight"], sorted(head)
    encoder = AutoModel.from_pretrained(str(ck / "encoder")).eval()
    cases = json.loads(cases_path.read_text())
    ids = torch.tensor(cases["ids"], dtype=torch.long)
    mask = torch.tensor(cases["mask"], dtype=torch.long)
    with torch.no_grad():
        hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
        if arch["pooling"] == "first":
            pooled = hidden[:, 0]
        else:
            m = mask.unsqueeze(-1).float()
            pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = pooled @ head["head.weight"].T + head["head.bias"]
    expected = torch.tensor(cases["logits"], dtype=torch.float32)
    worst = (logits - expected).abs().max().item()
    print(f"{type(encoder).__name__} documents {ids.shape[0]} max |logit diff| {worst:.3e}")
    sys.exit(0 if worst <= TOL else 1)


if __name__ == "__main__":
    main()
