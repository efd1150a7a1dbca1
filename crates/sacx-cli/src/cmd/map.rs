//! `sacx map`: the topic map of a corpus (a thin mapping onto
//! `sacx_pipeline::map::MapJob`).
use anyhow::Result;
use sacx_pipeline::map::{MAP_HTML, MapJob, VectorSource};
use sacx_pipeline::options::{CorpusArgs, MapOptions, TrainArgs};
use std::path::PathBuf;

/// Arguments of `sacx map`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub corpus: CorpusArgs,
    /// The map directory: map.json, documents.json, vectors / layout /
    /// clusters .safetensors (and pv.safetensors), map.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A run directory (sacx run --out): its classifiers give the document
    /// vectors and its IG keywords describe the clusters.
    #[arg(long, value_name = "RUN_DIR")]
    pub run: Option<PathBuf>,
    /// Document vectors: classifier (the run's pooled hidden layer, averaged
    /// over seeds), paragraph-vectors (PV-DBOW trained on the corpus), or
    /// auto (classifier with --run, else paragraph-vectors).
    #[arg(long, default_value = "auto", value_parser = ["auto", "classifier", "paragraph-vectors"])]
    pub source: String,
    /// auto (CUDA when present), cpu, or cuda:N (the classifiers).
    #[arg(long, default_value_t = TrainArgs::default().device)]
    pub device: String,
    #[command(flatten)]
    pub options: MapOptions,
}

pub fn run(args: &Args) -> Result<()> {
    super::check_out(&args.out, sacx_data::OutputKind::Dir)?;
    let device: sacx_model::DeviceSpec = args.device.parse()?;
    let job = MapJob {
        corpus: args.corpus.clone(),
        out: args.out.clone(),
        run: args.run.clone(),
        source: args.source.parse::<VectorSource>()?,
        pv: args.options.pv_params()?,
        params: args.options.map_params()?,
        device: device.resolve()?,
    };
    let map = job.run_observed(&crate::progress::MapProgress::new())?;
    let m = &map.info.metrics;
    println!(
        "{} documents, {} clusters, {} noise; kNN-10 label precision {:.3}, NMI first class {:.3}, language {:.3}",
        map.len(),
        m.clusters,
        m.noise,
        m.knn10_label_precision,
        m.nmi_first_class,
        m.nmi_language
    );
    let languages: std::collections::BTreeSet<&str> =
        map.docs.iter().map(|d| d.lang.as_str()).collect();
    if let Some(line) = m.language_note(languages.len()) {
        println!("{line}");
    }
    println!("map: {}", args.out.join(MAP_HTML).display());
    Ok(())
}
