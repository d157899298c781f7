//! The SentencePiece unigram model in a few megabytes, as a model for the
//! tokenizers crate's pipeline (normalizer, pre-tokenizer, added tokens and
//! post-processor stay the crate's).
//!
//! Why our own: the crate's `Unigram` keeps its pieces in a trie of hash maps,
//! about 600 MB for mDeBERTa's 250,000 pieces, half of the process's peak
//! memory. This one keeps the pieces in one byte buffer sorted by bytes (about
//! 5 MB) and finds the pieces that start at a position by narrowing a range of
//! that order one byte at a time. The segmentation follows the crate's
//! `Unigram` (best path by score, the unknown-character penalty, unknown
//! characters fused, byte fallback) step for step, so the tokens are the same:
//! `tests/unigram.rs` compares the two on every fixture tokenizer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::models::unigram::UnigramTrainer;
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::processors::PostProcessorWrapper;
use tokenizers::{AddedToken, Model, Token, Tokenizer, TokenizerImpl};

/// A tokenizer whose model is [`Unigram`].
pub type LeanTokenizer = TokenizerImpl<Unigram, NormalizerWrapper, PreTokenizerWrapper, PostProcessorWrapper, DecoderWrapper>;

/// What the crate's `Unigram` subtracts from the lowest piece score for an
/// unknown character.
const UNK_PENALTY: f64 = 10.0;

pub struct Unigram {
    /// Every piece's bytes, in id order.
    bytes: Vec<u8>,
    /// Piece `i` is `bytes[start[i]..start[i + 1]]`.
    start: Vec<u32>,
    scores: Vec<f64>,
    /// Ids ordered by their piece's bytes; of equal pieces only the last id
    /// (the crate's piece-to-id map keeps the last one too).
    sorted: Vec<u32>,
    unk_id: Option<u32>,
    byte_fallback: bool,
    min_score: f64,
}

impl Unigram {
    /// The model of `(piece, score)` pairs in id order, as the crate's
    /// `Unigram::from` takes them.
    pub fn new(vocab: Vec<(String, f64)>, unk_id: Option<usize>, byte_fallback: bool) -> Result<Self> {
        if let Some(unk) = unk_id {
            if vocab.is_empty() {
                bail!("the unigram vocabulary is empty");
            }
            if unk >= vocab.len() {
                bail!("the unigram unk_id {unk} is not in the vocabulary of {} pieces", vocab.len());
            }
        }
        let n = vocab.len();
        if n >= u32::MAX as usize {
            bail!("the unigram vocabulary has {n} pieces; at most {} are supported", u32::MAX - 1);
        }
        let total: usize = vocab.iter().map(|(p, _)| p.len()).sum();
        if total >= u32::MAX as usize {
            bail!("the unigram vocabulary holds {total} bytes of pieces; at most 4 GB are supported");
        }
        let mut bytes = Vec::with_capacity(total);
        let mut start = Vec::with_capacity(n + 1);
        let mut scores = Vec::with_capacity(n);
        let mut min_score = f64::INFINITY;
        for (piece, score) in &vocab {
            start.push(bytes.len() as u32);
            bytes.extend_from_slice(piece.as_bytes());
            scores.push(*score);
            min_score = min_score.min(*score);
        }
        start.push(bytes.len() as u32);
        drop(vocab);
        let mut model = Unigram { bytes, start, scores, sorted: Vec::new(), unk_id: unk_id.map(|u| u as u32), byte_fallback, min_score };
        let mut sorted: Vec<u32> = (0..n as u32).collect();
        // Stable by id within equal pieces, so the last of each run is the last id.
        sorted.sort_by(|&a, &b| model.piece(a).cmp(model.piece(b)));
        let mut kept: Vec<u32> = Vec::with_capacity(n);
        for id in sorted {
            match kept.last_mut() {
                Some(last) if model.piece(*last) == model.piece(id) => *last = id,
                _ => kept.push(id),
            }
        }
        kept.shrink_to_fit();
        model.sorted = kept;
        Ok(model)
    }

    fn piece(&self, id: u32) -> &[u8] {
        &self.bytes[self.start[id as usize] as usize..self.start[id as usize + 1] as usize]
    }

