//! The run's parameters (`run.json`'s `parameters`, the serde JSON of the
//! pipeline's `RunOptions`) grouped by the stage they act on.
//!
//! Groups come from the names: a nested object (`"train": {…}`) goes whole to
//! its stage, a plain key (`"epochs"`, as a flattened `RunOptions` writes it)
//! by its own name. A key no stage claims lands in "other", so nothing is
//! lost when `RunOptions` grows.

use serde_json::Value;

/// The stages, in pipeline order, with the names that belong to them: object
/// names first, then leaf keys. A name ending in `*` is a prefix.
const STAGES: [(&str, &[&str]); 10] = [
    ("run", &["seeds", "seed_list", "out", "force", "seeds_only"]),
    (
        "corpus and split",
        &[
            "corpus",
            "split",
            "format",
            "language",
            "labels",
            "skip_bad_lines",
            "preprocess",
            "keep_case",
            "labelled",
            "train_fraction",
            "stratify",
        ],
    ),
    (
        "tokenizer",
        &["tokenizer", "vocab_size", "min_count", "max_len"],
    ),
    (
        "model",
        &[
            "model",
            "embedding_dim",
            "hidden",
            "dropout",
            "filter_widths",
            "filters",
            "chunks",
            "layers",
            "heads",
            "ff_dim",
            "pooling",
            "word_vectors",
            "freeze_embeddings",
            "freeze_layers",
        ],
    ),
    (
        "training",
        &[
            "train",
            "epochs",
            "batch_size",
            "accumulation",
            "lr",
            "weight_decay",
            "warmup",
            "clip_norm",
            "patience",
            "monitor",
            "balance_classes",
            "threshold",
            "apply_best_threshold",
            "threads",
            "device",
        ],
    ),
    (
        "integrated gradients",
        &[
            "ig",
            "ig_*",
            "baseline",
            "targets",
            "normalize",
            "merge",
            "max_batch_tokens",
            "tolerance",
            "max_steps",
            "tsv",
            "shard_docs",
        ],
    ),
    (
        "keywords",
        &[
            "keywords",
            "ranking",
            "specificity_power",
            "association",
            "association_power",
            "words_per_doc",
            "style",
            "selection_freq",
            "std_threshold",
            "min_word_freq",
            "top_n",
            "original_cut_order",
            "no_language_lists",
        ],
    ),
    (
        "evaluation",
        &[
            "eval",
            "baselines",
            "k",
            "eval_labels",
            "control_seed",
            "generic_words",
        ],
    ),
    (
        "topic map",
        &[
            "map",
            "map_options",
            "map_*",
            "pv_*",
            "min_cluster_size",
            "min_samples",
            "selection",
            "neighbours_cluster",
            "neighbours_plot",
            "min_dist",
            "umap_epochs",
            "exact_max",
        ],
    ),
    ("other", &[]),
];

/// Index into [`STAGES`] of the stage a name belongs to ("other" when none).
fn stage_of(name: &str) -> usize {
    STAGES
        .iter()
        .position(|(_, names)| {
            names.iter().any(|n| match n.strip_suffix('*') {
                Some(prefix) => name.starts_with(prefix),
                None => *n == name,
            })
        })
        .unwrap_or(STAGES.len() - 1)
}

/// One stage's parameters: its name and its (key, value) pairs, nested
/// objects flattened into dotted keys.
pub struct Group {
    /// The stage, for example "training".
    pub stage: &'static str,
    /// The parameters, in `run.json` order within the stage.
    pub fields: Vec<(String, Value)>,
}

/// The parameters grouped by stage, in pipeline order; empty groups are left
/// out. A top-level object goes to its name's stage, its fields keyed
/// without the object's name; anything else to the stage of its key. A value
/// that is not an object comes back as one "other" field named `parameters`.
pub fn group(parameters: &Value) -> Vec<Group> {
    let mut fields: Vec<Vec<(String, Value)>> = vec![Vec::new(); STAGES.len()];
    match parameters {
        Value::Object(map) => {
            for (k, v) in map {
                let stage = stage_of(k);
                match v {
                    // An unknown object keeps its name in the keys.
                    Value::Object(_) if stage == STAGES.len() - 1 => {
                        flatten(k, v, &mut fields[stage])
                    }
                    Value::Object(_) => flatten("", v, &mut fields[stage]),
                    _ => flatten(k, v, &mut fields[stage]),
                }
            }
        }
        other => flatten("parameters", other, &mut fields[STAGES.len() - 1]),
    }
    STAGES
        .iter()
        .zip(fields)
        .filter(|(_, f)| !f.is_empty())
        .map(|((stage, _), fields)| Group { stage, fields })
        .collect()
}

/// Flattens nested objects into dotted keys; arrays of scalars become one
/// comma-separated string.
pub fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    let join = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&join(k), v, out);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let text: Vec<String> = items
                .iter()
                .map(|i| match i {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            out.push((prefix.to_string(), Value::String(text.join(", "))));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&join(&i.to_string()), item, out);
            }
        }
        scalar => out.push((prefix.to_string(), scalar.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stages(groups: &[Group]) -> Vec<&str> {
        groups.iter().map(|g| g.stage).collect()
    }

    #[test]
    fn nested_options_go_whole_to_their_stage() {
        let p = serde_json::json!({
            "seeds": 3,
            "corpus": {"corpus": "a.jsonl", "format": "auto"},
            "split": {"train_fraction": 0.8},
            "train": {"epochs": 5, "lr": 0.001},
            "ig": {"ig_steps": 50},
            "eval": {"k": [10]},
            "map_options": {"pv_dim": 100},
            "map": false,
            "brand_new": {"x": 1}
        });
        let g = group(&p);
        assert_eq!(
            stages(&g),
            [
                "run",
                "corpus and split",
                "training",
                "integrated gradients",
                "evaluation",
                "topic map",
                "other"
            ]
        );
        let corpus = &g[1].fields;
        assert_eq!(
            corpus.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
            ["corpus", "format", "train_fraction"]
        );
        assert_eq!(g[2].fields[0], ("epochs".to_string(), serde_json::json!(5)));
        assert_eq!(
            g[6].fields[0].0, "brand_new.x",
            "an unknown object keeps its name"
        );
    }

    #[test]
    fn flattened_options_are_grouped_by_their_names() {
        let p = serde_json::json!({
            "model": "xml-cnn", "epochs": 3, "ig_method": "gausslegendre", "pv_window": 5,
            "top_n": 50, "vocab_size": 30000, "mystery": true
        });
        let g = group(&p);
        assert_eq!(
            stages(&g),
            [
                "tokenizer",
                "model",
                "training",
                "integrated gradients",
                "keywords",
                "topic map",
                "other"
            ]
        );
        assert_eq!(g[6].fields, [("mystery".to_string(), Value::Bool(true))]);
        let total: usize = g.iter().map(|g| g.fields.len()).sum();
        assert_eq!(total, 7, "every parameter is shown once");
    }
}
