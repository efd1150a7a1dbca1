//! Translations of per-language keywords, from the attributions of parallel
//! documents (documents of several languages sharing an id): no dictionary, no
//! outside model. Formulas in `docs/metrics.md` (§1, "Translations").
use crate::languages::LanguageKeywords;
use crate::table::FxMap;
use serde::{Deserialize, Serialize};

/// A keyword's equivalent in another language's list of the same class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    /// The other language.
    pub lang: String,
    /// The equivalent word in that language's list of the class.
    pub word: String,
    /// Phi coefficient of the two words' selections over the ids whose
    /// documents of both languages were explained as the class, in (0, 1].
    pub phi: f64,
    /// Ids (translation groups) whose documents selected both words.
    pub documents: u64,
}

/// Where a per-language keyword sits: (language, class, rank in the list).
type Slot = (u32, u32, u32);

/// The per-language keywords by word: (language, class, rank) of each list
/// holding it.
pub(crate) struct AlignIndex {
    words: FxMap<Box<str>, Vec<Slot>>,
    langs: FxMap<Box<str>, u32>,
}

impl AlignIndex {
    /// Indexes the lists; `None` when there is nothing to align (fewer than two
    /// languages).
    pub fn new(languages: &[LanguageKeywords]) -> Option<Self> {
        if languages.len() < 2 {
            return None;
        }
        let mut words: FxMap<Box<str>, Vec<Slot>> = FxMap::default();
        let mut langs = FxMap::default();
        for (l, lk) in languages.iter().enumerate() {
            langs.insert(lk.lang.as_str().into(), l as u32);
            for (c, lc) in lk.classes.iter().enumerate() {
                for (i, k) in lc.keywords.iter().enumerate() {
                    words
                        .entry(k.word.as_str().into())
                        .or_default()
                        .push((l as u32, c as u32, i as u32));
                }
            }
        }
        Some(Self { words, langs })
    }

    /// The lists holding `word`.
    pub fn get(&self, word: &str) -> Option<&[Slot]> {
        self.words.get(word).map(Vec::as_slice)
    }
}

/// Collects, per (class, id), the per-language keywords selected in each
/// language's document, then links keywords by mutual best Dice.
#[derive(Default)]
pub(crate) struct Aligner {
    ids: FxMap<Box<str>, u32>,
    /// One selection: (class, id, language, rank), deduplicated later.
    seen: Vec<(u32, u32, u32, u32)>,
}

impl Aligner {
    /// Records the selected (class, word id) pairs of one document; `key` is
    /// its language and id joined by U+001F, `listed[word id]` the lists
    /// holding the word ([`AlignIndex::get`]).
    pub fn document(
        &mut self,
        index: &AlignIndex,
        key: &str,
        selected: &[crate::aggregate::Selected],
        listed: &[Option<&[Slot]>],
    ) {
        let Some((lang, id)) = key.split_once('\u{1f}') else {
            return;
        };
        let Some(&l) = index.langs.get(lang) else {
            return;
        };
        // Per class, the mean positive score of the document's selection: a word
        // counts when the models rely on it more than on the average word they
        // rely on (the document's own scale, no constant).
        let mut sums: Vec<(u32, f64, u32)> = Vec::new();
        for &(class, _, score) in selected.iter().filter(|s| s.2 > 0.0) {
            match sums.iter_mut().find(|s| s.0 == class) {
                Some(s) => {
                    s.1 += score as f64;
                    s.2 += 1;
                }
                None => sums.push((class, score as f64, 1)),
            }
        }
        let mut id_slot = None;
        for &(class, w, score) in selected {
            let relied = sums
                .iter()
                .find(|s| s.0 == class)
                .is_some_and(|&(_, sum, n)| score as f64 * n as f64 > sum);
            if !relied {
                continue;
            }
            let Some(slots) = listed.get(w as usize).copied().flatten() else {
                continue;
            };
            for &(sl, sc, rank) in slots {
                if sl == l && sc == class {
                    let next = self.ids.len() as u32;
                    let i =
                        *id_slot.get_or_insert_with(|| *self.ids.entry(id.into()).or_insert(next));
                    self.seen.push((class, i, l, rank));
                }
            }
        }
    }

