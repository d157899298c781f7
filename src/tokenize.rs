//! Tokenization as the Hugging Face pipeline does it: the checkpoint's
//! `tokenizer.json` through the tokenizers crate, pairs truncated on the
//! premise only, to the tokenizer's `model_max_length`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::model::Encoded;

pub struct PairTokenizer {
    /// One tokenizer, without truncation or padding: truncation is applied
    /// here, per call, exactly as the tokenizers crate's `encode` would. (A
    /// 250K-piece vocabulary takes hundreds of MB; one copy is enough.)
    tok: Tokenizer,
    pub max_length: usize,
    pub source: PathBuf,
    /// Special tokens added to a pair and to a single sequence.
    added_pair: usize,
    added_single: usize,
}

/// Why a pair could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    #[error("the hypothesis alone takes {hyp_tokens} of the {max_length} tokens the model accepts")]
    HypothesisTooLong { hyp_tokens: usize, max_length: usize },
    #[error("tokenization failed: {0}")]
    Other(String),
}

/// A text tokenized on its own, without special tokens, ready to be paired.
pub type Piece = tokenizers::Encoding;

impl PairTokenizer {
    /// Loads `tokenizer.json` from `dir`, or, for checkpoints shipped without
    /// one, converts `spm.model` as transformers 4.x does. The length limit is
    /// `model_max_length` from `tokenizer_config.json`, capped at the model's
    /// `max_positions`.
    pub fn load(dir: &Path, max_positions: usize) -> Result<Self> {
        let (mut tok, path) = load_tokenizer(dir)?;
        let max_length = model_max_length(dir)?.unwrap_or(max_positions).min(max_positions);
        tok.with_padding(None);
        tok.with_truncation(None).map_err(|e| anyhow::anyhow!("{e}"))?;
        let added = |pair| {
            use tokenizers::PostProcessor;
            tok.get_post_processor().map_or(0, |p| p.added_tokens(pair))
        };
        let (added_pair, added_single) = (added(true), added(false));
        Ok(PairTokenizer { tok, max_length, source: path, added_pair, added_single })
    }

