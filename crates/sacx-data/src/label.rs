//! The label set: class names in a fixed order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Class names in a fixed order; a label's index is its position.
///
/// The order is the explicit order when the set is given (`--labels HI,ID,IN`),
/// otherwise the names sorted by byte order, so the same corpus always gives the
/// same indices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct LabelSet {
    names: Vec<String>,
    index: BTreeMap<String, u32>,
}

impl LabelSet {
    /// A label set in the given order; a repeated or empty name is an error.
    pub fn new<I, S>(names: I) -> Result<Self>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut set = LabelSet {
            names: Vec::new(),
            index: BTreeMap::new(),
        };
        for name in names {
            let name = name.into();
            if name.is_empty() {
                return Err(Error::param("label", "\"\"", "a non-empty label name"));
            }
            if set.index.contains_key(&name) {
                return Err(Error::DuplicateLabel { label: name });
            }
            set.index.insert(name.clone(), set.names.len() as u32);
            set.names.push(name);
        }
        Ok(set)
    }

    /// A label set of the given names, deduplicated and sorted.
    pub fn sorted<I, S>(names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut names: Vec<String> = names.into_iter().map(Into::into).collect();
        names.retain(|n| !n.is_empty());
        names.sort();
        names.dedup();
        let index = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        LabelSet { names, index }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the set has no labels.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of label `i`, if it exists.
    pub fn name(&self, i: u32) -> Option<&str> {
        self.names.get(i as usize).map(String::as_str)
    }

    /// The index of a label name.
    pub fn index(&self, name: &str) -> Option<u32> {
        self.index.get(name).copied()
    }

    /// All names in index order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

impl TryFrom<Vec<String>> for LabelSet {
    type Error = Error;
    fn try_from(names: Vec<String>) -> Result<Self> {
        LabelSet::new(names)
    }
}

impl From<LabelSet> for Vec<String> {
    fn from(set: LabelSet) -> Self {
        set.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_order_is_kept_and_duplicates_rejected() {
        let set = LabelSet::new(["NA", "HI", "ID"]).unwrap();
        assert_eq!(set.index("NA"), Some(0));
        assert_eq!(set.name(2), Some("ID"));
        assert_eq!(set.index("OP"), None);
        let err = LabelSet::new(["HI", "HI"]).unwrap_err().to_string();
        assert!(err.contains("\"HI\""), "{err}");
    }

    #[test]
    fn sorted_set_is_sorted_and_unique() {
        let set = LabelSet::sorted(["b", "a", "b"]);
        assert_eq!(set.names(), ["a", "b"]);
    }
}
