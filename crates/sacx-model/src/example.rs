//! Tensor-ready examples and length-bucketed batching.
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::{Error, Result};

/// One document as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// Token ids (no padding).
    pub ids: Vec<i64>,
    /// Gold class indices (into the label list).
    pub labels: Vec<u32>,
    /// Language code, for per-language metrics.
    pub lang: String,
}

/// A padded batch on a device.
#[derive(Debug)]
pub struct Batch {
    /// `[b, len]` token ids, `len = max(longest document, 1)`, padded with the pad id.
    pub ids: Tensor,
    /// `[b, len]` `f32`, 1 for a token and 0 for padding.
    pub mask: Tensor,
    /// `[b, classes]` `f32` multi-hot gold labels.
    pub targets: Tensor,
}

/// Checks that every id is inside the vocabulary and every label below
/// `num_classes`; the error names the split and the example.
pub fn validate(
    examples: &[Example],
    vocab_size: usize,
    num_classes: usize,
    split: &str,
) -> Result<()> {
    for (index, e) in examples.iter().enumerate() {
        if let Some(id) = e
            .ids
            .iter()
            .find(|&&id| id < 0 || id as usize >= vocab_size)
        {
            return Err(Error::InvalidExample {
                index,
                reason: format!("{split}: token id {id} outside the vocabulary 0..{vocab_size}"),
            });
        }
        if let Some(l) = e.labels.iter().find(|&&l| l as usize >= num_classes) {
            return Err(Error::InvalidExample {
                index,
                reason: format!("{split}: label {l} outside 0..{num_classes}"),
            });
        }
    }
    Ok(())
}

/// Pads the examples at `indices` into one [`Batch`] on `device`.
pub fn make_batch(
    examples: &[Example],
    indices: &[usize],
    pad_id: i64,
    num_classes: usize,
    device: Device,
) -> Result<Batch> {
    make_batch_to(examples, indices, pad_id, num_classes, device, 1)
}

/// [`make_batch`] with the padded length rounded up to a multiple of
/// `len_multiple` (at least 1), so that batches come in fewer shapes.
pub fn make_batch_to(
    examples: &[Example],
    indices: &[usize],
    pad_id: i64,
    num_classes: usize,
    device: Device,
    len_multiple: usize,
) -> Result<Batch> {
    let b = indices.len();
    let len = indices
        .iter()
        .map(|&i| examples[i].ids.len())
        .max()
        .unwrap_or(0)
        .max(1)
        .next_multiple_of(len_multiple.max(1));
    let mut ids = vec![pad_id; b * len];
    let mut mask = vec![0f32; b * len];
    let mut targets = vec![0f32; b * num_classes];
    for (row, &i) in indices.iter().enumerate() {
        let e = &examples[i];
        ids[row * len..row * len + e.ids.len()].copy_from_slice(&e.ids);
        mask[row * len..row * len + e.ids.len()].fill(1.0);
        for &l in &e.labels {
            targets[row * num_classes + l as usize] = 1.0;
        }
    }
    let shape = [b as i64, len as i64];
    Ok(Batch {
        ids: Tensor::f_from_slice(&ids)?
            .f_view(shape)?
            .f_to_device(device)?,
        mask: Tensor::f_from_slice(&mask)?
            .f_view(shape)?
            .f_to_device(device)?,
        targets: Tensor::f_from_slice(&targets)?
            .f_view([b as i64, num_classes as i64])?
            .f_to_kind(Kind::Float)?
            .f_to_device(device)?,
    })
}

/// Batches of at most `batch_size` example indices.
///
/// Without `rng` (evaluation): all examples sorted by length, cut in order.
/// With `rng` (training, length-bucketed): the examples are shuffled, cut into
/// buckets of `50 × batch_size`, each bucket sorted by length and cut into
/// batches, and the batches shuffled; documents in a batch have similar lengths,
/// which saves padding, while the order still changes every epoch.
pub fn batch_indices(
    lengths: &[usize],
    batch_size: usize,
    rng: Option<&mut ChaCha8Rng>,
) -> Vec<Vec<usize>> {
    let batch_size = batch_size.max(1);
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    match rng {
        None => {
            order.sort_by_key(|&i| lengths[i]);
            order.chunks(batch_size).map(<[usize]>::to_vec).collect()
        }
        Some(rng) => {
            order.shuffle(rng);
            let mut batches: Vec<Vec<usize>> = Vec::new();
            for bucket in order.chunks_mut(batch_size * 50) {
                bucket.sort_by_key(|&i| lengths[i]);
                batches.extend(bucket.chunks(batch_size).map(<[usize]>::to_vec));
            }
            batches.shuffle(rng);
            batches
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_pad_and_encode_targets() {
        let ex = vec![
            Example {
                ids: vec![5, 6, 7],
                labels: vec![1],
                lang: "en".into(),
            },
            Example {
                ids: vec![],
                labels: vec![0, 2],
                lang: "de".into(),
            },
        ];
        let b = make_batch(&ex, &[0, 1], 0, 3, Device::Cpu).unwrap();
        assert_eq!(b.ids.size(), vec![2, 3]);
        assert_eq!(
            Vec::<i64>::try_from(b.ids.flatten(0, -1)).unwrap(),
            vec![5, 6, 7, 0, 0, 0]
        );
        let m = Vec::<f32>::try_from(b.mask.flatten(0, -1)).unwrap();
        assert_eq!(m, vec![1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        let t = Vec::<f32>::try_from(b.targets.flatten(0, -1)).unwrap();
        assert_eq!(t, vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
        let empty = make_batch(&ex, &[1], 0, 3, Device::Cpu).unwrap();
        assert_eq!(empty.ids.size(), vec![1, 1]);
    }

    #[test]
    fn bucketed_batches_cover_everything_once_and_depend_on_the_seed() {
        let lens: Vec<usize> = (0..1000).map(|i| (i * 7919) % 300).collect();
        let mut r1 = crate::rng::stream(1, crate::rng::Purpose::Batches, 0);
        let a = batch_indices(&lens, 8, Some(&mut r1));
        let mut all: Vec<usize> = a.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, (0..1000).collect::<Vec<_>>());
        let mut r1b = crate::rng::stream(1, crate::rng::Purpose::Batches, 0);
        assert_eq!(a, batch_indices(&lens, 8, Some(&mut r1b)));
        let mut r2 = crate::rng::stream(2, crate::rng::Purpose::Batches, 0);
        assert_ne!(a, batch_indices(&lens, 8, Some(&mut r2)));
        // Bucketing keeps lengths within a batch close: far less spread than random.
        let spread: usize = a
            .iter()
            .map(|b| {
                b.iter().map(|&i| lens[i]).max().unwrap()
                    - b.iter().map(|&i| lens[i]).min().unwrap()
            })
            .sum();
        assert!(spread / a.len() < 30, "mean spread {}", spread / a.len());
    }

    #[test]
    fn invalid_ids_and_labels_are_named() {
        let ex = vec![Example {
            ids: vec![1, 99],
            labels: vec![0],
            lang: "en".into(),
        }];
        let e = validate(&ex, 10, 2, "train").unwrap_err().to_string();
        assert_eq!(
            e,
            "example 0: train: token id 99 outside the vocabulary 0..10"
        );
        let ex = vec![Example {
            ids: vec![1],
            labels: vec![5],
            lang: "en".into(),
        }];
        let e = validate(&ex, 10, 2, "valid").unwrap_err().to_string();
        assert_eq!(e, "example 0: valid: label 5 outside 0..2");
    }
}
