//! `sacx search --map DIR "query"`: the documents and clusters of a map
//! nearest to a query.
use anyhow::Result;
use sacx_map::TopicMap;
use sacx_pipeline::options::{CorpusArgs, TrainArgs};
use std::path::PathBuf;

/// Arguments of `sacx search`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The map directory (sacx map --out, or <run>/map of sacx run --map).
    #[arg(long, value_name = "DIR")]
    pub map: PathBuf,
    /// The query text.
    pub query: String,
    /// Documents (and clusters) to list.
    #[arg(long, short = 'k', default_value_t = 10)]
    pub top: usize,
    /// Print JSON (documents and clusters) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Keep the case of the query's words (as the map's corpus was read).
    #[arg(long)]
    pub keep_case: bool,
    /// auto (CUDA when present), cpu, or cuda:N (classifier maps).
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
}

pub fn run(args: &Args) -> Result<()> {
    if args.top == 0 {
        anyhow::bail!("--top 0 is invalid: expected at least 1");
    }
    let device: sacx_model::DeviceSpec = args.device.parse()?;
    let t = std::time::Instant::now();
    let map = TopicMap::load(&args.map)?;
    let load_s = t.elapsed().as_secs_f64();
    let corpus = CorpusArgs {
        keep_case: args.keep_case,
        ..CorpusArgs::default()
    };
    let q = sacx_pipeline::map::query_vector(
        &map,
        &args.query,
        &corpus.segmenter(),
        device.resolve()?,
    )?;
    let hits = map.search(&q, args.top)?;
    eprintln!(
        "map of {} documents loaded in {load_s:.2} s; query answered in {:.3} s",
        map.len(),
        t.elapsed().as_secs_f64() - load_s
    );
    if args.json {
        println!("{}", serde_json::to_string_pretty(&hits)?);
        return Ok(());
    }
    println!("documents nearest to {:?}:", args.query);
    for d in &hits.documents {
        let cluster = d
            .cluster
            .map_or("noise".to_string(), |c| format!("cluster {c}"));
        println!(
            "  {:.3}  {}  [{}] ({cluster})  {}",
            d.similarity,
            d.id,
            d.labels.join(", "),
            d.snippet
        );
    }
    println!("clusters:");
    for c in &hits.clusters {
        println!(
            "  {:.3}  cluster {} ({} documents): {}",
            c.similarity,
            c.cluster,
            c.size,
            c.top_words.join(", ")
        );
    }
    Ok(())
}
