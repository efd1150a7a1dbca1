//! Seeded, grouped, per-language train/validation splits.
//!
//! Documents sharing an `id` (translations of one text) form a group and always
//! land on the same side. Languages are filled one at a time, smallest first:
//! the groups of a language not yet placed are shuffled (ChaCha8, seeded) and
//! put into training until the language has `round(fraction × n)` training
//! documents (at least one on each side when it has two or more documents).
//! With stratification, each label that spans at least two groups first gets
//! one group pinned to each side (rarest labels first).

use std::collections::{BTreeMap, BTreeSet};

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::corpus::Document;
use crate::error::{Error, Result};

/// Split parameters; build with [`SplitOptions::builder`].
///
/// | setting | default | range |
/// |---|---|---|
/// | `train_fraction` | 0.8 | strictly between 0 and 1 |
/// | `seed` | 0 | any `u64` |
/// | `stratify` | `false` | every label with ≥ 2 groups appears on both sides |
///
/// Deserializing validates like [`SplitOptionsBuilder::build`].
///
/// ```
/// let opts = sacx_data::SplitOptions::builder().train_fraction(0.9).seed(7).build()?;
/// assert_eq!((opts.train_fraction(), opts.seed()), (0.9, 7));
/// assert!(sacx_data::SplitOptions::builder().train_fraction(1.0).build().is_err());
/// let bad = r#"{"train_fraction": 0.0, "seed": 0, "stratify": false}"#;
/// assert!(serde_json::from_str::<sacx_data::SplitOptions>(bad).is_err());
/// # Ok::<(), sacx_data::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedSplitOptions")]
pub struct SplitOptions {
    train_fraction: f64,
    seed: u64,
    stratify: bool,
}

/// [`SplitOptions`] as read, before validation.
#[derive(Deserialize)]
struct UncheckedSplitOptions {
    train_fraction: f64,
    seed: u64,
    stratify: bool,
}

impl TryFrom<UncheckedSplitOptions> for SplitOptions {
    type Error = Error;
    fn try_from(u: UncheckedSplitOptions) -> Result<Self> {
        SplitOptions::builder()
            .train_fraction(u.train_fraction)
            .seed(u.seed)
            .stratify(u.stratify)
            .build()
    }
}

impl Default for SplitOptions {
    fn default() -> Self {
        SplitOptions {
            train_fraction: 0.8,
            seed: 0,
            stratify: false,
        }
    }
}

impl SplitOptions {
    /// A builder starting from the defaults.
    pub fn builder() -> SplitOptionsBuilder {
        SplitOptionsBuilder(SplitOptions::default())
    }

    /// The training fraction.
    pub fn train_fraction(&self) -> f64 {
        self.train_fraction
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether labels are stratified.
    pub fn stratify(&self) -> bool {
        self.stratify
    }
}

/// Builder for [`SplitOptions`].
#[derive(Debug, Clone, Copy)]
pub struct SplitOptionsBuilder(SplitOptions);

impl SplitOptionsBuilder {
    /// Sets the training fraction.
    pub fn train_fraction(mut self, f: f64) -> Self {
        self.0.train_fraction = f;
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }
    /// Switches label stratification on or off.
    pub fn stratify(mut self, on: bool) -> Self {
        self.0.stratify = on;
        self
    }
    /// Checks that the training fraction lies strictly between 0 and 1.
    pub fn build(self) -> Result<SplitOptions> {
        let f = self.0.train_fraction;
        if !(f > 0.0 && f < 1.0) {
            return Err(Error::param(
                "train_fraction",
                f,
                "a number strictly between 0 and 1, such as 0.8",
            ));
        }
        Ok(self.0)
    }
}

/// Document indices of the two sides, each sorted ascending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training documents.
    pub train: Vec<usize>,
    /// Validation documents.
    pub valid: Vec<usize>,
}

struct Group {
    docs: Vec<usize>,
    labels: BTreeSet<u32>,
}

