#!/usr/bin/env python3
"""The Python peer of `sacx map`: the users' notebook pipeline, gensim Doc2Vec
(PV-DBOW) -> UMAP (5-d and 2-d, cosine) -> HDBSCAN on the 5-d embedding, timed
stage by stage. Prints ONE JSON object on stdout.

Install (into the repository's .venv; a bench, not a test dependency):

    .venv/bin/pip install gensim==4.4.0 umap-learn==0.5.12 hdbscan==0.8.44

Example:

    .venv/bin/python benches/peers/map_pipeline.py --corpus data/appstream.jsonl.gz \
        --threads 2 --seed 1 --json-out /tmp/map_peer.json

Settings: Doc2Vec dm=0, dbow_words=1, vector_size --dim, window --window,
min_count --min-count, --epochs, the other gensim defaults (negative 5, sample
1e-3, alpha 0.025 -> min_alpha 0.0001), workers --threads; UMAP metric cosine,
min_dist 0.1, random_state --seed, n_components 5 / n_neighbors 15 and
n_components 2 / n_neighbors 50, both fitted on the document vectors; HDBSCAN
eom, min_cluster_size --min-cluster-size, on the 5-d embedding. With a fixed
random_state umap-learn runs its layout optimisation on one thread (it says so
in a warning); the nearest-neighbour search (pynndescent) uses --threads numba
threads. The first UMAP call includes numba's JIT compilation (umap-learn and
pynndescent cache some of it in their __pycache__, so a first run after
installing pays more than later ones); --warmup measures it with a small fit
(500 random points, both UMAP settings) before the timed stages. Measured on
the 2 shared cores of the dev machine: importing 20-24 s with an empty numba
cache, 3 s with a filled one; the warm-up fit 15 s (empty cache).

The issue's 683k words/s is raw words (658,474 `\w+` tokens x 40 epochs /
~38.6 s), i.e. raw_words_per_s here. Its kNN-10 precision 0.499 is not
reproduced exactly by any definition tried: "shares at least one label" gives
0.545, leaving out the document's own translations 0.520 (both kept below).

Tokens: `re.findall(r"\\w+", text.lower())`, or --tokens FILE: UTF-8, one line
per corpus document in corpus order, tokens separated by single spaces (the
Rust side writes sacx's own word segmentation this way). --vectors FILE.npy
(float32 [n, d], corpus order) skips Doc2Vec and maps those vectors.

JSON fields (seconds are wall clock, time.perf_counter):
  versions              gensim, umap-learn, hdbscan, pynndescent, numba, numpy, scikit-learn
  docs, tokens, vocab   documents, tokens in the corpus, Doc2Vec vocabulary size
  import_s              importing numpy/sklearn/gensim/umap/hdbscan (before anything else)
  read_s                reading the corpus (and the tokens file) and tokenizing
  doc2vec_vocab_s       build_vocab;  doc2vec_train_s: train;  doc2vec_s: both
  raw_words_per_s       tokens x epochs / doc2vec_train_s
  effective_words       gensim's "effective words" (after frequent-word downsampling)
  effective_words_per_s effective_words / doc2vec_train_s
  gensim_log            gensim's own end-of-training line (its timer, its words/s)
  umap_warmup_s         the --warmup fit (null without it); NOT subtracted from umap5_s
  umap5_s, umap2_s      the two UMAP fit_transform calls;  hdbscan_s: HDBSCAN fit
  total_s               read_s + doc2vec_s + umap5_s + umap2_s + hdbscan_s (wall clock)
  *_cpu_s               CPU seconds of the process in that stage (time.process_time: all
                        threads); on a shared machine wall / CPU shows how much CPU it got
  knn10_label_precision mean over documents with >= 1 label of the share of its 10
                        nearest other documents (exact cosine on the document
                        vectors) sharing at least one label with it
  knn10_first_label_precision  the same with "same first label"
  knn10_label_jaccard   the same with the mean Jaccard of the two label sets
  knn10_label_precision_other_id  the first one with the document's own translations
                        (same `id`) left out of its neighbours
  loadavg_start, loadavg_end  1-minute load average before / after (the machine may be shared)
  clusters, noise_share HDBSCAN clusters (without noise), share of documents labelled -1
  nmi_first_class, nmi_language  sklearn normalized_mutual_info_score (arithmetic)
                        of the HDBSCAN labels (noise -1 its own group) against the
                        first gold label / the `lang` field, all documents
  peak_rss_mib          peak resident memory of the process (getrusage), MiB
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import gzip  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import warnings  # noqa: E402
from importlib.metadata import version  # noqa: E402

import hdbscan  # noqa: E402
import numba  # noqa: E402
import numpy as np  # noqa: E402
import umap  # noqa: E402
from gensim.models.doc2vec import Doc2Vec, TaggedDocument  # noqa: E402
from sklearn.metrics import normalized_mutual_info_score  # noqa: E402

IMPORT_S = time.perf_counter() - T_START
PACKAGES = ["gensim", "umap-learn", "hdbscan", "pynndescent", "numba", "numpy", "scikit-learn"]
WORD = re.compile(r"\w+")
UMAP_SETTINGS = {"umap5": (5, 15), "umap2": (2, 50)}  # stage: (n_components, n_neighbors)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", default="data/appstream.jsonl.gz", help="JSONL, gzipped or plain")
    p.add_argument("--tokens", help="one line of space-separated tokens per document")
    p.add_argument("--vectors", help="float32 [n, d] .npy: skip Doc2Vec, map these")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--dim", type=int, default=100)
    p.add_argument("--window", type=int, default=6)
    p.add_argument("--min-count", type=int, default=1)
    p.add_argument("--min-cluster-size", type=int, default=50)
    p.add_argument("--warmup", action="store_true", help="small UMAP fit before timing (JIT cost)")
    p.add_argument("--save-vectors", help="write the document vectors (.npy)")
    p.add_argument("--save-embedding", help="write the 5-d UMAP embedding (.npy)")
    p.add_argument("--save-labels", help="write the HDBSCAN labels of the 5-d embedding (.npy)")
    p.add_argument("--json-out", help="also write the JSON object to this file")
    return p.parse_args()


def timed(out, stage, fn, *args, **kwargs):
    """fn(...), its wall and CPU seconds stored as out[stage_s] and out[stage_cpu_s]."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    out[f"{stage}_s"] = time.perf_counter() - wall
    out[f"{stage}_cpu_s"] = time.process_time() - cpu
    return result


