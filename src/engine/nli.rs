//! NLI scoring: the probability of each of the model's labels for
//! premise/hypothesis pairs, in input order.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;

use super::{check_finite, load_parts, run_batched, softmax, Batching};
use crate::model::{Deberta, Encoded, ModelConfig};
use crate::tokenize::PairTokenizer;

pub struct Nli {
    pub model: Deberta,
    pub tokenizer: PairTokenizer,
}

impl Nli {
    pub fn load(dir: &Path, precision: super::Precision) -> Result<Self> {
        let cfg = ModelConfig::from_file(&dir.join("config.json"))?;
        let (model, tokenizer) = load_parts(dir, cfg, true, precision)?;
        Ok(Nli { model, tokenizer })
    }

    pub fn labels(&self) -> &[String] {
        &self.model.cfg.id2label
    }

    /// Softmax over the model's logits for each `(id, premise, hypothesis)`;
    /// ids name errors.
    pub fn probabilities(&self, pairs: &[(&str, &str, &str)], batching: &Batching) -> Result<Vec<Vec<f32>>> {
        let seqs: Vec<Encoded> = pairs.par_iter().map(|(_, p, h)| self.tokenizer.encode_nli(p, h)).collect::<Result<_>>()?;
        let (logits, _) = run_batched(&seqs, batching, |b| self.model.classify(b), |_| 0.0)?;
        check_finite(&logits, |i| pairs[i].0.to_string())?;
        Ok(logits.iter().map(|l| softmax(&l.iter().map(|&v| v as f64).collect::<Vec<_>>()).into_iter().map(|p| p as f32).collect()).collect())
    }
}
