//! Matrix-multiply throughput of zeroshot's packed GEMM next to candle's
//! (the gemm crate), on the shapes of an mDeBERTa-base forward pass.
//!
//!     cargo run --release --example gemm_bench [threads]

use std::time::Instant;

use zeroshot::model::gemm::{self, Epilogue, PackedB, Par};

fn rand(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32) - 0.5
        })
        .collect()
}

fn best_of(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min)
}

fn main() {
    let threads: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    rayon::ThreadPoolBuilder::new().num_threads(threads).build_global().unwrap();
    // ZEROSHOT_KERNEL picks the kernel, as for the binary.
    zeroshot::cpu::init(std::env::var("ZEROSHOT_KERNEL").ok().as_deref()).unwrap();
    println!("kernel {}, {threads} threads", gemm::kernel().name);
    kernel_only();
    println!("{:>6} {:>6} {:>6}  {:>10}  {:>10}  {:>10}", "M", "K", "N", "zeroshot", "bf16", "candle");
    for &(m, k, n) in &[(2048, 768, 768), (2048, 768, 3072), (2048, 3072, 768), (512, 768, 768), (64, 768, 768), (2048, 2048, 2048)] {
        let a = rand(m * k, 1);
        let w = rand(n * k, 2);
        let b = PackedB::from_weight(&w, n, k);
        let mut c = vec![0f32; m * n];
        let flops = 2.0 * (m * k * n) as f64;
        let t = best_of(5, || gemm::gemm(&a, k, m, &b, 0..b.panels(), &mut c, n, Epilogue::None, Par::Pool));
        let ours = flops / t / 1e9;
        let bh = PackedB::from_weight_bf16(&w, n, k);
        let t = best_of(5, || gemm::gemm(&a, k, m, &bh, 0..bh.panels(), &mut c, n, Epilogue::None, Par::Pool));
        let half = flops / t / 1e9;
        let ca = candle_core::Tensor::from_vec(a.clone(), (m, k), &candle_core::Device::Cpu).unwrap();
        let cw = candle_core::Tensor::from_vec(w.clone(), (n, k), &candle_core::Device::Cpu).unwrap();
        let cwt = cw.t().unwrap();
        let t = best_of(5, || {
            let _ = ca.matmul(&cwt).unwrap();
        });
        let theirs = flops / t / 1e9;
        println!("{m:>6} {k:>6} {n:>6}  {ours:>7.1} GF  {half:>7.1} GF  {theirs:>7.1} GF");
    }
}

/// The micro-kernel alone: a product small enough to stay in L1/L2, repeated.
#[allow(dead_code)]
pub fn kernel_only() {
    let (m, k, n) = (96, 256, 256);
    let a = rand(m * k, 3);
    let w = rand(n * k, 4);
    let mut c = vec![0f32; m * n];
    let reps = 20000;
    for (name, b) in [("f32", PackedB::from_weight(&w, n, k)), ("bf16", PackedB::from_weight_bf16(&w, n, k))] {
        let t = Instant::now();
        for _ in 0..reps {
            gemm::gemm(&a, k, m, &b, 0..b.panels(), &mut c, n, Epilogue::None, Par::Serial);
        }
        let s = t.elapsed().as_secs_f64();
        println!("cache-resident {m}x{k}x{n} {name}, one thread: {:.1} GF", 2.0 * (m * k * n * reps) as f64 / s / 1e9);
    }
}
