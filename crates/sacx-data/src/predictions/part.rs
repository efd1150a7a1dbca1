//! One part of a predictions directory: its Arrow schema, its Parquet and
//! JSONL encodings, and decoding its record batches back into rows.

use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float32Builder, ListBuilder, StringBuilder, UInt64Builder};
use arrow_array::{
    Array, ArrayRef, Float32Array, ListArray, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use super::PredictionRow;
use crate::error::{Error, Result};

/// One document's predictions, as the writer takes them.
#[derive(Debug, Clone, PartialEq)]
pub struct PartRow {
    /// Position in the pool, from 0.
    pub row: u64,
    /// Document id.
    pub id: String,
    /// Language code.
    pub lang: String,
    /// Seed-ensemble mean probability per label.
    pub probs: Vec<f32>,
    /// Each seed's probabilities, in the manifest's seed order.
    pub seed_probs: Vec<Vec<f32>>,
    /// Label names whose ensemble probability is at least the threshold.
    pub predicted: Vec<String>,
    /// Gold label names, `None` when the input had none.
    pub gold: Option<Vec<String>>,
}

fn float_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float32, true)))
}

fn string_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)))
}

/// Name of seed `seed`'s probability column.
pub fn seed_column(seed: u64) -> String {
    format!("prob_seed_{seed}")
}

/// The schema of every part: `row`, `id`, `lang`, `prob`, one
/// `prob_seed_<S>` per seed, `predicted`, `gold` (nullable).
pub fn schema(seeds: &[u64]) -> SchemaRef {
    let mut fields = vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("id", DataType::Utf8, false),
        Field::new("lang", DataType::Utf8, false),
        Field::new("prob", float_list(), false),
    ];
    fields.extend(
        seeds
            .iter()
            .map(|&s| Field::new(seed_column(s), float_list(), false)),
    );
    fields.push(Field::new("predicted", string_list(), false));
    fields.push(Field::new("gold", string_list(), true));
    Arc::new(Schema::new(fields))
}

fn floats<'a>(rows: impl Iterator<Item = &'a [f32]>) -> ArrayRef {
    let mut b = ListBuilder::new(Float32Builder::new());
    for r in rows {
        b.values().append_slice(r);
        b.append(true);
    }
    Arc::new(b.finish())
}

fn strings<'a>(rows: impl Iterator<Item = Option<&'a [String]>>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for r in rows {
        match r {
            Some(names) => {
                for n in names {
                    b.values().append_value(n);
                }
                b.append(true);
            }
            None => b.append(false),
        }
    }
    Arc::new(b.finish())
}

/// The rows as one record batch of [`schema`].
pub fn batch(rows: &[PartRow], seeds: &[u64]) -> Result<RecordBatch> {
    let mut row = UInt64Builder::with_capacity(rows.len());
    let (mut id, mut lang) = (StringBuilder::new(), StringBuilder::new());
    for r in rows {
        row.append_value(r.row);
        id.append_value(&r.id);
        lang.append_value(&r.lang);
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(row.finish()),
        Arc::new(id.finish()),
        Arc::new(lang.finish()),
        floats(rows.iter().map(|r| r.probs.as_slice())),
    ];
    for (k, _) in seeds.iter().enumerate() {
        columns.push(floats(
            rows.iter()
                .map(|r| r.seed_probs.get(k).map_or(&[][..], Vec::as_slice)),
        ));
    }
    columns.push(strings(rows.iter().map(|r| Some(r.predicted.as_slice()))));
    columns.push(strings(rows.iter().map(|r| r.gold.as_deref())));
    RecordBatch::try_new(schema(seeds), columns).map_err(|e| Error::Parquet {
        path: "record batch".into(),
        source: Box::new(e),
    })
}

/// The Parquet file of the rows (Snappy pages, `metadata` as its key-value
/// metadata), as bytes.
pub fn encode_parquet(
    path: &Path,
    rows: &[PartRow],
    seeds: &[u64],
    metadata: Vec<parquet::file::metadata::KeyValue>,
) -> Result<Vec<u8>> {
    let err = |e: parquet::errors::ParquetError| Error::Parquet {
        path: path.to_path_buf(),
        source: Box::new(e),
    };
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_key_value_metadata(Some(metadata))
        .build();
    let mut writer = ArrowWriter::try_new(Vec::new(), schema(seeds), Some(props)).map_err(err)?;
    writer.write(&batch(rows, seeds)?).map_err(err)?;
    writer.into_inner().map_err(err)
}

