"""Build a multilabel corpus, English and multilingual, from Debian package descriptions
labelled with their debtags.

Source: the Debian archive's own apt index files, fetched with apt's ordinary client.
Each binary package's paragraph in the Packages files carries `Tag:` (debtags) and
`Description-md5:`; the DDTP Translation-XX files hold, for each English description
(keyed by that md5), its text in English (Translation-en) or in language XX.  Fetch them with

    apt-get -o Acquire::Languages="en,de,fr,es,it,pt,pt_BR,ru,pl,cs,sk,da,sv,fi,nl,ja,zh_CN,ko,uk,hu" update

(as root; apt stores them lz4- or otherwise compressed under /var/lib/apt/lists, and
`/usr/lib/apt/apt-helper cat-file` reads any of them; a language whose file did not arrive
is skipped).

Usage:
    python3 benches/quality/build_debtags.py OUT_DIR [--lists /var/lib/apt/lists]
        [--min-class 40] [--max-classes 74] [--en-docs 4000] [--multi-docs 16000]
        [--min-lang 100] [--seed 1]

Writes JSON Lines, one {"id", "lang", "text", "labels"} object per line (id: package name,
shared by the translations of one package):
  OUT_DIR/debtags-en.jsonl     about --en-docs packages, English only
  OUT_DIR/debtags-multi.jsonl  packages with a translation besides English, every language
                               of each (English included), about --multi-docs documents
  OUT_DIR/README.txt           source, parameters, counts per language and per class

Text: short description, newline, long description as plain text (wrapped lines joined,
' .' lines are paragraph breaks, verbatim '  ' lines kept as lines); texts under 40
characters and translations identical to the English text are skipped.  pt_BR and pt are
merged as "pt" (pt_BR preferred), zh_CN is "zh".  Only one binary package per source
package is used, so that near-identical descriptions (libfoo1 / libfoo-dev) do not repeat;
transitional and dummy packages (section oldlibs, or so named in the short description) are left out.

Classes: debtags tags, without the administrative or non-topical facets in DROP_FACETS and
without "*::TODO" placeholders.  The --max-classes most frequent tags among eligible
packages are the candidates; each file is sampled deterministically (seeded shuffle) by
first taking packages until every candidate class has --min-class packages, then filling up
to the size target (the multilingual file's filling prefers packages translated into more
languages, which evens out the languages).
A class kept must have at least --min-class packages in each file; documents left without a
label are dropped.  Both files use the same class set, so one package has the same labels in
both.
"""
import argparse, collections, gzip, bz2, lzma, json, os, random, re, subprocess, sys, unicodedata

DROP_FACETS = ('role', 'special', 'suite', 'made-of', 'culture', 'iso15924')
LANG_CODE = {'pt_BR': 'pt', 'zh_CN': 'zh'}          # others: the file's own 2-letter code
LANG_PREF = {'pt_BR': 0, 'pt': 1}                   # pt_BR wins over pt
TRANSITIONAL = re.compile(r'transitional|dummy package|transition package', re.I)   # stale tags, empty text

