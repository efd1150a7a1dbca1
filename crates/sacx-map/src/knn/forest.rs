//! Random-projection trees: the first guess of NN-descent. Each tree splits
//! the points by the hyperplane halfway between two of them, drawn from the
//! seed and the node, until a leaf holds at most `leaf` points. Every choice
//! is a function of (seed, tree, node), and subtrees are built in parallel
//! but concatenated left first, so the leaves do not depend on the thread
//! count.
use super::mix;
use crate::vectors::dot;

/// Subtrees smaller than this are built on the calling thread.
const PARALLEL_MIN: usize = 4096;

/// The leaves of `trees` trees over `n` rows of `data`: for each tree, the
/// leaf of every point (`leaf_of[t][p]`) and the leaves' points.
pub(super) struct Forest {
    /// Per tree, the leaf index of each point.
    pub leaf_of: Vec<Vec<u32>>,
    /// Per tree, its leaves (points of each).
    pub leaves: Vec<Vec<Vec<u32>>>,
}

impl Forest {
    pub(super) fn build(data: &[f32], dim: usize, trees: usize, leaf: usize, seed: u64) -> Forest {
        let n = data.len() / dim;
        let mut leaf_of = Vec::with_capacity(trees);
        let mut leaves = Vec::with_capacity(trees);
        for t in 0..trees {
            let mut points: Vec<u32> = (0..n as u32).collect();
            let tree = Tree {
                data,
                dim,
                leaf: leaf.max(2),
                seed: mix(seed, 0x7265_6573, t as u64, 0),
            };
            let found = tree.split(&mut points, 1);
            let mut of = vec![0u32; n];
            for (l, members) in found.iter().enumerate() {
                for &p in members {
                    of[p as usize] = l as u32;
                }
            }
            leaf_of.push(of);
            leaves.push(found);
        }
        Forest { leaf_of, leaves }
    }
}

struct Tree<'a> {
    data: &'a [f32],
    dim: usize,
    leaf: usize,
    seed: u64,
}

impl Tree<'_> {
    fn row(&self, p: u32) -> &[f32] {
        &self.data[p as usize * self.dim..(p as usize + 1) * self.dim]
    }

    /// The leaves under `node` holding `points`, left first.
    fn split(&self, points: &mut [u32], node: u64) -> Vec<Vec<u32>> {
        if points.len() <= self.leaf {
            return vec![points.to_vec()];
        }
        let at = self.partition(points, node);
        let (left, right) = points.split_at_mut(at);
        let (l, r) = (mix(node, 1, 0, 0), mix(node, 2, 0, 0));
        let (mut a, b) = if left.len() + right.len() >= PARALLEL_MIN {
            rayon::join(|| self.split(left, l), || self.split(right, r))
        } else {
            (self.split(left, l), self.split(right, r))
        };
        a.extend(b);
        a
    }

    /// Reorders `points` so that those on the near side of the node's
    /// hyperplane come first (in their order), and returns how many they are;
    /// a split that leaves a side empty halves the points instead.
    fn partition(&self, points: &mut [u32], node: u64) -> usize {
        let len = points.len() as u64;
        let h = mix(self.seed, node, 0, 0);
        let a = points[(h % len) as usize];
        let mut b = points[(mix(h, 1, 0, 0) % len) as usize];
        if a == b {
            b = points[((h % len + 1) % len) as usize];
        }
        let (ra, rb) = (self.row(a), self.row(b));
        let normal: Vec<f32> = ra.iter().zip(rb).map(|(x, y)| x - y).collect();
        let mid: Vec<f32> = ra.iter().zip(rb).map(|(x, y)| (x + y) / 2.0).collect();
        let offset = dot(&normal, &mid);
        let (near, far): (Vec<u32>, Vec<u32>) = points
            .iter()
            .partition(|&&p| dot(&normal, self.row(p)) > offset);
        if near.is_empty() || far.is_empty() {
            return points.len() / 2;
        }
        let at = near.len();
        points[..at].copy_from_slice(&near);
        points[at..].copy_from_slice(&far);
        at
    }
}
