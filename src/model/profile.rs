//! Where forward-pass time goes, for `ZEROSHOT_STATS=1` and the benchmark:
//! wall time per stage, summed over all forward passes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

pub const STAGES: [&str; 7] = ["embed", "qkv", "attention", "attention_output", "feed_forward", "conv", "head"];

static NANOS: [AtomicU64; 7] = [const { AtomicU64::new(0) }; 7];

/// Adds the time since `start` to a stage.
pub fn add(stage: usize, start: Instant) {
    NANOS[stage].fetch_add(start.elapsed().as_nanos() as u64, Ordering::Relaxed);
}

/// Seconds per stage so far.
pub fn seconds() -> Vec<(&'static str, f64)> {
    STAGES.iter().zip(&NANOS).map(|(s, n)| (*s, n.load(Ordering::Relaxed) as f64 / 1e9)).collect()
}