def read_text(path):
    if path.endswith('.lz4') or path.endswith('.zst'):
        return subprocess.run(['/usr/lib/apt/apt-helper', 'cat-file', path], check=True,
                              capture_output=True).stdout.decode('utf-8', 'replace')
    op = {'.gz': gzip.open, '.xz': lzma.open, '.bz2': bz2.open}.get(os.path.splitext(path)[1], open)
    with op(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace')

def paragraphs(path):
    for block in read_text(path).split('\n\n'):
        d, key = {}, None
        for line in block.split('\n'):
            if line[:1] in (' ', '\t') and key:
                d[key] += '\n' + line
            elif ':' in line:
                key, val = line.split(':', 1)
                d[key] = val.strip()
        if d:
            yield d

def wide(ch):
    return unicodedata.east_asian_width(ch) in ('W', 'F')

def plain(desc):
    """Debian description (short line + ' '-indented long lines) as plain text."""
    lines = desc.split('\n')
    out, para = [lines[0].strip()], ''
    def flush():
        nonlocal para
        if para: out.append(para)
        para = ''
    for line in lines[1:]:
        body = line[1:] if line[:1] == ' ' else line
        if body.strip() == '.':
            flush()
        elif body.startswith((' ', '\t')):          # verbatim line: keep it a line
            flush(); out.append(' '.join(body.split()))
        else:
            body = ' '.join(body.split())
            if not para: para = body
            elif body: para += ('' if wide(para[-1]) and wide(body[0]) else ' ') + body
    flush()
    return '\n'.join(x for x in out if x)

def facet_ok(tag):
    return tag.split('::')[0] not in DROP_FACETS and not tag.endswith('TODO')

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('out_dir')
    ap.add_argument('--lists', default='/var/lib/apt/lists')
    ap.add_argument('--min-class', type=int, default=40)
    ap.add_argument('--max-classes', type=int, default=74)
    ap.add_argument('--en-docs', type=int, default=4000)
    ap.add_argument('--multi-docs', type=int, default=16000)
    ap.add_argument('--min-lang', type=int, default=100, help='drop languages with fewer docs in the multilingual file')
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()

    files = sorted(os.listdir(a.lists), key=lambda f: (('-security_' in f or '-updates_' in f), f))
    pkgs = {}                                        # package -> (source, md5, tags); first suite wins
    for f in files:
        if not re.search(r'_Packages(\.(lz4|gz|xz|bz2|zst))?$', f): continue
        for d in paragraphs(os.path.join(a.lists, f)):
            name = d.get('Package')
            if not name or name in pkgs or 'Tag' not in d: continue
            if d.get('Section', '').endswith('oldlibs') or TRANSITIONAL.search(d.get('Description', '')): continue
            md5 = d.get('Description-md5')
            if not md5: continue
            tags = sorted({t.strip() for t in d['Tag'].replace('\n', ' ').split(',') if facet_ok(t.strip())})
            if tags:
                pkgs[name] = (d.get('Source', name).split(' ')[0], md5, tags)
    texts = collections.defaultdict(dict)            # lang -> md5 -> text
    for f in sorted(files, key=lambda f: LANG_PREF.get(f.split('Translation-')[-1].split('.')[0].replace('%5f', '_'), 9)):
        m = re.search(r'_i18n_Translation-([A-Za-z_%0-9]+?)(\.(lz4|gz|xz|bz2|zst))?$', f)
        if not m: continue
        raw = m.group(1).replace('%5f', '_')
        lang = LANG_CODE.get(raw, raw.split('_')[0])
        for d in paragraphs(os.path.join(a.lists, f)):
            key = next((k for k in d if k.startswith('Description-') and k != 'Description-md5'), None)
            md5 = d.get('Description-md5')
            if key and md5 and md5 not in texts[lang]:
                texts[lang][md5] = plain(d[key])
    if 'en' not in texts: sys.exit('no Translation-en under ' + a.lists)
    langs = sorted(l for l in texts if l != 'en')

    # eligible packages: English text of 40+ characters; docs per language
    docs = {}
    for name, (src, md5, tags) in pkgs.items():
        en = texts['en'].get(md5, '')
        if len(en) < 40: continue
        d = {'en': en}
        for l in langs:
            t = texts[l].get(md5, '')
            if len(t) >= 40 and t != en: d[l] = t
        docs[name] = d
    rnd = random.Random(a.seed)
    order = sorted(docs); rnd.shuffle(order)
    seen, uniq = set(), []                           # one binary package per source package
    for p in order:
        if pkgs[p][0] not in seen: seen.add(pkgs[p][0]); uniq.append(p)
    freq = collections.Counter(t for p in uniq for t in pkgs[p][2])
    cand = {t for t, _ in freq.most_common(a.max_classes)}

    def sample(pool, fill_order, size, target):
        """Seeded order; first cover every candidate class with min-class packages, then fill."""
        pool = [p for p in pool if cand & set(pkgs[p][2])]
        n, chosen, total = collections.Counter(), [], 0
        for p in pool:
            if total >= target: break
            if any(n[t] < a.min_class for t in cand.intersection(pkgs[p][2])):
                chosen.append(p); total += size(p); n.update(cand.intersection(pkgs[p][2]))
        picked = set(chosen)
        for p in fill_order(pool):
            if total >= target: break
            if p not in picked:
                chosen.append(p); total += size(p)
        return chosen

    en_pkgs = sample(uniq, list, lambda p: 1, a.en_docs)
    multi_pool = [p for p in uniq if len(docs[p]) > 1]
    # covering pass in seeded order; the fill prefers packages in more languages (stable sort: seed breaks ties)
    multi_pkgs = sample(multi_pool, lambda ps: sorted(ps, key=lambda p: -len(docs[p])), lambda p: len(docs[p]), a.multi_docs)
    lang_n = collections.Counter(l for p in multi_pkgs for l in docs[p])
    keep_langs = {'en'} | {l for l in langs if lang_n[l] >= a.min_lang}

    def count(ps): return collections.Counter(t for p in ps for t in cand.intersection(pkgs[p][2]))
    ce, cm = count(en_pkgs), count(multi_pkgs)
    classes = sorted((t for t in cand if ce[t] >= a.min_class and cm[t] >= a.min_class), key=lambda t: (-freq[t], t))
    cls = set(classes)

    os.makedirs(a.out_dir, exist_ok=True)
    stats = {}
    for fname, ps, ls in (('debtags-en.jsonl', en_pkgs, {'en'}), ('debtags-multi.jsonl', multi_pkgs, keep_langs)):
        per_lang, per_class, n_pkg = collections.Counter(), collections.Counter(), 0
        with open(os.path.join(a.out_dir, fname), 'w', encoding='utf-8') as out:
            for p in sorted(ps):
                labels = sorted(cls.intersection(pkgs[p][2]))
                if not labels: continue
                n_pkg += 1; per_class.update(labels)
                for l in sorted(docs[p], key=lambda l: (l != 'en', l)):
                    if l in ls:
                        out.write(json.dumps({'id': p, 'lang': l, 'text': docs[p][l], 'labels': labels}, ensure_ascii=False) + '\n')
                        per_lang[l] += 1
        stats[fname] = (n_pkg, per_lang, per_class)

    rel = [f for f in files if f.endswith('InRelease')]
    dates = sorted({l for f in rel for l in open(os.path.join(a.lists, f), encoding='utf-8', errors='replace').read().split('\n')
                    if l.startswith('Date:')})
    with open(os.path.join(a.out_dir, 'README.txt'), 'w', encoding='utf-8') as r:
        r.write('Debian package descriptions labelled with debtags; built by benches/quality/build_debtags.py\n')
        r.write('from apt lists in %s (%s)\n' % (a.lists, '; '.join(d[5:].strip() for d in dates)))
        r.write('parameters: ' + ' '.join('--%s %s' % (k.replace('_', '-'), v) for k, v in vars(a).items() if k != 'out_dir') + '\n')
        r.write('eligible tagged packages (one per source): %d; with a translation: %d; Translation files: %s\n'
                % (len(uniq), len(multi_pool), ', '.join(['en'] + langs)))
        r.write('dropped facets: %s, *::TODO; languages dropped (< --min-lang docs): %s\n'
                % (', '.join(DROP_FACETS), ', '.join(sorted(set(langs) - keep_langs)) or 'none'))
        r.write('\n%d classes\n' % len(classes))
        for fname, (n_pkg, per_lang, per_class) in stats.items():
            r.write('\n%s: %d packages, %d documents\n' % (fname, n_pkg, sum(per_lang.values())))
            r.write('  per language: ' + ', '.join('%s=%d' % kv for kv in sorted(per_lang.items(), key=lambda kv: -kv[1])) + '\n')
            r.write('  packages per class (smallest %d):\n' % min(per_class.values()))
            for t in classes: r.write('    %-32s %d\n' % (t, per_class[t]))
    for fname, (n_pkg, per_lang, per_class) in stats.items():
        print('%s: %d packages, %d docs, %d classes (smallest %d), %s' % (fname, n_pkg, sum(per_lang.values()),
              len(per_class), min(per_class.values()), dict(per_lang)), file=sys.stderr)

if __name__ == '__main__':
    main()
