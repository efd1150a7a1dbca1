//! The kNN graph above the exact limit (NN-descent) against exact search on
//! 20,000 document-like vectors (issue 29): recall@15 at least 0.95, and the
//! same graph on one thread as on several.
use sacx_map::knn::{Metric, neighbours};

/// `n` unit vectors of `dim` floats around `topics` centres: each a mix of
/// two topics plus noise, as paragraph vectors of documents are.
fn documents(n: usize, dim: usize, topics: usize, seed: u64) -> Vec<f32> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64 / (1u64 << 31) as f64) as f32 - 0.5
    };
    let centres: Vec<f32> = (0..topics * dim).map(|_| next()).collect();
    let mut data = Vec::with_capacity(n * dim);
    for i in 0..n {
        let (a, b) = (i % topics, (i * 7 + 3) % topics);
        let w = (next() + 0.5).clamp(0.0, 1.0);
        let row: Vec<f32> = (0..dim)
            .map(|j| w * centres[a * dim + j] + (1.0 - w) * centres[b * dim + j] + 0.6 * next())
            .collect();
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        data.extend(row.iter().map(|x| x / norm));
    }
    data
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn nn_descent_recall_at_15_on_20000_vectors_is_at_least_0_95_on_any_thread_count() {
    let (n, dim, k) = (20_000, 100, 15);
    let data = documents(n, dim, 40, 11);
    let exact = neighbours(&data, dim, k, Metric::Cosine, n, 1).unwrap();
    let start = std::time::Instant::now();
    let found = on_threads(2, || {
        neighbours(&data, dim, k, Metric::Cosine, 0, 1).unwrap()
    });
    let seconds = start.elapsed().as_secs_f64();
    let recall = found.recall(&exact);
    println!("recall@{k} {recall:.4} on {n} vectors of {dim} floats, {seconds:.1} s on 2 threads");
    assert!(recall >= 0.95, "recall@{k} {recall}");
    let one = on_threads(1, || {
        neighbours(&data, dim, k, Metric::Cosine, 0, 1).unwrap()
    });
    assert_eq!(one, found, "one thread and two give the same graph");
}
