#![doc = include_str!("../README.md")]

pub use sacx_aggregate as aggregate;
pub use sacx_data as data;
pub use sacx_ig as ig;
pub use sacx_map as map;
pub use sacx_model as model;
pub use sacx_pipeline as pipeline;
pub use sacx_report as report;
pub use sacx_select as select;
pub use tch;

/// The sacx version (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
