//! Tokenization into the model's input units. Every token carries the index of
//! its word, so attributions merge back to words exactly; subwords never cross
//! word boundaries because words are tokenized one by one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use tokenizers::models::bpe::{BPE, BpeTrainer};
use tokenizers::models::wordpiece::{WordPiece, WordPieceTrainer};
use tokenizers::{AddedToken, Model, Trainer};

use crate::error::{Error, Result};
use crate::fold::{CaseFold, lowercase};
use crate::segment::Segmenter;
use crate::tokenizer_options::{TokenizerKind, TokenizerOptions};
use crate::vocab::{CLS, PAD, SPECIALS, UNK, WordVocab};

/// Name of the tokenizer configuration file written by [`Tokenizer::save`].
pub const CONFIG_FILE: &str = "sacx-tokenizer.json";
/// Name of the `word` kind's vocabulary file (one token per line; id = line index from 0).
pub const VOCAB_FILE: &str = "vocab.txt";
/// Name of the Hugging Face tokenizer file for the other kinds.
pub const HF_FILE: &str = "tokenizer.json";

/// Words handed to the Hugging Face tokenizer per call.
const WORDS_PER_CALL: usize = 128;

/// A tokenized document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encoding {
    /// Token ids.
    pub ids: Vec<i64>,
    /// For each token, the index of its word in `words`; `None` for special tokens.
    pub word_ids: Vec<Option<u32>>,
    /// The words the tokens come from, in keyword form (case-folded as the
    /// segmenter's [`CaseFold`] says, the same form the class word counts use).
    /// Every word has at least one token.
    pub words: Vec<String>,
    /// Byte span of each word in the text.
    pub spans: Vec<(usize, usize)>,
    /// Whether the document had more tokens than `max_len`.
    pub truncated: bool,
}

enum Inner {
    Word(WordVocab),
    Hf(Box<tokenizers::Tokenizer>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Config {
    format_version: u32,
    kind: String,
    max_len: usize,
    add_cls: bool,
    lowercase: bool,
    case_fold: CaseFold,
    preprocess: bool,
    pad_id: u32,
    unk_id: Option<u32>,
    cls_id: Option<u32>,
    /// [`TokenizerOptions::hf_model`]; absent (false) in files of the other modes.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    hf_model: bool,
}

/// Turns texts into token ids with word indices. `Send + Sync`: share one
/// instance across rayon threads.
pub struct Tokenizer {
    inner: Inner,
    segmenter: Segmenter,
    config: Config,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("config", &self.config)
            .field("vocab_size", &self.vocab_size())
            .finish()
    }
}

/// What a tokenizer's config file holds, for messages.
const CONFIG_SHAPE: &str = "a sacx tokenizer config (written by Tokenizer::save)";

fn hf_err(context: impl Into<String>) -> impl FnOnce(tokenizers::Error) -> Error {
    let context = context.into();
    move |source| Error::Tokenizer { context, source }
}

impl Tokenizer {
    /// Trains a tokenizer on `texts` (the training split), or loads the
    /// `tokenizer.json` of [`TokenizerKind::Pretrained`] (then `texts` is unused).
    ///
    /// ```
    /// # fn main() -> Result<(), sacx_data::Error> {
    /// use sacx_data::{Segmenter, Tokenizer, TokenizerKind, TokenizerOptions};
    /// let texts = ["play the game", "the game is on", "sing a song"];
    /// let opts = TokenizerOptions::builder().kind(TokenizerKind::Word).add_cls(true).build()?;
    /// let tok = Tokenizer::train(&opts, Segmenter::new(), &texts)?;
    /// let enc = tok.encode("Play the song!");
    /// assert_eq!(enc.words, ["play", "the", "song"]);
    /// assert_eq!(enc.ids.len(), 4); // [CLS] and one token a word
    /// assert_eq!(enc.word_ids, [None, Some(0), Some(1), Some(2)]);
    /// # Ok(())
    /// # }
    /// ```
    pub fn train<S: AsRef<str> + Sync>(
        opts: &TokenizerOptions,
        segmenter: Segmenter,
        texts: &[S],
    ) -> Result<Tokenizer> {
        let lower = opts.lowercase;
        let words = |t: &str| -> Vec<String> {
            segmenter
                .words(t)
                .map(|w| model_form(lower, w.text).to_string())
                .collect()
        };
        let kind = opts.kind.name().to_string();
        let no_words = || Error::NoTrainingWords { kind: kind.clone() };
        let inner = match &opts.kind {
            TokenizerKind::Word => {
                let vocab = WordVocab::train(texts, words, opts.min_count, opts.vocab_size);
                if vocab.len() == SPECIALS.len() {
                    return Err(no_words());
                }
                Inner::Word(vocab)
            }
            TokenizerKind::WordPiece => train_wordpiece(opts, texts, &words, &kind)?,
            TokenizerKind::Bpe => train_bpe(opts, texts, &words, &kind)?,
            TokenizerKind::Pretrained(path) => {
                let mut tok = tokenizers::Tokenizer::from_file(path)
                    .map_err(hf_err(format!("loading {}", path.display())))?;
                if opts.hf_model {
                    // sacx truncates to max_len and pads batches itself.
                    tok.with_padding(None);
                    tok.with_truncation(None)
                        .map_err(hf_err(format!("loading {}", path.display())))?;
                }
                Inner::Hf(Box::new(tok))
            }
        };
        let (pad_id, unk_id, cls_id) = special_ids(&inner, opts, &opts.kind)?;
        let config = Config {
            format_version: 1,
            kind,
            max_len: opts.max_len,
            add_cls: opts.add_cls,
            lowercase: opts.lowercase,
            case_fold: segmenter.case_fold(),
            preprocess: segmenter.preprocesses(),
            pad_id,
            unk_id,
            cls_id,
            hf_model: opts.hf_model,
        };
        if let (true, Inner::Hf(t)) = (opts.hf_model, &inner) {
            let added = crate::hf_encode::added_tokens(t);
            if opts.max_len <= added {
                return Err(Error::param(
                    "max_len",
                    opts.max_len,
                    "more than the special tokens the model adds",
                ));
            }
        }
        Ok(Tokenizer {
            inner,
            segmenter,
            config,
        })
    }

