//! The bundled default corpus, embedded in the binary.

/// File name the bundled corpus is reported under.
pub const NAME: &str = "appstream.jsonl.gz";

/// The gzip-compressed JSON Lines corpus (see `data/README.md`).
pub const BYTES: &[u8] = include_bytes!("../../../data/appstream.jsonl.gz");
