#!/usr/bin/env python3
"""The pandas peer of `sacx select` (docs/benchmarks.md, "Active-learning
selection (issue 16)"): the same selection the way the users' pandas pipeline
does it, everything in one DataFrame.

    python benches/peers/select_pandas.py POOL.jsonl OUT.jsonl [--seed 1]

POOL.jsonl: the header {"labels": [...], "threshold": T}, then one
{"id", "text", "probs"} a line (written by
`cargo bench -p sacx-select --bench select -- --docs N --write-pool POOL.jsonl`).

Per class, with sacx's defaults: exploit = 100 sampled from the top 1000
(`nlargest`, a partial sort, not a full sort); uncertainty = the 100 nearest
to the threshold; explore = motifs (k-skip-n-grams, n <= 3, skip <= 2, over
the first 256 words) counted in the top 1000 and in a random sample of
10 000, kept with obs >= 10 and lift >= 2 (lift = (obs/top) /
((random_obs+1)/(random+1))), the 10 best, then up to 100 documents outside
the top holding one, found with one regex per class over the lower-cased
texts. Words are Python's `\\w+` (sacx uses ICU word boundaries, so Chinese
and Japanese texts differ). Each id once. Prints seconds; run it under
`/usr/bin/time -f "%e s %M KiB"` for the peak memory.
"""
import json
import re
import sys
import time
from collections import Counter

import numpy as np
import pandas as pd

EXPLOIT, TOP_N, RANDOM, MAX_N, SKIP = 100, 1000, 10_000, 3, 2
MIN_OBS, MIN_LIFT, MOTIFS, EXPLORE, UNCERTAIN, MAX_WORDS = 10, 2.0, 10, 100, 100, 256
WORD = re.compile(r"\w+")


def grams(words):
    out = set()
    n = len(words)
    for i in range(n):
        out.add((words[i],))
        if MAX_N < 2:
            continue
        for j in range(i + 1, min(n, i + 2 + SKIP)):
            out.add((words[i], words[j]))
            if MAX_N < 3:
                continue
            left = SKIP - (j - i - 1)
            for k in range(j + 1, min(n, j + 2 + left)):
                out.add((words[i], words[j], words[k]))
    return out


def words_of(text):
    return WORD.findall(text.lower())[:MAX_WORDS]


def motif_regex(motif):
    gap = r"\W+(?:\w+\W+){0,%d}" % SKIP
    return r"\b" + gap.join(re.escape(w) for w in motif) + r"\b"


def main():
    pool, out = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    t0 = time.time()
    with open(pool) as f:
        header = json.loads(f.readline())
        df = pd.read_json(f, lines=True, dtype={"id": str})
    labels, threshold = header["labels"], header.get("threshold", 0.5)
    probs = pd.DataFrame(np.array(df.pop("probs").tolist(), dtype=np.float32), columns=labels)
    df = pd.concat([df, probs], axis=1)
    t_read = time.time() - t0
    random = df.sample(n=min(RANDOM, len(df)), random_state=seed)
    random_grams = Counter(g for t in random["text"] for g in grams(words_of(t)))
    lower = df["text"].str.lower()
    taken, rows = set(), []

    def take(frame, cls, reason, n, motif=None):
        got = 0
        for r in frame.itertuples(index=False):
            if got == n:
                break
            if r.id in taken:
                continue
            taken.add(r.id)
            rows.append({"id": r.id, "text": r.text, "class": cls, "reason": reason,
                         "score": float(getattr(r, "score")), "motif": motif})
            got += 1

    tops, motifs = {}, {}
    for cls in labels:
        top = df.nlargest(TOP_N, cls)
        tops[cls] = top
        counts = Counter(g for t in top["text"] for g in grams(words_of(t)))
        kept = []
        for g, obs in counts.items():
            if obs < MIN_OBS:
                continue
            lift = (obs / len(top)) / ((random_grams.get(g, 0) + 1) / (len(random) + 1))
            if lift >= MIN_LIFT:
                kept.append((-lift, -obs, " ".join(g), g))
        motifs[cls] = [g for *_, g in sorted(kept)[:MOTIFS]]
    for cls in labels:
        top = tops[cls].assign(score=tops[cls][cls]).sample(frac=1.0, random_state=seed)
        take(top, cls, "exploit", EXPLOIT)
    for cls in labels:
        near = df.assign(score=df[cls], dist=(df[cls] - threshold).abs()).nsmallest(2 * UNCERTAIN + EXPLOIT, "dist")
        take(near, cls, "uncertainty", UNCERTAIN)
    for cls in labels:
        if not motifs[cls]:
            continue
        outside = ~df.index.isin(tops[cls].index)
        hit = lower[outside].str.contains("|".join(motif_regex(m) for m in motifs[cls]), regex=True)
        cand = df[outside][hit.values].assign(score=lambda d: d[cls])
        per_motif = [cand[lower[cand.index].str.contains(motif_regex(m), regex=True)]
                     .sample(frac=1.0, random_state=seed) for m in motifs[cls]]
        got, pos = 0, [0] * len(per_motif)
        while got < EXPLORE and any(p < len(f) for p, f in zip(pos, per_motif)):
            for i, f in enumerate(per_motif):
                if got == EXPLORE or pos[i] >= len(f):
                    continue
                before = len(rows)
                take(f.iloc[pos[i]:pos[i] + 1], cls, "explore", 1, " ".join(motifs[cls][i]))
                pos[i] += 1
                got += len(rows) - before
    with open(out, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"pandas select: {len(df)} documents, {len(rows)} selected; "
          f"{time.time() - t0:.1f} s (read {t_read:.1f})")


if __name__ == "__main__":
    main()
