"""The tiny XLM-R's tokenizer and AutoTokenizer's encodings of it, for
`tests/python/hf_tiny_models.py` (which calls `train` and `write_cases`).

The tokenizer is a Unigram (SentencePiece-style) model trained with the
`tokenizers` package on `sample()`: the first documents of eleven languages of
the bundled corpus `data/appstream.jsonl.gz` (English, German, French, Italian,
Spanish, Polish, Portuguese, Swedish, Finnish, Chinese, Japanese), each cut to
its first 240 characters, in corpus order. Russian is left out, so Cyrillic
(like emoji) is unknown to it. As XLM-R's:
  normalizer       Strip, NFKC, runs of spaces to one (SentencePiece's nmt_nfkc
                   with remove_extra_whitespaces)
  pre-tokenizer    Metaspace (`▁`, prepended always, split)
  specials         <s> <pad> </s> <unk> <mask> = ids 0..4 (XLM-R has <mask>
                   last, 250001; here it is 4), <mask> with lstrip
  post-processor   <s> $A </s> (pair: <s> $A </s> </s> $B </s>)
It is saved with `XLMRobertaTokenizerFast.save_pretrained` (tokenizer.json,
tokenizer_config.json, special_tokens_map.json), so `AutoTokenizer` loads the
model directory as it loads XLM-R's.

`write_cases` writes tokenization.json: for each text of `texts()` (corpus
documents of every sampled language, Russian, and odd inputs: emoji, other
scripts, empty and whitespace-only texts, an added special token in the text),
AutoTokenizer's `input_ids`, `tokens`, character `offsets` (special tokens
(0, 0)) and, under `truncated`, the ids with `truncation=True, max_length=N`
for N in `TRUNCATE`.
"""
import gzip
import json
import os

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
# Documents per language in the training sample (corpus order), and their length.
SAMPLE = {"en": 6, "de": 4, "fr": 4, "it": 4, "es": 4, "pl": 4, "pt": 3, "sv": 3, "fi": 3, "zh": 3, "ja": 3}
SAMPLE_CHARS = 240
VOCAB_SIZE = 800
TRUNCATE = [3, 8, 16]

ODD_TEXTS = [
    "",
    "   ",
    " \t\n ",
    "a",
    "  leading and trailing  spaces  ",
    "Emoji 😀🎉 and café ☕ in text",
    "😀",
    "Привет, мир! Это тест.",
    "Καλημέρα κόσμε",
    "مرحبا بالعالم",
    "gitg 是个 git 的图形用户界面。Ren'Py は、プログラム言語",
    "日本語のテキスト と 中文文本",
    "(gitg) — “quotes”, 123,45 numbers & symbols: #1!",
    "A masked <mask> token and </s> in the text",
]


def documents(corpus):
    with gzip.open(corpus, "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield d["lang"], d["text"]


def sample(corpus):
    """The training texts: the first SAMPLE[lang] documents of each language."""
    seen = {lang: 0 for lang in SAMPLE}
    out = []
    for lang, text in documents(corpus):
        if lang in seen and seen[lang] < SAMPLE[lang]:
            seen[lang] += 1
            out.append(text[:SAMPLE_CHARS])
    return out


def held_out(corpus, langs):
    """For each language, its first document after the training sample."""
    seen = {lang: 0 for lang in langs}
    out = {}
    for lang, text in documents(corpus):
        if lang in seen and lang not in out:
            if seen[lang] == SAMPLE.get(lang, 0):
                out[lang] = text
            seen[lang] += 1
    return [out[lang] for lang in langs]


def canonical(tok):
    """The trained Unigram model with run-independent ids and scores.

    The trainer's result varies from run to run in two ways (hash-map order in
    `tokenizers`): pieces of equal score come in any order, and the characters
    it adds at the end (below every learnt piece, in steps of 1e-4) are scored
    in any order. Here the specials keep ids 0..4, the other pieces are ordered
    by score (rounded to 6 decimals), then text; the lowest pieces, in steps of
    0 or 1e-4 (the added characters), get their steps in text order.
    """
    vocab = json.loads(tok.to_str())["model"]["vocab"]
    pieces = [(p, s) for p, s in vocab if p not in SPECIALS]
    pieces.sort(key=lambda x: x[1])
    n = 1
    while n < len(pieces) and any(abs(pieces[n][1] - pieces[n - 1][1] - d) < 1e-7 for d in (0, 1e-4)):
        n += 1
    if n > 1:
        top = round(pieces[n - 1][1], 6)
        tail = sorted(p for p, _ in pieces[:n])
        pieces[:n] = [(p, top - 1e-4 * i) for i, p in enumerate(tail)]
    pieces = sorted(((p, round(s, 6)) for p, s in pieces), key=lambda x: (-x[1], x[0]))
    return models.Unigram([(s, 0.0) for s in SPECIALS] + pieces, unk_id=SPECIALS.index("<unk>"), byte_fallback=False)


def train(corpus):
    """The Unigram tokenizer (a `tokenizers.Tokenizer`) trained on `sample()`."""
    tok = Tokenizer(models.Unigram())
    tok.normalizer = normalizers.Sequence(
        [normalizers.Strip(), normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    trainer = trainers.UnigramTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIALS,
        unk_token="<unk>",
        show_progress=False,
        max_piece_length=12,
    )
    tok.train_from_iterator(sample(corpus), trainer)
    tok.model = canonical(tok)
    for i, s in enumerate(SPECIALS):
        assert tok.token_to_id(s) == i, (s, tok.token_to_id(s))
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", 0), ("</s>", 2)],
    )
    return tok


def save(tok, out, max_len):
    """Writes the tokenizer files into the model directory `out`."""
    from transformers import XLMRobertaTokenizerFast

    fast = XLMRobertaTokenizerFast(tokenizer_object=tok, model_max_length=max_len)
    fast.save_pretrained(out)


def texts(corpus):
    """The tokenization cases: a held-out document of each sampled language and
    of Russian (its first 300 characters), then `ODD_TEXTS`."""
    langs = list(SAMPLE) + ["ru"]
    return [t[:300] for t in held_out(corpus, langs)] + ODD_TEXTS


def write_cases(out, corpus):
    """tokenization.json of the model directory `out` (AutoTokenizer's encodings)."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out, local_files_only=True)
    cases = []
    for text in texts(corpus):
        e = tok(text, return_offsets_mapping=True)
        cases.append(
            {
                "text": text,
                "input_ids": e["input_ids"],
                "tokens": tok.convert_ids_to_tokens(e["input_ids"]),
                "offsets": [list(o) for o in e["offset_mapping"]],
                "truncated": {
                    str(n): tok(text, truncation=True, max_length=n)["input_ids"] for n in TRUNCATE
                },
            }
        )
    path = os.path.join(out, "tokenization.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"special_ids": sorted(tok.all_special_ids), "cases": cases}, f, ensure_ascii=False, indent=0)
    unk = sum(c["input_ids"].count(tok.unk_token_id) for c in cases)
    print(f"wrote {path}: {len(cases)} texts, {unk} <unk> tokens")
