"""How far can any ranking go on issue 6's class-word bar? (bundled corpus)

Issue 6's quality bar asks that, for at least two thirds of the 19 classes
whose name is an ordinary word, that word or a translation of it be among the
class's IG top-10 keywords. keyword_quality.py counts the hits; this script
asks whether the corpus and the rankings make a hit possible at all.

For each class it prints, from the corpus:
  docs       documents labelled with the class;
  recall     share of those documents that contain any of the class words;
  precision  share of the documents containing a class word that carry the
             class (a word that is rare in the class, or common outside it,
             cannot rank high in any class-contrastive list);
and, from RUN_DIR, the best (1-based) rank of any class word in each method's
ranked list: ig (keywords/keywords.json) and the baselines
(keywords/<method>/keywords.json). A list holds at most --top-n words
(100 by default); a class word absent from it is shown as ">N", N being the
list's length. The last line counts the classes where at least one method has
a class word within the top K: a practical ceiling for the bar.

Words are lower-cased. Documents in space-separated languages are split into
`\\w+` tokens and a class word must equal a token; in zh and ja documents a
class word matches as a substring of the text.

usage: python3 class_word_ceiling.py RUN_DIR [--corpus data/appstream.jsonl.gz] [--k 10]
"""
import argparse
import gzip
import importlib.util
import json
import os
import re

METHODS = {
    "ig": os.path.join("keywords", "keywords.json"),
    "log-odds": os.path.join("keywords", "log-odds", "keywords.json"),
    "chi2": os.path.join("keywords", "chi2", "keywords.json"),
    "ctfidf": os.path.join("keywords", "ctfidf", "keywords.json"),
}
UNSPACED_LANGS = {"zh", "ja"}
TOKEN = re.compile(r"\w+")


def load_class_words():
    """CLASS_WORDS from keyword_quality.py in this folder (class -> set of words)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "keyword_quality.py")
    spec = importlib.util.spec_from_file_location("keyword_quality", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {c: set(words.split()) for c, words in module.CLASS_WORDS.items()}


def read_corpus(path):
    """(matcher, labels) per document; matcher(word) says whether the text holds it."""
    docs = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            text = doc["text"].lower()
            if doc["lang"].split("_")[0] in UNSPACED_LANGS:
                matcher = text.__contains__
            else:
                matcher = set(TOKEN.findall(text)).__contains__
            docs.append((matcher, set(doc["labels"])))
    return docs


def ranked_lists(run_dir):
    """method -> class -> ranked keyword list."""
    lists = {}
    for method, rel in METHODS.items():
        with open(os.path.join(run_dir, rel), encoding="utf-8") as f:
            data = json.load(f)
        lists[method] = {c["class"]: [w["word"] for w in c["keywords"]] for c in data["classes"]}
    return lists


def best_rank(ranked, words):
    """1-based rank of the first class word in `ranked`, or None."""
    return next((i + 1 for i, w in enumerate(ranked) if w in words), None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("run_dir")
    ap.add_argument("--corpus", default="data/appstream.jsonl.gz")
    ap.add_argument("--k", type=int, default=10)
    a = ap.parse_args()

    class_words = load_class_words()
    docs = read_corpus(a.corpus)
    lists = ranked_lists(a.run_dir)

    print(f"documents: {len(docs)}; best rank of a class word in each method's list")
    print("\n| class | docs | recall | precision | " + " | ".join(METHODS) + " |")
    print("|---|---|---|---|" + "---|" * len(METHODS))
    reachable = []
    for cls, words in class_words.items():
        in_class = sum(cls in labels for _, labels in docs)
        with_word = [cls in labels for matcher, labels in docs if any(map(matcher, words))]
        recall = sum(with_word) / in_class if in_class else 0.0
        precision = sum(with_word) / len(with_word) if with_word else 0.0
        cells = []
        within_k = False
        for method in METHODS:
            ranked = lists[method].get(cls, [])
            rank = best_rank(ranked, words)
            cells.append(str(rank) if rank else f">{len(ranked)}")
            within_k |= rank is not None and rank <= a.k
        if within_k:
            reachable.append(cls)
        print(f"| {cls} | {in_class} | {recall:.2f} | {precision:.2f} | " + " | ".join(cells) + " |")
    print(f"\nclasses with a class word in the top {a.k} of any method: "
          f"{len(reachable)}/{len(class_words)} ({', '.join(reachable)})")


if __name__ == "__main__":
    main()
