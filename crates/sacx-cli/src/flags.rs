//! The command line's words for the libraries' errors: an option the pipeline
//! names by its field becomes the flag that sets it, and an error the user
//! can get past with a flag says which.
use sacx_pipeline::Error as PipelineError;

/// The text of one cause of an error, in command-line terms.
pub fn text(cause: &(dyn std::error::Error + 'static)) -> String {
    match cause.downcast_ref::<PipelineError>() {
        Some(PipelineError::Option {
            option,
            value,
            reason,
        }) => {
            let value = if value.is_empty() {
                String::new()
            } else {
                format!(" {value}")
            };
            format!("--{option}{value}: {reason}")
        }
        Some(e @ PipelineError::NotOwned { .. }) => {
            format!("{e}, or pass --force to write into it")
        }
        _ => cause.to_string(),
    }
}
