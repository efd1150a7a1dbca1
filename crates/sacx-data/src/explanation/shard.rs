//! Shard files: a bincode [`ShardHeader`] followed by bincode [`DocExplanation`]
//! records until the end of the file, written atomically (temporary file, then
//! rename) so that a shard either exists whole or not at all.
//!
//! Layout: magic bytes `SACXSHD1`, then the header, then records, each encoded with
//! bincode's standard configuration through serde.
use super::{DocExplanation, SHARD_FORMAT_VERSION, ShardHeader};
use crate::{Error, Result};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 8] = b"SACXSHD1";

/// The path of shard `index` in `dir`: `shard-<index, 5 digits or more>.bin`.
///
/// ```
/// use sacx_data::explanation::shard_path;
/// let p = shard_path(std::path::Path::new("run"), 7);
/// assert_eq!(p, std::path::Path::new("run/shard-00007.bin"));
/// ```
pub fn shard_path(dir: &Path, index: usize) -> PathBuf {
    dir.join(format!("shard-{index:05}.bin"))
}

/// The shard index a file name `shard-<N>.bin` carries, if it is one.
fn shard_index(name: &str) -> Option<u64> {
    let digits = name.strip_prefix("shard-")?.strip_suffix(".bin")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The shard files of `dir` (`shard-*.bin`, as [`shard_path`] names them), in
/// numeric order of their index (so `shard-100000.bin` follows
/// `shard-99999.bin`); names with no number come last, by name. Temporary
/// files of shards being written are not listed.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use sacx_data::explanation::{list_shards, shard_path};
/// let dir = tempfile::tempdir()?;
/// for i in [100_000, 2, 10] {
///     std::fs::write(shard_path(dir.path(), i), b"")?;
/// }
/// std::fs::write(dir.path().join("shard-00003.bin.tmp"), b"")?;
/// let names: Vec<_> = list_shards(dir.path())?
///     .iter()
///     .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
///     .collect();
/// assert_eq!(names, ["shard-00002.bin", "shard-00010.bin", "shard-100000.bin"]);
/// # Ok(())
/// # }
/// ```
pub fn list_shards(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut out: Vec<(u64, String, PathBuf)> = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?
            .path();
        let Some(name) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if name.starts_with("shard-") && name.ends_with(".bin") {
            let index = shard_index(name).unwrap_or(u64::MAX);
            out.push((index, name.to_string(), path));
        }
    }
    out.sort();
    Ok(out.into_iter().map(|(_, _, p)| p).collect())
}

/// The largest record or header a reader accepts: a corrupted length prefix
/// becomes an error instead of a huge allocation.
const MAX_RECORD_BYTES: usize = 1 << 30;

fn config() -> bincode::config::Configuration<
    bincode::config::LittleEndian,
    bincode::config::Varint,
    bincode::config::Limit<MAX_RECORD_BYTES>,
> {
    bincode::config::standard().with_limit::<MAX_RECORD_BYTES>()
}

/// Writes one shard: all records go to `<path>.tmp`, renamed to `path` by
/// [`ShardWriter::finish`]. Dropping the writer without finishing leaves no shard.
pub struct ShardWriter {
    path: PathBuf,
    tmp: PathBuf,
    out: BufWriter<File>,
    records: usize,
}

impl ShardWriter {
    /// Starts a shard at `path` with its header.
    pub fn create(path: &Path, header: &ShardHeader) -> Result<Self> {
        let tmp = path.with_extension("bin.tmp");
        let file = File::create(&tmp).map_err(|source| Error::Io {
            path: tmp.clone(),
            source,
        })?;
        let mut out = BufWriter::new(file);
        let io = |source| Error::Io {
            path: tmp.clone(),
            source,
        };
        out.write_all(MAGIC).map_err(io)?;
        bincode::serde::encode_into_std_write(header, &mut out, config()).map_err(|e| {
            Error::ShardCodec {
                path: tmp.clone(),
                what: "cannot encode the header",
                source: Box::new(e),
            }
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            tmp,
            out,
            records: 0,
        })
    }

    /// Appends one record.
    pub fn write(&mut self, record: &DocExplanation) -> Result<()> {
        bincode::serde::encode_into_std_write(record, &mut self.out, config()).map_err(|e| {
            Error::ShardCodec {
                path: self.tmp.clone(),
                what: "cannot encode a record",
                source: Box::new(e),
            }
        })?;
        self.records += 1;
        Ok(())
    }

    /// Flushes, syncs and renames the shard into place; returns the record count.
    pub fn finish(self) -> Result<usize> {
        let io = |source| Error::Io {
            path: self.tmp.clone(),
            source,
        };
        let file = self.out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&self.tmp, &self.path).map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.records)
    }
}

/// Reads a shard: the header first, then records one at a time (streaming).
pub struct ShardReader {
    path: PathBuf,
    header: ShardHeader,
    input: BufReader<File>,
}

impl ShardReader {
    /// Opens a shard and reads its header.
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let mut input = BufReader::new(file);
        let mut magic = [0u8; 8];
        input.read_exact(&mut magic).map_err(|_| Error::Shard {
            path: path.to_path_buf(),
            reason: "too short to be a sacx shard".into(),
        })?;
        if &magic != MAGIC {
            return Err(Error::Shard {
                path: path.to_path_buf(),
                reason: "not a sacx shard (bad magic bytes)".into(),
            });
        }
        let header: ShardHeader = bincode::serde::decode_from_std_read(&mut input, config())
            .map_err(|e| Error::ShardCodec {
                path: path.to_path_buf(),
                what: "bad header",
                source: Box::new(e),
            })?;
        if header.format_version != SHARD_FORMAT_VERSION {
            return Err(Error::Shard {
                path: path.to_path_buf(),
                reason: format!(
                    "shard format version {} but this sacx reads {SHARD_FORMAT_VERSION}; re-run the explanation",
                    header.format_version
                ),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            header,
            input,
        })
    }

    /// The shard's header.
    pub fn header(&self) -> &ShardHeader {
        &self.header
    }

    /// The next record, or `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<DocExplanation>> {
        if self.input.fill_buf_empty().map_err(|source| Error::Io {
            path: self.path.clone(),
            source,
        })? {
            return Ok(None);
        }
        bincode::serde::decode_from_std_read(&mut self.input, config())
            .map(Some)
            .map_err(|e| Error::ShardCodec {
                path: self.path.clone(),
                what: "bad record",
                source: Box::new(e),
            })
    }
}

impl Iterator for ShardReader {
    type Item = Result<DocExplanation>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_record().transpose()
    }
}

trait FillBufEmpty {
    fn fill_buf_empty(&mut self) -> std::io::Result<bool>;
}

impl<R: Read> FillBufEmpty for BufReader<R> {
    fn fill_buf_empty(&mut self) -> std::io::Result<bool> {
        use std::io::BufRead;
        Ok(self.fill_buf()?.is_empty())
    }
}