    /// The segmenter that splits texts into words.
    pub fn segmenter(&self) -> &Segmenter {
        &self.segmenter
    }

    /// The kind name: `word`, `wordpiece`, `bpe` or `pretrained`.
    pub fn kind(&self) -> &str {
        &self.config.kind
    }

    /// The maximum number of tokens per encoding.
    pub fn max_len(&self) -> usize {
        self.config.max_len
    }

    /// The padding id.
    pub fn pad_id(&self) -> i64 {
        i64::from(self.config.pad_id)
    }

    /// The `[CLS]` id, if the vocabulary has one.
    pub fn cls_id(&self) -> Option<i64> {
        self.config.cls_id.map(i64::from)
    }

    /// The unknown-token id, if the vocabulary has one.
    pub fn unk_id(&self) -> Option<i64> {
        self.config.unk_id.map(i64::from)
    }

    /// The ids of every special token, ascending: padding, unknown and `[CLS]`
    /// (`<s>`), and for a Hugging Face tokenizer also every added token marked
    /// special in `tokenizer.json` (`[SEP]`, `[MASK]`, `</s>`, `<mask>`, …) and
    /// every token its post-processor inserts. Added tokens not marked special
    /// are ordinary vocabulary. These ids never stand for text, so random
    /// baselines leave them out.
    pub fn special_ids(&self) -> Vec<i64> {
        let mut ids: BTreeSet<u32> = [self.config.unk_id, self.config.cls_id]
            .into_iter()
            .flatten()
            .chain([self.config.pad_id])
            .collect();
        match &self.inner {
            Inner::Word(v) => ids.extend(SPECIALS.iter().filter_map(|s| v.get(s))),
            Inner::Hf(t) => ids.extend(crate::hf_encode::special_ids(t)),
        }
        ids.into_iter().map(i64::from).collect()
    }

    /// Vocabulary size, special tokens included.
    pub fn vocab_size(&self) -> usize {
        match &self.inner {
            Inner::Word(v) => v.len(),
            Inner::Hf(t) => t.get_vocab_size(true),
        }
    }

