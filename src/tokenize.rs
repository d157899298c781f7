//! Tokenization as the Hugging Face pipeline does it: the checkpoint's
//! `tokenizer.json` through the tokenizers crate, pairs truncated on the
//! premise only, to the tokenizer's `model_max_length`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use crate::model::Encoded;

pub struct PairTokenizer {
    /// No truncation: token counts and offsets of whole texts.
    whole: Tokenizer,
    /// Pair encoding with premise-only truncation.
    pair: Tokenizer,
    /// Single-sequence encoding truncated to the same limit.
    single: Tokenizer,
    pub max_length: usize,
    pub source: PathBuf,
}

/// Why a pair could not be encoded.
#[derive(Debug, thiserror::Error)]
pub enum PairError {
    #[error("the hypothesis alone takes {hyp_tokens} of the {max_length} tokens the model accepts")]
    HypothesisTooLong { hyp_tokens: usize, max_length: usize },
    #[error("tokenization failed: {0}")]
    Other(String),
}

impl PairTokenizer {
    /// Loads `tokenizer.json` from `dir`, or, for checkpoints shipped without
    /// one, converts `spm.model` as transformers 4.x does. The length limit is
    /// `model_max_length` from `tokenizer_config.json`, capped at the model's
    /// `max_positions`.
    pub fn load(dir: &Path, max_positions: usize) -> Result<Self> {
        let (base, path) = load_tokenizer(dir)?;
        let max_length = model_max_length(dir)?.unwrap_or(max_positions).min(max_positions);
        let with = |strategy| -> Result<Tokenizer> {
            let mut t = base.clone();
            t.with_padding(None);
            t.with_truncation(Some(TruncationParams {
                max_length,
                strategy,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(t)
        };
        let mut whole = base.clone();
        whole.with_padding(None);
        whole.with_truncation(None).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(PairTokenizer {
            whole,
            pair: with(TruncationStrategy::OnlyFirst)?,
            single: with(TruncationStrategy::LongestFirst)?,
            max_length,
            source: path,
        })
    }

    /// `[CLS] premise [SEP] hypothesis [SEP]`, the premise truncated so the pair fits.
    pub fn encode_pair(&self, premise: &str, hypothesis: &str) -> Result<Encoded, PairError> {
        match self.pair.encode((premise, hypothesis), true) {
            Ok(enc) => Ok(to_encoded(&enc)),
            Err(e) => {
                // The pipeline retries without truncation here; we refuse, since the
                // model would otherwise see more tokens than it accepts.
                let hyp_tokens = self
                    .single
                    .encode(hypothesis, false)
                    .map(|h| h.len())
                    .map_err(|e2| PairError::Other(e2.to_string()))?;
                let added = self.pair.get_post_processor().map_or(0, |p| {
                    use tokenizers::PostProcessor;
                    p.added_tokens(true)
                });
                if hyp_tokens + added >= self.max_length {
                    Err(PairError::HypothesisTooLong { hyp_tokens, max_length: self.max_length })
                } else {
                    Err(PairError::Other(e.to_string()))
                }
            }
        }
    }

    /// Tokens of `text` alone (no special tokens, no truncation).
    pub fn count_tokens(&self, text: &str) -> Result<usize> {
        Ok(self.whole.encode(text, false).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))?.len())
    }

    /// Special tokens a pair adds (3 for `[CLS] A [SEP] B [SEP]`).
    pub fn pair_special_tokens(&self) -> usize {
        use tokenizers::PostProcessor;
        self.pair.get_post_processor().map_or(0, |p| p.added_tokens(true))
    }

    /// `--long chunk` windows of `text`: byte ranges holding `width` tokens each,
    /// consecutive ones sharing `stride` tokens, from the first token's start
    /// to the last token's end. A text that fits is one window, the whole text.
    pub fn windows(&self, text: &str, width: usize, stride: usize) -> Result<Vec<std::ops::Range<usize>>> {
        let enc = self.whole.encode(text, false).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))?;
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
        let enc = self.single.encode(text, true).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))?;
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
        match self.encode_pair(premise, hypothesis) {
            Ok(e) => Ok(e),
            Err(PairError::HypothesisTooLong { .. }) => {
                let enc = self
                    .single
                    .encode((premise, hypothesis), true)
                    .map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))?;
                Ok(to_encoded(&enc))
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
