"""Other shapes of the bundled corpus, for trying keyword defaults on corpora the
project does not ship (docs/benchmarks.md, issue 12).

usage: python shapes.py OUT_DIR
writes OUT_DIR/en.jsonl (English only) and OUT_DIR/noen.jsonl (English removed),
then: sacx run --corpus OUT_DIR/en.jsonl --seeds 3 --threads 2 --out RUN_DIR
"""
import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "data", "appstream.jsonl.gz")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    with gzip.open(CORPUS, "rt", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f]
    shapes = {"en": lambda d: d["lang"] == "en", "noen": lambda d: d["lang"] != "en"}
    for name, keep in shapes.items():
        path = os.path.join(out, f"{name}.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            for d in docs:
                if keep(d):
                    f.write(json.dumps(d, ensure_ascii=False) + "\n")
        print(path)


if __name__ == "__main__":
    main()
