//! The original pipeline's explanation TSV, so existing tools can read sacx
//! output. The format (writer and reader, one column list) lives in
//! [`sacx_data::explanation::tsv`]; re-exported here for existing callers.
pub use sacx_data::explanation::tsv::render_tsv;
pub(crate) use sacx_data::explanation::tsv::{tsv_shard_path, write_tsv};
