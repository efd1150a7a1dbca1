//! Documents with the same vector (exact duplicates, or the translations of
//! one text trained on one shared vector) are laid out once.
//!
//! A group of identical vectors fills the kNN neighbourhoods of its members
//! with each other at distance 0: UMAP then sees small islands, and
//! HDBSCAN calls most of them noise. So the map is built on the distinct
//! vectors, and every document takes its vector's coordinates and cluster;
//! its neighbours are its twins first (distance 0), then the documents of
//! the distinct vectors next to its own, nearest first.
use crate::knn::Knn;
use crate::{DocVectors, Result};
use std::collections::HashMap;

/// The distinct rows of a matrix and which one each row is.
pub(crate) struct Distinct {
    /// For each distinct vector, its rows in order (the first is its representative).
    pub members: Vec<Vec<u32>>,
    /// For each row, its distinct vector.
    pub of: Vec<u32>,
}

impl Distinct {
    /// The distinct rows of `v`, by bit equality.
    pub fn of(v: &DocVectors) -> Distinct {
        use std::hash::{Hash, Hasher};
        let same = |a: usize, b: usize| {
            v.row(a)
                .iter()
                .zip(v.row(b))
                .all(|(x, y)| x.to_bits() == y.to_bits())
        };
        // Distinct vectors by the hash of their bits (collisions compared).
        let mut by_hash: HashMap<u64, Vec<u32>> = HashMap::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut of = Vec::with_capacity(v.rows());
        for i in 0..v.rows() {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            v.row(i).iter().for_each(|x| x.to_bits().hash(&mut h));
            let slot = by_hash.entry(h.finish()).or_default();
            let d = match slot
                .iter()
                .find(|&&d| same(members[d as usize][0] as usize, i))
            {
                Some(&d) => d,
                None => {
                    slot.push(members.len() as u32);
                    members.push(Vec::new());
                    members.len() as u32 - 1
                }
            };
            members[d as usize].push(i as u32);
            of.push(d);
        }
        Distinct { members, of }
    }

    /// Number of distinct vectors.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// The distinct vectors, in order of first appearance.
    pub fn vectors(&self, v: &DocVectors) -> Result<DocVectors> {
        let data = self
            .members
            .iter()
            .flat_map(|m| v.row(m[0] as usize).iter().copied())
            .collect();
        DocVectors::saved(v.dim(), data)
    }

    /// Per-row values (`width` each) from per-distinct-vector ones.
    pub fn spread<T: Copy>(&self, values: &[T], width: usize) -> Vec<T> {
        self.of
            .iter()
            .flat_map(|&d| {
                values[d as usize * width..(d as usize + 1) * width]
                    .iter()
                    .copied()
            })
            .collect()
    }

    /// Every row's `k` nearest other rows from the distinct vectors' graph:
    /// its twins first, then the rows of the neighbouring vectors in order.
    pub fn knn(&self, distinct: &Knn, k: usize) -> Knn {
        let n = self.of.len();
        let (mut indices, mut distances) = (Vec::with_capacity(n * k), Vec::with_capacity(n * k));
        for i in 0..n {
            let d = self.of[i] as usize;
            let twins = self.members[d]
                .iter()
                .filter(|&&j| j as usize != i)
                .map(|&j| (j, 0.0));
            let near = distinct
                .indices(d)
                .iter()
                .zip(distinct.distances(d))
                .flat_map(|(&e, &dist)| self.members[e as usize].iter().map(move |&j| (j, dist)));
            let row: Vec<(u32, f32)> = twins.chain(near).take(k).collect();
            // A row the distinct graph cannot fill (too few documents) repeats its last neighbour.
            let last = row.last().copied().unwrap_or((i as u32, 0.0));
            for j in 0..k {
                let (idx, dist) = row.get(j).copied().unwrap_or(last);
                indices.push(idx);
                distances.push(dist);
            }
        }
        Knn::from_parts(k, indices, distances)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::knn::{Metric, neighbours};

    #[test]
    fn twins_are_laid_out_once_and_are_each_others_nearest() {
        let rows = [
            [1.0f32, 0.0],
            [0.0, 1.0],
            [1.0, 0.0],
            [0.6, 0.8],
            [1.0, 0.0],
        ];
        let v = DocVectors::new(2, rows.concat()).unwrap();
        let d = Distinct::of(&v);
        assert_eq!(d.len(), 3);
        assert_eq!(d.of, [0, 1, 0, 2, 0]);
        let u = d.vectors(&v).unwrap();
        assert_eq!(u.rows(), 3);
        assert_eq!(
            d.spread(&[10, 11, 20, 21, 30, 31], 2),
            [10, 11, 20, 21, 10, 11, 30, 31, 10, 11]
        );
        let g = neighbours(u.as_slice(), 2, 2, Metric::Cosine, 100, 1).unwrap();
        let knn = d.knn(&g, 3);
        assert_eq!(
            knn.indices(0),
            [2, 4, 3],
            "twins first, then the nearest other vector"
        );
        assert_eq!(knn.distances(0)[..2], [0.0, 0.0]);
        assert_eq!(knn.indices(1), [3, 0, 2]);
    }
}
