"""Issue 25's keyword-precision bars for one run directory, as one table.

For IG and each baseline (from RUN_DIR/evaluation.json and the keyword files),
at K (default 10):
  empty        classes without keywords
  hits         classes whose name word is among the top K (bundled corpus: the
               class name or a translation, keyword_quality.CLASS_WORDS; other
               corpora: a word of the label's last part, e.g. `shell` of
               `implemented-in::shell`, matched exactly or by a shared prefix of
               at least 5 letters, `download` ~ `downloading`)
  dist         distinctiveness (mean over classes)
  macro        macro coverage
  comp         comprehensiveness (probability drop)
  generic      share of the top K among the corpus's most document-frequent words
  cross        cross-coverage
and whether IG meets each bar: dist, hits and macro at least chi2's and
log-odds'; generic at most the lower of theirs + 0.02; comp at least every
baseline's; no class without keywords. With per-language lists in
keywords.json, it also checks that every (class, language) with at least 10
documents has a non-empty list.

usage: python3 bars.py RUN_DIR [--k 10] [--json]
"""
import argparse
import importlib.util
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def bundled_words():
    spec = importlib.util.spec_from_file_location("kq", os.path.join(HERE, "keyword_quality.py"))
    kq = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(kq)
    return {c: set(w.split()) for c, w in kq.CLASS_WORDS.items()}


def name_words(label):
    last = label.split("::")[-1]
    return {w for w in re.split(r"[-_:.+ ]+", last.lower()) if len(w) >= 3 and w.isalpha()}


def hit(label, top, bundled):
    if bundled is not None:
        return bool(bundled.get(label, set()) & set(top)) if label in bundled else None
    words = name_words(label)
    if not words:
        return None
    for w in words:
        for t in top:
            if t == w or (len(w) >= 5 and len(t) >= 5 and t[:5] == w[:5]):
                return True
    return False


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--k", type=int, default=10)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    evals = {e["method"]: e for e in load(os.path.join(a.run_dir, "evaluation.json"))}
    ig = load(os.path.join(a.run_dir, "keywords", "keywords.json"))
    classes = [c["class"] for c in ig["classes"]]
    bundled = bundled_words() if set(bundled_words()) <= set(classes) else None
    rows = {}
    for m, e in evals.items():
        path = os.path.join(a.run_dir, "keywords", "keywords.json") if m == "ig" else \
            os.path.join(a.run_dir, "keywords", m, "keywords.json")
        kw = load(path)
        tops = {c["class"]: [w["word"] for w in c["keywords"][: a.k]] for c in kw["classes"]}
        hits = [hit(c, tops.get(c, []), bundled) for c in classes]
        r = next(r for r in e["results"] if r["k"] == a.k)
        faith = r.get("faithfulness")
        rows[m] = {
            "empty": sum(1 for c in classes if not tops.get(c)),
            "hits": sum(1 for h in hits if h),
            "hit_classes": sum(1 for h in hits if h is not None),
            "dist": r["distinctiveness"]["mean"],
            "macro": r["macro_coverage"]["mean"],
            "comp": faith["keywords"]["comprehensiveness_prob"]["mean"] if faith else None,
            "generic": (r.get("generic_share") or {}).get("mean"),
            "cross": r["cross_coverage"]["mean"],
        }
    base = [m for m in ("log-odds", "chi2") if m in rows]
    i = rows["ig"]

    def at_least(key, among):
        vals = [rows[m][key] for m in among if rows[m][key] is not None]
        return i[key] is not None and all(i[key] >= v - 1e-12 for v in vals)

    generic_base = [rows[m]["generic"] for m in base if rows[m]["generic"] is not None]
    checks = {
        "no empty class": i["empty"] == 0,
        "dist >= chi2, log-odds": at_least("dist", base),
        "hits >= chi2, log-odds": at_least("hits", base),
        "macro >= chi2, log-odds": at_least("macro", base),
        "generic <= min + 0.02": i["generic"] is not None and bool(generic_base)
        and i["generic"] <= min(generic_base) + 0.02 + 1e-12,
        "comp >= every baseline": at_least("comp", [m for m in rows if m != "ig"]),
    }
    languages = ig.get("languages", [])
    lang_missing = []
    for lk in languages:
        for c in lk["classes"]:
            if (c.get("documents") or 0) >= 10 and not c["keywords"]:
                lang_missing.append(f"{lk['lang']}:{c['class']}")
    if languages:
        checks["per-language lists (>= 10 docs) non-empty"] = not lang_missing
    if a.json:
        print(json.dumps({"rows": rows, "checks": checks, "lang_missing": lang_missing}))
        return
    cell = lambda v: "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))
    cols = ["empty", "hits", "dist", "macro", "comp", "generic", "cross"]
    print(f"K = {a.k}; class-word hits out of {i['hit_classes']} classes with a name word")
    print("| method | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for m, r in rows.items():
        print(f"| {m} | " + " | ".join(cell(r[c]) for c in cols) + " |")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if languages:
        n = sum(len(lk["classes"]) for lk in languages)
        print(f"per-language lists: {len(languages)} languages, {n} (class, language) lists, "
              f"{len(lang_missing)} empty with >= 10 documents {lang_missing[:10]}")


if __name__ == "__main__":
    main()
