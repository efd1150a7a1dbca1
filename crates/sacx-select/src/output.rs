//! What a selection produces: the documents to label (JSON Lines, one object
//! a line, since texts hold tabs and newlines) and the summary (JSON).
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::mine::MotifStat;
use crate::{Error, Result};

/// Format tag of the summary file.
pub const SUMMARY_FORMAT: &str = "sacx-select/1";

/// Why a document was selected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// Sampled from the class's top ranks.
    Exploit,
    /// Holds a motif over-represented among the top ranks.
    Explore,
    /// Probability closest to the class threshold.
    Uncertainty,
    /// Holds one of the class's stable IG keywords.
    Keyword,
    /// Chosen by a peer strategy (`sacx select --strategy`); the class is the
    /// document's most probable one, the score the strategy's.
    Strategy,
}

impl Reason {
    /// The name written in the files.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Exploit => "exploit",
            Reason::Explore => "explore",
            Reason::Uncertainty => "uncertainty",
            Reason::Keyword => "keyword",
            Reason::Strategy => "strategy",
        }
    }
}

/// One document to label: a line of the selection file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selected {
    /// The document id.
    pub id: String,
    /// The text.
    pub text: String,
    /// The class it was selected for.
    pub class: String,
    /// Why.
    pub reason: Reason,
    /// Its probability for the class.
    pub score: f32,
    /// The motif or keyword it holds (explore, keyword), else `null`.
    pub motif: Option<String>,
}

/// A class's part of the summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassSummary {
    /// The class.
    pub class: String,
    /// Its threshold.
    pub threshold: f32,
    /// Documents selected, by reason (`exploit`, `explore`, `uncertainty`, `keyword`).
    pub selected: BTreeMap<String, usize>,
    /// The motifs kept, best first, with their counts and lift.
    pub motifs: Vec<MotifStat>,
    /// The IG keywords used as motifs, with their counts and lift.
    pub keywords: Vec<MotifStat>,
}

/// The summary of a selection (`summary.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// [`SUMMARY_FORMAT`].
    pub format: String,
    /// sacx version.
    pub sacx_version: String,
    /// Documents in the pool.
    pub pool: u64,
    /// Pool documents left out because their id is labelled.
    pub labelled_skipped: u64,
    /// Size of the random sample motifs were compared with.
    pub random_sample: usize,
    /// Documents segmented in the motif pass (those the prefilter kept).
    pub verified: u64,
    /// Documents selected in all.
    pub selected: usize,
    /// The parameters, every derived default resolved.
    pub parameters: serde_json::Value,
    /// Per class, in label order.
    pub classes: Vec<ClassSummary>,
    /// Seconds per pass (`scan`, `motifs`, `find`) and in all (`total`).
    pub seconds: BTreeMap<String, f64>,
}

/// A selection: the documents to label and its summary.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// The documents, by reason (exploit, uncertainty, explore, keyword), then class.
    pub documents: Vec<Selected>,
    /// The summary.
    pub summary: Summary,
}

/// The summary file that goes with a selection file: `NAME.summary.json` beside
/// `NAME.jsonl` (or beside `NAME` when it has no `.jsonl` extension).
pub fn summary_path(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
    out.with_file_name(format!("{stem}.summary.json"))
}

/// Refuses to replace files sacx did not write: `out` may be missing, or a
/// selection (its first line a selection document, or empty with a summary);
/// its summary may be missing or a selection summary.
pub fn check_replaceable(out: &Path) -> Result<()> {
    let summary = summary_path(out);
    let summary_ok = match std::fs::read_to_string(&summary) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Error::Io {
                path: summary,
                source: e,
            });
        }
        Ok(text) => Some(
            serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .is_some_and(|v| v.get("format").and_then(|f| f.as_str()) == Some(SUMMARY_FORMAT)),
        ),
    };
    if summary_ok == Some(false) {
        return Err(Error::NotOwned { path: summary });
    }
    let file = match std::fs::File::open(out) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::Io {
                path: out.into(),
                source: e,
            });
        }
        Ok(f) => f,
    };
    let mut first = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut first)
        .map_err(Error::io(out))?;
    let ours = if first.trim().is_empty() {
        summary_ok == Some(true)
    } else {
        serde_json::from_str::<Selected>(first.trim_end()).is_ok()
    };
    if ours {
        Ok(())
    } else {
        Err(Error::NotOwned { path: out.into() })
    }
}

impl Summary {
    /// Reads the summary a selection wrote ([`summary_path`] of its selection file).
    pub fn read(path: &Path) -> Result<Summary> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        serde_json::from_str(&text).map_err(|source| Error::Summary {
            path: path.into(),
            source,
        })
    }

    /// Per class, the motifs kept (their texts, best first).
    pub fn motifs(&self) -> BTreeMap<&str, Vec<&str>> {
        self.classes
            .iter()
            .map(|c| {
                let motifs = c.motifs.iter().map(|m| m.motif.as_str()).collect();
                (c.class.as_str(), motifs)
            })
            .collect()
    }
}

impl Selection {
    /// The selection file's bytes: one JSON object a line.
    pub fn jsonl(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for d in &self.documents {
            serde_json::to_writer(&mut out, d).map_err(|e| Error::Pool(Box::new(e)))?;
            out.push(b'\n');
        }
        Ok(out)
    }

    /// Writes the selection to `out` and the summary to [`summary_path`],
    /// each atomically, after [`check_replaceable`].
    pub fn write(&self, out: &Path) -> Result<PathBuf> {
        check_replaceable(out)?;
        let summary = summary_path(out);
        let json =
            serde_json::to_vec_pretty(&self.summary).map_err(|e| Error::Pool(Box::new(e)))?;
        sacx_data::write_atomic(out, &self.jsonl()?)?;
        sacx_data::write_atomic(&summary, &json)?;
        Ok(summary)
    }
}
