//! Fast tokenizer from a bare SentencePiece `spm.model`.
//!
//! Some DeBERTa-v2/v3 checkpoints (e.g. `microsoft/mdeberta-v3-base`) ship only `spm.model` and a
//! tiny `tokenizer_config.json`, no `tokenizer.json`. transformers 4.x then converts the
//! SentencePiece model into a `tokenizers` pipeline (`DebertaV2Converter`) and registers the
//! special tokens on top (`PreTrainedTokenizerFast.__init__`). [`tokenizer_from_spm`] rebuilds
//! exactly that pipeline:
//!
//! - model: `Unigram` over the proto's `(piece, score)` list, `unk_id` from the trainer spec.
//!   Byte fallback is always off: the DeBERTa-v2 converter does not handle it, even when the
//!   trainer spec asks for it (transformers only warns).
//! - normalizer: `[Lowercase (if do_lower_case)], Strip(both), [Precompiled(charsmap) if any],
//!   Replace(/ {2,}/ -> " ")`.
//! - pre-tokenizer: `Sequence[[Punctuation(isolated) if split_by_punct], Metaspace("▁", always,
//!   split)]`. The prepend scheme is always `always`: the converter ignores the model's
//!   `add_dummy_prefix` and the config's `add_prefix_space`/`legacy`.
//! - decoder: `Metaspace("▁", always, split)`.
//! - post-processor: `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`.
//! - added tokens: CONTROL and USER_DEFINED pieces as un-normalized added tokens (special only for
//!   CONTROL), then the tokenizer's special tokens (`[CLS] [SEP] [UNK] [PAD] [MASK]` unless the
//!   config overrides them) the way `PreTrainedTokenizerFast.__init__` adds them: `[UNK]` is
//!   normalized (the slow tokenizer wraps it so), the others are not, and a token missing from the
//!   vocabulary (`[MASK]` in DeBERTa-v3 models) gets the next id after it.
//!
//! The protobuf is read by a small hand-written wire-format reader; the precompiled charsmap is
//! checked before it is handed to the normalizer, so malformed files give errors, not panics.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::normalizers::precompiled::Precompiled;
use tokenizers::normalizers::replace::{Replace, ReplacePattern};
use tokenizers::normalizers::strip::Strip;
use tokenizers::normalizers::utils::{Lowercase, Sequence as NormalizerSequence};
use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::punctuation::Punctuation;
use tokenizers::pre_tokenizers::sequence::Sequence as PreTokenizerSequence;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::processors::template::TemplateProcessing;
use tokenizers::{AddedToken, SplitDelimiterBehavior};

use crate::unigram::{LeanTokenizer, Unigram};

/// The Metaspace replacement character SentencePiece uses for spaces.
const SPACE_MARK: char = '\u{2581}';

/// Builds the tokenizer transformers 4.x would convert from this spm.model.
///
/// `tokenizer_config` is the parsed `tokenizer_config.json`, if the checkpoint has one. Read from
/// it: `do_lower_case`, `split_by_punct` (both default false), `split_special_tokens`, the special
/// token overrides (`bos_token` ... `mask_token`, strings or serialized `AddedToken`s),
/// `additional_special_tokens` and `added_tokens_decoder`. Other keys are ignored.
/// `special_tokens_map.json` and `added_tokens.json` are not consulted.
pub fn tokenizer_from_spm(spm_model: &Path, tokenizer_config: Option<&Value>) -> Result<LeanTokenizer> {
    let bytes = std::fs::read(spm_model)
        .map_err(|e| anyhow!("cannot read SentencePiece model {}: {e}", spm_model.display()))?;
    let model =
        parse_model(&bytes).map_err(|e| anyhow!("{} is not a usable SentencePiece model: {e}", spm_model.display()))?;
    let options = ConfigOptions::from_config(tokenizer_config)
        .map_err(|e| anyhow!("bad tokenizer_config.json for {}: {e:#}", spm_model.display()))?;
    build_tokenizer(&model, &options)
        .map_err(|e| anyhow!("cannot build a tokenizer from {}: {e:#}", spm_model.display()))
}

// ---------------------------------------------------------------------------------------------
// SentencePiece model (the parts the converter reads)

