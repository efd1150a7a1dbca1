//! Document vectors: a dense row-major matrix of unit rows.
use crate::{Error, Result};

/// `rows × dim` vectors, row-major, every row of unit length (or zero when
/// its document had nothing to embed), so that a dot product is the cosine.
#[derive(Debug, Clone, PartialEq)]
pub struct DocVectors {
    dim: usize,
    data: Vec<f32>,
}

impl DocVectors {
    /// Wraps `data` (`rows × dim`, row-major) and scales every row to unit length.
    ///
    /// ```
    /// let v = sacx_map::DocVectors::new(2, vec![3.0, 4.0, 0.0, 0.0])?;
    /// assert_eq!((v.rows(), v.row(0)), (2, &[0.6f32, 0.8][..]));
    /// assert!(sacx_map::DocVectors::new(2, vec![1.0]).is_err());
    /// # Ok::<(), sacx_map::Error>(())
    /// ```
    pub fn new(dim: usize, data: Vec<f32>) -> Result<Self> {
        let mut v = Self::saved(dim, data)?;
        v.data.chunks_exact_mut(dim).for_each(normalize);
        Ok(v)
    }

    /// Wraps rows that were scaled to unit length when they were made (read
    /// back from a map's file): scaling them again would move their last bits.
    pub(crate) fn saved(dim: usize, data: Vec<f32>) -> Result<Self> {
        if dim == 0 || !data.len().is_multiple_of(dim) {
            return Err(Error::input(format!(
                "document vectors: {} values do not make rows of {dim}",
                data.len()
            )));
        }
        if data.iter().any(|x| !x.is_finite()) {
            return Err(Error::input(
                "document vectors: a value is not finite (NaN or infinite)",
            ));
        }
        Ok(DocVectors { dim, data })
    }

    /// Number of vectors.
    pub fn rows(&self) -> usize {
        self.data.len() / self.dim
    }

    /// Width of a vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Vector `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.data[i * self.dim..(i + 1) * self.dim]
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }
}

/// Scales `v` to unit length (a zero vector stays zero).
pub(crate) fn normalize(v: &mut [f32]) {
    let n = dot(v, v).sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// `a · b` with eight partial sums, so that the loop vectorises.
#[inline(always)]
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        let (x, y): (&[f32; 8], &[f32; 8]) = match (x.try_into(), y.try_into()) {
            (Ok(x), Ok(y)) => (x, y),
            _ => continue,
        };
        for k in 0..8 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y += a · x`.
#[inline(always)]
pub(crate) fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

/// Squared Euclidean distance.
#[inline]
pub(crate) fn dist2(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            let d = x[k] - y[k];
            acc[k] += d * d;
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += (x - y) * (x - y);
    }
    s
}
