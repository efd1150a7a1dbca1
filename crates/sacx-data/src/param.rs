//! The one invalid-parameter shape shared by every sacx crate.
use std::fmt;

/// A parameter outside its documented range: the name, the value given and
/// what is accepted.
///
/// Every sacx crate's error enum carries this type unchanged (as its
/// `InvalidParameter` variant), so that a caller matches one shape whichever
/// crate validated the value.
///
/// ```
/// let e = sacx_data::InvalidParameter::new("top_n", 0, "1..=10000");
/// assert_eq!(e.to_string(), "top_n = 0 is invalid: expected 1..=10000");
/// assert_eq!(e.name(), "top_n");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidParameter {
    name: &'static str,
    value: String,
    expected: String,
}

impl InvalidParameter {
    /// The parameter `name` was given `value`; `expected` says what is accepted.
    pub fn new(name: &'static str, value: impl fmt::Display, expected: impl Into<String>) -> Self {
        InvalidParameter {
            name,
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    /// The parameter's name (the library's field name, not a CLI flag).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The offending value, as text.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The accepted range or values.
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for InvalidParameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} = {} is invalid: expected {}",
            self.name, self.value, self.expected
        )
    }
}

impl std::error::Error for InvalidParameter {}
