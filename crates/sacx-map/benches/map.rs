//! `cargo bench -p sacx-map --bench map -- [CORPUS] [--tokens-out FILE] [--threads N] [--pv-epochs N] [--seed S] [--sync-words N] [--pv-only | --pv-quality] [--shared-ids]`:
//! the paragraph-vector map of a corpus (default: the bundled one) end to end,
//! step by step, with its quality (docs/benchmarks.md, "Topic map").
//! `--tokens-out` writes the words sacx trained on, one document per line, for
//! `benches/peers/map_pipeline.py --tokens`. `--shared-ids` trains one
//! vector per document id (translations share it). `--pv-quality` stops
//! after the vectors with their exact kNN-10 label precision (the map's
//! figure), to compare seeds and thread counts without the layout.
use sacx_data::{Corpus, LoadOptions, Segmenter};
use sacx_map::knn::{Metric, neighbours};
use sacx_map::{
    MapDoc, MapInput, MapParams, ParagraphVectors, PvParams, Source, TopicMap, knn_label_precision,
};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let corpus_path = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || !args[i - 1].starts_with("--")))
        .map(|(_, a)| a.clone())
        .unwrap_or_else(|| {
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/appstream.jsonl.gz").to_string()
        });
    let threads: usize = flag("--threads").map_or(Ok(2), |t| t.parse())?;
    let total = Instant::now();
    let corpus = Corpus::load(&[&corpus_path], &LoadOptions::default())?;
    let seg = Segmenter::new();
    let words: Vec<Vec<String>> = corpus.docs.iter().map(|d| seg.keywords(&d.text)).collect();
    let load_s = total.elapsed().as_secs_f64();
    if let Some(out) = flag("--tokens-out") {
        let text: String = words.iter().map(|w| w.join(" ") + "\n").collect();
        std::fs::write(out, text)?;
    }
    let epochs: usize =
        flag("--pv-epochs").map_or(Ok(PvParams::default().epochs()), |t| t.parse())?;
    let shared = args.iter().any(|a| a == "--shared-ids");
    let seed: u64 = flag("--seed").map_or(Ok(PvParams::default().seed()), |t| t.parse())?;
    let sync: u64 =
        flag("--sync-words").map_or(Ok(PvParams::default().sync_words()), |t| t.parse())?;
    let pv = PvParams::builder()
        .threads(threads)
        .seed(seed)
        .sync_words(sync)
        .shared_ids(shared)
        .epochs(epochs)
        .build()?;
    let t = if shared {
        let ids: Vec<&str> = corpus.docs.iter().map(|d| d.id.as_str()).collect();
        ParagraphVectors::train_shared(&words, &ParagraphVectors::groups_of(&ids), &pv)?
    } else {
        ParagraphVectors::train(&words, &pv)?
    };
    if args.iter().any(|a| a == "--pv-only") {
        println!(
            "{{\"pv_train_s\": {:.2}, \"pv_words_per_s\": {:.0}}}",
            t.seconds,
            t.words_per_second()
        );
        return Ok(());
    }
    if args.iter().any(|a| a == "--pv-quality") {
        let labels: Vec<Vec<u32>> = corpus.docs.iter().map(|d| d.labels.clone()).collect();
        let v = &t.vectors;
        let knn = neighbours(v.as_slice(), v.dim(), 10, Metric::Cosine, usize::MAX, 1)?;
        println!(
            "{{\"threads\": {threads}, \"sync_words\": {sync}, \"seed\": {seed}, \"pv_train_s\": {:.2}, \"pv_words_per_s\": {:.0}, \"knn10_label_precision\": {:.4}}}",
            t.seconds,
            t.words_per_second(),
            knn_label_precision(&knn, &labels, 10)
        );
        return Ok(());
    }
    let docs = MapDoc::of_corpus(&corpus);
    let (pv_s, wps) = (t.seconds, t.words_per_second());
    let params = MapParams::builder().min_cluster_size(50).build()?;
    let map = TopicMap::build(
        MapInput {
            docs,
            words: &words
                .iter()
                .map(|d| d.iter().map(String::as_str).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            vectors: t.vectors,
            vectors_s: pv_s,
            source: Source::ParagraphVectors { params: pv },
            pv: Some(t.model),
            keywords: Default::default(),
        },
        &params,
    )?;
    let m = &map.info.metrics;
    let tm = &map.info.timings;
    println!(
        "{{\"documents\": {}, \"load_segment_s\": {load_s:.2}, \"pv_train_s\": {pv_s:.2}, \"pv_words_per_s\": {wps:.0}, \"knn_s\": {:.2}, \"umap5_s\": {:.2}, \"umap2_s\": {:.2}, \"hdbscan_s\": {:.2}, \"total_s\": {:.2}, \"knn10_label_precision\": {:.4}, \"clusters\": {}, \"noise\": {}, \"nmi_first_class\": {:.4}, \"nmi_language\": {:.4}}}",
        map.len(),
        tm.knn_s,
        tm.umap_cluster_s,
        tm.umap_plot_s,
        tm.hdbscan_s,
        total.elapsed().as_secs_f64(),
        m.knn10_label_precision,
        m.clusters,
        m.noise,
        m.nmi_first_class,
        m.nmi_language
    );
    Ok(())
}
