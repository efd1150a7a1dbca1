//! Ranks IG keywords from explanation files and writes them (a minimal front end used by
//! the benchmark; the `sacx keywords` command is the user-facing one).
//!
//! `keywords OUT_DIR [--labels A,B,..] [--words-per-doc N] [--style S] [--cut-order O]
//!  [--selection-freq F] [--top-n N] FILES...` — `.tsv` files are one run each, named
//! after the file; other files are shards.
use sacx_aggregate::{CutOrder, Inputs, KeywordParams, Style, aggregate};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: keywords OUT_DIR [options] FILES...")?;
    let mut b = KeywordParams::builder();
    let mut inputs = Inputs::new();
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--labels" => {
                inputs = inputs.labels(value()?.split(',').map(str::to_string).collect::<Vec<_>>())
            }
            "--words-per-doc" => b = b.words_per_doc(value()?.parse()?),
            "--style" => b = b.style(value()?.parse::<Style>()?),
            "--cut-order" => b = b.cut_order(value()?.parse::<CutOrder>()?),
            "--selection-freq" => b = b.selection_frequency(value()?.parse()?),
            "--top-n" => b = b.top_n(value()?.parse()?),
            _ => files.push(a),
        }
    }
    let params = b.build()?;
    let inputs = inputs.paths(files);
    let start = Instant::now();
    let keywords = aggregate(&inputs, &params, None)?;
    keywords.write(std::path::Path::new(&out))?;
    eprintln!(
        "aggregated {} files in {:.2} s",
        inputs.sources().len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
