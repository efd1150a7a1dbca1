//! Bounded streaming structures: the `k` best entries of a stream (a min-heap
//! of size `k`, never a sort of the stream), seeded sample keys, and a total
//! order on probabilities.
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// A probability with a total order (`f32::total_cmp`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Prob(pub f32);

impl PartialEq for Prob {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Prob {}
impl PartialOrd for Prob {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Prob {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A seeded 64-bit key of `x` in stream `tag`: SplitMix64's finaliser over the
/// three inputs. Ordering rows by it is a uniform random permutation that
/// depends only on the seed, the stream and the row, not on what else was seen,
/// so the `k` smallest keys of a stream are a uniform sample without
/// replacement (bottom-k sampling) that needs no random state.
pub(crate) fn key(seed: u64, tag: u64, x: u64) -> u64 {
    mix64(
        seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .wrapping_add(tag.wrapping_mul(0xc2b2_ae3d_27d4_eb4f))
            .wrapping_add(x)
            .wrapping_add(0x9e37_79b9_7f4a_7c15),
    )
}

struct Entry<K, V> {
    key: K,
    value: V,
}

impl<K: Ord, V> PartialEq for Entry<K, V> {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl<K: Ord, V> Eq for Entry<K, V> {}
impl<K: Ord, V> PartialOrd for Entry<K, V> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: Ord, V> Ord for Entry<K, V> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key.cmp(&other.key)
    }
}

/// The `cap` entries with the largest keys seen so far. Keys should be unique
/// (they end in the row) so that the result does not depend on arrival order.
pub(crate) struct Best<K: Ord, V> {
    cap: usize,
    heap: BinaryHeap<Reverse<Entry<K, V>>>,
}

impl<K: Ord, V> Best<K, V> {
    pub fn new(cap: usize) -> Self {
        Best {
            cap,
            heap: BinaryHeap::with_capacity(cap.min(1 << 16)),
        }
    }

    /// Whether an entry with `key` would be kept (check before building the value).
    pub fn admits(&self, key: &K) -> bool {
        if self.heap.len() < self.cap {
            return true;
        }
        self.heap.peek().is_some_and(|Reverse(e)| *key > e.key)
    }

    /// Offers an entry; keeps it if it is among the `cap` largest.
    pub fn push(&mut self, key: K, value: V) {
        if !self.admits(&key) {
            return;
        }
        if self.heap.len() == self.cap {
            self.heap.pop();
        }
        self.heap.push(Reverse(Entry { key, value }));
    }

    /// The smallest key kept when full (what a new key must beat), else `None`.
    pub fn floor(&self) -> Option<&K> {
        if self.heap.len() < self.cap {
            return None;
        }
        self.heap.peek().map(|Reverse(e)| &e.key)
    }

    pub fn cap(&self) -> usize {
        self.cap
    }

    /// The entries, largest key first.
    pub fn into_sorted(self) -> Vec<(K, V)> {
        // `into_sorted_vec` is ascending in `Reverse`, i.e. largest key first.
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|Reverse(e)| (e.key, e.value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_whatever_the_order() {
        let mut a = Best::new(3);
        let mut b = Best::new(3);
        for x in [5u32, 1, 9, 7, 3, 8] {
            a.push(x, ());
        }
        for x in [8u32, 3, 7, 9, 1, 5] {
            b.push(x, ());
        }
        let keys = |v: Vec<(u32, ())>| v.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(a.into_sorted()), [9, 8, 7]);
        assert_eq!(keys(b.into_sorted()), [9, 8, 7]);
    }

    #[test]
    fn keys_depend_on_seed_tag_and_row() {
        assert_ne!(key(1, 0, 5), key(2, 0, 5));
        assert_ne!(key(1, 0, 5), key(1, 1, 5));
        assert_eq!(key(1, 0, 5), key(1, 0, 5));
    }
}