    /// The id of a token.
    pub fn token_to_id(&self, token: &str) -> Option<i64> {
        match &self.inner {
            Inner::Word(v) => v.get(token),
            Inner::Hf(t) => t.token_to_id(token),
        }
        .map(i64::from)
    }

    /// The token of an id.
    pub fn id_to_token(&self, id: i64) -> Option<String> {
        let id = u32::try_from(id).ok()?;
        match &self.inner {
            Inner::Word(v) => v.token(id).map(str::to_string),
            Inner::Hf(t) => t.id_to_token(id),
        }
    }

    /// Encodes one text: segments it into words and tokenizes word by word, up to
    /// `max_len` tokens (a leading `[CLS]` included when configured).
    pub fn encode(&self, text: &str) -> Encoding {
        if let (true, Inner::Hf(t)) = (self.config.hf_model, &self.inner) {
            match crate::hf_encode::encode_whole(t, &self.segmenter, text, self.config.max_len) {
                Ok(enc) => return enc,
                Err(e) => {
                    tracing::warn!(error = %e, "the model's tokenizer failed on a text; encoding it word by word")
                }
            }
        }
        let mut enc = Encoding {
            ids: Vec::new(),
            word_ids: Vec::new(),
            words: Vec::new(),
            spans: Vec::new(),
            truncated: false,
        };
        if let (true, Some(cls)) = (self.config.add_cls, self.config.cls_id) {
            enc.ids.push(i64::from(cls));
            enc.word_ids.push(None);
        }
        let max = self.config.max_len;
        let lower = self.config.lowercase;
        let mut words = self.segmenter.words(text).peekable();
        let mut batch: Vec<crate::Word<'_>> = Vec::with_capacity(WORDS_PER_CALL);
        let mut pieces: Vec<Vec<u32>> = Vec::with_capacity(WORDS_PER_CALL);
        while words.peek().is_some() && !enc.truncated {
            batch.clear();
            // Never ask for more words than tokens can still fit (each word has >= 1 token).
            let room = (max - enc.ids.len()).clamp(1, WORDS_PER_CALL);
            batch.extend(words.by_ref().take(room));
            self.tokenize_words(&batch, lower, &mut pieces);
            for (word, ids) in batch.iter().zip(&pieces) {
                if ids.is_empty() {
                    continue;
                }
                let room = max - enc.ids.len();
                if room == 0 {
                    enc.truncated = true;
                    break;
                }
                let take = ids.len().min(room);
                let w = enc.words.len() as u32;
                enc.ids.extend(ids[..take].iter().map(|&i| i64::from(i)));
                enc.word_ids.extend(std::iter::repeat_n(Some(w), take));
                enc.words.push(self.segmenter.fold(word.text).into_owned());
                enc.spans.push((word.start, word.end));
                if take < ids.len() {
                    enc.truncated = true;
                    break;
                }
            }
            if enc.ids.len() == max && !enc.truncated {
                // Full: truncated if any later word still has tokens.
                while words.peek().is_some() {
                    batch.clear();
                    batch.extend(words.by_ref().take(WORDS_PER_CALL));
                    self.tokenize_words(&batch, lower, &mut pieces);
                    if pieces.iter().any(|p| !p.is_empty()) {
                        enc.truncated = true;
                        break;
                    }
                }
            }
        }
        enc
    }

    /// Encodes many texts in parallel, in order.
    pub fn encode_batch<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Encoding> {
        texts.par_iter().map(|t| self.encode(t.as_ref())).collect()
    }

