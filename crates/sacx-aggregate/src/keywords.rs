//! Keyword lists and their files: per class a stable and an unstable TSV in the
//! original's columns, and `keywords.json` with every ranked list and the parameters.
use crate::params::Method;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Name of the JSON file written by [`Keywords::write`].
pub const KEYWORDS_JSON: &str = "keywords.json";
/// Columns of the per-class TSV files: the original's seven, then six more.
pub const TSV_COLUMNS: [&str; 13] = [
    "token",
    "pred",
    "label",
    "score_mean",
    "score_std",
    "source_number",
    "corpus_freq",
    "occurrences",
    "documents",
    "score",
    "mass",
    "specificity",
    "association",
];

/// One ranked word of a class.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Keyword {
    /// The word.
    pub word: String,
    /// IG: mean selected score; baselines: the method's score.
    pub score_mean: f64,
    /// IG: population standard deviation of the selected scores; baselines: 0.
    pub score_std: f64,
    /// IG: selected occurrences; baselines: term frequency in the class (0 if unknown).
    pub occurrences: u64,
    /// IG: distinct runs it was selected in (`source_number`); baselines: 0.
    pub runs: u32,
    /// IG: distinct explained documents (language, id) it was selected in;
    /// baselines: document frequency in the class.
    pub documents: u64,
    /// IG: the distinct gold label sets of those documents, sorted; baselines: empty.
    pub gold_labels: Vec<Vec<String>>,
    /// Document frequency in the class from the class word counts (`None`: no counts).
    pub corpus_freq: Option<u64>,
    /// The ranking score: IG support ranking `mass × specificity`, IG original
    /// ranking the mean score, baselines the method's score.
    #[serde(default)]
    pub score: f64,
    /// IG: attribution mass per explained class document, `Σ s / N_c`
    /// (docs/metrics.md); baselines: 0.
    #[serde(default)]
    pub mass: f64,
    /// IG: the share of the word's positive mass over all classes that goes to this
    /// class, in [0, 1]; baselines: 0.
    #[serde(default)]
    pub specificity: f64,
    /// IG contrast ranking: the corpus association of the word with the class, in
    /// [0, 1] (docs/metrics.md); `None` for other rankings and baselines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<f64>,
    /// Per-language lists: the keyword's equivalents in the class's lists of the
    /// other languages, found from the attributions of translations (documents
    /// sharing an id); empty elsewhere.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub translations: Vec<crate::align::Translation>,
}

/// A class's lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassKeywords {
    /// Class name.
    pub class: String,
    /// Ranked keywords (stable words; for baselines, the method's ranking).
    pub keywords: Vec<Keyword>,
    /// Ranked unstable words (IG only).
    pub unstable: Vec<Keyword>,
    /// Counter-evidence (IG only): stable words whose attribution mass for the class
    /// is negative, most negative first. They push the models away from the class.
    #[serde(default)]
    pub counter: Vec<Keyword>,
    /// IG: explained (run, document) pairs of the class that entered the ranking.
    #[serde(default)]
    pub explained: u64,
    /// IG: runs with at least one such pair.
    #[serde(default)]
    pub explained_runs: u32,
    /// Why the keyword list is empty (`None` when it is not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Every class's keyword lists and how they were made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Keywords {
    /// Format tag, `sacx-keywords/1`.
    pub format: String,
    /// Method that produced the lists.
    pub method: Method,
    /// Parameters used (method-specific object).
    pub parameters: serde_json::Value,
    /// Run names (IG; empty for baselines).
    pub runs: Vec<String>,
    /// Per class, in label order.
    pub classes: Vec<ClassKeywords>,
    /// IG on a corpus of several languages: each class's stable keywords per
    /// language, languages in byte order (empty otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<crate::languages::LanguageKeywords>,
}

/// Format tag of `keywords.json`.
pub const KEYWORDS_FORMAT: &str = "sacx-keywords/1";

impl Keywords {
    /// The ranking parameters of an IG list, typed (validated as when they
    /// were built; parameters saved before a field existed take its earlier
    /// default). `None` for a baseline's list, or parameters this version
    /// cannot read.
    pub fn ranking_parameters(&self) -> Option<crate::KeywordParams> {
        (self.method == Method::Ig)
            .then(|| serde_json::from_value(self.parameters.clone()).ok())
            .flatten()
    }

    /// The parameters of a baseline's list, typed; `None` for an IG list.
    pub fn baseline_parameters(&self) -> Option<crate::BaselineParams> {
        (self.method != Method::Ig)
            .then(|| serde_json::from_value(self.parameters.clone()).ok())
            .flatten()
    }

