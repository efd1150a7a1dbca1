//! The load report: nothing is dropped silently.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// How many bad or empty lines [`LoadReport`]'s `Display` lists before summarising.
const SHOWN: usize = 20;

/// A line that was skipped, with where it is and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedLine {
    /// File (or source) name.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// Why it was skipped.
    pub reason: String,
}

impl fmt::Display for SkippedLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

/// What loading (or streaming) a corpus did: documents per language and class,
/// documents dropped and why, empty texts, bad lines and truncated documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadReport {
    /// Non-blank lines read.
    pub lines: usize,
    /// Documents kept.
    pub documents: usize,
    /// Documents kept, per language.
    pub per_language: BTreeMap<String, usize>,
    /// Documents kept, per class name.
    pub per_class: BTreeMap<String, usize>,
    /// Kept documents without any label.
    pub without_labels: usize,
    /// Documents dropped because all their labels fall outside the explicit label set.
    pub dropped_outside_labels: usize,
    /// Labels outside the explicit label set and how often they were removed.
    pub unknown_labels: BTreeMap<String, usize>,
    /// Documents dropped because their text is empty or only whitespace.
    pub empty: Vec<SkippedLine>,
    /// Malformed lines skipped under `skip_bad_lines`.
    pub bad_lines: Vec<SkippedLine>,
    /// Documents truncated at tokenization (filled in by [`crate::Corpus::encode`]).
    pub truncated: usize,
    /// Documents added from extra labelled files ([`crate::Corpus::merge_labelled`]).
    #[serde(default)]
    pub labelled_added: usize,
    /// Documents of extra labelled files the corpus already held with the same labels.
    #[serde(default)]
    pub labelled_present: usize,
}

impl LoadReport {
    /// Counts a kept document.
    pub(crate) fn add_document<'a>(&mut self, lang: &str, classes: impl Iterator<Item = &'a str>) {
        self.documents += 1;
        *self.per_language.entry(lang.to_string()).or_default() += 1;
        let mut any = false;
        for class in classes {
            any = true;
            *self.per_class.entry(class.to_string()).or_default() += 1;
        }
        if !any {
            self.without_labels += 1;
        }
    }

    /// Adds another report's counts to this one.
    pub fn merge(&mut self, other: LoadReport) {
        self.lines += other.lines;
        self.documents += other.documents;
        for (k, v) in other.per_language {
            *self.per_language.entry(k).or_default() += v;
        }
        for (k, v) in other.per_class {
            *self.per_class.entry(k).or_default() += v;
        }
        self.without_labels += other.without_labels;
        self.dropped_outside_labels += other.dropped_outside_labels;
        for (k, v) in other.unknown_labels {
            *self.unknown_labels.entry(k).or_default() += v;
        }
        self.empty.extend(other.empty);
        self.bad_lines.extend(other.bad_lines);
        self.truncated += other.truncated;
        self.labelled_added += other.labelled_added;
        self.labelled_present += other.labelled_present;
    }
}

fn write_counts(f: &mut fmt::Formatter<'_>, map: &BTreeMap<String, usize>) -> fmt::Result {
    let parts: Vec<String> = map.iter().map(|(k, v)| format!("{k} {v}")).collect();
    writeln!(f, "{}", parts.join(", "))
}

fn write_lines(f: &mut fmt::Formatter<'_>, title: &str, lines: &[SkippedLine]) -> fmt::Result {
    writeln!(f, "{title}: {}", lines.len())?;
    for l in lines.iter().take(SHOWN) {
        writeln!(f, "  {l}")?;
    }
    if lines.len() > SHOWN {
        writeln!(f, "  ... and {} more", lines.len() - SHOWN)?;
    }
    Ok(())
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "documents: {} (from {} lines)",
            self.documents, self.lines
        )?;
        write!(f, "per language: ")?;
        write_counts(f, &self.per_language)?;
        write!(f, "per class: ")?;
        write_counts(f, &self.per_class)?;
        writeln!(f, "without labels: {}", self.without_labels)?;
        writeln!(
            f,
            "dropped (all labels outside the label set): {}",
            self.dropped_outside_labels
        )?;
        if !self.unknown_labels.is_empty() {
            write!(f, "labels outside the label set: ")?;
            write_counts(f, &self.unknown_labels)?;
        }
        if self.labelled_added + self.labelled_present > 0 {
            writeln!(
                f,
                "extra labelled documents: {} added, {} already in the corpus",
                self.labelled_added, self.labelled_present
            )?;
        }
        write_lines(f, "empty texts (dropped)", &self.empty)?;
        write_lines(f, "bad lines (skipped)", &self.bad_lines)?;
        // Known only once a tokenizer has encoded the documents (Corpus::encode).
        if self.truncated > 0 {
            write!(f, "truncated at tokenization: {}", self.truncated)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_every_count() {
        let mut r = LoadReport {
            lines: 3,
            ..LoadReport::default()
        };
        r.add_document("en", ["A", "B"].into_iter());
        r.add_document("fi", std::iter::empty());
        r.bad_lines.push(SkippedLine {
            file: "c.jsonl".into(),
            line: 3,
            reason: "invalid JSON".into(),
        });
        let s = r.to_string();
        assert!(s.contains("documents: 2 (from 3 lines)"), "{s}");
        assert!(s.contains("per language: en 1, fi 1"), "{s}");
        assert!(s.contains("per class: A 1, B 1"), "{s}");
        assert!(s.contains("without labels: 1"), "{s}");
        assert!(s.contains("c.jsonl:3: invalid JSON"), "{s}");
    }
}
