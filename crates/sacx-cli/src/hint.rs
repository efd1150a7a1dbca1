//! Command-line wording for library errors: the libraries speak of their types
//! and fields (`LoadOptions::skip_bad_lines`); a user of the binary needs the
//! flag instead (`--skip-bad-lines`).
use std::error::Error as StdError;

/// Advice for a bad corpus line.
const SKIP_BAD_LINES: &str = "fix the line or pass --skip-bad-lines to skip and count it";
/// Advice for a corpus file whose format the name does not tell.
const FORMAT: &str = "name it .jsonl or .tsv (optionally .gz) or pass --format jsonl|tsv";

/// The message of `cause` in command-line terms, when it is a library error
/// whose own message names a library setting that a flag sets; `None` for
/// every other error (its own message is right as it is).
pub fn cli_message(cause: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(text) = pipeline_message(cause) {
        return Some(text);
    }
    if let Some(sacx_select::Error::InvalidParameter(p)) =
        cause.downcast_ref::<sacx_select::Error>()
    {
        // `sacx select` names each selection parameter as its flag.
        return Some(format!(
            "--{} {}: expected {}",
            p.name().replace('_', "-"),
            p.value(),
            p.expected()
        ));
    }
    data_message(data_error(cause)?)
}

/// A pipeline error that names an option by its field: the flag that sets it.
fn pipeline_message(cause: &(dyn StdError + 'static)) -> Option<String> {
    match cause.downcast_ref::<sacx_pipeline::Error>()? {
        // The pipeline's own parameters are its options: name them as flags.
        sacx_pipeline::Error::InvalidParameter(p) => Some(format!(
            "--{} {}: expected {}",
            p.name(),
            p.value(),
            p.expected()
        )),
        sacx_pipeline::Error::Conflict { option, reason } => Some(format!("--{option}: {reason}")),
        e @ sacx_pipeline::Error::NotOwned { .. } => {
            Some(format!("{e}, or pass --force to write into it"))
        }
        sacx_pipeline::Error::OtherOptions {
            path,
            difference,
            thread_count,
        } => {
            let why = if *thread_count {
                " (libtorch's CPU results depend on the thread count, so a resumed run must use the same --threads)"
            } else {
                ""
            };
            Some(format!(
                "{}: this directory holds a run with other options ({difference}){why}; resume it with the same options or use another --out",
                path.display()
            ))
        }
        _ => None,
    }
}

/// The flag hint for the first known library error in `err`'s chain, for
/// example "fix the line or pass --skip-bad-lines to skip and count it".
#[cfg(test)]
pub fn hint(err: &anyhow::Error) -> Option<&'static str> {
    err.chain().find_map(|cause| match data_error(cause)? {
        sacx_data::Error::BadLine { .. } => Some(SKIP_BAD_LINES),
        sacx_data::Error::UnknownFormat { .. } => Some(FORMAT),
        _ => None,
    })
}

/// The sacx-data error `cause` is or wraps transparently (the other crates'
/// `Data` variants display the inner error as their own).
fn data_error<'a>(cause: &'a (dyn StdError + 'static)) -> Option<&'a sacx_data::Error> {
    if let Some(e) = cause.downcast_ref::<sacx_data::Error>() {
        return Some(e);
    }
    match cause.downcast_ref::<sacx_aggregate::Error>() {
        Some(sacx_aggregate::Error::Data(e)) => return Some(e),
        Some(_) => return None,
        None => {}
    }
    match cause.downcast_ref::<sacx_select::Error>() {
        Some(sacx_select::Error::Data(e)) => return Some(e),
        Some(_) => return None,
        None => {}
    }
    match cause.downcast_ref::<sacx_model::Error>() {
        Some(sacx_model::Error::Data(e)) => return Some(e),
        Some(_) => return None,
        None => {}
    }
    match cause.downcast_ref::<sacx_ig::Error>() {
        Some(sacx_ig::Error::Data(e)) => return Some(e),
        Some(_) => return None,
        None => {}
    }
    match cause.downcast_ref::<sacx_pipeline::Error>() {
        Some(sacx_pipeline::Error::Data(e)) => Some(e),
        Some(sacx_pipeline::Error::Aggregate(sacx_aggregate::Error::Data(e))) => Some(e),
        Some(sacx_pipeline::Error::Model(sacx_model::Error::Data(e))) => Some(e),
        Some(sacx_pipeline::Error::Ig(sacx_ig::Error::Data(e))) => Some(e),
        _ => None,
    }
}

fn data_message(e: &sacx_data::Error) -> Option<String> {
    match e {
        sacx_data::Error::BadLine { file, line, reason } => {
            Some(format!("{file}:{line}: {reason}; {SKIP_BAD_LINES}"))
        }
        sacx_data::Error::UnknownFormat { file } => Some(format!(
            "{file}: cannot tell the corpus format from the name; {FORMAT}"
        )),
        sacx_data::Error::OtherPredictions {
            path,
            what,
            was,
            now,
        } => {
            let flag = what.replace('_', "-");
            Some(format!(
                "{}: these predictions were made with another --{flag} ({was}; now {now}); give the same --{flag} to resume them, or another --out",
                path.display()
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_and_unknown_formats_get_their_flags() {
        let bad = sacx_data::Error::BadLine {
            file: "c.jsonl".into(),
            line: 3,
            reason: "invalid JSON".into(),
        };
        assert!(bad.to_string().contains("LoadOptions::skip_bad_lines"));
        let wrapped = anyhow::Error::new(sacx_aggregate::Error::Data(bad));
        let wrapped = wrapped.context("loading the corpus");
        assert_eq!(hint(&wrapped), Some(SKIP_BAD_LINES));
        let text = wrapped.chain().find_map(cli_message).unwrap();
        assert_eq!(
            text,
            "c.jsonl:3: invalid JSON; fix the line or pass --skip-bad-lines to skip and count it"
        );
        let unknown = anyhow::Error::new(sacx_data::Error::UnknownFormat {
            file: "c.txt".into(),
        });
        assert!(
            unknown
                .chain()
                .find_map(cli_message)
                .unwrap()
                .ends_with("or pass --format jsonl|tsv")
        );
        assert_eq!(hint(&anyhow::anyhow!("other")), None);
    }
}