    /// Links every keyword to its mutual best match in each other language of
    /// the class (phi over ids, at least two shared ids) and stores the links.
    pub fn finish(mut self, languages: &mut [LanguageKeywords]) {
        self.seen.sort_unstable();
        self.seen.dedup();
        let best = best_partners(&Tally::of(&self.seen), languages);
        let mut links: Vec<(Slot, Translation)> = Vec::new();
        for (&(a, lb), &(strength, n, b)) in &best {
            let mutual = best.get(&(b, a.0)).is_some_and(|&(_, _, back)| back == a);
            if !mutual {
                continue;
            }
            let (lang, word) = {
                let lk = &languages[b.0 as usize];
                (
                    lk.lang.clone(),
                    lk.classes[b.1 as usize].keywords[b.2 as usize].word.clone(),
                )
            };
            debug_assert_eq!(lb, b.0);
            links.push((
                a,
                Translation {
                    lang,
                    word,
                    phi: strength,
                    documents: n as u64,
                },
            ));
        }
        links.sort_by(|x, y| x.0.cmp(&y.0).then_with(|| x.1.lang.cmp(&y.1.lang)));
        for ((l, c, i), t) in links {
            languages[l as usize].classes[c as usize].keywords[i as usize]
                .translations
                .push(t);
        }
    }
}

/// The counts of the links, over the ids of each (class, pair of languages).
#[derive(Default)]
struct Tally {
    /// Ids where a (language A) and b (language B) were both relied on.
    n_ab: FxMap<(Slot, Slot), u32>,
    /// Ids where a was relied on and language B relied on some keyword.
    n_a: FxMap<(Slot, u32), u32>,
    /// Ids where both languages relied on some keyword: (class, A, B).
    n_pair: FxMap<(u32, u32, u32), u32>,
}

impl Tally {
    /// Counts sorted, deduplicated (class, id, language, rank) selections.
    fn of(seen: &[(u32, u32, u32, u32)]) -> Self {
        let mut t = Tally::default();
        for group in seen.chunk_by(|x, y| (x.0, x.1) == (y.0, y.1)) {
            let class = group[0].0;
            let mut present: Vec<u32> = group.iter().map(|g| g.2).collect();
            present.dedup();
            for &la in &present {
                for &lb in present.iter().filter(|&&lb| lb != la) {
                    *t.n_pair.entry((class, la, lb)).or_default() += 1;
                }
            }
            for a in group {
                for &lb in present.iter().filter(|&&lb| lb != a.2) {
                    *t.n_a.entry(((a.2, class, a.3), lb)).or_default() += 1;
                }
                for b in group.iter().filter(|b| b.2 != a.2) {
                    *t.n_ab
                        .entry(((a.2, class, a.3), (b.2, class, b.3)))
                        .or_default() += 1;
                }
            }
        }
        t
    }
}

/// Each keyword's best partner in each other language: (phi, shared ids, the
/// partner), among the pairs with two shared ids or more that pass the test.
fn best_partners(
    t: &Tally,
    languages: &[LanguageKeywords],
) -> FxMap<(Slot, u32), (f64, u32, Slot)> {
    let list_len = |slot: Slot| {
        languages[slot.0 as usize].classes[slot.1 as usize]
            .keywords
            .len()
    };
    let mut lnf = LnFactorial::default();
    let mut best: FxMap<(Slot, u32), (f64, u32, Slot)> = FxMap::default();
    for (&(a, b), &n) in &t.n_ab {
        if n < 2 {
            continue;
        }
        let na = t.n_a.get(&(a, b.0)).copied().unwrap_or(n) as f64;
        let nb = t.n_a.get(&(b, a.0)).copied().unwrap_or(n) as f64;
        let total = t.n_pair.get(&(a.1, a.0, b.0)).copied().unwrap_or(n) as f64;
        let strength = phi(n as f64, na, nb, total);
        // Bonferroni: a is tested against every word of B's list.
        let level = SIGNIFICANCE / list_len(b).max(1) as f64;
        if strength <= 0.0
            || fisher_greater(n, na as u32, nb as u32, total as u32, &mut lnf) >= level
        {
            continue;
        }
        let entry = best.entry((a, b.0)).or_insert((strength, n, b));
        // Ties: more shared ids, then the better-ranked word.
        if (strength, n, std::cmp::Reverse(b.2)) > (entry.0, entry.1, std::cmp::Reverse(entry.2.2))
        {
            *entry = (strength, n, b);
        }
    }
    best
}

