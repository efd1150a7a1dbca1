"""Quality peer for sacx-model: TF-IDF (word 1-2-grams) + one-vs-rest logistic
regression on the exact split sacx used (train.jsonl / valid.jsonl written by
`cargo run -p sacx-model --example appstream_quality`).

Usage:
  .venv/bin/python benches/peers/tfidf_lr.py SPLIT_DIR [C]
  .venv/bin/python benches/peers/tfidf_lr.py SPLIT_DIR tune [C1,C2,...] [--oracle]

C: inverse regularisation strength of LogisticRegression (default 1.0, the
scikit-learn default). Prints micro-F1 at 0.5 overall and per language.

`tune` picks C on the training side only, so that the peer is well tuned without
looking at the validation documents: the training documents are split again,
80/20 grouped by `id` (translations of one application on one side, seed 1),
every C of the grid (default 1,3,10,…,10⁵) is fitted on the inner
80 % and scored by micro-F1@0.5 on the inner 20 %; the best C is refitted on the
whole training side and evaluated on the validation split. With `--oracle` it
also prints every C's validation micro-F1 (for information; not used to choose).
The binary problems are fitted two at a time (`n_jobs=2`; the same result as one
at a time).
"""
import collections
import json
import random
import sys

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.multiclass import OneVsRestClassifier
from sklearn.preprocessing import MultiLabelBinarizer

GRID = [1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 100000.0]


def read(path):
    with open(path) as f:
        return [json.loads(line) for line in f]


def fit_predict(train, test, mlb, c):
    """Fits vectorizer + OvR LR with `c` on `train`; 0/1 predictions at 0.5 on `test`."""
    vec = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
    x_tr = vec.fit_transform([doc["text"] for doc in train])
    x_te = vec.transform([doc["text"] for doc in test])
    clf = OneVsRestClassifier(LogisticRegression(C=c, max_iter=1000), n_jobs=2)
    clf.fit(x_tr, mlb.transform([doc["labels"] for doc in train]))
    return (clf.predict_proba(x_te) >= 0.5).astype(int), x_tr.shape[1]


def micro(mlb, docs, pred):
    y = mlb.transform([doc["labels"] for doc in docs])
    return f1_score(y, pred, average="micro", zero_division=0)


def inner_split(train, seed=1, fraction=0.8):
    """Training documents split again 80/20, grouped by `id`."""
    ids = sorted({doc["id"] for doc in train})
    random.Random(seed).shuffle(ids)
    fit_ids = set(ids[: round(fraction * len(ids))])
    return ([d for d in train if d["id"] in fit_ids], [d for d in train if d["id"] not in fit_ids])


def report(c, train, valid, mlb, how):
    pred, features = fit_predict(train, valid, mlb, c)
    y_va = mlb.transform([doc["labels"] for doc in valid])
    mi = f1_score(y_va, pred, average="micro", zero_division=0)
    ma = f1_score(y_va, pred, average="macro", zero_division=0)
    print(f"tfidf-lr (C={c}, {how}): train {len(train)} valid {len(valid)} features {features} "
          f"micro-F1@0.5 {mi:.4f} macro-F1 {ma:.4f}")
    by_lang = collections.defaultdict(list)
    for i, doc in enumerate(valid):
        by_lang[doc["lang"]].append(i)
    for lang in sorted(by_lang):
        idx = by_lang[lang]
        m = f1_score(y_va[idx], pred[idx], average="micro", zero_division=0)
        print(f"  {lang}: docs {len(idx)} micro-F1 {m:.4f}")


def main():
    d = sys.argv[1]
    train, valid = read(f"{d}/train.jsonl"), read(f"{d}/valid.jsonl")
    mlb = MultiLabelBinarizer()
    mlb.fit([doc["labels"] for doc in train + valid])
    if len(sys.argv) > 2 and sys.argv[2] == "tune":
        rest = [a for a in sys.argv[3:] if a != "--oracle"]
        oracle = "--oracle" in sys.argv[3:]
        grid = [float(x) for x in rest[0].split(",")] if rest else GRID
        fit, held = inner_split(train)
        print(f"inner split of the training side: fit {len(fit)} held-out {len(held)}")
        inner = {}
        for c in grid:
            pred, _ = fit_predict(fit, held, mlb, c)
            inner[c] = micro(mlb, held, pred)
            line = f"  C={c:g}: inner micro-F1 {inner[c]:.4f}"
            if oracle:
                on_valid, _ = fit_predict(train, valid, mlb, c)
                line += f"   (validation, not used: {micro(mlb, valid, on_valid):.4f})"
            print(line, flush=True)
        best = max(grid, key=lambda c: (inner[c], -c))
        report(best, train, valid, mlb, "tuned on the inner split")
    else:
        c = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
        report(c, train, valid, mlb, "fixed")


if __name__ == "__main__":
    main()