def read_corpus(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_tokens(path, n):
    with open(path, encoding="utf-8") as f:
        lines = [line.rstrip("\r\n") for line in f]
    if len(lines) != n:
        raise SystemExit(f"{path}: {len(lines)} lines for {n} documents")
    return [line.split(" ") if line else [] for line in lines]


def train_doc2vec(tokens, args, out):
    """PV-DBOW vectors in corpus order; timings and word counts into `out`."""
    docs = [TaggedDocument(words, [i]) for i, words in enumerate(tokens)]
    model = Doc2Vec(dm=0, dbow_words=1, vector_size=args.dim, window=args.window,
                    min_count=args.min_count, epochs=args.epochs, workers=args.threads,
                    seed=args.seed)
    timed(out, "doc2vec_vocab", model.build_vocab, docs)
    timed(out, "doc2vec_train", model.train, docs, total_examples=model.corpus_count,
          epochs=model.epochs)
    log = next(e["msg"] for e in reversed(model.lifecycle_events) if e.get("event") == "train")
    effective = int(re.search(r"\((\d+) effective words\)", log).group(1))
    seconds = out["doc2vec_train_s"]
    out.update(vocab=len(model.wv), doc2vec_s=out["doc2vec_vocab_s"] + seconds,
               doc2vec_cpu_s=out["doc2vec_vocab_cpu_s"] + out["doc2vec_train_cpu_s"],
               raw_words_per_s=sum(len(words) for words in tokens) * args.epochs / seconds,
               effective_words=effective, effective_words_per_s=effective / seconds, gensim_log=log)
    return np.asarray(model.dv.vectors[: len(tokens)], dtype=np.float32)


def fit_umap(x, n_components, n_neighbors, args):
    reducer = umap.UMAP(n_components=n_components, n_neighbors=n_neighbors, metric="cosine",
                        min_dist=0.1, random_state=args.seed, n_jobs=args.threads)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="n_jobs value .* overridden")
        return reducer.fit_transform(x)


def umap_warmup(dim, args):
    """Seconds of a small fit with both settings: mostly numba's JIT compilation."""
    x = np.random.default_rng(args.seed).standard_normal((500, dim)).astype(np.float32)
    t0 = time.perf_counter()
    for n_components, n_neighbors in UMAP_SETTINGS.values():
        fit_umap(x, n_components, n_neighbors, args)
    return time.perf_counter() - t0


def nearest(x, k, groups, chunk=1024):
    """k nearest other rows of unit-norm x by cosine, skipping rows of the same group."""
    neighbours = np.empty((len(x), k), dtype=np.int64)
    for start in range(0, len(x), chunk):
        sims = x[start:start + chunk] @ x.T
        sims[groups[start:start + chunk, None] == groups[None, :]] = -np.inf
        neighbours[start:start + chunk] = np.argpartition(-sims, k, axis=1)[:, :k]
    return neighbours