    /// Token ids of each word, one list per word (possibly empty).
    fn tokenize_words(&self, words: &[crate::Word<'_>], lower: bool, out: &mut Vec<Vec<u32>>) {
        out.clear();
        let forms: Vec<std::borrow::Cow<'_, str>> =
            words.iter().map(|w| model_form(lower, w.text)).collect();
        match &self.inner {
            Inner::Word(v) => {
                let unk = self.config.unk_id.unwrap_or(0);
                out.extend(forms.iter().map(|f| vec![v.get(f).unwrap_or(unk)]));
            }
            Inner::Hf(t) if self.config.kind != "pretrained" => {
                // Trained here: no normalizer, pre-tokenizer or added words beyond
                // the specials, so the model alone gives what `encode` would, faster.
                let unk = self.config.unk_id;
                out.extend(forms.iter().map(|f| match t.get_model().tokenize(f) {
                    Ok(tokens) => tokens.into_iter().map(|tk| tk.id).collect(),
                    Err(_) => unk.into_iter().collect(),
                }));
            }
            Inner::Hf(t) => {
                out.resize(words.len(), Vec::new());
                let refs: Vec<&str> = forms.iter().map(|f| f.as_ref()).collect();
                match t.encode(&refs[..], false) {
                    Ok(e) => {
                        for (&id, wid) in e.get_ids().iter().zip(e.get_word_ids()) {
                            if let Some(w) = wid.and_then(|w| out.get_mut(w as usize)) {
                                w.push(id);
                            }
                        }
                    }
                    Err(_) => {
                        // A word the tokenizer cannot handle becomes [UNK] (or nothing).
                        for (form, slot) in refs.iter().zip(out.iter_mut()) {
                            match t.encode(&[*form][..], false) {
                                Ok(e) => slot.extend_from_slice(e.get_ids()),
                                Err(_) => slot.extend(self.config.unk_id),
                            }
                        }
                    }
                }
            }
        }
    }

    /// Saves the tokenizer into `dir` (created if missing): `sacx-tokenizer.json`
    /// (settings) plus `vocab.txt` (`word`) or `tokenizer.json` (other kinds).
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        match &self.inner {
            Inner::Word(v) => v.save(&dir.join(VOCAB_FILE))?,
            Inner::Hf(t) => {
                let path = dir.join(HF_FILE);
                t.save(&path, false)
                    .map_err(hf_err(format!("writing {}", path.display())))?;
            }
        }
        let path = dir.join(CONFIG_FILE);
        let json = serde_json::to_string_pretty(&self.config).map_err(|source| Error::Json {
            path: path.clone(),
            expected: CONFIG_SHAPE,
            source,
        })?;
        std::fs::write(&path, json).map_err(|e| Error::io(&path, e))
    }