/// A link needs its co-selection to be unlikely by chance: one-sided Fisher
/// exact p-value below this conventional 5 % level divided by the number of
/// words the keyword was tested against (Bonferroni).
pub const SIGNIFICANCE: f64 = 0.05;

/// ln(n!) for growing n, cached.
#[derive(Default)]
pub(crate) struct LnFactorial(Vec<f64>);

impl LnFactorial {
    fn get(&mut self, n: u32) -> f64 {
        if self.0.is_empty() {
            self.0.push(0.0);
        }
        while self.0.len() <= n as usize {
            let k = self.0.len();
            let last = self.0[k - 1];
            self.0.push(last + (k as f64).ln());
        }
        self.0[n as usize]
    }

    /// ln C(n, k).
    fn choose(&mut self, n: u32, k: u32) -> f64 {
        self.get(n) - self.get(k) - self.get(n - k)
    }
}

/// One-sided Fisher exact test: the probability, when `a` of `total` ids hold
/// one word and `b` the other independently, that `both` or more hold both.
pub(crate) fn fisher_greater(both: u32, a: u32, b: u32, total: u32, lnf: &mut LnFactorial) -> f64 {
    if a > total || b > total {
        return 1.0;
    }
    let hi = a.min(b);
    let lo = (a + b).saturating_sub(total);
    let denom = lnf.choose(total, b);
    let mut p = 0.0;
    for x in both.max(lo)..=hi {
        p += (lnf.choose(a, x) + lnf.choose(total - a, b - x) - denom).exp();
    }
    p.min(1.0)
}

/// The phi coefficient of a 2×2 table over `total` ids: `both` hold a and b,
/// `a` hold a, `b` hold b. 0 when a margin is empty or full (no evidence).
pub(crate) fn phi(both: f64, a: f64, b: f64, total: f64) -> f64 {
    let den = a * (total - a) * b * (total - b);
    if den <= 0.0 {
        return 0.0;
    }
    (both * total - a * b) / den.sqrt()
}

#[cfg(test)]
mod tests {
    use super::{LnFactorial, fisher_greater, phi};

    #[test]
    fn fisher_by_hand() {
        let mut lnf = LnFactorial::default();
        // 5 ids, each word in 2, both in 2: C(2,2)·C(3,0)/C(5,2) = 1/10.
        assert!((fisher_greater(2, 2, 2, 5, &mut lnf) - 0.1).abs() < 1e-12);
        // Both in 1 or more: 1 − C(3,2)/C(5,2) = 0.7.
        assert!((fisher_greater(1, 2, 2, 5, &mut lnf) - 0.7).abs() < 1e-12);
        assert!((fisher_greater(0, 2, 2, 5, &mut lnf) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn phi_by_hand() {
        // 10 ids; a in 4, b in 5, both in 4: (4·10 − 4·5) / √(4·6·5·5) = 20 / √600.
        assert!((phi(4.0, 4.0, 5.0, 10.0) - 20.0 / 600f64.sqrt()).abs() < 1e-12);
        // A word in every id says nothing about another.
        assert_eq!(phi(4.0, 4.0, 10.0, 10.0), 0.0);
        // Perfect agreement.
        assert!((phi(3.0, 3.0, 3.0, 9.0) - 1.0).abs() < 1e-12);
    }
}