    /// A text's tokens alone (no special tokens, no truncation), with byte offsets.
    pub fn piece(&self, text: &str) -> Result<Piece> {
        self.tok.encode(text, false).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))
    }

    fn truncate(&self, a: Piece, b: Option<Piece>, strategy: TruncationStrategy) -> tokenizers::Result<(Piece, Option<Piece>)> {
        let added = if b.is_some() { self.added_pair } else { self.added_single };
        let params = TruncationParams {
            max_length: self.max_length.saturating_sub(added),
            strategy,
            stride: 0,
            direction: TruncationDirection::Right,
        };
        tokenizers::utils::truncation::truncate_encodings(a, b, &params)
    }

    fn finish(&self, a: Piece, b: Option<Piece>) -> Result<Encoded, PairError> {
        let enc = self.tok.post_process(a, b, true).map_err(|e| PairError::Other(e.to_string()))?;
        Ok(to_encoded(&enc))
    }

    /// `[CLS] premise [SEP] hypothesis [SEP]` from tokenized parts, the premise
    /// truncated so the pair fits (the pipeline's `only_first`).
    pub fn pair_of(&self, premise: &Piece, hypothesis: &Piece) -> Result<Encoded, PairError> {
        match self.truncate(premise.clone(), Some(hypothesis.clone()), TruncationStrategy::OnlyFirst) {
            Ok((a, b)) => self.finish(a, b),
            // The pipeline retries without truncation here; we refuse, since the
            // model would otherwise see more tokens than it accepts.
            Err(_) if hypothesis.len() + self.added_pair >= self.max_length => {
                Err(PairError::HypothesisTooLong { hyp_tokens: hypothesis.len(), max_length: self.max_length })
            }
            Err(e) => Err(PairError::Other(e.to_string())),
        }
    }

    /// `[CLS] premise [SEP] hypothesis [SEP]`, the premise truncated so the pair fits.
    pub fn encode_pair(&self, premise: &str, hypothesis: &str) -> Result<Encoded, PairError> {
        let p = self.piece(premise).map_err(|e| PairError::Other(e.to_string()))?;
        let h = self.piece(hypothesis).map_err(|e| PairError::Other(e.to_string()))?;
        self.pair_of(&p, &h)
    }

    /// Tokens of `text` alone (no special tokens, no truncation).
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        Ok(self.piece(text)?.len())
    }

    /// Special tokens a pair adds (3 for `[CLS] A [SEP] B [SEP]`).
    pub fn pair_special_tokens(&self) -> usize {
        self.added_pair
    }

    /// `--long chunk` windows of `text`: byte ranges holding `width` tokens each,
    /// consecutive ones sharing `stride` tokens, from the first token's start
    /// to the last token's end. A text that fits is one window, the whole text.
    pub fn windows(&self, text: &str, width: usize, stride: usize) -> Result<Vec<std::ops::Range<usize>>> {
        let enc = self.piece(text)?;
        let offsets = enc.get_offsets();
        let n = offsets.len();
        if n <= width {
            return Ok(std::iter::once(0..text.len()).collect());
        }
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let end = (start + width).min(n);
            out.push(offsets[start].0..offsets[end - 1].1);
            if end >= n {
                return Ok(out);
            }
            start += width - stride;
        }
    }

    /// `[CLS] text [SEP]`, truncated to the limit.
    pub fn encode_single(&self, text: &str) -> Result<Encoded> {
        Ok(self.encode_single_tokens(text)?.0)
    }

    /// [`Self::encode_single`] with the token strings.
    pub fn encode_single_tokens(&self, text: &str) -> Result<(Encoded, Vec<String>)> {
        let (a, _) = self.truncate(self.piece(text)?, None, TruncationStrategy::LongestFirst).map_err(|e| anyhow::anyhow!("{e}"))?;
        let enc = self.tok.post_process(a, None, true).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))?;
        Ok((to_encoded(&enc), enc.get_tokens().to_vec()))
    }

    /// A premise/hypothesis pair for NLI scoring: the premise is truncated if
    /// needed; if the hypothesis alone is too long, the longer of the two is
    /// cut token by token. An empty hypothesis means no pair, as transformers
    /// treats `text_pair=""`.
    pub fn encode_nli(&self, premise: &str, hypothesis: &str) -> Result<Encoded> {
        if hypothesis.is_empty() {
            return self.encode_single(premise);
        }
        let (p, h) = (self.piece(premise)?, self.piece(hypothesis)?);
        match self.pair_of(&p, &h) {
            Ok(e) => Ok(e),
            Err(PairError::HypothesisTooLong { .. }) => {
                let (a, b) = self.truncate(p, Some(h), TruncationStrategy::LongestFirst).map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(self.finish(a, b)?)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The checkpoint's tokenizer and the file it came from.
pub fn load_tokenizer(dir: &Path) -> Result<(Tokenizer, PathBuf)> {
    let json = dir.join("tokenizer.json");
    let spm = dir.join("spm.model");
    if json.is_file() {
        let t = Tokenizer::from_file(&json)
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("cannot load the tokenizer {}", json.display()))?;
        Ok((t, json))
    } else if spm.is_file() {
        let config = tokenizer_config(dir)?;
        Ok((crate::spm::tokenizer_from_spm(&spm, config.as_ref())?, spm))
    } else {
        anyhow::bail!("no tokenizer in {}: expected tokenizer.json or spm.model", dir.display())
    }
}

fn tokenizer_config(dir: &Path) -> Result<Option<serde_json::Value>> {
    let path = dir.join("tokenizer_config.json");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    Ok(Some(serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))?))
}

fn to_encoded(enc: &tokenizers::Encoding) -> Encoded {
    Encoded { ids: enc.get_ids().to_vec(), type_ids: enc.get_type_ids().to_vec() }
}

/// `model_max_length` from tokenizer_config.json, if set to a usable number
/// (transformers writes a huge sentinel when there is no limit).
pub fn model_max_length(dir: &Path) -> Result<Option<usize>> {
    let Some(v) = tokenizer_config(dir)? else { return Ok(None) };
    Ok(v.get("model_max_length").and_then(|m| m.as_f64()).filter(|m| (1.0..1e12).contains(m)).map(|m| m as usize))
}
