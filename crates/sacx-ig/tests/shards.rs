//! Explaining into shards: resumable after a kill with byte-identical output,
//! the original TSV format, and summary.json.
mod common;

use common::{TinyCnn, docs};
use sacx_ig::run::{list_shards, shard_path};
use sacx_ig::{IgParams, OutputOptions, ResolvedBaseline, RunInfo, ShardReader, explain_to_dir};

fn info() -> RunInfo {
    RunInfo {
        run: "seed-1".into(),
        seed: 1,
        labels: vec!["A".into(), "B".into(), "C".into()],
    }
}

fn read_all(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "summary.json")
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_killed_run_resumes_to_byte_identical_shards() {
    let model = TinyCnn::new(50, 6, 5, 3, 21);
    let input = docs(23, 50, 22);
    let params = IgParams::builder()
        .n_steps(8)
        .threshold(0.3)
        .build()
        .unwrap();
    let explainer = sacx_ig::Explainer::new(&model, params, ResolvedBaseline::Token(0));
    let options = OutputOptions {
        docs_per_shard: 5,
        tsv: true,
    };
    let tmp = tempfile::tempdir().unwrap();
    let (full, resumed) = (tmp.path().join("full"), tmp.path().join("resumed"));

    let mut calls = 0;
    let summary = explain_to_dir(&explainer, &input, &full, &info(), &options, &mut |_| {
        calls += 1
    })
    .unwrap();
    assert_eq!(
        (summary.documents, summary.shards, summary.shards_resumed),
        (23, 5, 0)
    );
    assert_eq!(calls, 5);

    // A run killed during shard 3: shards 0..3 complete, a half-written temporary file.
    explain_to_dir(&explainer, &input, &resumed, &info(), &options, &mut |_| {}).unwrap();
    for i in 3..5 {
        std::fs::remove_file(shard_path(&resumed, i)).unwrap();
        std::fs::remove_file(resumed.join(format!("shard-{i:05}.tsv"))).unwrap();
    }
    std::fs::remove_file(resumed.join("summary.json")).unwrap();
    std::fs::write(resumed.join("shard-00003.bin.tmp"), b"SACXSHD1 partial").unwrap();

    let mut progress = Vec::new();
    let summary = explain_to_dir(&explainer, &input, &resumed, &info(), &options, &mut |p| {
        progress.push(p.docs_done)
    })
    .unwrap();
    assert_eq!(summary.shards_resumed, 3);
    assert_eq!(summary.documents, 23);
    assert_eq!(progress, vec![20, 23], "progress counts resumed documents");
    let stale: Vec<_> = read_all(&resumed)
        .into_iter()
        .filter(|(n, _)| n.ends_with(".tmp"))
        .collect();
    assert!(
        stale.is_empty(),
        "the half-written temporary file was replaced, not trusted"
    );
    assert_eq!(
        read_all(&full),
        read_all(&resumed),
        "resumed output equals the uninterrupted output"
    );
}

#[test]
fn shards_stream_back_every_document_in_order_with_their_header() {
    let model = TinyCnn::new(50, 6, 5, 3, 23);
    let input = docs(12, 50, 24);
    let explainer =
        sacx_ig::Explainer::new(&model, IgParams::default(), ResolvedBaseline::Token(0));
    let tmp = tempfile::tempdir().unwrap();
    let options = OutputOptions {
        docs_per_shard: 4,
        tsv: false,
    };
    let direct = explainer.explain(&input).unwrap();
    let summary = explain_to_dir(
        &explainer,
        &input,
        tmp.path(),
        &info(),
        &options,
        &mut |_| {},
    )
    .unwrap();
    let mut back = Vec::new();
    for (i, path) in list_shards(tmp.path()).unwrap().iter().enumerate() {
        let reader = ShardReader::open(path).unwrap();
        assert_eq!(reader.header().shard_index as usize, i);
        assert_eq!(reader.header().labels, info().labels);
        for r in reader {
            back.push(r.unwrap());
        }
    }
    // Same documents and words; scores equal up to float rounding (the batches differ).
    assert_eq!(back.len(), direct.len());
    for (a, b) in back.iter().zip(&direct) {
        assert_eq!(
            (&a.doc_id, &a.words, &a.gold),
            (&b.doc_id, &b.words, &b.gold)
        );
        assert_eq!(a.targets.len(), b.targets.len());
        for (ta, tb) in a.targets.iter().zip(&b.targets) {
            assert_eq!(ta.class, tb.class);
            assert!(
                ta.scores
                    .iter()
                    .zip(&tb.scores)
                    .all(|(x, y)| (x - y).abs() < 1e-5)
            );
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(tmp.path().join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(json["documents"], 12);
    assert_eq!(
        json["pairs"],
        direct.iter().map(|r| r.targets.len()).sum::<usize>()
    );
    assert_eq!(
        json["documents_without_target"],
        direct.iter().filter(|r| r.targets.is_empty()).count()
    );
    assert!(summary.max_rel_delta >= summary.mean_rel_delta);
}

#[test]
fn tsv_output_has_the_original_columns() {
    let model = TinyCnn::new(50, 6, 5, 3, 25);
    let input = docs(3, 50, 26);
    let params = IgParams::builder()
        .targets(sacx_ig::TargetPolicy::Gold)
        .build()
        .unwrap();
    let recs = sacx_ig::Explainer::new(&model, params, ResolvedBaseline::Token(0))
        .explain(&input)
        .unwrap();
    let labels: Vec<String> = (0..recs[0].probs.len()).map(|i| format!("C{i}")).collect();
    let text = sacx_ig::tsv::render_tsv(&recs, &labels, true);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("\tid\tlabel\tpred\ttoken\tscore\tprobs"));
    let first: Vec<&str> = lines.next().unwrap().split('\t').collect();
    assert_eq!(first.len(), 7);
    assert_eq!(first[0], "0");
    assert_eq!(first[1], recs[0].doc_id);
    assert_eq!(first[2], format!("['C{}']", recs[0].gold[0]));
    assert_eq!(first[3], format!("['C{}']", recs[0].targets[0].class));
    assert_eq!(first[4], recs[0].words[0]);
    assert_eq!(
        first[5].parse::<f32>().unwrap(),
        recs[0].targets[0].scores[0]
    );
    assert!(first[6].starts_with('[') && first[6].ends_with(']'));
    let rows = text.lines().count() - 1;
    assert_eq!(
        rows,
        recs.iter()
            .map(|r| r.words.len() * r.targets.len())
            .sum::<usize>()
    );
}