    /// The set as the evaluation reads it: each class's ranked list, without
    /// its words' gold label sets and translations, and without the unstable,
    /// counter-evidence and per-language lists. Those are written by
    /// [`Keywords::write`] and read back by the report, never by the
    /// evaluation; they grow with the corpus (the gold label sets are nearly
    /// one per document on a tag corpus), so a run does not hold them past
    /// the stage that wrote them.
    ///
    /// ```
    /// # use sacx_aggregate::{ClassKeywords, Keyword, Keywords, Method};
    /// # let word = Keyword { word: "chess".into(), score_mean: 0.5, score_std: 0.0,
    /// #   occurrences: 3, runs: 2, documents: 2, gold_labels: vec![vec!["Game".into()]],
    /// #   corpus_freq: None, score: 0.5, mass: 0.5, specificity: 1.0, association: None,
    /// #   translations: vec![] };
    /// let set = Keywords {
    ///     format: sacx_aggregate::KEYWORDS_FORMAT.into(),
    ///     method: Method::Ig,
    ///     parameters: serde_json::json!({}),
    ///     runs: vec!["1".into(), "2".into()],
    ///     classes: vec![ClassKeywords { class: "Game".into(), keywords: vec![word.clone()],
    ///         unstable: vec![], counter: vec![word], explained: 2, explained_runs: 2, note: None }],
    ///     languages: vec![],
    /// };
    /// let lists = set.clone().into_ranked_lists();
    /// assert_eq!(lists.top(10), set.top(10));
    /// assert!(lists.classes[0].keywords[0].gold_labels.is_empty());
    /// assert!(lists.classes[0].counter.is_empty());
    /// ```
    pub fn into_ranked_lists(mut self) -> Self {
        self.languages = Vec::new();
        for c in &mut self.classes {
            c.unstable = Vec::new();
            c.counter = Vec::new();
            for k in &mut c.keywords {
                k.gold_labels = Vec::new();
                k.translations = Vec::new();
            }
        }
        self
    }

    /// The lists of `class`.
    pub fn class(&self, class: &str) -> Option<&ClassKeywords> {
        self.classes.iter().find(|c| c.class == class)
    }

    /// Per class, its first `k` keywords (words only), in label order.
    pub fn top(&self, k: usize) -> Vec<(String, Vec<String>)> {
        self.classes
            .iter()
            .map(|c| {
                (
                    c.class.clone(),
                    c.keywords.iter().take(k).map(|w| w.word.clone()).collect(),
                )
            })
            .collect()
    }

    /// Writes `keywords.json` and per class `<class>_stable.tsv`,
    /// `<class>_unstable.tsv` and `<class>_counter.tsv` into `dir` (created if missing), each atomically;
    /// returns the paths written. File names come from [`file_stem`], which
    /// never gives two labels the same name.
    pub fn write(&self, dir: &Path) -> Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let mut names: BTreeMap<String, &str> = BTreeMap::new();
        let mut written = Vec::new();
        for c in &self.classes {
            let file = file_stem(&c.class);
            if let Some(first) = names.insert(file.clone(), &c.class) {
                return Err(Error::ClassFileName {
                    first: first.into(),
                    second: c.class.clone(),
                    file,
                });
            }
            for (suffix, list) in [
                ("stable", &c.keywords),
                ("unstable", &c.unstable),
                ("counter", &c.counter),
            ] {
                let path = dir.join(format!("{file}_{suffix}.tsv"));
                sacx_data::write_atomic(&path, tsv(&c.class, list).as_bytes())?;
                written.push(path);
            }
        }
        for l in &self.languages {
            let lang_dir = dir.join("languages").join(file_stem(&l.lang));
            std::fs::create_dir_all(&lang_dir).map_err(Error::io(&lang_dir))?;
            for c in &l.classes {
                let path = lang_dir.join(format!("{}_stable.tsv", file_stem(&c.class)));
                sacx_data::write_atomic(&path, tsv(&c.class, &c.keywords).as_bytes())?;
                written.push(path);
            }
        }
        let path = dir.join(KEYWORDS_JSON);
        let json = serde_json::to_string_pretty(self).map_err(|source| Error::Json {
            path: path.clone(),
            what: KEYWORDS_JSON,
            source,
        })?;
        sacx_data::write_atomic(&path, json.as_bytes())?;
        written.push(path);
        Ok(written)
    }

    /// Reads a `keywords.json` written by [`Keywords::write`].
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        let k: Keywords = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.into(),
            what: KEYWORDS_JSON,
            source,
        })?;
        if k.format != KEYWORDS_FORMAT {
            return Err(Error::JsonContent {
                path: path.into(),
                reason: format!("format {:?}, expected {KEYWORDS_FORMAT:?}", k.format),
            });
        }
        Ok(k)
    }
}

