//! Batches explained side by side on the CPU.
//!
//! The calling thread explains with the model itself and each further worker,
//! a scoped thread, with a [replica](sacx_model::Classifier::replica): the
//! same weights, not a copy. Workers take the next batch from a shared counter.
//! Every worker runs the same number of libtorch threads, so a batch's result
//! does not depend on which worker explains it.
//!
//! Why: on a CPU, one libtorch thread per worker beats all threads inside one
//! call (no synchronisation inside every matrix product and element-wise
//! kernel, and the host-side work of one worker overlaps the others' products);
//! see "IG workers" in docs/benchmarks.md.
use crate::explain::{ExplainDoc, Job};
use crate::{Error, Result};
use sacx_data::explanation::DocExplanation;
use sacx_model::Classifier;
use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tch::Device;

/// How batches are spread: `count` workers of `threads_each` libtorch threads.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Workers {
    count: usize,
    threads_each: usize,
}

/// Sets the calling thread's libtorch thread count and puts it back on drop.
struct Threads(Option<i32>);

impl Threads {
    fn set(n: usize) -> Threads {
        let previous = tch::get_num_threads();
        let n = i32::try_from(n).unwrap_or(i32::MAX).max(1);
        if previous == n {
            return Threads(None);
        }
        tch::set_num_threads(n);
        Threads(Some(previous))
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        if let Some(n) = self.0 {
            tch::set_num_threads(n);
        }
    }
}

/// Results of the batches one worker explained, by batch index.
type Done = Vec<(usize, Result<Vec<DocExplanation>>)>;

impl Workers {
    /// `requested` workers (default: libtorch's thread count) on the CPU, one
    /// on any other device.
    pub(crate) fn new(requested: Option<usize>, device: Device) -> Workers {
        let threads = usize::try_from(tch::get_num_threads()).unwrap_or(1).max(1);
        if device != Device::Cpu {
            return Workers {
                count: 1,
                threads_each: threads,
            };
        }
        let count = requested.unwrap_or(threads).max(1);
        Workers {
            count,
            threads_each: (threads / count).max(1),
        }
    }

    /// Number of workers.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Explains every batch (indices into `docs`), returning their records in
    /// batch order; the first failing batch's error stops the others.
    pub(crate) fn run(
        &self,
        job: Job<'_>,
        replicas: &RefCell<Vec<Box<dyn Classifier + Send>>>,
        docs: &[ExplainDoc],
        batches: &[Vec<usize>],
    ) -> Result<Vec<Vec<DocExplanation>>> {
        let explain = |job: &Job<'_>, b: usize| {
            let batch: Vec<&ExplainDoc> = batches[b].iter().map(|&i| &docs[i]).collect();
            job.explain_batch(&batch)
        };
        let sequential = |job: &Job<'_>| (0..batches.len()).map(|b| explain(job, b)).collect();
        if self.count == 1 {
            return sequential(&job);
        }
        let mut replicas = replicas.borrow_mut();
        let wanted = self.count.min(batches.len()).saturating_sub(1);
        while replicas.len() < wanted {
            match job.model.replica()? {
                Some(r) => replicas.push(r),
                None if replicas.is_empty() => return sequential(&job),
                None => break,
            }
        }
        let wanted = wanted.min(replicas.len());
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let work = |job: &Job<'_>| -> Done {
            let _threads = Threads::set(self.threads_each);
            let mut done = Vec::new();
            while !failed.load(Ordering::Relaxed) {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= batches.len() {
                    break;
                }
                let r = explain(job, b);
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                done.push((b, r));
            }
            done
        };
        let (params, baseline) = (job.params, job.baseline);
        let mut slots: Vec<Option<Result<Vec<DocExplanation>>>> =
            batches.iter().map(|_| None).collect();
        std::thread::scope(|s| {
            let handles: Vec<_> = replicas
                .iter_mut()
                .take(wanted)
                .map(|replica| {
                    let work = &work;
                    s.spawn(move || {
                        work(&Job {
                            model: &**replica,
                            params,
                            baseline,
                        })
                    })
                })
                .collect();
            let mut all = work(&job);
            for h in handles {
                match h.join() {
                    Ok(done) => all.extend(done),
                    Err(payload) => std::panic::resume_unwind(payload),
                }
            }
            for (b, r) in all {
                slots[b] = Some(r);
            }
        });
        // Batches are taken in order, so every batch before a failed one ran.
        slots
            .into_iter()
            .enumerate()
            .map(|(b, r)| {
                r.unwrap_or_else(|| {
                    Err(Error::BadDocument {
                        doc_id: batches[b]
                            .first()
                            .map_or_else(String::new, |&i| docs[i].doc_id.clone()),
                        reason: "left unexplained after another batch failed".into(),
                    })
                })
            })
            .collect()
    }
}
