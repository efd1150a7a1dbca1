"""Tiny random Hugging Face encoders and their `transformers` outputs, for the
parity tests in `crates/sacx-model/tests/hf_bert.rs` and `hf_xlmr.rs` and
`crates/sacx-ig/tests/hf_captum.rs`:

- tiny-xlm-roberta: a full XLM-R model directory. RoBERTa's position ids
  (offset by `pad_token_id + 1`, 64 positions), a one-row token-type
  embedding, and a real Unigram tokenizer (`hf_tiny_tokenizer.py`: trained on a
  multilingual sample of `data/appstream.jsonl.gz`, XLM-R's specials, Metaspace,
  `<s> … </s>`) whose size is the model's vocab_size;
- tiny-distilbert: DistilBERT's layer names and configuration keys, no token
  types, no tokenizer (random ids).

Usage: hf_tiny_models.py [FIXTURES_DIR]

FIXTURES_DIR defaults to crates/sacx-model/tests/fixtures. Each model directory
gets `save_pretrained`'s config.json and model.safetensors, plus
reference.safetensors: input_ids and attention_mask [docs, len] int64 (right
padding), last_hidden_state [docs, len, hidden] float32 (eval mode). For
tiny-xlm-roberta the inputs are `AutoTokenizer`'s on `reference_texts()`
(held-out corpus documents in seven languages, Chinese and Japanese included,
cut to different lengths, padding=True, truncation=True, max_length=64), and
reference.safetensors also holds offsets [docs, len, 2] (characters) and
mean_pooled [docs, hidden] (mean over the attention mask), with the texts as
metadata (JSON); the directory also gets the tokenizer files and
tokenization.json (`hf_tiny_tokenizer.write_cases`).
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file
from transformers import AutoTokenizer, DistilBertConfig, DistilBertModel, XLMRobertaConfig, XLMRobertaModel

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import hf_tiny_tokenizer  # noqa: E402

XLMR_POSITIONS = 64
# (language, characters) of the reference batch: one long document (truncated
# at 64 tokens), the others of different lengths.
REFERENCE = [("en", 400), ("zh", 40), ("ja", 25), ("de", 80), ("fr", 12), ("pl", 55), ("ru", 30)]


def perturb(model):
    """Moves every weight away from its initialisation (unit layer norms, zero
    biases) so that each one matters for the outputs."""
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    model.eval()


def random_ids(model, pad, bos, eos, lens):
    width = max(lens)
    ids = torch.full((len(lens), width), pad, dtype=torch.int64)
    for d, n in enumerate(lens):
        body = torch.randint(3, model.config.vocab_size, (n - 2,))
        ids[d, :n] = torch.cat([torch.tensor([bos]), body, torch.tensor([eos])])
    return ids, (ids != pad).to(torch.int64)


def write(model, out, ids, mask, extra=None, metadata=None):
    os.makedirs(out, exist_ok=True)
    model.save_pretrained(out, safe_serialization=True)
    with torch.no_grad():
        hidden = model(input_ids=ids, attention_mask=mask).last_hidden_state
    tensors = {"input_ids": ids, "attention_mask": mask, "last_hidden_state": hidden.contiguous()}
    if extra is not None:
        tensors.update(extra(hidden))
    save_file(tensors, os.path.join(out, "reference.safetensors"), metadata=metadata)
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    print(f"wrote {out}: {sum(p.numel() for p in model.parameters())} parameters, {size} bytes")


def reference_texts(corpus):
    langs = [lang for lang, _ in REFERENCE]
    docs = hf_tiny_tokenizer.held_out(corpus, langs)
    return [d[:n] for d, (_, n) in zip(docs, REFERENCE)]


def xlm_roberta(out, corpus):
    tok = hf_tiny_tokenizer.train(corpus)
    os.makedirs(out, exist_ok=True)
    hf_tiny_tokenizer.save(tok, out, XLMR_POSITIONS)
    config = XLMRobertaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=32,
        max_position_embeddings=XLMR_POSITIONS + 2,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    model = XLMRobertaModel(config)
    perturb(model)
    texts = reference_texts(corpus)
    auto = AutoTokenizer.from_pretrained(out, local_files_only=True)
    enc = auto(
        texts,
        padding=True,
        truncation=True,
        max_length=XLMR_POSITIONS,
        return_tensors="pt",
        return_offsets_mapping=True,
    )
    mask = enc["attention_mask"].to(torch.int64)

    def extra(hidden):
        m = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return {"offsets": enc["offset_mapping"].to(torch.int64).contiguous(), "mean_pooled": pooled.contiguous()}

    meta = {"texts": json.dumps(texts, ensure_ascii=False)}
    write(model, out, enc["input_ids"].to(torch.int64).contiguous(), mask, extra, meta)
    hf_tiny_tokenizer.write_cases(out, corpus)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "crates", "sacx-model", "tests", "fixtures")
    root = sys.argv[1] if len(sys.argv) > 1 else default_out
    corpus = os.path.join(here, "..", "..", "data", "appstream.jsonl.gz")
    torch.manual_seed(0)
    xlm_roberta(os.path.join(root, "tiny-xlm-roberta"), corpus)
    torch.manual_seed(1)
    config = DistilBertConfig(
        vocab_size=64, dim=16, n_layers=2, n_heads=4, hidden_dim=32, max_position_embeddings=24, pad_token_id=0
    )
    model = DistilBertModel(config)
    perturb(model)
    ids, mask = random_ids(model, pad=0, bos=1, eos=2, lens=[8, 3, 6])
    write(model, os.path.join(root, "tiny-distilbert"), ids, mask)


if __name__ == "__main__":
    main()