const PIECE_NORMAL: i32 = 1;
const PIECE_CONTROL: i32 = 3;
const PIECE_USER_DEFINED: i32 = 4;
const MODEL_UNIGRAM: i32 = 1;
const MODEL_BPE: i32 = 2;

#[derive(Debug)]
struct SpmPiece {
    piece: String,
    score: f32,
    kind: i32,
}

#[derive(Debug)]
struct SpmModel {
    pieces: Vec<SpmPiece>,
    model_type: i32,
    unk_id: i32,
    /// Read for completeness; the DeBERTa-v2 converter never enables byte fallback.
    #[allow(dead_code)]
    byte_fallback: bool,
    precompiled_charsmap: Vec<u8>,
}

/// Parses `ModelProto` (sentencepiece_model.proto): pieces = 1 {piece = 1, score = 2, type = 3},
/// trainer_spec = 2 {model_type = 3, byte_fallback = 35, unk_id = 40},
/// normalizer_spec = 3 {precompiled_charsmap = 2}. Everything else is skipped.
fn parse_model(bytes: &[u8]) -> std::result::Result<SpmModel, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    let mut model = SpmModel {
        pieces: Vec::new(),
        model_type: MODEL_UNIGRAM,
        unk_id: 0,
        byte_fallback: false,
        precompiled_charsmap: Vec::new(),
    };
    let mut saw_trainer_spec = false;
    let mut reader = WireReader::new(bytes);
    while let Some((field, value)) = reader.next_field().map_err(|e| format!("bad protobuf: {e}"))? {
        match field {
            1 => {
                let piece =
                    parse_piece(value.bytes(field)?).map_err(|e| format!("piece #{}: {e}", model.pieces.len()))?;
                model.pieces.push(piece);
            }
            2 => {
                saw_trainer_spec = true;
                parse_trainer_spec(value.bytes(field)?, &mut model).map_err(|e| format!("trainer_spec: {e}"))?;
            }
            3 => parse_normalizer_spec(value.bytes(field)?, &mut model).map_err(|e| format!("normalizer_spec: {e}"))?,
            _ => {}
        }
    }
    if model.pieces.is_empty() || !saw_trainer_spec {
        return Err("no vocabulary pieces or trainer spec (not a SentencePiece model protobuf)".into());
    }
    Ok(model)
}

fn parse_piece(bytes: &[u8]) -> std::result::Result<SpmPiece, String> {
    let mut piece = SpmPiece { piece: String::new(), score: 0.0, kind: PIECE_NORMAL };
    let mut reader = WireReader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            1 => {
                piece.piece = String::from_utf8(value.bytes(field)?.to_vec())
                    .map_err(|_| "piece is not valid UTF-8".to_string())?
            }
            2 => piece.score = f32::from_bits(value.fixed32(field)?),
            3 => {
                // proto2 keeps unknown enum values out of the field: the type stays NORMAL.
                let kind = value.varint(field)? as i32;
                if (1..=6).contains(&kind) {
                    piece.kind = kind;
                }
            }
            _ => {}
        }
    }
    Ok(piece)
}

fn parse_trainer_spec(bytes: &[u8], model: &mut SpmModel) -> std::result::Result<(), String> {
    let mut reader = WireReader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        match field {
            3 => model.model_type = value.varint(field)? as i32,
            35 => model.byte_fallback = value.varint(field)? != 0,
            // int32: a negative value is sign-extended to 64 bits on the wire.
            40 => model.unk_id = value.varint(field)? as i32,
            _ => {}
        }
    }
    Ok(())
}