/// The JSONL file of the rows: one object a line with the Parquet columns.
pub fn encode_jsonl(path: &Path, rows: &[PartRow], seeds: &[u64]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for r in rows {
        let mut obj = serde_json::Map::new();
        obj.insert("row".into(), r.row.into());
        obj.insert("id".into(), r.id.clone().into());
        obj.insert("lang".into(), r.lang.clone().into());
        obj.insert("prob".into(), serde_json::json!(r.probs));
        for (k, s) in seeds.iter().enumerate() {
            obj.insert(seed_column(*s), serde_json::json!(r.seed_probs.get(k)));
        }
        obj.insert("predicted".into(), serde_json::json!(r.predicted));
        obj.insert("gold".into(), serde_json::json!(r.gold));
        serde_json::to_writer(&mut out, &obj).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            expected: "predictions that serialise as JSON",
            source,
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

fn column<'a, T: 'static>(batch: &'a RecordBatch, name: &str, path: &Path) -> Result<&'a T> {
    batch
        .column_by_name(name)
        .and_then(|c| c.as_any().downcast_ref::<T>())
        .ok_or_else(|| Error::Predictions {
            path: path.to_path_buf(),
            reason: format!("column `{name}` is missing or has the wrong type"),
        })
}

fn list_values<'a, T: 'static>(list: &'a ListArray, path: &Path, name: &str) -> Result<&'a T> {
    list.values()
        .as_any()
        .downcast_ref::<T>()
        .ok_or_else(|| Error::Predictions {
            path: path.to_path_buf(),
            reason: format!("column `{name}` holds lists of the wrong type"),
        })
}

/// The rows of one record batch read back (columns `row`, `id`, `lang`,
/// `prob`, `gold`); every `prob` must hold `classes` values.
pub fn decode(batch: &RecordBatch, classes: usize, path: &Path) -> Result<Vec<PredictionRow>> {
    let row = column::<UInt64Array>(batch, "row", path)?;
    let id = column::<StringArray>(batch, "id", path)?;
    let lang = column::<StringArray>(batch, "lang", path)?;
    let prob = column::<ListArray>(batch, "prob", path)?;
    let gold = column::<ListArray>(batch, "gold", path)?;
    let prob_values = list_values::<Float32Array>(prob, path, "prob")?;
    let gold_values = list_values::<StringArray>(gold, path, "gold")?;
    let (po, go) = (prob.value_offsets(), gold.value_offsets());
    let seed_names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .filter(|n| n.starts_with("prob_seed_"))
        .collect();
    let mut seeds = Vec::with_capacity(seed_names.len());
    for name in &seed_names {
        let list = column::<ListArray>(batch, name, path)?;
        seeds.push((list, list_values::<Float32Array>(list, path, name)?));
    }
    let mut out = Vec::with_capacity(batch.num_rows());
    for i in 0..batch.num_rows() {
        let (a, b) = (po[i] as usize, po[i + 1] as usize);
        if b - a != classes {
            return Err(Error::Predictions {
                path: path.to_path_buf(),
                reason: format!(
                    "row {}: {} probabilities for {classes} labels",
                    row.value(i),
                    b - a
                ),
            });
        }
        let gold = (!gold.is_null(i)).then(|| {
            (go[i] as usize..go[i + 1] as usize)
                .map(|j| gold_values.value(j).to_string())
                .collect()
        });
        out.push(PredictionRow {
            row: row.value(i),
            id: id.value(i).to_string(),
            lang: lang.value(i).to_string(),
            probs: prob_values.values()[a..b].to_vec(),
            seed_probs: seeds
                .iter()
                .map(|(list, values)| {
                    let o = list.value_offsets();
                    let (a, b) = (o[i] as usize, o[i + 1] as usize);
                    values
                        .values()
                        .get(a..b)
                        .map(<[f32]>::to_vec)
                        .unwrap_or_default()
                })
                .collect(),
            gold,
        });
    }
    Ok(out)
}
