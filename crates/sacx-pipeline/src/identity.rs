//! `params.json`: the options that define a run's results. Written on the
//! first start; every later start must match it.
use crate::options::RunOptions;
use crate::run::write_json;
use crate::{Error, Result};
use sacx_data::Corpus;
use sacx_data::layout::RunLayout;
use serde_json::{Value, json};

/// The options that define the run's results: everything but the seeds, the
/// output directory, `seeds_only`, `force`, the map's options (the map is
/// rebuilt from the results) and the keyword and evaluation options (every
/// `sacx run` ranks and evaluates again from the seeds' explanations, so a
/// finished run re-ranked with other keyword options is the same run), with
/// the corpus files replaced
/// and the extra labelled files replaced by a fingerprint of the loaded (and
/// merged) documents (the same file under another path is the same corpus; an
/// edited file is another).
pub fn identity(options: &RunOptions, corpus: &Corpus) -> Result<Value> {
    defining(
        options,
        corpus,
        &[
            "seeds",
            "seed_list",
            "out",
            "seeds_only",
            "force",
            "map",
            "map_options",
            "keywords",
            "eval",
        ],
    )
}

/// The serialised `options` less the keys in `leave_out`, with the corpus
/// files and extra labelled files replaced by the count and fingerprint of
/// the loaded documents, and without the device: what [`identity`] does for
/// a run, for any options made of the same groups (`corpus`, `train`).
pub fn defining<T: serde::Serialize>(
    options: &T,
    corpus: &Corpus,
    leave_out: &[&str],
) -> Result<Value> {
    let mut v = serde_json::to_value(options).map_err(|source| Error::Json {
        path: "params.json".into(),
        what: "cannot be serialised",
        source,
    })?;
    if let Some(obj) = v.as_object_mut() {
        for key in leave_out {
            obj.remove(*key);
        }
        if let Some(c) = obj.get_mut("corpus").and_then(Value::as_object_mut) {
            c.remove("corpus");
            c.remove("labelled");
            c.insert("documents".into(), corpus.docs.len().into());
            c.insert("fingerprint".into(), fingerprint(corpus).into());
        }
        // The device changes speed; the CPU thread count changes libtorch's
        // results in the last bits, so it stays in the identity.
        if let Some(t) = obj.get_mut("train").and_then(Value::as_object_mut) {
            t.remove("device");
        }
    }
    Ok(v)
}

/// FNV-1a over every document's id, language, labels and text, in corpus order.
pub fn fingerprint(corpus: &Corpus) -> String {
    let mut h = sacx_data::Fnv1a::new();
    let mut eat = |bytes: &[u8]| {
        h.update(bytes);
        h.update(&[0xff]);
    };
    for label in corpus.labels.names() {
        eat(label.as_bytes());
    }
    for d in &corpus.docs {
        eat(d.id.as_bytes());
        eat(d.lang.as_bytes());
        for l in &d.labels {
            eat(&l.to_le_bytes());
        }
        eat(d.text.as_bytes());
    }
    h.hex()
}

/// Writes `params.json` on the first start; later starts must match it.
/// Returns the identity.
pub fn check(layout: &RunLayout, options: &RunOptions, corpus: &Corpus) -> Result<Value> {
    let identity = identity(options, corpus)?;
    check_value(&layout.params(), identity.clone())?;
    Ok(identity)
}

/// Writes `identity` as the options of the parameter file `path` on the first
/// start; later starts must give the same value.
pub fn check_value(path: &std::path::Path, identity: Value) -> Result<()> {
    let path = path.to_path_buf();
    if let Ok(text) = std::fs::read_to_string(&path) {
        let saved: Value = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.clone(),
            what: "not a sacx parameter file",
            source,
        })?;
        // Keys that have left the identity since the file was written (such as
        // the keyword options of earlier versions) do not count.
        let mut saved_options = saved.get("options").cloned().unwrap_or(Value::Null);
        if let (Some(old), Some(now)) = (saved_options.as_object_mut(), identity.as_object()) {
            old.retain(|k, _| now.contains_key(k));
        }
        if saved_options != identity {
            let difference = first_difference(&saved_options, &identity, "");
            return Err(Error::OtherOptions {
                path,
                thread_count: difference.starts_with("train.threads"),
                difference,
            });
        }
        return Ok(());
    }
    write_json(
        &path,
        &json!({ "sacx_version": env!("CARGO_PKG_VERSION"), "options": identity }),
    )
}

/// A short description of where two JSON values first differ.
fn first_difference(a: &Value, b: &Value, at: &str) -> String {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                if va != vb {
                    return first_difference(
                        va,
                        vb,
                        &format!("{at}{}{key}", if at.is_empty() { "" } else { "." }),
                    );
                }
            }
            format!("{at} differs")
        }
        _ => format!("{} was {a}, now {b}", at.replace('_', "-")),
    }
}