fn parse_normalizer_spec(bytes: &[u8], model: &mut SpmModel) -> std::result::Result<(), String> {
    let mut reader = WireReader::new(bytes);
    while let Some((field, value)) = reader.next_field()? {
        if field == 2 {
            model.precompiled_charsmap = value.bytes(field)?.to_vec();
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format

#[derive(Debug)]
enum WireValue<'a> {
    Varint(u64),
    Fixed64,
    Bytes(&'a [u8]),
    Fixed32(u32),
    Group,
}

impl<'a> WireValue<'a> {
    fn kind(&self) -> &'static str {
        match self {
            WireValue::Varint(_) => "varint",
            WireValue::Fixed64 => "fixed64",
            WireValue::Bytes(_) => "length-delimited",
            WireValue::Fixed32(_) => "fixed32",
            WireValue::Group => "group",
        }
    }

    fn bytes(&self, field: u32) -> std::result::Result<&'a [u8], String> {
        match self {
            WireValue::Bytes(b) => Ok(b),
            other => Err(format!("field {field} is {}, expected length-delimited", other.kind())),
        }
    }

    fn varint(&self, field: u32) -> std::result::Result<u64, String> {
        match self {
            WireValue::Varint(v) => Ok(*v),
            other => Err(format!("field {field} is {}, expected varint", other.kind())),
        }
    }

    fn fixed32(&self, field: u32) -> std::result::Result<u32, String> {
        match self {
            WireValue::Fixed32(v) => Ok(*v),
            other => Err(format!("field {field} is {}, expected fixed32", other.kind())),
        }
    }
}

struct WireReader<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// Nesting limit for (deprecated, skipped) protobuf groups.
const MAX_GROUP_DEPTH: usize = 64;

impl<'a> WireReader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        WireReader { buf, pos: 0 }
    }

    fn varint(&mut self) -> std::result::Result<u64, String> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let Some(&byte) = self.buf.get(self.pos) else {
                return Err(format!("truncated varint at byte {}", self.pos));
            };
            self.pos += 1;
            if i == 9 && byte > 1 {
                return Err(format!("varint overflow at byte {}", self.pos - 1));
            }
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(format!("varint longer than 10 bytes at byte {}", self.pos))
    }

    fn take(&mut self, n: u64) -> std::result::Result<&'a [u8], String> {
        let remaining = self.buf.len() - self.pos;
        if n > remaining as u64 {
            return Err(format!("field of {n} bytes at byte {} runs past the end ({remaining} bytes left)", self.pos));
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.buf[start..self.pos])
    }

    fn tag(&mut self) -> std::result::Result<(u32, u8), String> {
        let at = self.pos;
        let tag = self.varint()?;
        let field = tag >> 3;
        if field == 0 || field > (1 << 29) - 1 {
            return Err(format!("invalid field number {field} at byte {at}"));
        }
        Ok((field as u32, (tag & 7) as u8))
    }

    /// The next (field number, value), or `None` at the end of the buffer.
    fn next_field(&mut self) -> std::result::Result<Option<(u32, WireValue<'a>)>, String> {
        if self.pos >= self.buf.len() {
            return Ok(None);
        }
        let at = self.pos;
        let (field, wire_type) = self.tag()?;
        let value = match wire_type {
            0 => WireValue::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                WireValue::Fixed64
            }
            2 => {
                let len = self.varint()?;
                WireValue::Bytes(self.take(len)?)
            }
            3 => {
                self.skip_group(field, 1)?;
                WireValue::Group
            }
            5 => {
                let b = self.take(4)?;
                WireValue::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            4 => return Err(format!("unexpected end-group tag at byte {at}")),
            other => return Err(format!("invalid wire type {other} at byte {at}")),
        };
        Ok(Some((field, value)))
    }

    /// Skips a group's content up to and including its end tag.
    fn skip_group(&mut self, field: u32, depth: usize) -> std::result::Result<(), String> {
        if depth > MAX_GROUP_DEPTH {
            return Err("groups nested too deeply".into());
        }
        loop {
            if self.pos >= self.buf.len() {
                return Err("truncated group".into());
            }
            let at = self.pos;
            let (inner, wire_type) = self.tag()?;
            match wire_type {
                0 => {
                    self.varint()?;
                }
                1 => {
                    self.take(8)?;
                }
                2 => {
                    let len = self.varint()?;
                    self.take(len)?;
                }
                3 => self.skip_group(inner, depth + 1)?,
                4 if inner == field => return Ok(()),
                4 => return Err(format!("mismatched end-group tag at byte {at}")),
                5 => {
                    self.take(4)?;
                }
                other => return Err(format!("invalid wire type {other} at byte {at}")),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Precompiled charsmap check

/// Checks a SentencePiece precompiled charsmap (u32 trie size, darts-clone double array,
/// NUL-separated normalized strings) so that `spm_precompiled` can neither over-allocate while
/// parsing it nor index out of bounds while normalizing with it.
///
/// The normalizer looks up UTF-8 chunks of at most 5 bytes (one grapheme under 6 bytes, else one
/// char), so every trie state reachable within 5 bytes is visited and every array access that
/// lookup can make is bounds-checked, as are the offsets of the normalized strings.
fn check_precompiled_charsmap(charsmap: &[u8]) -> std::result::Result<(), String> {
    const MAX_KEY_BYTES: usize = 5;
    if charsmap.len() < 4 {
        return Err("precompiled charsmap is shorter than its header".into());
    }
    let trie_bytes = u32::from_le_bytes([charsmap[0], charsmap[1], charsmap[2], charsmap[3]]) as usize;
    let units = trie_bytes / 4;
    if units == 0 || 4 + units * 4 > charsmap.len() {
        return Err(format!("precompiled charsmap trie size {trie_bytes} does not fit its {} bytes", charsmap.len()));
    }
    let array: Vec<usize> = charsmap[4..4 + units * 4]
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let normalized = std::str::from_utf8(&charsmap[4 + units * 4..])
        .map_err(|_| "precompiled charsmap strings are not valid UTF-8".to_string())?;

    // Same bit layout as spm_precompiled's ArrayUnit.
    let has_leaf = |u: usize| (u >> 8) & 1 == 1;
    let value = |u: usize| u & ((1usize << 31) - 1);
    let label = |u: usize| u & ((1usize << 31) | 0xff);
    let offset = |u: usize| (u >> 10) << ((u & (1usize << 9)) >> 6);
    let bad = || "precompiled charsmap trie is corrupt".to_string();

    let root = offset(array[0]);
    let mut seen: HashSet<usize> = HashSet::from([root]);
    let mut level = vec![root];
    for _ in 0..MAX_KEY_BYTES {
        let mut next_level = Vec::new();
        for &state in &level {
            for byte in 1..=255usize {
                let pos = state ^ byte;
                let unit = *array.get(pos).ok_or_else(bad)?;
                if label(unit) != byte {
                    continue;
                }
                let child = pos ^ offset(unit);
                if has_leaf(unit) {
                    let start = value(*array.get(child).ok_or_else(bad)?);
                    if start > normalized.len() || !normalized.is_char_boundary(start) {
                        return Err(bad());
                    }
                }
                if seen.insert(child) {
                    next_level.push(child);
                }
            }
        }
        level = next_level;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// tokenizer_config.json

/// A special token as transformers holds it: a plain string, or an `AddedToken` with its flags.
#[derive(Clone, Debug)]
enum SpecialToken {
    Plain(String),
    Added(AddedToken),
}

impl SpecialToken {
    fn content(&self) -> &str {
        match self {
            SpecialToken::Plain(s) => s,
            SpecialToken::Added(t) => &t.content,
        }
    }
}

#[derive(Debug)]
struct ConfigOptions {
    do_lower_case: bool,
    split_by_punct: bool,
    split_special_tokens: bool,
    /// `all_special_tokens_extended`: bos, eos, unk, sep, pad, cls, mask, additional (deduplicated
    /// by content, first wins).
    special_tokens: Vec<SpecialToken>,
    /// `added_tokens_decoder`, sorted by index.
    added_tokens_decoder: Vec<AddedToken>,
}

/// `SPECIAL_TOKENS_ATTRIBUTES` and `DebertaV2Tokenizer`'s defaults, in transformers' order.
const SPECIAL_TOKEN_DEFAULTS: [(&str, &str); 7] = [
    ("bos_token", "[CLS]"),
    ("eos_token", "[SEP]"),
    ("unk_token", "[UNK]"),
    ("sep_token", "[SEP]"),
    ("pad_token", "[PAD]"),
    ("cls_token", "[CLS]"),
    ("mask_token", "[MASK]"),
];

fn config_bool(config: &serde_json::Map<String, Value>, key: &str) -> Result<bool> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => bail!("{key} must be true or false, found {other}"),
    }
}

/// `AddedToken(**dict)`: missing flags take tokenizers' defaults (normalized = !special).
fn added_token_from_json(value: &Value, what: &str) -> Result<AddedToken> {
    let obj =
        value.as_object().ok_or_else(|| anyhow!("{what} must be a string or an AddedToken object, found {value}"))?;
    let content =
        obj.get("content").and_then(Value::as_str).ok_or_else(|| anyhow!("{what} has no string \"content\""))?;
    let flag = |key: &str| -> Result<Option<bool>> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => bail!("{what}: \"{key}\" must be true or false, found {other}"),
        }
    };
    let special = flag("special")?.unwrap_or(false);
    Ok(AddedToken::from(content, special)
        .single_word(flag("single_word")?.unwrap_or(false))
        .lstrip(flag("lstrip")?.unwrap_or(false))
        .rstrip(flag("rstrip")?.unwrap_or(false))
        .normalized(flag("normalized")?.unwrap_or(!special)))
}

fn special_token_from_json(value: &Value, what: &str) -> Result<Option<SpecialToken>> {
    match value {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(SpecialToken::Plain(s.clone()))),
        other => Ok(Some(SpecialToken::Added(added_token_from_json(other, what)?))),
    }
}

