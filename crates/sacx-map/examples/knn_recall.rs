//! Recall and time of the kNN graph above the exact size (NN-descent) on a
//! map's own vectors, against exact search (docs/benchmarks.md, "Topic map").
//!
//! ```sh
//! sacx map --out bmap --map-threads 1            # the bundled corpus's PV map
//! cargo run --release -p sacx-map --example knn_recall -- bmap 15 1,2
//! ```
use sacx_map::TopicMap;
use sacx_map::knn::{Knn, Metric, neighbours};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .ok_or("usage: knn_recall MAP_DIR [K] [THREADS,...]")?;
    let k: usize = args.get(2).map_or(Ok(15), |s| s.parse())?;
    let threads: Vec<usize> = args
        .get(3)
        .map_or("1,2", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let map = TopicMap::load(std::path::Path::new(dir))?;
    let (data, dim) = (map.vectors.as_slice(), map.vectors.dim());
    let n = data.len() / dim;
    let t = Instant::now();
    let exact = neighbours(data, dim, k, Metric::Cosine, n, 1)?;
    println!(
        "{n} vectors of {dim} floats, k = {k}: exact {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let mut first: Option<Knn> = None;
    for th in threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(th).build()?;
        let t = Instant::now();
        let found = pool.install(|| neighbours(data, dim, k, Metric::Cosine, 0, 1))?;
        let secs = t.elapsed().as_secs_f64();
        let same = first.as_ref().map_or("", |f| {
            if *f == found {
                ", same graph"
            } else {
                ", OTHER GRAPH"
            }
        });
        println!(
            "NN-descent on {th} thread(s): {secs:.1} s, recall@{k} {:.4}{same}",
            found.recall(&exact)
        );
        first.get_or_insert(found);
    }
    Ok(())
}
