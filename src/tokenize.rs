//! Tokenization as the Hugging Face pipeline does it: the checkpoint's
//! `tokenizer.json` through the tokenizers crate (with our compact unigram
//! model, `crate::unigram`), pairs truncated on the premise only, to the
//! tokenizer's `model_max_length`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tokenizers::{TruncationDirection, TruncationParams, TruncationStrategy};

use crate::model::Encoded;
use crate::unigram::LeanTokenizer;

pub struct PairTokenizer {
    /// One tokenizer, without truncation or padding: truncation is applied
    /// here, per call, exactly as the tokenizers crate's `encode` would.
    tok: LeanTokenizer,
    pub max_length: usize,
    pub source: PathBuf,
    /// Special tokens added to a pair and to a single sequence.
    added_pair: usize,
    added_single: usize,
    /// Longest text handed to the tokenizer at once (see `prefix_piece`).
    segment: usize,
}

/// Bytes of text tokenized at once for long documents. The tokenizers crate
/// needs tens of bytes of working memory per input byte, so a 100 MB document
/// tokenized whole takes gigabytes; segments keep it to a few MB.
pub const SEGMENT: usize = 64 * 1024;

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
        Ok(PairTokenizer { tok, max_length, source: path, added_pair, added_single, segment: SEGMENT })
    }

    /// Sets the segment size (tests use small ones to cross many boundaries).
    pub fn with_segment(mut self, bytes: usize) -> Self {
        self.segment = bytes.max(64);
        self
    }

    /// A text's tokens alone (no special tokens, no truncation), with byte offsets.
    pub fn piece(&self, text: &str) -> Result<Piece> {
        self.tok.encode(text, false).map_err(|e| anyhow::anyhow!("tokenization failed: {e}"))
    }

    /// The first `need` tokens of `text` exactly as tokenizing it whole gives
    /// them, tokenizing only a prefix of it: what truncation keeps of a long
    /// document, in memory bounded by the prefix. A prefix is accepted when a
    /// longer one agrees with it on every token up to `need` plus a margin
    /// (cuts fall after whitespace where there is any, so words are whole).
    pub fn prefix_piece(&self, text: &str, need: usize) -> Result<Piece> {
        const MARGIN: usize = 16;
        let mut len = self.segment.max(need * 16);
        loop {
            if len >= text.len() {
                return self.piece(text);
            }
            let c1 = cut(text, len, len / 8);
            let a = self.piece(&text[..c1])?;
            if a.len() > need + MARGIN {
                let c2 = cut(text, len + len / 2, len / 8);
                let b = self.piece(&text[..c2])?;
                let k = need + MARGIN;
                if b.len() > k && a.get_ids()[..k] == b.get_ids()[..k] && a.get_offsets()[..k] == b.get_offsets()[..k] {
                    let mut a = a;
                    a.truncate(need, 0, TruncationDirection::Right);
                    drop(a.take_overflowing());
                    return Ok(a);
                }
            }
            len *= 2;
        }
    }

    /// Every token's byte range in `text`, exactly as tokenizing it whole
    /// gives them, in bounded memory: overlapping segments are tokenized in
    /// turn and joined where they agree on a run of tokens.
    pub fn token_offsets(&self, text: &str, mut each: impl FnMut((usize, usize))) -> Result<()> {
        let seg = self.segment;
        let offsets = |start: usize, end: usize| -> Result<Vec<(usize, usize, u32)>> {
            let enc = self.piece(&text[start..end])?;
            Ok(enc.get_offsets().iter().zip(enc.get_ids()).map(|(&(s, e), &id)| (s + start, e + start, id)).collect())
        };
        // `a` holds the tokens of text[a_start..a_end]; tokens before `from` are out.
        let (mut a_start, mut from) = (0usize, 0usize);
        let mut size = seg;
        let slack = seg / 16;
        let mut a_end = cut(text, size, slack);
        let mut a = offsets(0, a_end)?;
        loop {
            if a_end >= text.len() {
                a.iter().filter(|t| t.0 >= from).for_each(|t| each((t.0, t.1)));
                return Ok(());
            }
            // The next segment starts a quarter back; tokens near either edge
            // of a segment may differ from the whole text's, so the two are
            // joined at a token in the middle of the overlap where they agree
            // (the middle half of the overlap must match token for token).
            let guard = size / 16;
            let b_start = cut(text, a_end - size / 4, slack);
            let b_end = cut(text, b_start + size, slack);
            let b = if b_start > a_start { offsets(b_start, b_end)? } else { Vec::new() };
            let lo = b_start + guard;
            let hi = a_end.saturating_sub(guard);
            let joined = (|| {
                let j0 = a.iter().position(|t| t.0 >= lo && t.0 >= from)?;
                let j1 = a.iter().rposition(|t| t.1 <= hi)?;
                if j1 < j0 + 4 {
                    return None;
                }
                let k0 = b.iter().position(|t| t.0 == a[j0].0)?;
                (b.len() >= k0 + (j1 - j0) && a[j0..j1] == b[k0..k0 + (j1 - j0)]).then_some(j0)
            })();
            match joined {
                Some(j0) => {
                    a[..j0].iter().filter(|t| t.0 >= from).for_each(|t| each((t.0, t.1)));
                    from = a[j0].0;
                    (a_start, a_end, a) = (b_start, b_end, b);
                    size = seg;
                }
                None => {
                    // No stable run to join at: take a longer segment from the same start.
                    size *= 2;
                    a_end = cut(text, a_start + size, slack);
                    a = offsets(a_start, a_end)?;
                }
            }
        }
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
        // The last width+1 token ranges: enough to close each window and to
        // know whether another follows.
        let mut recent: std::collections::VecDeque<(usize, usize)> = std::collections::VecDeque::new();
        let (mut n, mut start) = (0usize, 0usize);
        let mut out = Vec::new();
        let step = width.saturating_sub(stride).max(1);
        self.token_offsets(text, |t| {
            recent.push_back(t);
            n += 1;
            // Tokens start.. are in `recent` from index n - recent.len().
            if n > start + width {
                let base = n - recent.len();
                out.push(recent[start - base].0..recent[start + width - 1 - base].1);
                start += step;
            }
            while recent.len() > width + 1 {
                recent.pop_front();
            }
        })?;
        if n <= width {
            return Ok(std::iter::once(0..text.len()).collect());
        }
        // The window from `start` runs to the last token.
        let base = n - recent.len();
        out.push(recent[start - base].0..recent[n - 1 - base].1);
        Ok(out)
    }

    /// `[CLS] text [SEP]`, truncated to the limit.
    pub fn encode_single(&self, text: &str) -> Result<Encoded> {
        Ok(self.encode_single_tokens(text)?.0)
    }

    /// [`Self::encode_single`] with the token strings.
    pub fn encode_single_tokens(&self, text: &str) -> Result<(Encoded, Vec<String>)> {
        let a = self.prefix_piece(text, self.max_length)?;
        let (a, _) = self.truncate(a, None, TruncationStrategy::LongestFirst).map_err(|e| anyhow::anyhow!("{e}"))?;
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
        let (p, h) = (self.prefix_piece(premise, self.max_length)?, self.prefix_piece(hypothesis, self.max_length)?);
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

/// A place to cut `text` at or before byte `at`: just after the last
/// whitespace in the `slack` bytes before it when there is one, else the char
/// boundary at or before `at`; the text's end when `at` reaches it.
fn cut(text: &str, at: usize, slack: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let lo = at.saturating_sub(slack);
    if let Some(p) = text.as_bytes()[lo..at].iter().rposition(|b| b.is_ascii_whitespace()) {
        return lo + p + 1;
    }
    let mut c = at;
    while !text.is_char_boundary(c) {
        c -= 1;
    }
    c
}

/// The checkpoint's tokenizer and the file it came from.
pub fn load_tokenizer(dir: &Path) -> Result<(LeanTokenizer, PathBuf)> {
    let json = dir.join("tokenizer.json");
    let spm = dir.join("spm.model");
    if json.is_file() {
        let t = std::fs::read_to_string(&json)
            .map_err(anyhow::Error::from)
            .and_then(|text| crate::unigram::from_tokenizer_json(&text))
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
