//! Where forward-pass time goes, for `ZEROSHOT_STATS=1` and the benchmark:
//! wall time per stage, summed over all forward passes, and the parts of
//! attention in CPU time (its heads run in parallel).

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

/// Parts of one head's attention, in the order they run.
pub const ATTENTION_PARTS: [&str; 5] = ["pack_kv", "p2c_product", "qk_c2p_products", "relative_softmax", "pv_product"];

static PART_NANOS: [AtomicU64; 5] = [const { AtomicU64::new(0) }; 5];

/// Adds the time since `start` to a part of attention, and restarts the clock.
pub fn part(part: usize, start: &mut Instant) {
    let now = Instant::now();
    PART_NANOS[part].fetch_add((now - *start).as_nanos() as u64, Ordering::Relaxed);
    *start = now;
}

/// CPU seconds per part of attention so far, summed over threads.
pub fn attention_parts() -> Vec<(&'static str, f64)> {
    ATTENTION_PARTS.iter().zip(&PART_NANOS).map(|(s, n)| (*s, n.load(Ordering::Relaxed) as f64 / 1e9)).collect()
}
