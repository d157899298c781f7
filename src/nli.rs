//! `zeroshot nli`: the probability of each of the model's labels for
//! premise/hypothesis pairs, in input order.

use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;
use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::classify::{run_batched, softmax, Batching};
use crate::model::{Deberta, Encoded, ModelConfig};
use crate::tokenize::PairTokenizer;

pub struct Nli {
    pub model: Deberta,
    pub tokenizer: PairTokenizer,
}

impl Nli {
    pub fn load(dir: &Path) -> Result<Self> {
        let cfg = ModelConfig::from_file(&dir.join("config.json"))?;
        let (model, tokenizer) = crate::classify::load_parts(dir, cfg, true)?;
        Ok(Nli { model, tokenizer })
    }

    pub fn labels(&self) -> &[String] {
        &self.model.cfg.id2label
    }

    /// Softmax over the model's logits for each `(premise, hypothesis)`.
    pub fn probabilities(&self, pairs: &[(&str, &str)], batching: &Batching) -> Result<Vec<Vec<f32>>> {
        let seqs: Vec<Encoded> = pairs.par_iter().map(|(p, h)| self.tokenizer.encode_nli(p, h)).collect::<Result<_>>()?;
        let (logits, _) = run_batched(&seqs, batching, |b| self.model.classify(b), |_| 0.0)?;
        Ok(logits.iter().map(|l| softmax(&l.iter().map(|&v| v as f64).collect::<Vec<_>>()).into_iter().map(|p| p as f32).collect()).collect())
    }
}

/// Index of the largest value (the first one on ties).
pub fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().fold(0, |best, (i, &x)| if x > v[best] { i } else { best })
}

/// One pair's JSONL record: `{"id", "label", "scores": {label: probability}}`.
pub fn jsonl(id: &str, labels: &[String], probs: &[f32]) -> String {
    struct Scores<'a>(&'a [String], &'a [f32]);
    impl Serialize for Scores<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(self.0.len()))?;
            for (l, p) in self.0.iter().zip(self.1) {
                m.serialize_entry(l, p)?;
            }
            m.end()
        }
    }
    #[derive(serde::Serialize)]
    struct Record<'a> {
        id: &'a str,
        label: &'a str,
        scores: Scores<'a>,
    }
    let r = Record { id, label: &labels[argmax(probs)], scores: Scores(labels, probs) };
    let mut s = serde_json::to_string(&r).expect("plain data serializes");
    s.push('\n');
    s
}

pub fn tsv_header(labels: &[String]) -> String {
    let mut cols = vec!["id".to_string(), "label".to_string()];
    cols.extend(labels.iter().cloned());
    cols.join("\t") + "\n"
}

pub fn tsv_row(id: &str, labels: &[String], probs: &[f32]) -> String {
    let mut cols = vec![id.replace(['\t', '\n'], " "), labels[argmax(probs)].clone()];
    cols.extend(probs.iter().map(f32::to_string));
    cols.join("\t") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        let labels = vec!["entailment".to_string(), "neutral".into(), "contradiction".into()];
        assert_eq!(
            jsonl("a:1", &labels, &[0.25, 0.625, 0.125]),
            "{\"id\":\"a:1\",\"label\":\"neutral\",\"scores\":{\"entailment\":0.25,\"neutral\":0.625,\"contradiction\":0.125}}\n"
        );
        assert_eq!(tsv_row("a:1", &labels, &[0.5, 0.25, 0.25]), "a:1\tentailment\t0.5\t0.25\t0.25\n");
    }
}
