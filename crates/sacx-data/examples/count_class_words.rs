//! Counts class words of corpus files, streaming, and writes `tf.json` and `df.json`.
//!
//! `cargo run --release -p sacx-data --example count_class_words -- OUT_DIR CORPUS...`

use std::path::PathBuf;
use std::process::ExitCode;

use sacx_data::{ClassWordCounts, LoadOptions, Segmenter};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(out), files) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: count_class_words OUT_DIR CORPUS...");
        return ExitCode::FAILURE;
    };
    if files.is_empty() {
        eprintln!("usage: count_class_words OUT_DIR CORPUS...");
        return ExitCode::FAILURE;
    }
    let run = || -> sacx_data::Result<()> {
        let (counts, report) =
            ClassWordCounts::count_files(&files, &LoadOptions::default(), &Segmenter::new())?;
        std::fs::create_dir_all(&out).map_err(|e| sacx_data::Error::Io {
            path: out.clone(),
            source: e,
        })?;
        counts.save(&out.join("tf.json"), &out.join("df.json"))?;
        println!("{report}");
        let words: usize = counts.tf.values().map(|m| m.len()).sum();
        println!(
            "classes: {}, class-word pairs: {words}",
            counts.n_docs.len()
        );
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
