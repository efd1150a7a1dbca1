"""small-text's query strategies on given probability matrices: the reference
of `tests/small_text_parity.rs`.

Reads JSON from stdin: {"probs": [[p, ...], ...] (float32 values),
"labelled": [[class, ...], ...], "classes": C, "n": documents to choose}.
Writes JSON: per strategy, small-text's score of every document (its
`get_confidence` / `_compute_scores`, as small-text ranks them) and the
indices it chooses (`query`, unordered as numpy's argpartition gives them).

Label cardinality inconsistency is not in small-text 1.4.1 (the version sacx
pins); its 2.0 definition, `|#predicted − mean #labels of the labelled set|`
with `predict` at 0.5, is written out below and used when the installed
small-text lacks the class.
"""
import json
import sys

import numpy as np
from scipy.sparse import csr_matrix

import small_text
from small_text.query_strategies import (
    BreakingTies,
    CategoryVectorInconsistencyAndRanking,
    LeastConfidence,
    PredictionEntropy,
)


class Fixed:
    """A classifier whose probabilities are given: the dataset is row indices."""

    def __init__(self, proba):
        self.proba = proba

    def predict_proba(self, rows):
        return self.proba[np.asarray(rows)]

    def predict(self, rows):
        return csr_matrix((self.predict_proba(rows) > 0.5).astype(np.int64))


def label_cardinality_2_0(y_pred_unlabeled, y_labeled):
    mean = (y_labeled > 0).sum(axis=1).mean()
    diff = (y_pred_unlabeled > 0).sum(axis=1).A1 - mean
    return np.sqrt(np.power(diff, 2))


def main():
    spec = json.load(sys.stdin)
    proba = np.array(spec["probs"], dtype=np.float32).astype(np.float64)
    n_docs, classes, n = proba.shape[0], spec["classes"], spec["n"]
    rows = [(i, c) for i, labels in enumerate(spec["labelled"]) for c in labels]
    y = csr_matrix(
        (np.ones(len(rows), dtype=np.int64), ([r for r, _ in rows], [c for _, c in rows])),
        shape=(len(spec["labelled"]), classes),
    )
    clf, dataset = Fixed(proba), np.arange(n_docs)
    unlabelled, labelled = np.arange(n_docs), np.arange(n_docs, n_docs)
    out = {"small_text": small_text.__version__}
    for name, strategy in [
        ("least-confidence", LeastConfidence()),
        ("prediction-entropy", PredictionEntropy()),
        ("breaking-ties", BreakingTies()),
    ]:
        # score() gives what argpartition takes the lowest of; its negative
        # is "higher is asked first", sacx's convention.
        scores = -strategy.score(clf, dataset, unlabelled, labelled, y)
        chosen = strategy.query(clf, dataset, unlabelled, labelled, y, n=n)
        out[name] = {"scores": scores.tolist(), "chosen": sorted(int(i) for i in chosen)}
    cvirs = CategoryVectorInconsistencyAndRanking(pbar=None)
    out["cvirs"] = {
        "scores": cvirs._compute_scores(unlabelled, y, proba).tolist(),
        "chosen": sorted(int(i) for i in cvirs.query(clf, dataset, unlabelled, labelled, y, n=n)),
    }
    lci = getattr(small_text.query_strategies, "LabelCardinalityInconsistency", None)
    if lci is not None:
        chosen = lci().query(clf, dataset, unlabelled, labelled, y, n=n)
        scores = small_text.query_strategies.label_cardinality_inconsistency(
            clf.predict(dataset), y
        )
    else:
        scores = label_cardinality_2_0(clf.predict(dataset), y)
        chosen = np.argpartition(-scores, n)[:n]
    out["label-cardinality"] = {
        "scores": np.asarray(scores).tolist(),
        "chosen": sorted(int(i) for i in chosen),
        "reference": "small-text" if lci is not None else "small-text 2.0 definition",
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
