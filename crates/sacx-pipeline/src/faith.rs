//! The faithfulness stage: every keyword set's top K words deleted from (or kept
//! alone in) each class's validation documents, scored by the seed's own model.
use crate::Result;
use crate::options::SplitArgs;
use crate::seed::{ValidDocs, checked_split, checkpoint_tokenizer};
use sacx_aggregate::{ClassCounts, Evaluation, Faithfulness, Keywords, control_words, top_words};
use sacx_data::Corpus;
use sacx_data::layout::RunLayout;
use sacx_ig::DocSource;
use sacx_ig::faithfulness::{FaithSums, faithfulness};
use sacx_model::{Checkpoint, DeviceSpec};
use std::collections::BTreeMap;
use std::collections::HashSet;

/// Validation documents scored per call of the faithfulness measurement.
const DOCS_PER_CHUNK: usize = 512;

/// What the stage needs besides the keyword sets.
pub struct FaithJob<'a> {
    /// The loaded corpus.
    pub corpus: &'a Corpus,
    /// The run directory.
    pub layout: &'a RunLayout,
    /// The seeds whose models measure.
    pub seeds: &'a [u64],
    /// How the corpus is split.
    pub split: &'a SplitArgs,
    /// The device to run on.
    pub device: DeviceSpec,
    /// Per evaluated K, per class (model order) the random control words
    /// ([`control_sets`]).
    pub control: &'a ControlSets,
    /// Seed of the random control words.
    pub control_seed: u64,
    /// Memory budget of one model call, in tokens.
    pub max_batch_tokens: usize,
}

/// Per K, per class the control words of the faithfulness figures.
pub type ControlSets = BTreeMap<usize, Vec<HashSet<String>>>;

/// The control words of every K the evaluations hold, drawn from the class
/// word counts (so that the counts need not stay in memory while the models
/// measure). `labels` are the corpus's classes, in model order.
pub fn control_sets(
    counts: &ClassCounts,
    labels: &[String],
    evals: &[Evaluation],
    seed: u64,
) -> ControlSets {
    evaluated_ks(evals)
        .into_iter()
        .map(|k| (k, control_words(counts, labels, k, seed)))
        .collect()
}

fn evaluated_ks(evals: &[Evaluation]) -> Vec<usize> {
    evals
        .iter()
        .flat_map(|e| e.results.iter().map(|r| r.k))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Measures every set (`sets[i]` is evaluated by `evals[i]`) at each evaluated K
/// and stores the figures in the evaluations.
pub fn attach(job: &FaithJob<'_>, sets: &[Keywords], evals: &mut [Evaluation]) -> Result<()> {
    let ks = evaluated_ks(evals);
    // totals[k][set][class]; the last set is the control.
    let mut totals: BTreeMap<usize, Vec<Vec<FaithSums>>> = BTreeMap::new();
    let mut labels: Vec<String> = Vec::new();
    for &seed in job.seeds {
        let seed_layout = job.layout.seed(seed);
        let ck = Checkpoint::load(&seed_layout.checkpoint(), job.device.resolve()?)?;
        // Every seed's sums are added class by class: the label lists must agree.
        ck.check_corpus(job.corpus)?;
        let tok = checkpoint_tokenizer(&ck, seed)?;
        labels.clone_from(&ck.config.labels);
        let split = checked_split(job.corpus, &job.split.options(seed)?, &seed_layout)?;
        let source = ValidDocs {
            corpus: job.corpus,
            indices: &split.valid,
            tokenizer: &tok,
        };
        let word_sets: BTreeMap<usize, Vec<_>> = ks
            .iter()
            .map(|&k| {
                let mut w: Vec<_> = sets.iter().map(|s| top_words(s, &labels, k)).collect();
                w.push(job.control.get(&k).cloned().unwrap_or_default());
                (k, w)
            })
            .collect();
        // Chunks of documents bound the memory of the distinct token sequences.
        for start in (0..source.len()).step_by(DOCS_PER_CHUNK) {
            let docs = source.docs(start..(start + DOCS_PER_CHUNK).min(source.len()))?;
            for (&k, word_sets) in &word_sets {
                let sums = faithfulness(&ck.model, &docs, word_sets, job.max_batch_tokens)?;
                let total = totals
                    .entry(k)
                    .or_insert_with(|| vec![vec![FaithSums::default(); labels.len()]; sums.len()]);
                for (t, s) in total.iter_mut().zip(&sums) {
                    for (a, b) in t.iter_mut().zip(s) {
                        a.add(b);
                    }
                }
            }
        }
    }
    for (i, e) in evals.iter_mut().enumerate() {
        for r in &mut e.results {
            let Some((control, total)) = totals.get(&r.k).and_then(|t| t.split_last()) else {
                continue;
            };
            r.faithfulness = Some(Faithfulness::new(
                &labels,
                &total[i],
                control,
                job.control_seed,
            ));
        }
    }
    Ok(())
}
