//! Small models with fixed (seeded) weights for attribution tests.
#![allow(dead_code)]
use sacx_ig::ExplainDoc;
use sacx_model::{Classifier, LinearStage, Result};
use tch::{Device, Kind, Tensor};

/// Rows of `table` for `[batch, len]` ids: `[batch, len, dim]`.
fn lookup(table: &Tensor, ids: &Tensor) -> Tensor {
    table
        .index_select(0, &ids.flatten(0, -1))
        .view([ids.size()[0], ids.size()[1], -1])
}

/// `F_c(e) = Σ_t mask_t (W_c · e_t) + bias_c`: IG on it is exactly `(e − b) · W_c`.
pub struct LinearModel {
    pub table: Tensor,
    pub w: Tensor,
    pub bias: Tensor,
}

impl LinearModel {
    pub fn new(vocab: i64, dim: i64, classes: i64, seed: i64) -> Self {
        tch::manual_seed(seed);
        Self {
            table: Tensor::randn([vocab, dim], (Kind::Float, Device::Cpu)),
            w: Tensor::randn([classes, dim], (Kind::Float, Device::Cpu)),
            bias: Tensor::randn([classes], (Kind::Float, Device::Cpu)),
        }
    }
}

impl Classifier for LinearModel {
    fn num_classes(&self) -> usize {
        self.w.size()[0] as usize
    }
    fn embedding_dim(&self) -> usize {
        self.w.size()[1] as usize
    }
    fn device(&self) -> Device {
        Device::Cpu
    }
    fn pad_id(&self) -> i64 {
        0
    }
    fn vocab_size(&self) -> usize {
        self.table.size()[0] as usize
    }
    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        Ok(lookup(&self.table, ids))
    }
    fn forward_embedded(&self, e: &Tensor, mask: &Tensor) -> Result<Tensor> {
        Ok((e * mask.unsqueeze(-1))
            .sum_dim_intlist(1, false, Kind::Float)
            .matmul(&self.w.tr())
            + &self.bias)
    }
}

/// Embedding → convolution (width 3, the affine stage) → tanh → masked mean
/// over positions → linear. Declares its linear stage unless `generic`.
pub struct TinyCnn {
    pub table: Tensor,
    pub conv_w: Tensor,
    pub conv_b: Tensor,
    pub out_w: Tensor,
    pub out_b: Tensor,
    pub generic: bool,
}

impl TinyCnn {
    pub fn new(vocab: i64, dim: i64, filters: i64, classes: i64, seed: i64) -> Self {
        tch::manual_seed(seed);
        let opts = (Kind::Float, Device::Cpu);
        Self {
            table: Tensor::randn([vocab, dim], opts) * 0.5,
            conv_w: Tensor::randn([filters, dim, 3], opts) * 0.3,
            conv_b: Tensor::randn([filters], opts) * 0.1,
            out_w: Tensor::randn([classes, filters], opts),
            out_b: Tensor::randn([classes], opts) * 0.1,
            generic: false,
        }
    }

    /// The same weights without the declared linear stage.
    pub fn as_generic(&self) -> Self {
        Self {
            table: self.table.shallow_clone(),
            conv_w: self.conv_w.shallow_clone(),
            conv_b: self.conv_b.shallow_clone(),
            out_w: self.out_w.shallow_clone(),
            out_b: self.out_b.shallow_clone(),
            generic: true,
        }
    }

    fn window_mask(mask: &Tensor) -> Tensor {
        // A window counts when all of its 3 positions are tokens.
        let l = mask.size()[1];
        mask.narrow(1, 2, l - 2)
    }
}

impl LinearStage for TinyCnn {
    fn apply(&self, e: &Tensor, mask: &Tensor) -> Result<Tensor> {
        Ok((e * mask.unsqueeze(-1)).transpose(1, 2).conv1d(
            &self.conv_w,
            Some(&self.conv_b),
            [1],
            [0],
            [1],
            1,
        ))
    }
    fn forward_from(&self, s: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let m = Self::window_mask(mask).unsqueeze(1);
        let pooled = (s.tanh() * &m).sum_dim_intlist(-1, false, Kind::Float)
            / m.sum_dim_intlist(-1, false, Kind::Float).clamp_min(1.0);
        Ok(pooled.matmul(&self.out_w.tr()) + &self.out_b)
    }
}

impl Classifier for TinyCnn {
    fn num_classes(&self) -> usize {
        self.out_w.size()[0] as usize
    }
    fn embedding_dim(&self) -> usize {
        self.table.size()[1] as usize
    }
    fn device(&self) -> Device {
        Device::Cpu
    }
    fn pad_id(&self) -> i64 {
        0
    }
    fn vocab_size(&self) -> usize {
        self.table.size()[0] as usize
    }
    fn embed(&self, ids: &Tensor) -> Result<Tensor> {
        Ok(lookup(&self.table, ids))
    }
    fn forward_embedded(&self, e: &Tensor, mask: &Tensor) -> Result<Tensor> {
        self.forward_from(&self.apply(e, mask)?, mask)
    }
    fn linear_stage(&self) -> Option<&dyn LinearStage> {
        if self.generic { None } else { Some(self) }
    }
}

/// A document whose every token is its own word, with a leading special token.
pub fn doc(id: &str, ids: &[i64], gold: &[u32]) -> ExplainDoc {
    let mut all = vec![1i64];
    all.extend_from_slice(ids);
    let mut word_ids = vec![None];
    word_ids.extend((0..ids.len() as u32).map(Some));
    ExplainDoc {
        doc_id: id.to_string(),
        lang: "en".to_string(),
        gold: gold.to_vec(),
        ids: all,
        word_ids,
        words: ids.iter().map(|i| format!("w{i}")).collect(),
    }
}

/// Seeded documents of varied lengths over a vocabulary of `vocab` ids (ids ≥ 2).
pub fn docs(n: usize, vocab: i64, seed: u64) -> Vec<ExplainDoc> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as i64
    };
    (0..n)
        .map(|i| {
            let len = 5 + (next() % 20) as usize;
            let ids: Vec<i64> = (0..len).map(|_| 2 + next() % (vocab - 2)).collect();
            doc(&format!("d{i}"), &ids, &[(next() % 3) as u32])
        })
        .collect()
}
