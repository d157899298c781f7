//! `zeroshot embed`: the encoder's last hidden state per token, or pooled
//! document vectors, as JSONL or a NumPy `.npy` array.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::classify::{run_batched, Batching};
use crate::config::Pool;
use crate::model::{Deberta, Encoded, ModelConfig};
use crate::tokenize::PairTokenizer;

pub struct Embedder {
    pub model: Deberta,
    pub tokenizer: PairTokenizer,
}

/// One document's tokens and hidden states (`tokens x hidden`, row-major).
pub struct Embedded {
    pub tokens: Vec<String>,
    pub ids: Vec<u32>,
    pub hidden: Vec<f32>,
}

impl Embedder {
    /// Any DeBERTa-v2/v3 checkpoint: a classification head, if present, is unused.
    pub fn load(dir: &Path) -> Result<Self> {
        let cfg = ModelConfig::from_file(&dir.join("config.json"))?;
        let (model, tokenizer) = crate::classify::load_parts(dir, cfg, false)?;
        Ok(Embedder { model, tokenizer })
    }

    pub fn hidden_size(&self) -> usize {
        self.model.cfg.hidden_size
    }

    /// `[CLS] text [SEP]` (truncated to the model's limit) through the encoder.
    pub fn embed(&self, texts: &[&str], batching: &Batching) -> Result<Vec<Embedded>> {
        let enc: Vec<(Encoded, Vec<String>)> =
            texts.par_iter().map(|t| self.tokenizer.encode_single_tokens(t)).collect::<Result<_>>()?;
        let seqs: Vec<Encoded> = enc.iter().map(|(e, _)| e.clone()).collect();
        let (hidden, _) = run_batched(&seqs, batching, |b| self.model.encode(b), |_| 0.0)?;
        Ok(enc.into_iter().zip(hidden).map(|((e, tokens), hidden)| Embedded { tokens, ids: e.ids, hidden }).collect())
    }
}

/// One vector per document: the mean over all tokens (special tokens
/// included, like sentence-transformers' mean pooling over the attention
/// mask) or the first token; optionally scaled to unit length.
pub fn pool(e: &Embedded, h: usize, how: Pool, normalize: bool) -> Vec<f32> {
    let n = e.hidden.len() / h;
    let mut v: Vec<f32> = match how {
        Pool::Cls => e.hidden[..h].to_vec(),
        Pool::Mean => {
            let mut sum = vec![0f64; h];
            for row in e.hidden.chunks(h) {
                for (s, &x) in sum.iter_mut().zip(row) {
                    *s += x as f64;
                }
            }
            sum.into_iter().map(|s| (s / n as f64) as f32).collect()
        }
    };
    if normalize {
        let norm = v.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x = (*x as f64 / norm) as f32);
        }
    }
    v
}

pub fn jsonl_pooled(id: &str, v: &[f32]) -> String {
    #[derive(Serialize)]
    struct R<'a> {
        id: &'a str,
        embedding: &'a [f32],
    }
    serde_json::to_string(&R { id, embedding: v }).expect("plain data serializes") + "\n"
}

pub fn jsonl_tokens(id: &str, e: &Embedded, h: usize) -> String {
    #[derive(Serialize)]
    struct R<'a> {
        id: &'a str,
        tokens: &'a [String],
        token_ids: &'a [u32],
        embeddings: Vec<&'a [f32]>,
    }
    let r = R { id, tokens: &e.tokens, token_ids: &e.ids, embeddings: e.hidden.chunks(h).collect() };
    serde_json::to_string(&r).expect("plain data serializes") + "\n"
}

/// Size of the `.npy` header we write: fixed, so the row count can be filled
/// in at the end without moving the data.
pub const NPY_HEADER: usize = 128;

/// A NumPy v1.0 header for a little-endian float32 array `rows x cols`.
pub fn npy_header(rows: usize, cols: usize) -> Vec<u8> {
    let dict = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let mut h = b"\x93NUMPY\x01\x00".to_vec();
    let len = NPY_HEADER - 10;
    h.extend_from_slice(&(len as u16).to_le_bytes());
    h.extend_from_slice(dict.as_bytes());
    h.resize(NPY_HEADER - 1, b' ');
    h.push(b'\n');
    h
}

pub fn npy_row(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npy_header_is_aligned_and_parsable() {
        let h = npy_header(12345, 768);
        assert_eq!(h.len(), NPY_HEADER);
        assert_eq!(h.len() % 64, 0);
        let text = std::str::from_utf8(&h[10..]).unwrap();
        assert!(text.starts_with("{'descr': '<f4', 'fortran_order': False, 'shape': (12345, 768), }"));
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn pooling() {
        let e = Embedded { tokens: vec!["a".into(), "b".into()], ids: vec![5, 6], hidden: vec![1.0, 2.0, 3.0, 6.0] };
        assert_eq!(pool(&e, 2, Pool::Mean, false), vec![2.0, 4.0]);
        assert_eq!(pool(&e, 2, Pool::Cls, false), vec![1.0, 2.0]);
        let n = pool(&e, 2, Pool::Mean, true);
        assert!((n[0] * n[0] + n[1] * n[1] - 1.0).abs() < 1e-6);
    }
}
