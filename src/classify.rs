//! Zero-shot classification: documents x candidate labels as NLI pairs,
//! scheduled into token-budgeted batches, scored with the Hugging Face
//! pipeline's semantics, and returned in input order.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use crate::input::Doc;
use crate::labels::{self, Label};
use crate::model::{Deberta, Encoded};
use crate::tokenize::{PairError, PairTokenizer};

pub struct Classifier {
    pub model: Deberta,
    pub tokenizer: PairTokenizer,
    pub entailment: usize,
    pub contradiction: usize,
    pub stats: Mutex<Stats>,
}

/// Work done and where the time went, for `ZEROSHOT_STATS=1` and the benchmark.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub documents: usize,
    pub pairs: usize,
    pub tokens: usize,
    pub forward_flops: f64,
    pub tokenize: Duration,
    pub forward: Duration,
}

impl Classifier {
    pub fn new(model: Deberta, tokenizer: PairTokenizer) -> Result<Self> {
        let cfg = &model.cfg;
        let Some(entailment) = cfg.entailment_id() else {
            let names: Vec<&str> = cfg.label2id.iter().map(|(n, _)| n.as_str()).collect();
            bail!(
                "the model's labels ({}) include none starting with \"entail\", so it cannot score hypotheses; \
                 use an NLI checkpoint (or fix label2id in its config.json)",
                names.join(", ")
            );
        };
        let contradiction = cfg.contradiction_id().context("model has no labels")?;
        if !model.has_classifier() {
            bail!("the model has no classification head");
        }
        Ok(Classifier { model, tokenizer, entailment, contradiction, stats: Mutex::new(Stats::default()) })
    }

    /// Fills the template for every label and checks each hypothesis leaves
    /// room for the premise.
    pub fn task(&self, labels: Vec<Label>, template: &str, multi_label: bool) -> Result<Task> {
        labels::check_unique(&labels)?;
        labels::check_template(template)?;
        let mut hypotheses = Vec::with_capacity(labels.len());
        for l in &labels {
            let h = labels::fill(template, &l.phrase)?;
            match self.tokenizer.encode_pair("", &h) {
                Ok(_) => {}
                Err(PairError::HypothesisTooLong { hyp_tokens, max_length }) => bail!(
                    "label {:?}: its hypothesis {h:?} is {hyp_tokens} tokens, leaving no room for the document \
                     in the model's {max_length}-token input; shorten the label or the template",
                    l.name
                ),
                Err(e) => bail!("label {:?}: {e}", l.name),
            }
            hypotheses.push(h);
        }
        // The pipeline switches to per-label scores when only one label is given.
        let independent = multi_label || labels.len() == 1;
        Ok(Task { labels, hypotheses, independent })
    }

    /// Scores every document of a window against every label.
    pub fn score(&self, task: &Task, docs: &[Doc], batching: &Batching) -> Result<Vec<Vec<f32>>> {
        let nl = task.labels.len();
        let started = Instant::now();
        let pairs: Vec<Encoded> = (0..docs.len() * nl)
            .into_par_iter()
            .map(|p| {
                let (d, l) = (p / nl, p % nl);
                self.tokenizer
                    .encode_pair(&docs[d].text, &task.hypotheses[l])
                    .map_err(|e| anyhow::anyhow!("{}: {e}", docs[d].id))
            })
            .collect::<Result<_>>()?;
        let tokenized = Instant::now();
        let (logits, flops) = run_batched(&self.model, &pairs, batching)?;
        let mut st = self.stats.lock().unwrap();
        st.documents += docs.len();
        st.pairs += pairs.len();
        st.tokens += pairs.iter().map(Encoded::len).sum::<usize>();
        st.tokenize += tokenized - started;
        st.forward += tokenized.elapsed();
        st.forward_flops += flops;
        Ok(logits.chunks(nl).map(|doc| self.scores(task, doc)).collect())
    }

    /// The pipeline's postprocess for one document's label logits.
    fn scores(&self, task: &Task, logits: &[Vec<f32>]) -> Vec<f32> {
        if task.independent {
            logits
                .iter()
                .map(|l| softmax(&[l[self.contradiction] as f64, l[self.entailment] as f64])[1] as f32)
                .collect()
        } else {
            let e: Vec<f64> = logits.iter().map(|l| l[self.entailment] as f64).collect();
            softmax(&e).into_iter().map(|p| p as f32).collect()
        }
    }
}

pub fn softmax(x: &[f64]) -> Vec<f64> {
    let max = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

/// Labels with their filled hypotheses.
pub struct Task {
    pub labels: Vec<Label>,
    pub hypotheses: Vec<String>,
    /// Per-label entailment-vs-contradiction scores (multi-label, or one label).
    pub independent: bool,
}

/// Limits on one forward pass.
#[derive(Clone, Copy, Debug)]
pub struct Batching {
    /// Most sequences in one forward pass.
    pub batch_size: usize,
    /// Most tokens in one forward pass (a longer sequence runs alone).
    pub batch_tokens: usize,
}

impl Default for Batching {
    fn default() -> Self {
        Batching { batch_size: 64, batch_tokens: 4096 }
    }
}

/// Groups sequence indices into batches of similar length within the limits.
fn plan(seqs: &[Encoded], b: &Batching) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..seqs.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(seqs[i].len()));
    let mut batches = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let mut end = start;
        let mut tokens = 0;
        while end < order.len() && end - start < b.batch_size.max(1) {
            let len = seqs[order[end]].len();
            if end > start && tokens + len > b.batch_tokens {
                break;
            }
            tokens += len;
            end += 1;
        }
        batches.push(order[start..end].to_vec());
        start = end;
    }
    batches
}

/// Runs sequences through the model in batches of similar length within the
/// token budget; returns logits in the input order, and the FLOPs spent.
pub fn run_batched(model: &Deberta, seqs: &[Encoded], b: &Batching) -> Result<(Vec<Vec<f32>>, f64)> {
    let mut out = vec![Vec::new(); seqs.len()];
    let mut flops = 0.0;
    for idx in plan(seqs, b) {
        let batch: Vec<Encoded> = idx.iter().map(|&i| seqs[i].clone()).collect();
        flops += model.forward_flops(&batch, true);
        for (&i, l) in idx.iter().zip(model.classify(&batch)?) {
            out[i] = l;
        }
    }
    Ok((out, flops))
}

/// Loads an NLI classifier from a resolved model folder.
pub fn load(dir: &std::path::Path) -> Result<Classifier> {
    let cfg = crate::model::ModelConfig::from_file(&dir.join("config.json"))?;
    if cfg.entailment_id().is_none() {
        let names: Vec<&str> = cfg.label2id.iter().map(|(n, _)| n.as_str()).collect();
        bail!(
            "the model's labels ({}) include none starting with \"entail\", so it cannot score hypotheses; \
             use an NLI checkpoint (or fix label2id in its config.json)",
            names.join(", ")
        );
    }
    let tokenizer = PairTokenizer::load(dir, cfg.max_position_embeddings)?;
    let model = Deberta::load(dir, cfg, true)?;
    Classifier::new(model, tokenizer)
}