impl ConfigOptions {
    fn from_config(config: Option<&Value>) -> Result<Self> {
        let empty = serde_json::Map::new();
        let config = match config {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(map)) => map,
            Some(other) => bail!("must be a JSON object, found {other}"),
        };

        // from_pretrained: `added_tokens_decoder` entries, and a map content -> token that
        // replaces special-token attributes of the same content.
        let mut decoder: Vec<(u64, AddedToken)> = Vec::new();
        let mut decoder_by_content: HashMap<String, AddedToken> = HashMap::new();
        if let Some(value) = config.get("added_tokens_decoder") {
            let map = value.as_object().ok_or_else(|| anyhow!("added_tokens_decoder must be an object"))?;
            for (index, token) in map {
                let index: u64 =
                    index.parse().map_err(|_| anyhow!("added_tokens_decoder key {index:?} is not an index"))?;
                let token = added_token_from_json(token, &format!("added_tokens_decoder[{index}]"))?;
                decoder_by_content.insert(token.content.clone(), token.clone());
                decoder.push((index, token));
            }
        }
        decoder.sort_by_key(|(index, _)| *index);

        let mut special_tokens: Vec<SpecialToken> = Vec::new();
        let push_unique = |list: &mut Vec<SpecialToken>, token: SpecialToken| {
            if !list.iter().any(|t| t.content() == token.content()) {
                list.push(token);
            }
        };
        for (key, default) in SPECIAL_TOKEN_DEFAULTS {
            // A key the config sets takes the saved token of the same content; a default does
            // not (from_pretrained only rewrites the keys present in the config).
            let token = match config.get(key) {
                None => Some(SpecialToken::Plain(default.to_string())),
                Some(value) => {
                    special_token_from_json(value, key)?.map(|token| match decoder_by_content.get(token.content()) {
                        Some(saved) => SpecialToken::Added(saved.clone()),
                        None => token,
                    })
                }
            };
            let Some(mut token) = token else { continue };
            // DebertaV2Tokenizer wraps a plain unk token as a normalized special AddedToken.
            if key == "unk_token" {
                if let SpecialToken::Plain(content) = &token {
                    token = SpecialToken::Added(AddedToken::from(content.as_str(), true).normalized(true));
                }
            }
            push_unique(&mut special_tokens, token);
        }
        match config.get("additional_special_tokens") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    if let Some(token) = special_token_from_json(item, "additional_special_tokens")? {
                        push_unique(&mut special_tokens, token);
                    }
                }
            }
            Some(other) => bail!("additional_special_tokens must be a list, found {other}"),
        }

        Ok(ConfigOptions {
            do_lower_case: config_bool(config, "do_lower_case")?,
            split_by_punct: config_bool(config, "split_by_punct")?,
            split_special_tokens: config_bool(config, "split_special_tokens")?,
            special_tokens,
            added_tokens_decoder: decoder.into_iter().map(|(_, t)| t).collect(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Assembly

fn build_tokenizer(model: &SpmModel, options: &ConfigOptions) -> Result<LeanTokenizer> {
    match model.model_type {
        MODEL_UNIGRAM => {}
        MODEL_BPE => {
            bail!("it is a BPE SentencePiece model; only unigram models (what DeBERTa-v2/v3 use) are supported")
        }
        other => bail!("unsupported SentencePiece model type {other} (only unigram, type 1, is supported)"),
    }
    let n = model.pieces.len();
    let unk_id = usize::try_from(model.unk_id)
        .ok()
        .filter(|&id| id < n)
        .ok_or_else(|| anyhow!("unk_id {} is outside the {n}-piece vocabulary", model.unk_id))?;
    let mut ids: HashMap<&str, u32> = HashMap::with_capacity(n);
    for (id, piece) in model.pieces.iter().enumerate() {
        // SentencePiece itself refuses such a model ("already defined").
        if ids.insert(piece.piece.as_str(), id as u32).is_some() {
            bail!("piece {:?} is defined twice", piece.piece);
        }
    }
    let piece_id = |token: &str| ids.get(token).copied().ok_or_else(|| anyhow!("the vocabulary has no {token} piece"));
    let cls_id = piece_id("[CLS]")?;
    let sep_id = piece_id("[SEP]")?;

    let vocab: Vec<(String, f64)> = model.pieces.iter().map(|p| (p.piece.clone(), f64::from(p.score))).collect();
    let unigram = Unigram::new(vocab, Some(unk_id), false).context("cannot build the unigram model")?;
    let mut tokenizer = LeanTokenizer::new(unigram);

    let mut normalizers: Vec<NormalizerWrapper> = Vec::new();
    if options.do_lower_case {
        normalizers.push(Lowercase.into());
    }
    normalizers.push(Strip::new(true, true).into());
    if !model.precompiled_charsmap.is_empty() {
        check_precompiled_charsmap(&model.precompiled_charsmap).map_err(|e| anyhow!(e))?;
        let precompiled =
            Precompiled::from(&model.precompiled_charsmap).map_err(|e| anyhow!("bad precompiled charsmap: {e}"))?;
        normalizers.push(precompiled.into());
    }
    let spaces = Replace::new(ReplacePattern::Regex(" {2,}".into()), " ")
        .map_err(|e| anyhow!("cannot build the space normalizer: {e}"))?;
    normalizers.push(spaces.into());
    tokenizer
        .with_normalizer(Some(NormalizerSequence::new(normalizers)))
        .map_err(|e| anyhow!("cannot set the normalizer: {e}"))?;

    let mut pre_tokenizers: Vec<PreTokenizerWrapper> = Vec::new();
    if options.split_by_punct {
        pre_tokenizers.push(Punctuation::new(SplitDelimiterBehavior::Isolated).into());
    }
    pre_tokenizers.push(Metaspace::new(SPACE_MARK, PrependScheme::Always, true).into());
    tokenizer.with_pre_tokenizer(Some(PreTokenizerSequence::new(pre_tokenizers)));
    tokenizer.with_decoder(Some(DecoderWrapper::Metaspace(Metaspace::new(SPACE_MARK, PrependScheme::Always, true))));

    let template = TemplateProcessing::builder()
        .try_single("[CLS]:0 $A:0 [SEP]:0")
        .and_then(|b| b.try_pair("[CLS]:0 $A:0 [SEP]:0 $B:1 [SEP]:1"))
        .map_err(|e| anyhow!("bad post-processor template: {e}"))?
        .special_tokens(vec![("[CLS]", cls_id), ("[SEP]", sep_id)])
        .build()
        .map_err(|e| anyhow!("bad post-processor template: {e}"))?;
    tokenizer.with_post_processor(Some(template));

    // SpmConverter: CONTROL and USER_DEFINED pieces, by id, un-normalized; special if CONTROL.
    let spm_added: Vec<AddedToken> = model
        .pieces
        .iter()
        .filter(|p| p.kind == PIECE_CONTROL || p.kind == PIECE_USER_DEFINED)
        .map(|p| AddedToken::from(p.piece.as_str(), p.kind == PIECE_CONTROL).normalized(false))
        .collect();
    if !spm_added.is_empty() {
        tokenizer.add_tokens(spm_added).map_err(|e| anyhow!("cannot add the model's control pieces: {e}"))?;
    }

    // PreTrainedTokenizerFast.__init__: every `added_tokens_decoder` token, then each special
    // token that is an AddedToken, or a string not yet in the added vocabulary; all added in one
    // call, special when flagged so or when they are one of the special tokens.
    let mut known: HashSet<String> = tokenizer.get_added_tokens_decoder().into_values().map(|t| t.content).collect();
    let mut to_add: Vec<SpecialToken> = Vec::new();
    for token in &options.added_tokens_decoder {
        known.insert(token.content.clone());
        to_add.push(SpecialToken::Added(token.clone()));
    }
    for token in &options.special_tokens {
        let add = match token {
            SpecialToken::Plain(content) => !known.contains(content),
            SpecialToken::Added(t) => !options.added_tokens_decoder.contains(t),
        };
        if add {
            to_add.push(token.clone());
        }
    }
    let is_special_content = |content: &str| options.special_tokens.iter().any(|t| t.content() == content);
    let tokens: Vec<AddedToken> = to_add
        .into_iter()
        .map(|token| match token {
            SpecialToken::Plain(content) => {
                let special = is_special_content(&content);
                AddedToken::from(content, special)
            }
            SpecialToken::Added(t) => {
                let special = t.special || is_special_content(&t.content);
                t.special(special)
            }
        })
        .collect();
    if !tokens.is_empty() {
        tokenizer.add_tokens(tokens).map_err(|e| anyhow!("cannot add the special tokens: {e}"))?;
    }
    tokenizer.set_encode_special_tokens(options.split_special_tokens);

    Ok(tokenizer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(out: &mut Vec<u8>, mut v: u64) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    #[test]
    fn wire_reader_edge_cases() {
        // 10-byte varint (a negative int32), then a group with nested content, then fixed64.
        let mut buf = Vec::new();
        varint(&mut buf, 40 << 3);
        varint(&mut buf, (-1i64) as u64);
        varint(&mut buf, 7 << 3 | 3);
        varint(&mut buf, 8 << 3 | 2);
        varint(&mut buf, 2);
        buf.extend_from_slice(b"hi");
        varint(&mut buf, 9 << 3 | 3);
        varint(&mut buf, 9 << 3 | 4);
        varint(&mut buf, 7 << 3 | 4);
        varint(&mut buf, 3 << 3 | 1);
        buf.extend_from_slice(&[0; 8]);
        let mut reader = WireReader::new(&buf);
        let (field, value) = reader.next_field().unwrap().unwrap();
        assert_eq!((field, value.varint(field).unwrap() as i32), (40, -1));
        assert!(matches!(reader.next_field().unwrap(), Some((7, WireValue::Group))));
        assert!(matches!(reader.next_field().unwrap(), Some((3, WireValue::Fixed64))));
        assert!(reader.next_field().unwrap().is_none());

        let overflow = [0xff; 10];
        assert!(WireReader::new(&overflow).varint().unwrap_err().contains("overflow"));
        let mismatched = [7 << 3 | 3, 8 << 3 | 4];
        assert!(WireReader::new(&mismatched).next_field().is_err());
        let field_zero = [0x02, 0x00];
        assert!(WireReader::new(&field_zero).next_field().unwrap_err().contains("field number 0"));
    }

    #[test]
    fn negative_unk_id_is_an_error() {
        let mut piece = Vec::new();
        varint(&mut piece, 1 << 3 | 2);
        varint(&mut piece, 5);
        piece.extend_from_slice(b"[CLS]");
        let mut trainer = Vec::new();
        varint(&mut trainer, 40 << 3);
        varint(&mut trainer, (-2i64) as u64);
        let mut model = Vec::new();
        for (field, bytes) in [(1u64, &piece), (2, &trainer)] {
            varint(&mut model, field << 3 | 2);
            varint(&mut model, bytes.len() as u64);
            model.extend_from_slice(bytes);
        }
        let parsed = parse_model(&model).unwrap();
        assert_eq!(parsed.unk_id, -2);
        let options = ConfigOptions::from_config(None).unwrap();
        let err = build_tokenizer(&parsed, &options).unwrap_err();
        assert!(err.to_string().contains("unk_id -2"), "{err}");
    }

    #[test]
    fn charsmap_check_rejects_bad_headers() {
        assert!(check_precompiled_charsmap(&[1, 0]).is_err());
        assert!(check_precompiled_charsmap(&[0, 0, 0, 0]).is_err());
        assert!(check_precompiled_charsmap(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).is_err());
        // One unit whose root state points outside the array.
        assert!(check_precompiled_charsmap(&[4, 0, 0, 0, 0, 0, 0, 0]).is_err());
    }
}
