//! FNV-1a, 64 bits: the one stable, dependency-free digest sacx uses for
//! fingerprints (corpora, splits, checkpoint files, long label names) and
//! per-document seeds. A corruption and identity check, not a security hash.

/// An FNV-1a 64-bit hasher fed with bytes.
///
/// ```
/// let mut h = sacx_data::Fnv1a::new();
/// h.update(b"ab");
/// assert_eq!(h.finish(), sacx_data::Fnv1a::of(b"ab"));
/// assert_eq!(sacx_data::Fnv1a::of(b""), 0xcbf2_9ce4_8422_2325);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self::new()
    }
}

impl Fnv1a {
    /// The offset basis.
    pub const fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    /// Feeds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// The digest so far.
    pub const fn finish(&self) -> u64 {
        self.0
    }

    /// The digest so far as 16 lower-case hex digits.
    pub fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }

    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> u64 {
        let mut h = Self::new();
        h.update(bytes);
        h.finish()
    }
}
