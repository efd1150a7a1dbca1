//! Seeded randomness that does not touch libtorch's global generator.
//!
//! libtorch has one process-wide CPU generator; anything else in the process
//! (another thread, another test) that draws from it would break reproducibility.
//! sacx therefore draws initial weights, dropout masks and batch orders from its
//! own ChaCha8 streams, derived from the run's seed and a purpose tag, and only
//! hands finished tensors to libtorch.
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::Result;

/// Purpose tags for [`stream`], so that no two uses share a random stream.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Purpose {
    /// Initial weights.
    Init = 1,
    /// Dropout masks of one epoch.
    Dropout = 2,
    /// Batch order of one epoch.
    Batches = 3,
}

/// A ChaCha8 stream for `(seed, purpose, index)` (index: for example the epoch).
pub(crate) fn stream(seed: u64, purpose: Purpose, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(((purpose as u64) << 48) ^ index);
    rng
}

/// A float tensor of `shape` with entries uniform in `[lo, hi)`.
pub(crate) fn uniform(rng: &mut ChaCha8Rng, shape: &[i64], lo: f32, hi: f32) -> Result<Tensor> {
    let n: i64 = shape.iter().product();
    let data: Vec<f32> = (0..n)
        .map(|_| lo + (hi - lo) * rng.random::<f32>())
        .collect();
    Ok(Tensor::f_from_slice(&data)?.f_view(shape)?)
}

/// A float tensor of `shape` with entries normal with mean 0 and `std` (Box–Muller).
pub(crate) fn normal(rng: &mut ChaCha8Rng, shape: &[i64], std: f32) -> Result<Tensor> {
    let n = shape.iter().product::<i64>() as usize;
    let mut data = Vec::with_capacity(n + 1);
    while data.len() < n {
        let u1 = 1.0 - rng.random::<f64>(); // (0, 1]
        let u2 = rng.random::<f64>();
        let r = (-2.0 * u1.ln()).sqrt();
        let t = std::f64::consts::TAU * u2;
        data.push((r * t.cos()) as f32 * std);
        data.push((r * t.sin()) as f32 * std);
    }
    data.truncate(n);
    Ok(Tensor::f_from_slice(&data)?.f_view(shape)?)
}

/// Applies inverted dropout with probability `p` to `x`, drawing the mask from `rng`.
///
/// With `rng` absent (evaluation) or `p == 0`, returns `x` unchanged. The keep
/// decision compares 16 random bits with `p`, so `p` is quantised to 1/65536.
pub(crate) fn dropout(x: &Tensor, p: f64, rng: Option<&mut ChaCha8Rng>) -> Result<Tensor> {
    let Some(rng) = rng else {
        return Ok(x.shallow_clone());
    };
    if p <= 0.0 {
        return Ok(x.shallow_clone());
    }
    let shape = x.size();
    let n = x.numel();
    let mut bytes = vec![0u8; n * 2];
    rng.fill_bytes(&mut bytes);
    let cut = (p * 65536.0).round() as u32;
    let scale = (1.0 / (1.0 - p)) as f32;
    let mask: Vec<f32> = bytes
        .chunks_exact(2)
        .map(|b| {
            if (u16::from_le_bytes([b[0], b[1]]) as u32) < cut {
                0.0
            } else {
                scale
            }
        })
        .collect();
    let mask = Tensor::f_from_slice(&mask)?.f_view(shape.as_slice())?;
    let mask = mask.f_to_kind(x.kind())?.f_to_device(x.device())?;
    Ok(x.f_mul(&mask)?)
}

/// Moves a freshly drawn CPU tensor to `device` as `f32`.
pub(crate) fn place(t: Tensor, device: Device) -> Result<Tensor> {
    Ok(t.f_to_kind(Kind::Float)?.f_to_device(device)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u32> = (0..4)
            .map(|_| stream(1, Purpose::Init, 0).random())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let x: u64 = stream(1, Purpose::Dropout, 0).random();
        let y: u64 = stream(1, Purpose::Dropout, 1).random();
        let z: u64 = stream(2, Purpose::Dropout, 0).random();
        assert!(x != y && x != z && y != z);
    }

    #[test]
    fn dropout_keeps_expectation_and_zeroes_some() {
        let x = Tensor::ones([100, 100], (Kind::Float, Device::Cpu));
        let mut rng = stream(3, Purpose::Dropout, 0);
        let y = dropout(&x, 0.25, Some(&mut rng)).unwrap();
        let zeros = y.eq(0.0).sum(Kind::Int64).int64_value(&[]);
        assert!((2200..2800).contains(&zeros), "{zeros} zeros");
        let mean = y.mean(Kind::Float).double_value(&[]);
        assert!((mean - 1.0).abs() < 0.05, "mean {mean}");
        let same = dropout(&x, 0.25, None).unwrap();
        assert!(same.equal(&x));
    }

    #[test]
    fn normal_has_unit_scale() {
        let t = normal(&mut stream(5, Purpose::Init, 0), &[10_000], 2.0).unwrap();
        let std = t.std(true).double_value(&[]);
        assert!((std - 2.0).abs() < 0.1, "std {std}");
    }
}
