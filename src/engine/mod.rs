//! The scoring engine: the model and tokenizer loaded side by side, pairs
//! scheduled into token-budgeted batches, and the three things zeroshot
//! computes (zero-shot scores, NLI probabilities, embeddings) with the Hugging
//! Face semantics. Knows nothing about the command line, input files or
//! output formats; the commands depend on it, never the reverse.

pub mod classify;
pub mod embed;
pub mod nli;

use anyhow::Result;

use crate::model::{Deberta, Encoded, ModelConfig};
pub use crate::model::Precision;
use crate::tokenize::PairTokenizer;

pub use classify::{Classifier, Stats, Task};
pub use embed::{Embedded, Embedder, Embedding};
pub use nli::Nli;

/// What to do with documents longer than the model accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Long {
    /// Keep the start of the document (the pipeline's behaviour)
    Truncate,
    /// Score overlapping windows over the whole document
    Chunk,
}

/// How window scores become a document's score under `Long::Chunk`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Aggregate {
    /// A label's best window score
    Max,
    /// The mean of a label's window scores
    Mean,
}

/// Long-document handling: the mode and, for `Chunk`, its windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LongDocs {
    pub long: Long,
    /// Tokens shared by consecutive windows.
    pub stride: usize,
    pub aggregate: Aggregate,
}

impl LongDocs {
    pub const TRUNCATE: LongDocs = LongDocs { long: Long::Truncate, stride: 32, aggregate: Aggregate::Max };
}

/// Pooling of token embeddings into one vector per document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Pool {
    /// The mean over all tokens, special tokens included
    Mean,
    /// The first token
    Cls,
}

/// Limits on one forward pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Batching {
    /// Most sequences in one forward pass.
    pub batch_size: usize,
    /// Most tokens in one forward pass (a longer sequence runs alone).
    pub batch_tokens: usize,
}

impl Batching {
    /// Upper bounds for the flags: past them nothing gets faster, and memory
    /// for one batch would be unreasonable.
    pub const MAX_BATCH_SIZE: usize = 8192;
    pub const MAX_BATCH_TOKENS: usize = 1 << 20;
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

/// Runs sequences through `forward` in batches of similar length within the
/// token budget; returns the outputs in input order, and the FLOPs `flops` counts.
pub fn run_batched(
    seqs: &[Encoded],
    b: &Batching,
    forward: impl Fn(&[Encoded]) -> Result<Vec<Vec<f32>>>,
    flops: impl Fn(&[Encoded]) -> f64,
) -> Result<(Vec<Vec<f32>>, f64)> {
    let mut out = vec![Vec::new(); seqs.len()];
    let mut total = 0.0;
    for idx in plan(seqs, b) {
        let batch: Vec<Encoded> = idx.iter().map(|&i| seqs[i].clone()).collect();
        total += flops(&batch);
        for (&i, o) in idx.iter().zip(forward(&batch)?) {
            out[i] = o;
        }
    }
    Ok((out, total))
}

/// The model and its tokenizer, loaded side by side: for a 250K-piece
/// vocabulary building the tokenizer takes about as long as reading weights.
pub fn load_parts(dir: &std::path::Path, cfg: ModelConfig, head: bool, precision: Precision) -> Result<(Deberta, PairTokenizer)> {
    let max_positions = cfg.max_position_embeddings;
    std::thread::scope(|s| {
        let tokenizer = s.spawn(|| PairTokenizer::load(dir, max_positions));
        let model = Deberta::load(dir, cfg, head, precision);
        let tokenizer = tokenizer.join().map_err(|_| anyhow::anyhow!("loading the tokenizer failed"))?;
        Ok((model?, tokenizer?))
    })
}

/// Refuses a NaN or infinite model output: it would print as `null` and
/// never trip a gate. `id(i)` names the document of output `i`.
pub fn check_finite(outputs: &[Vec<f32>], id: impl Fn(usize) -> String) -> Result<()> {
    if let Some(i) = outputs.iter().position(|o| o.iter().any(|x| !x.is_finite())) {
        anyhow::bail!(
            "{}: the model computed a non-finite value (NaN or infinity); the checkpoint's weights or config are broken",
            id(i)
        );
    }
    Ok(())
}

/// Softmax in f64, as the pipeline's numpy postprocess computes it.
pub fn softmax(x: &[f64]) -> Vec<f64> {
    let max = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = x.iter().map(|v| (v - max).exp()).collect();
    let sum: f64 = e.iter().sum();
    e.into_iter().map(|v| v / sum).collect()
}

/// Index of the largest value (the first one on ties).
pub fn argmax(v: &[f32]) -> usize {
    v.iter().enumerate().fold(0, |best, (i, &x)| if x > v[best] { i } else { best })
}
