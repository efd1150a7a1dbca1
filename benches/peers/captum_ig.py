"""Speed peer for sacx-ig: Captum's LayerIntegratedGradients called as the
original pipeline called it -- one `attribute()` per (document, target) pair on
the embedding layer, 50 Gauss-Legendre steps, pad baseline, `internal_batch_size`
10 (or None) -- on the same weights and documents as `benches/ig.rs`.

Usage:
  SACX_IG_MODE=write cargo bench --bench ig          # writes target/sacx-bench/ig/
  .venv/bin/python benches/peers/captum_ig.py MODEL [--docs N] [--ibs 10|none]
        [--steps 50] [--reps 1] [--compare [--f64]]
MODEL is xml-cnn or transformer. Prints pairs/s (median of reps; the clock runs
around the attribute() calls only) and the max relative completeness gap
|delta| / |F(e) - F(b)| (outside the clock; F evaluated in float64). --compare also checks the
attributions against sacx's (`sacx_attr.json`): max |a_sacx - a_captum| over a
pair's tokens relative to the pair's max |a_captum|, and the completeness gap of
sacx's attributions (50 steps and tolerance mode, `sacx_attr_tol.json`) on the
same float64 yardstick.
The PyTorch models are the ones of the parity tests (tests/python/sacx_torch.py).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
from captum.attr import LayerIntegratedGradients

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "python"))
from sacx_torch import load  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--dir", default=os.path.join(ROOT, "target", "sacx-bench", "ig"))
    ap.add_argument("--docs", type=int, default=8)
    ap.add_argument("--ibs", default="10")
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--reps", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--compare", action="store_true")
    ap.add_argument("--f64", action="store_true",
                    help="with --compare: also run Captum in float64 (outside the clock) and "
                         "report sacx's and Captum-float32's distance to it")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    ibs = None if a.ibs == "none" else int(a.ibs)
    d = os.path.join(a.dir, a.model)
    model, _ = load(os.path.join(d, "ckpt"))
    with open(os.path.join(d, "docs.json")) as f:
        docs = json.load(f)["docs"][: a.docs]
    lig = LayerIntegratedGradients(model, model.embedding)
    tensors = [(torch.tensor([x["ids"]]), torch.tensor([x["baseline"]]), x["targets"]) for x in docs]

    def run():
        out = []
        for ids, base, targets in tensors:
            for c in targets:
                out.append(lig.attribute(ids, baselines=base, target=c, n_steps=a.steps,
                                         method="gausslegendre", internal_batch_size=ibs))
        return out

    run_one = tensors[0]  # warm-up
    lig.attribute(run_one[0], baselines=run_one[1], target=run_one[2][0], n_steps=a.steps,
                  method="gausslegendre", internal_batch_size=ibs)
    rates, attrs = [], None
    for _ in range(a.reps):
        t = time.perf_counter()
        attrs = run()
        rates.append(len(attrs) / (time.perf_counter() - t))
    # Completeness gaps, outside the clock, against F(e) - F(b) evaluated in
    # float64 (the same yardstick for Captum's and sacx's attributions).
    model64, _ = load(os.path.join(d, "ckpt"), torch.float64)
    rel, k, pairs, gaps = [], 0, [], {}
    with torch.no_grad():
        for d_i, (ids, base, targets) in enumerate(tensors):
            gap = model64(ids)[0] - model64(base)[0]
            for c in targets:
                tok = attrs[k].sum(-1)[0]
                k += 1
                gaps[(d_i, c)] = float(gap[c])
                rel.append(abs(float(tok.double().sum()) - float(gap[c])) / max(abs(float(gap[c])), 1e-6))
                pairs.append((d_i, c, tok))
    msg = (f"captum {a.model} steps={a.steps} ibs={ibs} docs={len(tensors)} pairs={len(attrs)} "
           f"pairs/s median={statistics.median(rates):.3f} all={[round(r, 3) for r in rates]} "
           f"max_rel_delta={max(rel):.3e}")
    if a.compare:
        with open(os.path.join(d, "sacx_attr.json")) as f:
            ours = {(p["doc"], p["target"]): p["attr"] for p in json.load(f)["pairs"]}
        worst, n = 0.0, 0
        for d_i, c, tok in pairs:
            if (d_i, c) in ours:
                s = torch.tensor(ours[(d_i, c)], dtype=torch.float64)
                t = tok.double()
                worst = max(worst, float((s - t).abs().max() / t.abs().max().clamp_min(1e-30)))
                n += 1
        msg += f" compared_pairs={n} max_rel_err_vs_sacx={worst:.3e}"
        if a.f64:
            lig64 = LayerIntegratedGradients(model64, model64.embedding)
            w_s, w_c = 0.0, 0.0
            for d_i, c, tok in pairs:
                if (d_i, c) not in ours:
                    continue
                ids, base, _ = tensors[d_i]
                ref = lig64.attribute(ids, baselines=base, target=c, n_steps=a.steps,
                                      method="gausslegendre", internal_batch_size=ibs).sum(-1)[0]
                scale = ref.abs().max().clamp_min(1e-30)
                s = torch.tensor(ours[(d_i, c)], dtype=torch.float64)
                w_s = max(w_s, float((s - ref).abs().max() / scale))
                w_c = max(w_c, float((tok.double() - ref).abs().max() / scale))
            msg += f" max_rel_err_vs_captum_f64: sacx={w_s:.3e} captum_f32={w_c:.3e}"
        # Accuracy of sacx's attributions (50 steps, and tolerance mode) on the same yardstick.
        for name in ("sacx_attr.json", "sacx_attr_tol.json"):
            path = os.path.join(d, name)
            if not os.path.exists(path):
                continue
            with open(path) as f:
                ps = json.load(f)["pairs"]
            r = [abs(sum(p["attr"]) - gaps[(p["doc"], p["target"])]) / max(abs(gaps[(p["doc"], p["target"])]), 1e-6)
                 for p in ps if (p["doc"], p["target"]) in gaps]
            st = [p["steps"] for p in ps if (p["doc"], p["target"]) in gaps]
            if r:
                msg += (f" | {name}: pairs={len(r)} max_rel_delta_f64={max(r):.3e}"
                        f" sacx_own_max_rel_delta={max(p['rel_delta'] for p in ps):.3e} mean_steps={sum(st) / len(st):.1f}")
    print(msg, flush=True)


if __name__ == "__main__":
    main()
