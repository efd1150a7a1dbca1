//! A k-d tree over the clustering space that finds, for a point, its
//! lightest mutual-reachability edge to a point of *another* component:
//! the Borůvka step that joins what the kNN graph left apart.
//!
//! Each node knows whether all its points are in one component (set again
//! every round); a search skips the nodes of its own component and every
//! node whose box is farther than the best edge found so far (the edge's
//! weight is at least the distance). Components are compact in a UMAP
//! space, so a search touches few nodes: a round costs about `n log n`
//! instead of the `n²` of comparing every pair.

/// Points per leaf at most.
const LEAF: usize = 32;
/// A node whose points are in several components.
const MIXED: u32 = u32::MAX;

/// A node: its range in the tree's order, and its children (`None`: a leaf).
type Node = (usize, usize, Option<(usize, usize)>);

/// The tree: the points in leaf order, and the nodes with their boxes.
pub(crate) struct KdTree<'a> {
    points: &'a [f32],
    dim: usize,
    /// Point indices, each node's points contiguous.
    order: Vec<u32>,
    nodes: Vec<Node>,
    /// Per node: `dim` minima then `dim` maxima.
    boxes: Vec<f32>,
    /// Per node: the component of all its points, or [`MIXED`].
    component: Vec<u32>,
}

impl<'a> KdTree<'a> {
    /// Builds the tree over `points` (`n × dim`), splitting each node at the
    /// median of its widest coordinate.
    pub(crate) fn build(points: &'a [f32], dim: usize) -> Self {
        let n = points.len() / dim.max(1);
        let mut tree = KdTree {
            points,
            dim,
            order: (0..n as u32).collect(),
            nodes: Vec::new(),
            boxes: Vec::new(),
            component: Vec::new(),
        };
        if n > 0 {
            tree.node(0, n);
        }
        tree
    }

    fn row(&self, i: u32) -> &[f32] {
        &self.points[i as usize * self.dim..(i as usize + 1) * self.dim]
    }

    /// Adds the node over `order[lo..hi]` and its subtree; returns its index.
    fn node(&mut self, lo: usize, hi: usize) -> usize {
        let d = self.dim;
        let mut bounds = vec![f32::INFINITY; d];
        bounds.extend(std::iter::repeat_n(f32::NEG_INFINITY, d));
        for &i in &self.order[lo..hi] {
            for (c, &x) in self.points[i as usize * d..(i as usize + 1) * d]
                .iter()
                .enumerate()
            {
                bounds[c] = bounds[c].min(x);
                bounds[d + c] = bounds[d + c].max(x);
            }
        }
        let id = self.nodes.len();
        self.nodes.push((lo, hi, None));
        self.boxes.extend_from_slice(&bounds);
        if hi - lo > LEAF {
            let axis = (0..d)
                .max_by(|&a, &b| {
                    (bounds[d + a] - bounds[a]).total_cmp(&(bounds[d + b] - bounds[b]))
                })
                .unwrap_or(0);
            let mid = lo + (hi - lo) / 2;
            let pts = self.points;
            self.order[lo..hi].select_nth_unstable_by(mid - lo, |&a, &b| {
                let (x, y) = (pts[a as usize * d + axis], pts[b as usize * d + axis]);
                x.total_cmp(&y).then(a.cmp(&b))
            });
            let left = self.node(lo, mid);
            let right = self.node(mid, hi);
            self.nodes[id].2 = Some((left, right));
        }
        id
    }

    /// Marks each node with the component of its points (`roots[i]`: point
    /// `i`'s), or as mixed.
    pub(crate) fn set_components(&mut self, roots: &[u32]) {
        self.component = vec![MIXED; self.nodes.len()];
        // Children come after their parent: fill from the last node back.
        for id in (0..self.nodes.len()).rev() {
            let (lo, hi, children) = self.nodes[id];
            self.component[id] = match children {
                Some((l, r)) if self.component[l] == self.component[r] => self.component[l],
                Some(_) => MIXED,
                None => {
                    let first = roots[self.order[lo] as usize];
                    if self.order[lo..hi]
                        .iter()
                        .all(|&i| roots[i as usize] == first)
                    {
                        first
                    } else {
                        MIXED
                    }
                }
            };
        }
    }

    /// Squared distance from `p` to node `id`'s box.
    fn box_dist2(&self, id: usize, p: &[f32]) -> f32 {
        let b = &self.boxes[id * 2 * self.dim..(id + 1) * 2 * self.dim];
        p.iter()
            .enumerate()
            .map(|(c, &x)| {
                let gap = (b[c] - x).max(x - b[self.dim + c]).max(0.0);
                gap * gap
            })
            .sum()
    }

    /// Point `i`'s lightest edge `(i, j, w)` to a point `j` of another
    /// component, `w = max(‖i − j‖, core(i), core(j))` (ties: the smaller
    /// `j`); `w` is infinite when every point is in `i`'s component.
    pub(crate) fn nearest_outside(&self, i: usize, core: &[f32], roots: &[u32]) -> (u32, u32, f32) {
        let own = roots[i];
        let p = self.row(i as u32);
        let mut best = (i as u32, i as u32, f32::INFINITY);
        let mut stack = vec![0usize];
        while let Some(id) = stack.pop() {
            if self.component[id] == own {
                continue;
            }
            let bound = self.box_dist2(id, p).sqrt().max(core[i]);
            if bound > best.2 {
                continue;
            }
            match self.nodes[id].2 {
                Some((l, r)) => {
                    // The nearer child is searched first (pushed last).
                    if self.box_dist2(l, p) <= self.box_dist2(r, p) {
                        stack.extend([r, l]);
                    } else {
                        stack.extend([l, r]);
                    }
                }
                None => {
                    let (lo, hi, _) = self.nodes[id];
                    for &j in &self.order[lo..hi] {
                        if roots[j as usize] == own {
                            continue;
                        }
                        let d = crate::vectors::dist2(p, self.row(j)).sqrt();
                        let w = d.max(core[i]).max(core[j as usize]);
                        if w < best.2 || (w == best.2 && j < best.1) {
                            best = (i as u32, j, w);
                        }
                    }
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against comparing every pair, on random points in three components.
    #[test]
    fn finds_the_same_edge_as_every_pair() {
        let (n, dim) = (500, 3);
        let mut rng = crate::pv::Lcg::new(5, 0);
        let points: Vec<f32> = (0..n * dim).map(|_| rng.init(1) * 10.0).collect();
        let core: Vec<f32> = (0..n).map(|_| rng.init(1).abs()).collect();
        let roots: Vec<u32> = (0..n as u32).map(|i| i % 3).collect();
        let mut tree = KdTree::build(&points, dim);
        tree.set_components(&roots);
        for i in 0..n {
            let mut want = (i as u32, i as u32, f32::INFINITY);
            for j in 0..n {
                if roots[j] == roots[i] {
                    continue;
                }
                let d = crate::vectors::dist2(
                    &points[i * dim..(i + 1) * dim],
                    &points[j * dim..(j + 1) * dim],
                )
                .sqrt();
                let w = d.max(core[i]).max(core[j]);
                if w < want.2 || (w == want.2 && (j as u32) < want.1) {
                    want = (i as u32, j as u32, w);
                }
            }
            assert_eq!(tree.nearest_outside(i, &core, &roots), want, "point {i}");
        }
        // One component: no edge.
        tree.set_components(&vec![0; n]);
        assert_eq!(tree.nearest_outside(7, &core, &vec![0; n]).2, f32::INFINITY);
    }
}
