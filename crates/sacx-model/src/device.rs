//! Device selection: `auto`, `cpu` or `cuda:N`, parsed and checked before use.
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tch::Device;

use crate::{Error, Result};

/// Where to run: parsed from `auto`, `cpu`, `cuda` (= `cuda:0`) or `cuda:N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DeviceSpec {
    /// The first CUDA device when one is present, the CPU otherwise.
    #[default]
    Auto,
    /// The CPU.
    Cpu,
    /// The CUDA device with this index.
    Cuda(usize),
}

impl FromStr for DeviceSpec {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        let bad = |reason: &str| Error::Device {
            spec: s.to_string(),
            reason: reason.to_string(),
        };
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(DeviceSpec::Auto),
            "cpu" => Ok(DeviceSpec::Cpu),
            "cuda" | "gpu" => Ok(DeviceSpec::Cuda(0)),
            other => match other.strip_prefix("cuda:") {
                Some(n) => n
                    .parse::<usize>()
                    .map(DeviceSpec::Cuda)
                    .map_err(|_| bad("the CUDA index must be a non-negative integer")),
                None => Err(bad("expected `auto`, `cpu` or `cuda:N`")),
            },
        }
    }
}

impl fmt::Display for DeviceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceSpec::Auto => f.write_str("auto"),
            DeviceSpec::Cpu => f.write_str("cpu"),
            DeviceSpec::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

impl TryFrom<String> for DeviceSpec {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl From<DeviceSpec> for String {
    fn from(d: DeviceSpec) -> String {
        d.to_string()
    }
}

impl DeviceSpec {
    /// The libtorch device, checking that a requested CUDA device exists.
    pub fn resolve(self) -> Result<Device> {
        let count = tch::Cuda::device_count().max(0) as usize;
        match self {
            DeviceSpec::Auto => Ok(if count > 0 {
                Device::Cuda(0)
            } else {
                Device::Cpu
            }),
            DeviceSpec::Cpu => Ok(Device::Cpu),
            DeviceSpec::Cuda(n) if n < count => Ok(Device::Cuda(n)),
            DeviceSpec::Cuda(n) => Err(Error::Device {
                spec: format!("cuda:{n}"),
                reason: if count == 0 {
                    "CUDA is not available on this machine (no GPU, or libtorch without CUDA)"
                        .to_string()
                } else {
                    format!("only {count} CUDA device(s) present (indices 0..{count})")
                },
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_displays() {
        assert_eq!("auto".parse::<DeviceSpec>().unwrap(), DeviceSpec::Auto);
        assert_eq!("CPU".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cpu);
        assert_eq!("cuda".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(0));
        assert_eq!("cuda:3".parse::<DeviceSpec>().unwrap(), DeviceSpec::Cuda(3));
        assert_eq!(DeviceSpec::Cuda(2).to_string(), "cuda:2");
        for bad in ["cuda:-1", "cuda:x", "tpu", ""] {
            let e = bad.parse::<DeviceSpec>().unwrap_err().to_string();
            assert!(e.contains(&format!("`{bad}`")), "{e}");
        }
    }

    #[test]
    fn cuda_beyond_present_devices_is_a_clear_error() {
        let n = tch::Cuda::device_count() as usize;
        let e = DeviceSpec::Cuda(n).resolve().unwrap_err().to_string();
        assert!(e.starts_with(&format!("device `cuda:{n}`")), "{e}");
        assert_eq!(DeviceSpec::Cpu.resolve().unwrap(), Device::Cpu);
        let auto = DeviceSpec::Auto.resolve().unwrap();
        assert_eq!(auto.is_cuda(), n > 0);
    }
}
