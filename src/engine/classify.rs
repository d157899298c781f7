//! Zero-shot classification: documents x candidate labels as NLI pairs,
//! scheduled into token-budgeted batches, scored with the Hugging Face
//! pipeline's semantics, and returned in input order.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use rayon::prelude::*;

use super::{check_finite, load_parts, run_batched, softmax, Aggregate, Batching, Long, LongDocs};
use crate::labels::{self, Label};
use crate::model::{Deberta, Encoded};
use crate::tokenize::{PairError, PairTokenizer, Piece};

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
    /// room for the premise; for `Long::Chunk`, also that windows can advance.
    pub fn task(&self, labels: Vec<Label>, template: &str, multi_label: bool, long: LongDocs) -> Result<Task> {
        labels::check_unique(&labels)?;
        labels::check_template(template)?;
        let mut hypotheses = Vec::with_capacity(labels.len());
        let mut pieces = Vec::with_capacity(labels.len());
        let mut longest = 0;
        for l in &labels {
            let h = labels::fill(template, &l.phrase)?;
            let piece = self.tokenizer.piece(&h)?;
            match self.tokenizer.pair_of(&self.tokenizer.piece("")?, &piece) {
                Ok(_) => {}
                Err(PairError::HypothesisTooLong { hyp_tokens, max_length }) => bail!(
                    "label {:?}: its hypothesis {:?} is {hyp_tokens} tokens, leaving no room for the document \
                     in the model's {max_length}-token input; shorten the label or the template",
                    crate::msg::short(&l.name, 60),
                    crate::msg::short(&h, 80)
                ),
                Err(e) => bail!("label {:?}: {e}", crate::msg::short(&l.name, 60)),
            }
            longest = longest.max(piece.len());
            hypotheses.push(h);
            pieces.push(piece);
        }
        // Every label's pair must fit beside the same window of the document.
        let window = self.tokenizer.max_length.saturating_sub(self.tokenizer.pair_special_tokens() + longest);
        if long.long == Long::Chunk {
            let stride = long.stride;
            if stride >= window {
                bail!(
                    "--stride {stride}: windows hold {window} tokens beside the longest hypothesis, so consecutive \
                     windows must share fewer; use a smaller --stride"
                );
            }
        }
        // The pipeline switches to per-label scores when only one label is given.
        let independent = multi_label || labels.len() == 1;
        Ok(Task { labels, hypotheses, pieces, independent, long, window })
    }

    /// Scores every `(id, text)` document against every label; ids name errors.
    pub fn score(&self, task: &Task, docs: &[(&str, &str)], batching: &Batching) -> Result<Vec<Vec<f32>>> {
        if task.long.long == Long::Truncate {
            return self.score_texts(task, docs, batching);
        }
        let LongDocs { stride, aggregate, .. } = task.long;
        // Each document becomes its windows; windows are scored in bounded groups
        // and folded into per-label aggregates.
        let nl = task.labels.len();
        let mut spans: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        for (i, d) in docs.iter().enumerate() {
            for r in self.tokenizer.windows(d.1, task.window, stride).map_err(|e| anyhow::anyhow!("{}: {e}", d.0))? {
                spans.push((i, r));
            }
        }
        let mut acc = vec![vec![if aggregate == Aggregate::Max { f64::NEG_INFINITY } else { 0.0 }; nl]; docs.len()];
        let mut count = vec![0usize; docs.len()];
        let group = (batching.batch_size * 4 / nl).max(16);
        for chunk in spans.chunks(group) {
            let texts: Vec<(&str, &str)> = chunk.iter().map(|(i, r)| (docs[*i].0, &docs[*i].1[r.clone()])).collect();
            for ((i, _), scores) in chunk.iter().zip(self.score_texts(task, &texts, batching)?) {
                count[*i] += 1;
                for (a, s) in acc[*i].iter_mut().zip(scores) {
                    *a = match aggregate {
                        Aggregate::Max => a.max(s as f64),
                        Aggregate::Mean => *a + s as f64,
                    };
                }
            }
        }
        Ok(acc
            .into_iter()
            .zip(count)
            .map(|(a, n)| match aggregate {
                Aggregate::Max => a.into_iter().map(|v| v as f32).collect(),
                Aggregate::Mean => a.into_iter().map(|v| (v / n as f64) as f32).collect(),
            })
            .collect())
    }

    /// Scores `(id, text)` premises against every label; ids name errors.
    fn score_texts(&self, task: &Task, texts: &[(&str, &str)], batching: &Batching) -> Result<Vec<Vec<f32>>> {
        let nl = task.labels.len();
        let started = Instant::now();
        // Each premise is tokenized once and paired with every hypothesis.
        // Truncation keeps at most max_length tokens: a long document is tokenized only that far.
        let keep = self.tokenizer.max_length;
        let premises: Vec<Piece> = texts.par_iter().map(|(_, t)| self.tokenizer.prefix_piece(t, keep)).collect::<Result<_>>()?;
        let pairs: Vec<Encoded> = (0..texts.len() * nl)
            .into_par_iter()
            .map(|p| {
                let (d, l) = (p / nl, p % nl);
                self.tokenizer.pair_of(&premises[d], &task.pieces[l]).map_err(|e| anyhow::anyhow!("{}: {e}", texts[d].0))
            })
            .collect::<Result<_>>()?;
        let tokenized = Instant::now();
        let (logits, flops) = run_batched(&pairs, batching, |b| self.model.classify(b), |b| self.model.forward_flops(b, true))?;
        check_finite(&logits, |p| texts[p / nl].0.to_string())?;
        let mut st = self.stats.lock().unwrap();
        st.documents += texts.len();
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

/// Labels with their filled hypotheses.
pub struct Task {
    pub labels: Vec<Label>,
    pub hypotheses: Vec<String>,
    /// The hypotheses tokenized, once for all documents.
    pub pieces: Vec<Piece>,
    /// Per-label entailment-vs-contradiction scores (multi-label, or one label).
    pub independent: bool,
    pub long: LongDocs,
    /// Document tokens that fit beside every hypothesis (a `--long chunk` window).
    pub window: usize,
}

/// Loads an NLI classifier from a resolved model folder.
pub fn load(dir: &std::path::Path, precision: super::Precision) -> Result<Classifier> {
    let cfg = crate::model::ModelConfig::from_file(&dir.join("config.json"))?;
    if cfg.entailment_id().is_none() {
        let names: Vec<&str> = cfg.label2id.iter().map(|(n, _)| n.as_str()).collect();
        bail!(
            "the model's labels ({}) include none starting with \"entail\", so it cannot score hypotheses; \
             use an NLI checkpoint (or fix label2id in its config.json)",
            names.join(", ")
        );
    }
    let (model, tokenizer) = load_parts(dir, cfg, true, precision)?;
    Classifier::new(model, tokenizer)
}
