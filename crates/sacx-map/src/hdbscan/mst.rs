//! The minimum spanning tree of the mutual-reachability graph,
//! `d_mr(a, b) = max(core(a), core(b), ‖a − b‖)`: Prim's algorithm over every
//! pair up to the exact size, else Kruskal over a kNN graph whose remaining
//! components are then joined Borůvka-style by their nearest outside points.
use super::kdtree::KdTree;
use crate::knn::Knn;
use crate::vectors::dist2;
use rayon::prelude::*;

/// An MST edge `(a, b, weight)`.
pub(crate) type Edge = (u32, u32, f32);

/// Prim's algorithm on the complete graph: `O(n²)` time, `O(n)` memory.
pub(crate) fn prim(points: &[f32], dim: usize, core: &[f32]) -> Vec<Edge> {
    let n = core.len();
    let mut in_tree = vec![false; n];
    let mut best = vec![f32::INFINITY; n];
    let mut from = vec![0u32; n];
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    let mut current = 0usize;
    in_tree[0] = true;
    for _ in 1..n {
        let p = &points[current * dim..(current + 1) * dim];
        let mut next = usize::MAX;
        let mut next_w = f32::INFINITY;
        for j in 0..n {
            if in_tree[j] {
                continue;
            }
            let d = dist2(p, &points[j * dim..(j + 1) * dim]).sqrt();
            let w = d.max(core[current]).max(core[j]);
            if w < best[j] {
                best[j] = w;
                from[j] = current as u32;
            }
            if best[j] < next_w {
                next_w = best[j];
                next = j;
            }
        }
        in_tree[next] = true;
        edges.push((from[next], next as u32, next_w));
        current = next;
    }
    edges
}

/// Union–find with path halving and union by size.
pub(crate) struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    pub(crate) fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    pub(crate) fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    /// Joins the sets of `a` and `b`; false when they were one already.
    pub(crate) fn union(&mut self, a: u32, b: u32) -> bool {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return false;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
        true
    }
}

/// Kruskal over the kNN edges, then Borůvka rounds joining every component
/// to its nearest other one (its lightest outgoing edge, found by a k-d
/// tree that skips the component's own points), until one tree remains.
pub(crate) fn knn_tree(points: &[f32], dim: usize, core: &[f32], knn: &Knn) -> Vec<Edge> {
    let n = core.len();
    let mut candidates: Vec<Edge> = Vec::with_capacity(n * knn.k());
    for i in 0..n {
        for (&j, &d) in knn.indices(i).iter().zip(knn.distances(i)) {
            candidates.push((i as u32, j, d.max(core[i]).max(core[j as usize])));
        }
    }
    let mut uf = UnionFind::new(n);
    let mut edges = Vec::with_capacity(n.saturating_sub(1));
    kruskal(&mut candidates, &mut uf, &mut edges);
    drop(candidates);
    let mut tree = KdTree::build(points, dim);
    while edges.len() + 1 < n {
        let roots: Vec<u32> = (0..n as u32).map(|i| uf.find(i)).collect();
        tree.set_components(&roots);
        let mut bridges: Vec<Edge> = (0..n)
            .into_par_iter()
            .map(|i| tree.nearest_outside(i, core, &roots))
            .filter(|e| e.2.is_finite())
            .collect();
        // Keep each component's lightest bridge only.
        bridges.sort_by(|a, b| {
            roots[a.0 as usize]
                .cmp(&roots[b.0 as usize])
                .then(a.2.total_cmp(&b.2))
                .then((a.0, a.1).cmp(&(b.0, b.1)))
        });
        bridges.dedup_by_key(|e| roots[e.0 as usize]);
        let before = edges.len();
        kruskal(&mut bridges, &mut uf, &mut edges);
        if edges.len() == before {
            break; // nothing left to join (cannot happen with finite points)
        }
    }
    edges
}

/// Adds the lightest edges joining different sets (ties by endpoints).
fn kruskal(candidates: &mut [Edge], uf: &mut UnionFind, edges: &mut Vec<Edge>) {
    candidates.sort_by(|a, b| a.2.total_cmp(&b.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    for &(a, b, w) in candidates.iter() {
        if w.is_finite() && uf.union(a, b) {
            edges.push((a, b, w));
        }
    }
}