    fn id_of(&self, piece: &[u8]) -> Option<u32> {
        self.sorted.binary_search_by(|&id| self.piece(id).cmp(piece)).ok().map(|i| self.sorted[i])
    }

    /// Each piece that `text` starts with, shortest first, as `(length, id)`.
    fn prefixes(&self, text: &[u8], mut each: impl FnMut(usize, u32)) {
        let (mut lo, mut hi) = (0, self.sorted.len());
        for (d, &b) in text.iter().enumerate() {
            // In [lo, hi) every piece starts with text[..d], in byte order: those
            // that end at d come first, then those whose next byte is b.
            let byte_at = |id: u32| self.piece(id).get(d).map_or(-1, |&x| x as i32);
            let range = &self.sorted[lo..hi];
            let from = lo + range.partition_point(|&id| byte_at(id) < b as i32);
            let to = lo + range.partition_point(|&id| byte_at(id) <= b as i32);
            if from == to {
                return;
            }
            (lo, hi) = (from, to);
            let first = self.sorted[lo];
            if self.piece(first).len() == d + 1 {
                each(d + 1, first);
            }
        }
    }

    /// The best segmentation of `text` as byte ranges with their piece (None:
    /// a run of unknown characters, fused).
    fn segment(&self, text: &str) -> Result<Vec<(usize, usize)>> {
        #[derive(Clone, Copy)]
        struct Best {
            id: u32,
            score: f64,
            from: Option<usize>,
        }
        let size = text.len();
        let bytes = text.as_bytes();
        let unk_score = self.min_score - UNK_PENALTY;
        let mut best = vec![Best { id: 0, score: 0.0, from: None }; size + 1];
        let mut at = 0;
        while at < size {
            let here = best[at].score;
            let char_len = text[at..].chars().next().map_or(1, char::len_utf8);
            let mut single = false;
            self.prefixes(&bytes[at..], |len, id| {
                let node = &mut best[at + len];
                let score = self.scores[id as usize] + here;
                if node.from.is_none() || score > node.score {
                    *node = Best { id, score, from: Some(at) };
                }
                single |= len == char_len;
            });
            if !single {
                let unk = self.unk_id.ok_or_else(|| anyhow!("the unigram model has no unk_id for an unknown character"))?;
                let node = &mut best[at + char_len];
                let score = unk_score + here;
                if node.from.is_none() || score > node.score {
                    *node = Best { id: unk, score, from: Some(at) };
                }
            }
            at += char_len;
        }
        // Back from the end; consecutive unknowns become one range.
        let mut out: Vec<(usize, usize)> = Vec::new();
        let mut end = size;
        let mut unk_run: Option<(usize, usize)> = None;
        while end > 0 {
            let node = best[end];
            let from = node.from.expect("every character boundary is reached");
            if Some(node.id) == self.unk_id {
                unk_run = Some((from, unk_run.map_or(end, |r| r.1)));
            } else {
                out.extend(unk_run.take());
                out.push((from, end));
            }
            end = from;
        }
        out.extend(unk_run);
        out.reverse();
        Ok(out)
    }
}

impl std::fmt::Debug for Unigram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unigram").field("pieces", &self.scores.len()).field("unk_id", &self.unk_id).finish()
    }
}

/// As the crate writes its `Unigram` in tokenizer.json (`TokenizerImpl::to_string`).
impl serde::Serialize for Unigram {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeSeq, SerializeStruct};
        struct Vocab<'a>(&'a Unigram);
        impl serde::Serialize for Vocab<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.scores.len()))?;
                for (id, score) in self.0.scores.iter().enumerate() {
                    seq.serialize_element(&(String::from_utf8_lossy(self.0.piece(id as u32)), score))?;
                }
                seq.end()
            }
        }
        let mut model = serializer.serialize_struct("Unigram", 4)?;
        model.serialize_field("type", "Unigram")?;
        model.serialize_field("unk_id", &self.unk_id.map(|u| u as usize))?;
        model.serialize_field("vocab", &Vocab(self))?;
        model.serialize_field("byte_fallback", &self.byte_fallback)?;
        model.end()
    }
}

impl Model for Unigram {
    type Trainer = UnigramTrainer;

