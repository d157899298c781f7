//! Embeddings: the encoder's last hidden state per token, or pooled
//! document vectors.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;

use super::{check_finite, load_parts, run_batched, Batching, Pool};
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
    pub fn load(dir: &Path, precision: super::Precision) -> Result<Self> {
        let cfg = ModelConfig::from_file(&dir.join("config.json"))?;
        let (model, tokenizer) = load_parts(dir, cfg, false, precision)?;
        Ok(Embedder { model, tokenizer })
    }

    pub fn hidden_size(&self) -> usize {
        self.model.cfg.hidden_size
    }

    /// `[CLS] text [SEP]` (truncated to the model's limit) through the encoder.
    /// ids name errors.
    pub fn embed(&self, texts: &[(&str, &str)], batching: &Batching) -> Result<Vec<Embedded>> {
        let enc: Vec<(Encoded, Vec<String>)> =
            texts.par_iter().map(|(_, t)| self.tokenizer.encode_single_tokens(t)).collect::<Result<_>>()?;
        let seqs: Vec<Encoded> = enc.iter().map(|(e, _)| e.clone()).collect();
        let (hidden, _) = run_batched(&seqs, batching, |b| self.model.encode(b), |_| 0.0)?;
        check_finite(&hidden, |i| texts[i].0.to_string())?;
        Ok(enc.into_iter().zip(hidden).map(|((e, tokens), hidden)| Embedded { tokens, ids: e.ids, hidden }).collect())
    }
}

/// What `embed` writes per document.
pub enum Embedding {
    /// One vector (`--pool`).
    Pooled(Vec<f32>),
    /// Every token's vector.
    Tokens(Embedded),
}

impl Embedding {
    /// `e` pooled as asked (`Some((how, normalize))`), or kept per token.
    pub fn of(e: Embedded, hidden: usize, pooling: Option<(Pool, bool)>) -> Embedding {
        match pooling {
            Some((how, normalize)) => Embedding::Pooled(pool(&e, hidden, how, normalize)),
            None => Embedding::Tokens(e),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling() {
        let e = Embedded { tokens: vec!["a".into(), "b".into()], ids: vec![5, 6], hidden: vec![1.0, 2.0, 3.0, 6.0] };
        assert_eq!(pool(&e, 2, Pool::Mean, false), vec![2.0, 4.0]);
        assert_eq!(pool(&e, 2, Pool::Cls, false), vec![1.0, 2.0]);
        let n = pool(&e, 2, Pool::Mean, true);
        assert!((n[0] * n[0] + n[1] * n[1] - 1.0).abs() < 1e-6);
    }
}
