"""Precision of sacx's keyword translations (issue 25) against hand-written gold pairs.

Reads RUN_DIR/keywords/keywords.json (its per-language lists and their
`translations`) and the gold list (alignment_gold.tsv: source language, source
word, target language, acceptable target words). Every distinct link
(lang A, word a) -> (lang B, word b) of any class whose (A, a, B) is in the gold
list is judged: correct when b is one of the acceptable words. Prints the
precision, the number of judged links, how many gold entries got a link, and
the wrong links.

usage: python3 alignment_precision.py RUN_DIR [--gold benches/quality/alignment_gold.tsv] [--json]
"""
import argparse
import csv
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--gold", default=os.path.join(HERE, "alignment_gold.tsv"))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    gold = {}
    with open(a.gold, encoding="utf-8") as f:
        rows = [r for r in csv.reader((l for l in f if not l.startswith("#")), delimiter="\t")]
    for la, wa, lb, wb in rows[1:]:
        gold[(la, wa, lb)] = set(wb.split("|"))
    with open(os.path.join(a.run_dir, "keywords", "keywords.json"), encoding="utf-8") as f:
        kw = json.load(f)
    links = set()
    total = 0
    for lk in kw.get("languages", []):
        for c in lk["classes"]:
            for k in c["keywords"]:
                for t in k.get("translations", []):
                    total += 1
                    links.add((lk["lang"], k["word"], t["lang"], t["word"]))
    judged = [(l, l[3] in gold[l[:3]]) for l in sorted(links) if l[:3] in gold]
    correct = sum(ok for _, ok in judged)
    covered = {l[:3] for l, _ in judged}
    out = {
        "links": len(links),
        "links_per_class": total,
        "judged": len(judged),
        "correct": correct,
        "precision": correct / len(judged) if judged else None,
        "gold_entries": len(gold),
        "gold_entries_linked": len(covered),
        "wrong": [" ".join(l) for l, ok in judged if not ok],
    }
    if a.json:
        print(json.dumps(out, ensure_ascii=False))
        return
    p = out["precision"]
    print(f"distinct links {out['links']} ({total} over classes); judged {len(judged)}, correct {correct}, "
          f"precision {'—' if p is None else f'{p:.3f}'}; gold entries with a link {len(covered)}/{len(gold)}")
    for w in out["wrong"]:
        print("  wrong:", w)


if __name__ == "__main__":
    main()