/// The parameters of a keyword list as JSON, for [`Keywords::parameters`].
pub(crate) fn parameters_value<T: Serialize>(params: &T) -> serde_json::Value {
    // The parameter structs are plain fields (numbers, strings, enums of unit
    // variants) with derived `Serialize`: `to_value` fails only for maps with
    // non-string keys or a failing custom `Serialize`, neither of which they have.
    #[allow(clippy::expect_used)]
    serde_json::to_value(params).expect("parameters serialise")
}

/// Longest file-name stem before a long class name is shortened (file systems
/// allow 255 bytes; the suffixes `_unstable.tsv` and a temporary prefix fit).
const MAX_STEM: usize = 200;

/// The file-name stem of a class: letters and digits of any script and `.`, `_`,
/// `-` stay as they are; every other character (and a leading `.`) becomes the
/// `%XX` of its UTF-8 bytes, `%` included, so two labels never share a stem
/// (`a/b` → `a%2Fb`, `a_b` → `a_b`, `体育` → `体育`). A stem longer than 200
/// bytes is cut at a character boundary and ends in `~` and a 64-bit hash of the
/// whole label.
pub fn file_stem(class: &str) -> String {
    let mut out = String::with_capacity(class.len());
    for (i, c) in class.char_indices() {
        if c.is_alphanumeric() || "_-".contains(c) || (c == '.' && i > 0) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.len() <= MAX_STEM {
        return out;
    }
    let mut cut = MAX_STEM - 17;
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    let h = sacx_data::Fnv1a::of(class.as_bytes());
    format!("{}~{h:016x}", &out[..cut])
}

/// Renders one list as TSV with a header line; a list with translations gets a
/// last column `translations` (`lang:word` pairs separated by `;`).
pub(crate) fn tsv(class: &str, list: &[Keyword]) -> String {
    let translated = list.iter().any(|k| !k.translations.is_empty());
    let mut out = TSV_COLUMNS.join("\t");
    if translated {
        out.push_str("\ttranslations");
    }
    out.push('\n');
    for k in list {
        let labels = if k.gold_labels.is_empty() {
            String::new()
        } else {
            k.gold_labels
                .iter()
                .map(|set| {
                    if set.is_empty() {
                        "None".to_string()
                    } else {
                        set.join(",")
                    }
                })
                .collect::<Vec<_>>()
                .join(";")
        };
        let cf = k.corpus_freq.map(|n| n.to_string()).unwrap_or_default();
        let assoc = k.association.map(|a| a.to_string()).unwrap_or_default();
        let _ = write!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            k.word,
            class,
            labels,
            k.score_mean,
            k.score_std,
            k.runs,
            cf,
            k.occurrences,
            k.documents,
            k.score,
            k.mass,
            k.specificity,
            assoc
        );
        if translated {
            let t: Vec<String> = k
                .translations
                .iter()
                .map(|t| format!("{}:{}", t.lang, t.word))
                .collect();
            let _ = write!(out, "\t{}", t.join(";"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_never_collide_and_stay_short() {
        let long = "x".repeat(300);
        let labels = [
            "体育", "音乐", "a/b", "a_b", "a%2Fb", "a b", ".hidden", "Game", &long,
        ];
        let stems: Vec<String> = labels.iter().map(|l| file_stem(l)).collect();
        assert_eq!(&stems[..4], ["体育", "音乐", "a%2Fb", "a_b"]);
        assert_eq!(stems[4], "a%252Fb");
        assert_eq!(stems[6], "%2Ehidden");
        assert_eq!(stems[7], "Game");
        let unique: std::collections::BTreeSet<&String> = stems.iter().collect();
        assert_eq!(unique.len(), labels.len());
        // A 300-character label: cut, with a hash, and two long labels that share
        // the first 200 bytes still differ.
        let long_a = file_stem(&format!("{}a", "é".repeat(150)));
        let long_b = file_stem(&format!("{}b", "é".repeat(150)));
        for s in [&stems[8], &long_a, &long_b] {
            assert!(s.len() <= MAX_STEM && s.contains('~'), "{s}");
        }
        assert_ne!(long_a, long_b);
        // Every stem is a valid file name with the longest suffix.
        let dir = tempfile::tempdir().unwrap();
        for s in &stems {
            std::fs::write(
                dir.path().join(format!(
                    ".{s}_unstable.tsv.tmp.4294967295.18446744073709551615"
                )),
                "x",
            )
            .unwrap();
        }
    }
}
