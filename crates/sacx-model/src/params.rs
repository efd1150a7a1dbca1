//! A flat, ordered store of named parameter tensors.
//!
//! Names use PyTorch's dotted `state_dict` style (`convs.0.weight`), so that the
//! safetensors files sacx writes load directly into an equivalent `torch.nn.Module`.
use std::collections::BTreeMap;

use tch::{Device, Tensor};

use crate::{Error, Result};

/// Named model parameters, in creation order.
#[derive(Debug)]
pub struct ParamStore {
    device: Device,
    params: Vec<(String, Tensor)>,
    frozen: Vec<bool>,
    /// The parameters of the model being replicated: each `add` then takes the
    /// next of them (same name and shape) instead of its value.
    shared: Option<Vec<(String, Tensor)>>,
}

impl ParamStore {
    /// An empty store whose parameters will live on `device`.
    pub fn new(device: Device) -> Self {
        ParamStore {
            device,
            params: Vec::new(),
            frozen: Vec::new(),
            shared: None,
        }
    }

    /// An empty store that, built up in the same order as `original`, hands out
    /// `original`'s tensors themselves (shallow handles on the same storage,
    /// frozen) and drops the values it is given: a replica costs no copy of the
    /// weights.
    pub(crate) fn sharing(original: &ParamStore) -> Self {
        ParamStore {
            device: original.device,
            params: Vec::new(),
            frozen: Vec::new(),
            shared: Some(
                original
                    .params
                    .iter()
                    .map(|(n, t)| (n.clone(), t.shallow_clone()))
                    .collect(),
            ),
        }
    }

    /// Whether every parameter of the original was handed out (a replica's
    /// structure matched it).
    pub(crate) fn check_shared_complete(&self) -> Result<()> {
        match &self.shared {
            Some(all) if all.len() != self.params.len() => Err(Error::Replica {
                reason: format!(
                    "the replica has {} parameters, the model {}",
                    self.params.len(),
                    all.len()
                ),
            }),
            _ => Ok(()),
        }
    }

    /// The device of every parameter.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Adds a parameter (moved to the store's device, `f32`, tracking gradients
    /// unless `frozen`) and returns a handle sharing its storage.
    pub(crate) fn add(&mut self, name: &str, value: Tensor, frozen: bool) -> Result<Tensor> {
        if let Some(shared) = &self.shared {
            let (n, t) = shared
                .get(self.params.len())
                .ok_or_else(|| Error::Replica {
                    reason: format!("`{name}` has no counterpart in the model"),
                })?;
            if n != name || t.size() != value.size() {
                return Err(Error::Replica {
                    reason: format!(
                        "`{name}` {:?} meets the model's `{n}` {:?}",
                        value.size(),
                        t.size()
                    ),
                });
            }
            let t = t.shallow_clone();
            self.params.push((name.to_string(), t.shallow_clone()));
            self.frozen.push(true);
            return Ok(t);
        }
        let t = crate::rng::place(value, self.device)?.f_contiguous()?;
        let t = t.f_set_requires_grad(!frozen)?;
        self.params.push((name.to_string(), t.shallow_clone()));
        self.frozen.push(frozen);
        Ok(t)
    }

    /// All parameters, in creation order.
    pub fn named(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.params.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// The parameters that training updates (not frozen), in creation order.
    pub fn trainable(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.params
            .iter()
            .zip(&self.frozen)
            .filter(|(_, f)| !**f)
            .map(|((n, t), _)| (n.as_str(), t))
    }

    /// Number of scalar parameters.
    pub fn numel(&self) -> usize {
        self.params.iter().map(|(_, t)| t.numel()).sum()
    }

    /// Whether every parameter is frozen.
    pub(crate) fn all_frozen(&self) -> bool {
        self.frozen.iter().all(|f| *f)
    }

    /// Stops gradient tracking on every parameter (inference).
    pub fn freeze(&mut self) {
        for ((_, t), f) in self.params.iter_mut().zip(self.frozen.iter_mut()) {
            let _ = t.f_set_requires_grad(false);
            *f = true;
        }
    }

    /// Stops gradient tracking on the parameters whose name satisfies `pred`
    /// (they stay fixed during training).
    pub(crate) fn freeze_where(&mut self, pred: impl Fn(&str) -> bool) -> Result<()> {
        if self.shared.is_some() {
            // A replica's tensors are the original's, frozen already.
            return Ok(());
        }
        for ((n, t), f) in self.params.iter_mut().zip(self.frozen.iter_mut()) {
            if pred(n) {
                let _ = t.f_set_requires_grad(false)?;
                *f = true;
            }
        }
        Ok(())
    }

    /// Copies of all parameters on the CPU, keyed by name.
    pub fn to_cpu_map(&self) -> Result<BTreeMap<String, Tensor>> {
        let _guard = tch::no_grad_guard();
        self.params
            .iter()
            .map(|(n, t)| {
                Ok((
                    n.clone(),
                    t.f_to_device(Device::Cpu)?
                        .f_contiguous()?
                        .f_detach_copy()?,
                ))
            })
            .collect()
    }

    /// Overwrites every parameter with the tensor of the same name and shape in
    /// `values`; extra names in `values` are an error, as are missing ones.
    pub fn assign(
        &mut self,
        values: &BTreeMap<String, Tensor>,
        origin: &std::path::Path,
    ) -> Result<()> {
        let _guard = tch::no_grad_guard();
        let corrupt = |reason: String| Error::Corrupt {
            path: origin.to_path_buf(),
            reason,
        };
        for (name, t) in &mut self.params {
            let v = values
                .get(name)
                .ok_or_else(|| corrupt(format!("tensor `{name}` is missing")))?;
            if v.size() != t.size() {
                return Err(corrupt(format!(
                    "tensor `{name}` has shape {:?}, the model expects {:?}",
                    v.size(),
                    t.size()
                )));
            }
            t.f_copy_(v)?;
        }
        if let Some(extra) = values
            .keys()
            .find(|k| !self.params.iter().any(|(n, _)| n == *k))
        {
            return Err(corrupt(format!("unexpected tensor `{extra}`")));
        }
        Ok(())
    }
}
