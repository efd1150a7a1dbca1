#!/usr/bin/env python3
"""Tables of a `sacx simulate-al` output for docs/benchmarks.md: each
strategy's area under the macro-F1 curve (mean and per seed), and per seed the
round each stopping rule would have stopped at against where the curve
flattened, with the stop-set κ per round.

usage: summary.py SIMULATION_DIR
"""
import json
import sys


def main(path):
    d = json.load(open(f"{path}/simulation.json"))
    areas = sorted(d["area_under_macro_f1"].items(), key=lambda kv: -kv[1]["mean"])
    sizes = [round(r["labelled"].get("sacx", next(iter(r["labelled"].values())))) for r in d["rounds"]]
    print(f"{d['documents']} documents, {d['classes']} classes; labelled per round (mean): {sizes}")
    print("\n| strategy | AUC, mean | per seed |\n| --- | --- | --- |")
    for name, a in areas:
        bold = "**" if name == d["best"] else ""
        seeds = ", ".join(f"{v:.4f}" for v in a["seeds"])
        print(f"| {bold}{name}{bold} | {bold}{a['mean']:.4f}{bold} | {seeds} |")
    rule = d["stop_rule"]
    print(f"\nstop rule: κ ≥ {rule['agreement']}, motif overlap ≥ {rule['keyword_overlap']}, "
          f"window {rule['window']}, flat gain {rule['flat_gain']}")
    print("\n| strategy | κ per round (seed 1 / 2 / 3) | stop by κ | stop by keywords | flat from |\n| --- | --- | --- | --- | --- |")
    dash = lambda v: "–" if v is None else str(v)
    for name, _ in areas:
        kappas = " / ".join(
            ",".join(f"{p['signals']['agreement']:.2f}" for p in s["strategies"][name][1:])
            for s in d["seeds"])
        stops = [s["stops"][name] for s in d["seeds"]]
        kw = "/".join(dash(t.get("keywords")) for t in stops) if name == "sacx" else ""
        print(f"| {name} | {kappas} | {'/'.join(dash(t['predictions']) for t in stops)} | {kw} | "
              f"{'/'.join(dash(t['flattened']) for t in stops)} |")
    sacx = [[p["signals"].get("keyword_overlap") for p in s["strategies"].get("sacx", [])[1:]]
            for s in d["seeds"]]
    print("\nsacx motif overlap per round:", sacx)


if __name__ == "__main__":
    main(sys.argv[1])
