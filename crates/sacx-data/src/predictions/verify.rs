//! What a part on disk must hold to be kept when a prediction resumes: the
//! rows and document ids of its chunk of the pool, scored by the model of the
//! manifest (its fingerprint is in the Parquet file's key-value metadata).

use std::path::Path;

use arrow_array::{StringArray, UInt64Array};
use parquet::arrow::ProjectionMask;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::file::metadata::KeyValue;

use crate::error::{Error, Result};

/// Key of the model fingerprint in a part's Parquet metadata.
pub const MODEL_KEY: &str = "sacx.model_fingerprint";

/// The Parquet key-value metadata of a part scored by model `fingerprint`.
pub(crate) fn part_metadata(fingerprint: &str) -> Vec<KeyValue> {
    vec![KeyValue::new(
        MODEL_KEY.to_string(),
        fingerprint.to_string(),
    )]
}

fn stale(path: &Path, reason: String) -> Error {
    Error::StalePart {
        path: path.to_path_buf(),
        reason,
    }
}

/// Checks that the Parquet part at `path` was scored by model `fingerprint`
/// and holds exactly `expected` (row, id) in order.
pub(crate) fn check_parquet(
    path: &Path,
    fingerprint: &str,
    expected: &[(u64, &str)],
) -> Result<()> {
    let err = |e: parquet::errors::ParquetError| Error::Parquet {
        path: path.to_path_buf(),
        source: Box::new(e),
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(err)?;
    let model = builder
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|k| k.key == MODEL_KEY))
        .and_then(|k| k.value.clone());
    match model {
        Some(m) if m == fingerprint => {}
        Some(m) => {
            return Err(stale(
                path,
                format!("scored by another model ({m}; now {fingerprint})"),
            ));
        }
        None => return Err(stale(path, "does not name the model that scored it".into())),
    }
    let roots: Vec<usize> = builder
        .schema()
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name() == "row" || f.name() == "id")
        .map(|(i, _)| i)
        .collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), roots);
    let reader = builder.with_projection(mask).build().map_err(err)?;
    let mut found = Vec::with_capacity(expected.len());
    for batch in reader {
        let batch = batch.map_err(|e| Error::Parquet {
            path: path.to_path_buf(),
            source: Box::new(e),
        })?;
        let column = |name: &str| batch.column_by_name(name).cloned();
        let (Some(rows), Some(ids)) = (column("row"), column("id")) else {
            return Err(stale(path, "has no `row` and `id` columns".into()));
        };
        let (Some(rows), Some(ids)) = (
            rows.as_any().downcast_ref::<UInt64Array>(),
            ids.as_any().downcast_ref::<StringArray>(),
        ) else {
            return Err(stale(path, "`row` or `id` has the wrong type".into()));
        };
        for i in 0..batch.num_rows() {
            found.push((rows.value(i), ids.value(i).to_string()));
        }
    }
    compare(path, &found, expected)
}

/// Checks that the JSONL part at `path` holds exactly `expected` (row, id).
pub(crate) fn check_jsonl(path: &Path, expected: &[(u64, &str)]) -> Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let mut found = Vec::with_capacity(expected.len());
    for (n, line) in text.lines().enumerate() {
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| stale(path, format!("line {}: not JSON ({e})", n + 1)))?;
        match (v["row"].as_u64(), v["id"].as_str()) {
            (Some(row), Some(id)) => found.push((row, id.to_string())),
            _ => return Err(stale(path, format!("line {}: no `row` or `id`", n + 1))),
        }
    }
    compare(path, &found, expected)
}

/// Names the first difference between the rows found and those expected.
fn compare(path: &Path, found: &[(u64, String)], expected: &[(u64, &str)]) -> Result<()> {
    let span = |rows: Vec<u64>| match (rows.first(), rows.last()) {
        (Some(a), Some(b)) => format!("rows {a} to {b}"),
        _ => "no rows".to_string(),
    };
    let want = span(expected.iter().map(|e| e.0).collect());
    if found.len() != expected.len() || found.iter().zip(expected).any(|(f, e)| f.0 != e.0) {
        let got = span(found.iter().map(|f| f.0).collect());
        return Err(stale(
            path,
            format!(
                "holds {got} ({} documents) where this pool has {want} ({} documents)",
                found.len(),
                expected.len()
            ),
        ));
    }
    if let Some((f, e)) = found.iter().zip(expected).find(|(f, e)| f.1 != e.1) {
        return Err(stale(
            path,
            format!(
                "row {} is document {:?} but the pool's is {:?} (other documents)",
                e.0, f.1, e.1
            ),
        ));
    }
    Ok(())
}
