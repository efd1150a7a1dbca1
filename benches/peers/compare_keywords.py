#!/usr/bin/env python3
"""Compares the per-class keyword lists of the pandas peer and sacx-aggregate.

usage: compare_keywords.py PANDAS_DIR SACX_DIR — prints, per list, whether the words and
their order agree and the largest score_mean difference."""
import csv
import glob
import os
import sys


def read(path):
    with open(path, encoding="utf-8") as f:
        return [(r["token"], float(r["score_mean"])) for r in csv.DictReader(f, delimiter="\t")]


pandas_dir, sacx_dir = sys.argv[1], sys.argv[2]
same = total = 0
for p in sorted(glob.glob(os.path.join(pandas_dir, "*.tsv"))):
    a, b = read(p), read(os.path.join(sacx_dir, os.path.basename(p)))
    words_equal = [w for w, _ in a] == [w for w, _ in b]
    sets_equal = {w for w, _ in a} == {w for w, _ in b}
    diff = max((abs(x - y) for (_, x), (_, y) in zip(a, b)), default=0.0)
    total += 1
    same += words_equal
    print(f"{os.path.basename(p)}: {len(a)} words, same order {words_equal}, same set {sets_equal}, max |Δmean| {diff:.2e}")
print(f"{same}/{total} lists identical")