    /// Loads a tokenizer saved by [`Tokenizer::save`]; it encodes identically.
    pub fn load(dir: &Path) -> Result<Tokenizer> {
        let path = dir.join(CONFIG_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        let config: Config = serde_json::from_str(&text).map_err(|source| Error::Json {
            path: path.clone(),
            expected: CONFIG_SHAPE,
            source,
        })?;
        if config.format_version != 1 {
            return Err(Error::BadTokenizerDir {
                path,
                reason: format!("unsupported format_version {}", config.format_version),
            });
        }
        let inner = if config.kind == "word" {
            Inner::Word(WordVocab::load(&dir.join(VOCAB_FILE))?)
        } else {
            let path = dir.join(HF_FILE);
            let tok = tokenizers::Tokenizer::from_file(&path)
                .map_err(hf_err(format!("loading {}", path.display())))?;
            Inner::Hf(Box::new(tok))
        };
        let segmenter = Segmenter::new()
            .with_case_fold(config.case_fold)
            .with_preprocess(config.preprocess);
        Ok(Tokenizer {
            inner,
            segmenter,
            config,
        })
    }
}

fn model_form(lower: bool, word: &str) -> std::borrow::Cow<'_, str> {
    if lower {
        lowercase(word)
    } else {
        std::borrow::Cow::Borrowed(word)
    }
}

/// The special tokens as the Hugging Face trainers take them.
fn special_tokens() -> Vec<AddedToken> {
    SPECIALS
        .iter()
        .map(|s| AddedToken::from(s.to_string(), true))
        .collect()
}

/// A trained Hugging Face model as a tokenizer with the special tokens, or
/// [`Error::NoTrainingWords`] when it learnt nothing beyond them.
fn hf_inner<M>(model: M, kind: &str) -> Result<Inner>
where
    M: Model + Into<tokenizers::models::ModelWrapper>,
{
    if model.get_vocab_size() <= SPECIALS.len() {
        return Err(Error::NoTrainingWords {
            kind: kind.to_string(),
        });
    }
    let mut tok = tokenizers::Tokenizer::new(model);
    tok.add_special_tokens(&SPECIALS.map(|s| AddedToken::from(s, true)));
    Ok(Inner::Hf(Box::new(tok)))
}

/// Trains a WordPiece tokenizer.
fn train_wordpiece<S, F>(
    opts: &TokenizerOptions,
    texts: &[S],
    words: &F,
    kind: &str,
) -> Result<Inner>
where
    S: AsRef<str> + Sync,
    F: Fn(&str) -> Vec<String> + Sync,
{
    // The trainer numbers `##c` continuation tokens in hash-map order,
    // which makes ties between merges (and so the vocabulary) vary from
    // run to run. Registering them up front, sorted, fixes their ids.
    let chars: BTreeSet<char> = texts
        .par_iter()
        .map(|t| {
            words(t.as_ref())
                .iter()
                .flat_map(|w| w.chars())
                .collect::<BTreeSet<char>>()
        })
        .reduce(BTreeSet::new, |mut a, b| {
            a.extend(b);
            a
        });
    let mut specials = special_tokens();
    specials.extend(
        chars
            .iter()
            .map(|c| AddedToken::from(format!("##{c}"), true)),
    );
    let mut trainer = WordPieceTrainer::builder()
        .vocab_size(opts.vocab_size)
        .min_frequency(opts.min_count)
        .special_tokens(specials)
        .show_progress(false)
        .build();
    let mut model = WordPiece::default();
    train_hf(&mut trainer, &mut model, texts, words, kind)?;
    hf_inner(model, kind)
}

/// Trains a BPE tokenizer.
fn train_bpe<S, F>(opts: &TokenizerOptions, texts: &[S], words: &F, kind: &str) -> Result<Inner>
where
    S: AsRef<str> + Sync,
    F: Fn(&str) -> Vec<String> + Sync,
{
    let mut trainer = BpeTrainer::builder()
        .vocab_size(opts.vocab_size)
        .min_frequency(opts.min_count)
        .special_tokens(special_tokens())
        .show_progress(false)
        .build();
    let mut model = BPE::builder()
        .unk_token(UNK.to_string())
        .build()
        .map_err(hf_err("building the BPE model"))?;
    train_hf(&mut trainer, &mut model, texts, words, kind)?;
    hf_inner(model, kind)
}

fn train_hf<T, S, F>(
    trainer: &mut T,
    model: &mut T::Model,
    texts: &[S],
    words: &F,
    kind: &str,
) -> Result<()>
where
    T: Trainer + Sync,
    S: AsRef<str> + Sync,
    F: Fn(&str) -> Vec<String> + Sync,
{
    trainer
        .feed(texts.iter().map(|t| t.as_ref()), |t| Ok(words(t)))
        .map_err(hf_err(format!("training the {kind} tokenizer")))?;
    trainer
        .train(model)
        .map_err(hf_err(format!("training the {kind} tokenizer")))?;
    Ok(())
}

/// Finds the padding, unknown and `[CLS]` ids.
fn special_ids(
    inner: &Inner,
    opts: &TokenizerOptions,
    kind: &TokenizerKind,
) -> Result<(u32, Option<u32>, Option<u32>)> {
    let lookup = |names: &[&str]| -> Option<u32> {
        names.iter().find_map(|n| match inner {
            Inner::Word(v) => v.get(n),
            Inner::Hf(t) => t.token_to_id(n),
        })
    };
    let padding = match inner {
        Inner::Hf(t) => t.get_padding().map(|p| p.pad_id),
        Inner::Word(_) => None,
    };
    let path = match kind {
        TokenizerKind::Pretrained(p) => p.clone(),
        _ => PathBuf::from(HF_FILE),
    };
    let pad = lookup(&[PAD, "<pad>"])
        .or(padding)
        .ok_or_else(|| Error::BadTokenizerDir {
            path: path.clone(),
            reason: "the vocabulary has no padding token ([PAD] or <pad>)".into(),
        })?;
    let unk = lookup(&[UNK, "<unk>"]);
    let cls = lookup(&[CLS, "<s>"]);
    if opts.add_cls && cls.is_none() {
        return Err(Error::BadTokenizerDir {
            path,
            reason: "add_cls is set but the vocabulary has no [CLS] or <s> token".into(),
        });
    }
    Ok((pad, unk, cls))
}
