//! From the MST to flat clusters (Campello, Moulavi & Sander 2013; McInnes &
//! Healy 2017): the single-linkage hierarchy, its condensed tree under the
//! minimum cluster size, the cluster stabilities, excess-of-mass or leaf
//! selection, and each point's label.
use super::Selection;
use super::mst::{Edge, UnionFind};

/// One edge of the condensed tree: `child` (a point `< n` or a cluster
/// `>= n`) leaves `parent` at density `lambda` carrying `size` points.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Condensed {
    pub(crate) parent: usize,
    pub(crate) child: usize,
    pub(crate) lambda: f64,
    pub(crate) size: usize,
}

/// The single-linkage merges: node `n + m` joins `children[m]` at `dist[m]`.
struct Linkage {
    children: Vec<(usize, usize)>,
    dist: Vec<f64>,
    size: Vec<usize>,
}

fn linkage(n: usize, mut mst: Vec<Edge>) -> Linkage {
    mst.sort_by(|a, b| a.2.total_cmp(&b.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    let mut uf = UnionFind::new(n);
    // The current tree node of each union-find root.
    let mut node: Vec<usize> = (0..n).collect();
    let mut size = vec![1usize; n];
    let mut l = Linkage {
        children: Vec::with_capacity(n),
        dist: Vec::with_capacity(n),
        size: Vec::new(),
    };
    for (a, b, w) in mst {
        let (ra, rb) = (uf.find(a), uf.find(b));
        let (na, nb) = (node[ra as usize], node[rb as usize]);
        uf.union(a, b);
        let merged = n + l.children.len();
        l.children.push((na, nb));
        l.dist.push(w as f64);
        size.push(size[na] + size[nb]);
        node[uf.find(a) as usize] = merged;
    }
    l.size = size;
    l
}

/// The condensed tree of `mst` for clusters of at least `min_size` points.
pub(crate) fn condense(n: usize, mst: Vec<Edge>, min_size: usize) -> Vec<Condensed> {
    let l = linkage(n, mst);
    let root = n + l.children.len() - 1;
    let mut label = vec![usize::MAX; root + 1];
    label[root] = n;
    let mut next = n + 1;
    let mut out = Vec::with_capacity(2 * n);
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let m = node - n;
        let (left, right) = l.children[m];
        let d = l.dist[m];
        let lambda = if d > 0.0 { 1.0 / d } else { f64::INFINITY };
        let (ls, rs) = (l.size[left], l.size[right]);
        let parent = label[node];
        match (ls >= min_size, rs >= min_size) {
            (true, true) => {
                for (child, size) in [(left, ls), (right, rs)] {
                    label[child] = next;
                    next += 1;
                    out.push(Condensed {
                        parent,
                        child: label[child],
                        lambda,
                        size,
                    });
                    if child >= n {
                        stack.push(child);
                    }
                }
            }
            (false, false) => {
                fall_out(&l, n, left, parent, lambda, &mut out);
                fall_out(&l, n, right, parent, lambda, &mut out);
            }
            (big_left, _) => {
                let (keep, drop) = if big_left {
                    (left, right)
                } else {
                    (right, left)
                };
                fall_out(&l, n, drop, parent, lambda, &mut out);
                label[keep] = parent;
                if keep >= n {
                    stack.push(keep);
                } else {
                    out.push(Condensed {
                        parent,
                        child: keep,
                        lambda,
                        size: 1,
                    });
                }
            }
        }
    }
    out
}

/// Every point under `node` leaves `parent` at `lambda`.
fn fall_out(
    l: &Linkage,
    n: usize,
    node: usize,
    parent: usize,
    lambda: f64,
    out: &mut Vec<Condensed>,
) {
    let mut stack = vec![node];
    while let Some(x) = stack.pop() {
        if x < n {
            out.push(Condensed {
                parent,
                child: x,
                lambda,
                size: 1,
            });
        } else {
            let (a, b) = l.children[x - n];
            stack.push(a);
            stack.push(b);
        }
    }
}

/// The selected clusters (condensed-tree labels `>= n`) and every cluster's stability.
pub(crate) fn select(
    n: usize,
    tree: &[Condensed],
    how: Selection,
    allow_single: bool,
) -> (Vec<usize>, Vec<f64>) {
    let clusters = tree
        .iter()
        .map(|e| e.parent.max(e.child))
        .max()
        .map_or(n + 1, |m| m + 1)
        - n;
    let mut birth = vec![0f64; clusters];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); clusters];
    for e in tree.iter().filter(|e| e.child >= n) {
        birth[e.child - n] = e.lambda;
        children[e.parent - n].push(e.child - n);
    }
    let mut stability = vec![0f64; clusters];
    for e in tree {
        let lambda = if e.lambda.is_finite() {
            e.lambda
        } else {
            birth[e.parent - n].max(1.0) * 1e6
        };
        stability[e.parent - n] += (lambda - birth[e.parent - n]) * e.size as f64;
    }
    let raw = stability.clone();
    let first = if allow_single { 0 } else { 1 };
    let mut selected = vec![false; clusters];
    match how {
        Selection::Leaf => {
            for c in first..clusters {
                selected[c] = children[c].is_empty();
            }
            if allow_single && clusters == 1 {
                selected[0] = true;
            }
        }
        Selection::ExcessOfMass => {
            // Children carry larger labels than their parents: visit bottom-up.
            for c in (first..clusters).rev() {
                let sub: f64 = children[c].iter().map(|&k| stability[k]).sum();
                if sub > stability[c] {
                    stability[c] = sub;
                } else {
                    selected[c] = true;
                    let mut stack = children[c].clone();
                    while let Some(k) = stack.pop() {
                        selected[k] = false;
                        stack.extend_from_slice(&children[k]);
                    }
                }
            }
        }
    }
    let chosen = (0..clusters)
        .filter(|&c| selected[c])
        .map(|c| c + n)
        .collect();
    (chosen, raw)
}

/// Each point's selected cluster (`None`: noise).
pub(crate) fn labels(n: usize, tree: &[Condensed], chosen: &[usize]) -> Vec<Option<usize>> {
    let size = tree
        .iter()
        .map(|e| e.parent.max(e.child))
        .max()
        .map_or(n + 1, |m| m + 1);
    let mut is_chosen = vec![false; size];
    chosen.iter().for_each(|&c| is_chosen[c] = true);
    let mut uf = UnionFind::new(size);
    for e in tree {
        if !is_chosen[e.child] {
            uf.union(e.parent as u32, e.child as u32);
        }
    }
    // The representative of each chosen cluster's set → the cluster.
    let mut owner = vec![None; size];
    for &c in chosen {
        owner[uf.find(c as u32) as usize] = Some(c);
    }
    (0..n).map(|i| owner[uf.find(i as u32) as usize]).collect()
}