def knn_precision(vectors, corpus, k=10):
    """Label agreements of the k nearest other documents (exact cosine)."""
    label_sets = [doc["labels"] for doc in corpus]
    classes = sorted({c for labels in label_sets for c in labels})
    index = {c: j for j, c in enumerate(classes)}
    y = np.zeros((len(label_sets), len(classes)), dtype=np.float32)
    for i, labels in enumerate(label_sets):
        y[i, [index[c] for c in labels]] = 1.0
    first = np.array([index[labels[0]] if labels else -1 for labels in label_sets])
    sizes, has = y.sum(1), y.sum(1) > 0
    x = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    ids = np.unique([doc["id"] for doc in corpus], return_inverse=True)[1]
    out = {}
    for suffix, groups in (("", np.arange(len(x))), ("_other_id", ids)):
        nb = nearest(x, k, groups)
        shared = np.einsum("nkc,nc->nk", y[nb], y)
        union = sizes[:, None] + sizes[nb] - shared
        out[f"knn{k}_label_precision{suffix}"] = float((shared > 0).mean(1)[has].mean())
        if not suffix:
            same_first = first[nb] == first[:, None]
            out[f"knn{k}_first_label_precision"] = float(same_first.mean(1)[has].mean())
            out[f"knn{k}_label_jaccard"] = float((shared / np.maximum(union, 1)).mean(1)[has].mean())
    return out


def cluster_stats(labels, corpus):
    first = [doc["labels"][0] if doc["labels"] else "" for doc in corpus]
    return {"clusters": int(len(set(labels.tolist()) - {-1})),
            "noise_share": float((labels == -1).mean()),
            "nmi_first_class": float(normalized_mutual_info_score(first, labels)),
            "nmi_language": float(normalized_mutual_info_score([d["lang"] for d in corpus], labels))}


def main():
    args = parse_args()
    numba.set_num_threads(args.threads)
    out = {"versions": {p: version(p) for p in PACKAGES}, "corpus": args.corpus,
           "tokens_file": args.tokens, "vectors_file": args.vectors,
           "settings": {k: getattr(args, k) for k in
                        ("threads", "seed", "epochs", "dim", "window", "min_count", "min_cluster_size")},
           "loadavg_start": os.getloadavg()[0], "import_s": IMPORT_S, "umap_warmup_s": None}
    if args.warmup:
        out["umap_warmup_s"] = umap_warmup(args.dim, args)
    t0 = time.perf_counter()
    corpus = read_corpus(args.corpus)
    if args.tokens:
        tokens = read_tokens(args.tokens, len(corpus))
    else:
        tokens = [WORD.findall(doc["text"].lower()) for doc in corpus]
    out.update(docs=len(corpus), tokens=sum(len(t) for t in tokens), read_s=time.perf_counter() - t0)
    if args.vectors:
        vectors = np.load(args.vectors).astype(np.float32)
        if len(vectors) != len(corpus):
            raise SystemExit(f"{args.vectors}: {len(vectors)} rows for {len(corpus)} documents")
        out.update(doc2vec_s=0.0, doc2vec_cpu_s=0.0)
    else:
        vectors = train_doc2vec(tokens, args, out)
    if args.save_vectors:
        np.save(args.save_vectors, vectors)
    embeddings = {stage: timed(out, stage, fit_umap, vectors, n_components, n_neighbors, args)
                  for stage, (n_components, n_neighbors) in UMAP_SETTINGS.items()}
    clusterer = hdbscan.HDBSCAN(min_cluster_size=args.min_cluster_size,
                                cluster_selection_method="eom", core_dist_n_jobs=args.threads)
    labels = timed(out, "hdbscan", clusterer.fit_predict, embeddings["umap5"])
    stages = ("doc2vec", "umap5", "umap2", "hdbscan")
    out["total_s"] = out["read_s"] + sum(out[f"{k}_s"] for k in stages)
    out["total_cpu_s"] = sum(out[f"{k}_cpu_s"] for k in stages)
    if args.save_embedding:
        np.save(args.save_embedding, embeddings["umap5"])
    if args.save_labels:
        np.save(args.save_labels, labels)
    out.update(knn_precision(vectors, corpus))
    out.update(cluster_stats(labels, corpus))
    out["loadavg_end"] = os.getloadavg()[0]
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    text = json.dumps(out, indent=2)
    print(text)
    if args.json_out:
        with open(args.json_out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