impl Split {
    /// Splits `docs` as [`SplitOptions`] says. The same documents and seed give the
    /// same split on any machine.
    ///
    /// ```
    /// # fn main() -> Result<(), sacx_data::Error> {
    /// let lines: String = (0..20)
    ///     .map(|i| format!("{{\"id\": \"d{}\", \"text\": \"text {i}\", \"labels\": [\"A\"]}}\n", i / 2))
    ///     .collect();
    /// let corpus = sacx_data::Corpus::from_reader("c.jsonl", std::io::Cursor::new(lines), &Default::default())?;
    /// let opts = sacx_data::SplitOptions::builder().train_fraction(0.8).seed(1).build()?;
    /// let split = sacx_data::Split::new(&corpus.docs, &opts);
    /// assert_eq!(split.train.len() + split.valid.len(), 20);
    /// // Documents sharing an id (translations) stay on one side.
    /// let side = |i: usize| split.train.contains(&i);
    /// assert!((0..20).step_by(2).all(|i| side(i) == side(i + 1)));
    /// assert_eq!(split, sacx_data::Split::new(&corpus.docs, &opts));
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(docs: &[Document], opts: &SplitOptions) -> Split {
        // Groups in order of first appearance.
        let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            let g = *by_id.entry(d.id.as_str()).or_insert_with(|| {
                groups.push(Group {
                    docs: Vec::new(),
                    labels: BTreeSet::new(),
                });
                groups.len() - 1
            });
            groups[g].docs.push(i);
            groups[g].labels.extend(d.labels.iter().copied());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut side: Vec<Option<bool>> = vec![None; groups.len()];
        if opts.stratify {
            pin_labels(&groups, &mut side, &mut rng);
        }
        // Languages, smallest first (ties by code).
        let mut langs: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (g, group) in groups.iter().enumerate() {
            for &d in &group.docs {
                let entry = langs.entry(docs[d].lang.as_str()).or_default();
                if entry.last() != Some(&g) {
                    entry.push(g);
                }
            }
        }
        let mut order: Vec<(&str, usize)> = langs
            .keys()
            .map(|&l| (l, docs.iter().filter(|d| d.lang == l).count()))
            .collect();
        order.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
        for (lang, n) in order {
            let in_lang = |g: usize| {
                groups[g]
                    .docs
                    .iter()
                    .filter(|&&d| docs[d].lang == lang)
                    .count()
            };
            let mut target = (opts.train_fraction * n as f64).round() as usize;
            if n >= 2 {
                target = target.clamp(1, n - 1);
            }
            let mut train = 0;
            let mut open = Vec::new();
            for &g in &langs[lang] {
                match side[g] {
                    Some(true) => train += in_lang(g),
                    Some(false) => {}
                    None => open.push(g),
                }
            }
            open.shuffle(&mut rng);
            for g in open {
                let to_train = train < target;
                if to_train {
                    train += in_lang(g);
                }
                side[g] = Some(to_train);
            }
        }
        let mut split = Split {
            train: Vec::new(),
            valid: Vec::new(),
        };
        for (g, group) in groups.iter().enumerate() {
            let dest = if side[g] == Some(true) {
                &mut split.train
            } else {
                &mut split.valid
            };
            dest.extend(&group.docs);
        }
        split.train.sort_unstable();
        split.valid.sort_unstable();
        split
    }
}

/// Pins one group per side for every label with at least two groups, rarest first.
fn pin_labels(groups: &[Group], side: &mut [Option<bool>], rng: &mut ChaCha8Rng) {
    let mut by_label: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (g, group) in groups.iter().enumerate() {
        for &l in &group.labels {
            by_label.entry(l).or_default().push(g);
        }
    }
    let mut labels: Vec<(u32, Vec<usize>)> = by_label
        .into_iter()
        .filter(|(_, gs)| gs.len() >= 2)
        .collect();
    labels.sort_by(|a, b| a.1.len().cmp(&b.1.len()).then(a.0.cmp(&b.0)));
    for (_, mut gs) in labels {
        gs.shuffle(rng);
        for want in [true, false] {
            if gs.iter().any(|&g| side[g] == Some(want)) {
                continue;
            }
            if let Some(&g) = gs.iter().find(|&&g| side[g].is_none()) {
                side[g] = Some(want);
            }
        }
    }
}
