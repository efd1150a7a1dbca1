//! A shard reader that decodes records in place, as borrowed
//! [`DocRef`] views, from a reusable buffer (no allocation per word).
use crate::{Error, Result};
use bincode::error::DecodeError;
use sacx_data::explanation::{DocRef, ShardReader};
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const READ_CHUNK: usize = 1 << 20;

/// Streams the records of one shard into `f`. The header is read and checked by
/// [`ShardReader`]; records are then decoded from a buffer that holds one read chunk plus
/// at most one partial record.
pub(crate) fn for_each_shard_record(
    path: &Path,
    mut f: impl FnMut(&DocRef<'_>) -> Result<()>,
) -> Result<()> {
    let config = bincode::config::standard();
    let header = ShardReader::open(path)?.header().clone();
    let header_len = bincode::serde::encode_to_vec(&header, config)
        .map_err(|e| codec_error(path, "cannot encode the header", Box::new(e)))?
        .len();
    let mut file = std::fs::File::open(path).map_err(Error::io(path))?;
    file.seek(SeekFrom::Start(8 + header_len as u64))
        .map_err(Error::io(path))?;
    let mut buf: Vec<u8> = Vec::with_capacity(READ_CHUNK);
    let (mut start, mut eof) = (0usize, false);
    loop {
        if start == buf.len() {
            if eof {
                return Ok(());
            }
        } else {
            match bincode::serde::borrow_decode_from_slice::<DocRef<'_>, _>(&buf[start..], config) {
                Ok((record, used)) => {
                    f(&record)?;
                    start += used;
                    continue;
                }
                Err(DecodeError::UnexpectedEnd { .. }) if !eof => {}
                Err(DecodeError::UnexpectedEnd { .. }) => {
                    return Err(shard_error(
                        path,
                        "truncated record at the end of the file".into(),
                    ));
                }
                Err(e) => return Err(codec_error(path, "bad record", Box::new(e))),
            }
        }
        // Need more bytes: keep the partial record, read the next chunk after it.
        buf.drain(..start);
        start = 0;
        let old = buf.len();
        buf.resize(old + READ_CHUNK.max(old), 0);
        let n = read_full(&mut file, &mut buf[old..]).map_err(Error::io(path))?;
        buf.truncate(old + n);
        eof = n == 0;
    }
}

fn read_full(file: &mut std::fs::File, out: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < out.len() {
        match file.read(&mut out[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

fn codec_error(
    path: &Path,
    what: &'static str,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> Error {
    Error::Data(sacx_data::Error::ShardCodec {
        path: path.into(),
        what,
        source,
    })
}

fn shard_error(path: &Path, reason: String) -> Error {
    Error::Data(sacx_data::Error::Shard {
        path: path.into(),
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sacx_data::explanation::DocExplanation;
    use sacx_data::explanation::SHARD_FORMAT_VERSION;
    use sacx_data::explanation::{ShardHeader, ShardWriter, TargetAttribution};

    fn record(id: &str, n_words: usize) -> DocExplanation {
        DocExplanation {
            doc_id: id.into(),
            lang: "fi".into(),
            gold: vec![1],
            probs: vec![0.25, 0.75],
            words: (0..n_words).map(|i| format!("w{i}")).collect(),
            targets: vec![TargetAttribution {
                class: 1,
                scores: (0..n_words).map(|i| i as f32 / 8.0).collect(),
                delta: 0.5,
                rel_delta: 0.1,
                steps: 4,
            }],
        }
    }

    fn write(path: &Path, records: &[DocExplanation]) {
        let header = ShardHeader {
            format_version: SHARD_FORMAT_VERSION,
            run: "r".into(),
            seed: 1,
            labels: vec!["A".into(), "B".into()],
            shard_index: 0,
        };
        let mut w = ShardWriter::create(path, &header).unwrap();
        for r in records {
            w.write(r).unwrap();
        }
        w.finish().unwrap();
    }

    #[test]
    fn decodes_records_larger_than_a_read_chunk_and_reports_truncation() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.shard");
        // The middle record (400 000 words, > 3 MB) spans several read chunks.
        let records = vec![record("a", 3), record("b", 400_000), record("c", 2)];
        write(&path, &records);
        let mut seen = Vec::new();
        for_each_shard_record(&path, |r| {
            seen.push((
                r.doc_id.to_string(),
                r.words.len(),
                r.words.last().map(|w| w.to_string()),
            ));
            assert_eq!(r.targets[0].scores.len(), r.words.len());
            Ok(())
        })
        .unwrap();
        let want: Vec<_> = records
            .iter()
            .map(|r| (r.doc_id.clone(), r.words.len(), r.words.last().cloned()))
            .collect();
        assert_eq!(seen, want);
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 3]).unwrap();
        let e = for_each_shard_record(&path, |_| Ok(()))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("s.shard") && e.contains("truncated record"),
            "{e}"
        );
    }
}