    fn tokenize(&self, sequence: &str) -> tokenizers::Result<Vec<Token>> {
        if sequence.is_empty() {
            return Ok(Vec::new());
        }
        let mut tokens = Vec::new();
        for (s, e) in self.segment(sequence)? {
            let text = &sequence[s..e];
            if let Some(id) = self.id_of(text.as_bytes()) {
                tokens.push(Token::new(id, text.to_string(), (s, e)));
                continue;
            }
            if self.byte_fallback {
                let bytes: Option<Vec<Token>> = text
                    .bytes()
                    .map(|b| {
                        let name = format!("<0x{b:02X}>");
                        self.id_of(name.as_bytes()).map(|id| Token::new(id, name, (s, e)))
                    })
                    .collect();
                if let Some(bytes) = bytes {
                    tokens.extend(bytes);
                    continue;
                }
            }
            let unk = self.unk_id.ok_or_else(|| anyhow!("the unigram model has no unk_id for {text:?}"))?;
            tokens.push(Token::new(unk, text.to_string(), (s, e)));
        }
        Ok(tokens)
    }

    fn token_to_id(&self, token: &str) -> Option<u32> {
        self.id_of(token.as_bytes())
    }

    fn id_to_token(&self, id: u32) -> Option<String> {
        ((id as usize) < self.scores.len()).then(|| String::from_utf8_lossy(self.piece(id)).into_owned())
    }

    fn get_vocab(&self) -> HashMap<String, u32> {
        self.sorted.iter().map(|&id| (String::from_utf8_lossy(self.piece(id)).into_owned(), id)).collect()
    }

    fn get_vocab_size(&self) -> usize {
        self.scores.len()
    }

    fn save(&self, _folder: &Path, _prefix: Option<&str>) -> tokenizers::Result<Vec<PathBuf>> {
        Err("zeroshot's unigram model is not saved; the checkpoint's own tokenizer files are".into())
    }

    fn get_trainer(&self) -> UnigramTrainer {
        UnigramTrainer::default()
    }
}

/// A `tokenizer.json` with a Unigram model, loaded with [`Unigram`] in place
/// of the crate's: the rest of the file is read by the crate itself (with a
/// one-piece stand-in model), then the added tokens are added to ours in the
/// file's order, as the crate's loader does, so they get the same ids.
pub fn from_tokenizer_json(text: &str) -> Result<LeanTokenizer> {
    let mut file: Value = serde_json::from_str(text).context("not valid JSON")?;
    let model = file.get_mut("model").context("no \"model\"")?;
    let kind = model.get("type").and_then(Value::as_str).unwrap_or("");
    if kind != "Unigram" {
        bail!("its model is {kind:?}; DeBERTa-v2/v3 tokenizers are Unigram");
    }
    let vocab: Vec<(String, f64)> = serde_json::from_value(model.get_mut("vocab").context("no model vocab")?.take())
        .context("the model vocab is not a list of [piece, score]")?;
    let unk_id = model.get("unk_id").and_then(Value::as_u64).map(|u| u as usize);
    let byte_fallback = model.get("byte_fallback").and_then(Value::as_bool).unwrap_or(false);
    *model = serde_json::json!({ "type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0]], "byte_fallback": false });
    let added = file.get_mut("added_tokens").map(Value::take).unwrap_or(Value::Array(Vec::new()));
    file["added_tokens"] = Value::Array(Vec::new());
    let rest: Tokenizer = serde_json::from_value(file).map_err(|e| anyhow!("{e}"))?;

    let mut tok = LeanTokenizer::new(Unigram::new(vocab, unk_id, byte_fallback)?);
    tok.with_normalizer(rest.get_normalizer().cloned()).map_err(|e| anyhow!("{e}"))?;
    tok.with_pre_tokenizer(rest.get_pre_tokenizer().cloned());
    tok.with_post_processor(rest.get_post_processor().cloned());
    tok.with_decoder(rest.get_decoder().cloned());
    tok.with_truncation(rest.get_truncation().cloned()).map_err(|e| anyhow!("{e}"))?;
    tok.with_padding(rest.get_padding().cloned());
    let added: Vec<AddedToken> = serde_json::from_value(added).context("\"added_tokens\" is not a list of tokens")?;
    tok.add_tokens(added).map_err(|e| anyhow!("cannot add the added tokens: {e}"))?;
    Ok(tok)
}
