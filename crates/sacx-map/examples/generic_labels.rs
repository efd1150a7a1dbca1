//! Cluster labels that are generic in their language: the label words (the
//! first three top words of each cluster) among the 20 most document-frequent
//! words of the cluster's main language, measured on the corpus with sacx's
//! segmentation (docs/benchmarks.md, "Topic map", issue 29's bar).
//!
//! ```sh
//! sacx map --out bmap                         # the bundled corpus, no run
//! cargo run --release -p sacx-map --example generic_labels -- bmap data/appstream.jsonl.gz
//! ```
use sacx_data::{Corpus, LoadOptions, Segmenter};
use sacx_map::TopicMap;
use sacx_map::topicality::generic_labels;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(dir), Some(corpus)) = (args.get(1), args.get(2)) else {
        return Err("usage: generic_labels MAP_DIR CORPUS".into());
    };
    let map = TopicMap::load(std::path::Path::new(dir))?;
    let corpus = Corpus::load(&[corpus], &LoadOptions::default())?;
    let seg = Segmenter::new();
    let words: Vec<Vec<String>> = corpus.docs.iter().map(|d| seg.keywords(&d.text)).collect();
    let langs: Vec<&str> = corpus.docs.iter().map(|d| d.lang.as_str()).collect();
    for c in map.info.clusters.iter().filter(|c| c.cluster.is_some()) {
        let words: Vec<&str> = c.top_words.iter().take(3).map(|w| w.0.as_str()).collect();
        let lang = c.languages.first().map_or("", |l| l.0.as_str());
        println!(
            "{:>3} {lang:>3} {:>5}  {}",
            c.cluster.unwrap_or(0),
            c.size,
            words.join(" · ")
        );
    }
    let bad = generic_labels(&map.info.clusters, &words, &langs, 3, 20);
    println!(
        "{} clusters, {} label words among the 20 most document-frequent of their language{}",
        map.info.metrics.clusters,
        bad.len(),
        if bad.is_empty() {
            String::new()
        } else {
            format!(": {bad:?}")
        }
    );
    Ok(())
}
