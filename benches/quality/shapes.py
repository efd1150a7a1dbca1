"""Other shapes of the bundled corpus, for trying keyword defaults on corpora the
project does not ship (docs/benchmarks.md, issues 12 and 25).

usage: python shapes.py OUT_DIR
writes into OUT_DIR:
  en.jsonl        English only
  noen.jsonl      English removed (one language removed)
  rare.jsonl      rare classes only: every document keeps only its labels among
                  the classes with fewer applications (ids) than the median class,
                  and documents left without a label are dropped
  prefix1000.jsonl  the first 1,000 documents
then: sacx run --corpus OUT_DIR/en.jsonl --seeds 3 --threads 2 --out RUN_DIR
"""
import collections
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "data", "appstream.jsonl.gz")


def rare_classes(docs):
    ids = collections.defaultdict(set)
    for d in docs:
        for l in d["labels"]:
            ids[l].add(d["id"])
    sizes = sorted(len(v) for v in ids.values())
    median = sizes[len(sizes) // 2]
    return {l for l, v in ids.items() if len(v) < median}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    rare = rare_classes(docs)

    def only_rare(d):
        labels = [l for l in d["labels"] if l in rare]
        return dict(d, labels=labels) if labels else None

    shapes = {
        "en": [d for d in docs if d["lang"] == "en"],
        "noen": [d for d in docs if d["lang"] != "en"],
        "rare": [r for r in map(only_rare, docs) if r],
        "prefix1000": docs[:1000],
    }
    for name, rows in shapes.items():
        path = os.path.join(out, f"{name}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for d in rows:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")
        n_classes = len({l for d in rows for l in d["labels"]})
        print(f"{path}: {len(rows)} documents, {n_classes} classes")


if __name__ == "__main__":
    main()
