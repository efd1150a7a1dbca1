"""Plain-PyTorch re-implementations of sacx's three classifiers, loaded from a
sacx checkpoint directory (`config.json` + `model.safetensors`, tensor names in
docs/checkpoints.md).

Shared by `xml_cnn_parity.py` (logits), `captum_ig.py` (Captum parity test) and
`benches/peers/captum_ig.py` (the speed peer). Every model takes a batch of token
ids `[B, n]` of one document length (no padding: Captum repeats one document
per step) and returns logits `[B, C]`; the embedding layer is `model.embedding`,
so Captum's `LayerIntegratedGradients(model, model.embedding)` attributes to the
same quantity as sacx (the output of `embed`).
"""
import json
import math

import torch
import torch.nn.functional as F
from safetensors.torch import load_file


class XmlCnn(torch.nn.Module):
    """xml-cnn: embedding -> Conv1d per width (zero-padded on the right to the
    widest filter) -> ReLU -> adaptive max pooling of the document's own
    `max(n - w + 1, 1)` positions into `chunks` -> concat (filter-major, then
    chunk) -> bottleneck + ReLU -> output."""

    def __init__(self, arch, vocab_size, num_classes):
        super().__init__()
        dim, filters = arch["embedding_dim"], arch["num_filters"]
        self.widths, self.chunks = arch["filter_widths"], arch["chunks"]
        self.embedding = torch.nn.Embedding(vocab_size, dim)
        self.convs = torch.nn.ModuleList(torch.nn.Conv1d(dim, filters, w) for w in self.widths)
        pooled = len(self.widths) * filters * self.chunks
        self.bottleneck = torch.nn.Linear(pooled, arch["hidden"])
        self.output = torch.nn.Linear(arch["hidden"], num_classes)

    def forward(self, ids):
        n_tok = ids.shape[1]
        x = self.embedding(ids).transpose(1, 2)  # [B, dim, n]
        width = max(n_tok, max(self.widths), 1)
        x = F.pad(x, (0, width - n_tok))
        feats = []
        for conv, w in zip(self.convs, self.widths):
            h = torch.relu(conv(x))[:, :, : max(n_tok - w + 1, 1)]
            feats.append(F.adaptive_max_pool1d(h, self.chunks).flatten(1))
        z = torch.relu(self.bottleneck(torch.cat(feats, 1)))
        return self.output(z)

    def forward_doc(self, ids):
        """Logits `[C]` of one document given as a list of ids."""
        return self.forward(torch.tensor([ids], dtype=torch.long))[0]


class EmbedPool(torch.nn.Module):
    """embed-pool: max over the token embeddings (zeros for an empty document),
    relu(hidden), output."""

    def __init__(self, arch, vocab_size, num_classes):
        super().__init__()
        dim = arch["embedding_dim"]
        self.embedding = torch.nn.Embedding(vocab_size, dim)
        self.hidden = torch.nn.Linear(dim, arch["hidden"])
        self.output = torch.nn.Linear(arch["hidden"], num_classes)

    def forward(self, ids):
        e = self.embedding(ids)
        pooled = e.amax(1) if ids.shape[1] > 0 else e.new_zeros(e.shape[0], e.shape[2])
        return self.output(torch.relu(self.hidden(pooled)))


class _Layer(torch.nn.Module):
    def __init__(self, d, ff):
        super().__init__()
        self.ln1 = torch.nn.LayerNorm(d, eps=1e-5)
        self.attn = torch.nn.Module()
        self.attn.in_proj = torch.nn.Linear(d, 3 * d)
        self.attn.out_proj = torch.nn.Linear(d, d)
        self.ln2 = torch.nn.LayerNorm(d, eps=1e-5)
        self.ff1 = torch.nn.Linear(d, ff)
        self.ff2 = torch.nn.Linear(ff, d)


class Transformer(torch.nn.Module):
    """sacx's pre-LN encoder: `x = emb + pos; x += attn(ln1 x);
    x += ff2(gelu(ff1(ln2 x))); final_ln; mean (or first-token) pooling; output`.
    Heads of width D / heads, exact GELU, layer-norm epsilon 1e-5, tokens beyond
    `max_positions` ignored. Without padding the key bias is zero."""

    def __init__(self, arch, vocab_size, num_classes):
        super().__init__()
        d = arch["embedding_dim"]
        self.heads, self.max_pos, self.pooling = arch["heads"], arch["max_positions"], arch["pooling"]
        self.embedding = torch.nn.Embedding(vocab_size, d)
        self.positions = torch.nn.Embedding(arch["max_positions"], d)
        self.layers = torch.nn.ModuleList(_Layer(d, arch["ff_dim"]) for _ in range(arch["layers"]))
        self.final_ln = torch.nn.LayerNorm(d, eps=1e-5)
        self.output = torch.nn.Linear(d, num_classes)

    def _attention(self, layer, x):
        b, n, d = x.shape
        h = self.heads
        hd = d // h
        qkv = layer.attn.in_proj(x).view(b, n, 3, h, hd).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hd), dim=-1)
        ctx = (attn @ v).transpose(1, 2).reshape(b, n, d)
        return layer.attn.out_proj(ctx)

    def forward(self, ids):
        e = self.embedding(ids)[:, : self.max_pos]
        n = e.shape[1]
        x = e + self.positions.weight[:n]
        for layer in self.layers:
            x = x + self._attention(layer, layer.ln1(x))
            x = x + layer.ff2(F.gelu(layer.ff1(layer.ln2(x))))
        x = self.final_ln(x)
        pooled = x[:, 0] if self.pooling == "first" else x.sum(1) / max(n, 1)
        return self.output(pooled)


KINDS = {"xml-cnn": XmlCnn, "embed-pool": EmbedPool, "transformer": Transformer}


def load(ckpt, dtype=torch.float32):
    """The checkpoint's model in evaluation mode, with its config."""
    with open(f"{ckpt}/config.json") as f:
        cfg = json.load(f)
    spec = cfg["model"]
    arch = spec["architecture"]
    model = KINDS[arch["kind"]](arch, spec["vocab_size"], spec["num_classes"])
    model.load_state_dict(load_file(f"{ckpt}/{cfg['weights']}"), strict=True)
    return model.to(dtype).eval(), cfg
