//! Elementwise and row-wise kernels: activations, LayerNorm, softmax.
//!
//! Each is written once as plain Rust over slices and compiled three times
//! (AVX-512, AVX2+FMA, baseline) with a run-time choice. Reductions keep 16
//! independent lanes combined in a fixed tree and every multiply-add is a fused
//! `mul_add`, so all three builds give the same bits for the same row.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activation {
    Identity,
    /// Exact GELU, `x·Φ(x)` (PyTorch's default `gelu`).
    Gelu,
    /// The tanh approximation (`gelu_new`, `gelu_pytorch_tanh`, `gelu_fast`).
    GeluTanh,
    QuickGelu,
    Relu,
    Silu,
    Tanh,
    Sigmoid,
}

impl Activation {
    /// Maps a Hugging Face `ACT2FN` name; `None` for names we do not run.
    pub fn from_hf(name: &str) -> Option<Self> {
        Some(match name {
            "gelu" => Activation::Gelu,
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Activation::GeluTanh,
            "quick_gelu" => Activation::QuickGelu,
            "relu" => Activation::Relu,
            "silu" | "swish" => Activation::Silu,
            "tanh" => Activation::Tanh,
            "sigmoid" => Activation::Sigmoid,
            "linear" => Activation::Identity,
            _ => return None,
        })
    }

    pub const SUPPORTED: &'static str =
        "gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, relu, silu, swish, tanh, sigmoid, linear";
}

#[cfg(target_arch = "x86_64")]
use crate::cpu::{self, Level};

/// Defines `pub fn $name(args)` that runs `$body` compiled for the best level.
macro_rules! multiversion {
    ($(#[$m:meta])* pub fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$m])*
        pub fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn imp($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx2,fma")]
                unsafe fn v512($($arg: $ty),*) $(-> $ret)? { imp($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                unsafe fn v256($($arg: $ty),*) $(-> $ret)? { imp($($arg),*) }
                match cpu::level() {
                    // SAFETY: `cpu` only chooses a level the CPU reports it can run.
                    Level::Avx512 | Level::Avx512Bf16 => return unsafe { v512($($arg),*) },
                    Level::Avx2 => return unsafe { v256($($arg),*) },
                    Level::Generic => {}
                }
            }
            imp($($arg),*)
        }
    };
}

const LANES: usize = 16;

#[inline(always)]
fn tree(mut acc: [f32; LANES]) -> f32 {
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            acc[i] += acc[i + w];
        }
        w /= 2;
    }
    acc[0]
}

#[inline(always)]
fn lane_sum(x: &[f32]) -> f32 {
    let mut acc = [0f32; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] += c[i];
        }
    }
    for (a, &v) in acc.iter_mut().zip(rest) {
        *a += v;
    }
    tree(acc)
}

#[inline(always)]
fn lane_max(x: &[f32]) -> f32 {
    let mut acc = [f32::NEG_INFINITY; LANES];
    let chunks = x.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] = if c[i] > acc[i] { c[i] } else { acc[i] };
        }
    }
    for (a, &v) in acc.iter_mut().zip(rest) {
        *a = if v > *a { v } else { *a };
    }
    acc.iter().fold(f32::NEG_INFINITY, |m, &v| if v > m { v } else { m })
}

/// `e^x` to about 1 ulp, branch-free so it vectorises (Cody-Waite reduction,
/// degree-6 polynomial on |r| <= ln2/2).
#[inline(always)]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    const SHIFTER: f32 = 12_582_912.0; // 1.5 * 2^23: adding it rounds to an integer
    let x = x.clamp(-87.33654, 88.37626);
    let shifted = x * LOG2E + SHIFTER;
    let n = shifted - SHIFTER;
    let r = (-n).mul_add(LN2_HI, x);
    let r = (-n).mul_add(LN2_LO, r);
    let mut p: f32 = 1.987_569_2e-4;
    p = p.mul_add(r, 1.398_2e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 0.5);
    let p = p.mul_add(r * r, r) + 1.0;
    // n as an integer, read from the shifted sum's low mantissa bits: `n as i32` is a
    // saturating cast that LLVM does not vectorise, which made every exp scalar.
    let ni = (shifted.to_bits() as i32).wrapping_sub(SHIFTER.to_bits() as i32);
    // Split the power of two so that n = 128 (x near the top of the range) stays finite.
    let h = ni >> 1;
    let s1 = f32::from_bits(((h + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - h + 127) as u32) << 23);
    p * s1 * s2
}

/// erf to about 1e-7 absolute (Abramowitz & Stegun 7.1.26 on |x|, odd extension).
#[inline(always)]
fn erf_f32(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / 0.327_591_1f32.mul_add(a, 1.0);
    let mut p: f32 = 1.061_405_4;
    p = p.mul_add(t, -1.453_152_1);
    p = p.mul_add(t, 1.421_413_8);
    p = p.mul_add(t, -0.284_496_74);
    p = p.mul_add(t, 0.254_829_6);
    let y = 1.0 - p * t * exp_f32(-a * a);
    if x < 0.0 {
        -y
    } else {
        y
    }
}

#[inline(always)]
fn tanh_f32(x: f32) -> f32 {
    // tanh(x) = 1 - 2/(e^{2x}+1); accurate in absolute terms, saturates cleanly.
    1.0 - 2.0 / (exp_f32(2.0 * x) + 1.0)
}

#[inline(always)]
fn sigmoid_f32(x: f32) -> f32 {
    1.0 / (1.0 + exp_f32(-x))
}

multiversion! {
    /// `x += y` elementwise.
    pub fn add_assign(x: &mut [f32], y: &[f32]) {
        for (a, b) in x.iter_mut().zip(y) {
            *a += *b;
        }
    }
}

multiversion! {
    /// `x = x * s` elementwise.
    pub fn scale(x: &mut [f32], s: f32) {
        for a in x.iter_mut() {
            *a *= s;
        }
    }
}

multiversion! {
    /// Applies an activation in place.
    pub fn activate(act: Activation, x: &mut [f32]) {
        const FRAC_1_SQRT_2: f32 = std::f32::consts::FRAC_1_SQRT_2;
        const SQRT_2_OVER_PI: f32 = 0.797_884_6;
        match act {
            Activation::Identity => {}
            Activation::Gelu => {
                for v in x.iter_mut() {
                    *v = 0.5 * *v * (1.0 + erf_f32(*v * FRAC_1_SQRT_2));
                }
            }
            Activation::GeluTanh => {
                for v in x.iter_mut() {
                    let u = *v;
                    let inner = SQRT_2_OVER_PI * (0.044_715 * u * u * u + u);
                    *v = 0.5 * u * (1.0 + tanh_f32(inner));
                }
            }
            Activation::QuickGelu => {
                for v in x.iter_mut() {
                    *v *= sigmoid_f32(1.702 * *v);
                }
            }
            Activation::Relu => {
                for v in x.iter_mut() {
                    *v = if *v > 0.0 { *v } else { 0.0 };
                }
            }
            Activation::Silu => {
                for v in x.iter_mut() {
                    *v *= sigmoid_f32(*v);
                }
            }
            Activation::Tanh => {
                for v in x.iter_mut() {
                    *v = tanh_f32(*v);
                }
            }
            Activation::Sigmoid => {
                for v in x.iter_mut() {
                    *v = sigmoid_f32(*v);
                }
            }
        }
    }
}

multiversion! {
    /// LayerNorm of one row in place (biased variance, as torch.nn.LayerNorm).
    pub fn layer_norm(x: &mut [f32], weight: &[f32], bias: &[f32], eps: f32) {
        let n = x.len() as f32;
        let mean = lane_sum(x) / n;
        let mut acc = [0f32; LANES];
        let chunks = x.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..LANES {
                let d = c[i] - mean;
                acc[i] = d.mul_add(d, acc[i]);
            }
        }
        for (a, &v) in acc.iter_mut().zip(rest) {
            let d = v - mean;
            *a = d.mul_add(d, *a);
        }
        let var = tree(acc) / n;
        let rstd = 1.0 / (var + eps).sqrt();
        for ((v, &w), &b) in x.iter_mut().zip(weight).zip(bias) {
            *v = ((*v - mean) * rstd).mul_add(w, b);
        }
    }
}

multiversion! {
    /// Softmax of one row in place.
    pub fn softmax(x: &mut [f32]) {
        let max = lane_max(x);
        // exp and the sum in one pass; the sum's lanes as in lane_sum.
        let mut acc = [0f32; LANES];
        let mut chunks = x.chunks_exact_mut(LANES);
        for c in &mut chunks {
            for i in 0..LANES {
                c[i] = exp_f32(c[i] - max);
                acc[i] += c[i];
            }
        }
        for (a, v) in acc.iter_mut().zip(chunks.into_remainder()) {
            *v = exp_f32(*v - max);
            *a += *v;
        }
        let inv = 1.0 / tree(acc);
        for v in x.iter_mut() {
            *v *= inv;
        }
    }
}

/// Values read through an index per key `j`: `values[j*stride + index[j] - offset]`;
/// an empty `index` reads `values[j*stride]`.
#[derive(Clone, Copy)]
pub struct Gathered<'a> {
    pub values: &'a [f32],
    pub index: &'a [u32],
    pub offset: u32,
    pub stride: u32,
}

impl Gathered<'_> {
    #[inline(always)]
    fn at(&self, j: usize) -> f32 {
        let col = if self.index.is_empty() { 0 } else { self.index[j] - self.offset };
        self.values[j * self.stride as usize + col as usize]
    }
}

/// One row of DeBERTa attention scores: `row[j] = (row[j] + c2p_j + p2c_j) * scale`,
/// the content->position and position->content terms gathered per key. Used for
/// the last layer's single query row; blocks of rows go through [`relative_block`].
pub fn relative_scores(row: &mut [f32], c2p: Option<Gathered>, p2c: Option<Gathered>, scale: f32) {
    for (j, s) in row.iter_mut().enumerate() {
        let c = c2p.map_or(0.0, |g| g.at(j));
        let p = p2c.map_or(0.0, |g| g.at(j));
        *s = (*s + c + p) * scale;
    }
}

/// A relative-position term read from a product over the reachable distances:
/// for query `i` and key `j`, `values[row*stride + col - offset]` with
/// `col = table[i - j + max_len - 1]`, where `row` is the query's row in the
/// block (c2p) or the key (p2c).
#[derive(Clone, Copy)]
pub struct RelTerm<'a> {
    pub values: &'a [f32],
    pub stride: usize,
    pub offset: u32,
    /// Column per distance; non-decreasing.
    pub table: &'a [u32],
    /// `table` reversed.
    pub rev: &'a [u32],
}

impl RelTerm<'_> {
    #[inline(always)]
    fn at(&self, row: usize, d: usize) -> f32 {
        self.values[row * self.stride + (self.table[d] - self.offset) as usize]
    }

    /// Every read of rows `rows` at distances `ds` stays inside its row of `values`
    /// (the table is monotone, so its ends bound the rest).
    fn check(&self, rows: usize, ds: std::ops::RangeInclusive<usize>) {
        assert!(self.table.len() == self.rev.len() && *ds.end() < self.table.len() && rows > 0);
        let (lo, hi) = (self.table[*ds.start()], self.table[*ds.end()]);
        assert!(lo >= self.offset && ((hi - self.offset) as usize) < self.stride.max(1));
        assert!((rows - 1) * self.stride + ((hi - self.offset) as usize) < self.values.len());
        assert!(self.values.len() < i32::MAX as usize);
    }
}

/// A block of DeBERTa attention scores, `rows = scores.len() / n` queries
/// `i0..` against keys `0..n`: `s = ((s + c2p) + p2c) * scale`, the c2p term
/// read per query row, the p2c term per key.
pub fn relative_block(
    scores: &mut [f32],
    n: usize,
    i0: usize,
    max_len: usize,
    c2p: Option<RelTerm>,
    p2c: Option<RelTerm>,
    scale: f32,
) {
    if n == 0 || scores.is_empty() {
        return;
    }
    let rows = scores.len() / n;
    assert!(scores.len() == rows * n && n <= max_len && i0 + rows <= max_len);
    // Distances reached: i - j from i0 - (n-1) to i0 + rows - 1.
    let ds = i0 + max_len - n..=i0 + rows - 1 + max_len - 1;
    if let Some(t) = c2p {
        t.check(rows, ds.clone());
    }
    if let Some(t) = p2c {
        t.check(n, ds.clone());
    }
    #[cfg(target_arch = "x86_64")]
    if cpu::level() >= Level::Avx512 {
        // SAFETY: AVX-512F is present; the checks above bound every read.
        unsafe { x86::relative_block(scores, n, i0, max_len, c2p, p2c, scale) };
        return;
    }
    relative_block_scalar(scores, n, i0, max_len, c2p, p2c, scale, 0..rows, 0..n);
}

/// The same for rows `rs` and keys `js` only, one element at a time.
#[allow(clippy::too_many_arguments)]
fn relative_block_scalar(
    scores: &mut [f32],
    n: usize,
    i0: usize,
    max_len: usize,
    c2p: Option<RelTerm>,
    p2c: Option<RelTerm>,
    scale: f32,
    rs: std::ops::Range<usize>,
    js: std::ops::Range<usize>,
) {
    for r in rs {
        for j in js.clone() {
            let d = i0 + r + max_len - 1 - j;
            let s = &mut scores[r * n + j];
            let mut v = *s;
            if let Some(t) = &c2p {
                v += t.at(r, d);
            }
            if let Some(t) = &p2c {
                v += t.at(j, d);
            }
            *s = v * scale;
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::RelTerm;
    use std::arch::x86_64::*;

    /// The 16 values of a monotone run of columns `cols` (`lo` its smallest) in
    /// the row at `row`, `avail` values from `row + lo` readable: one load and a
    /// permute when the run spans at most 16 columns (steps of 0 or 1, as the
    /// distance tables have), else a gather.
    #[inline(always)]
    unsafe fn run16(row: *const f32, cols: __m512i, lo: u32, hi: u32, avail: usize, m: __mmask16) -> __m512 {
        // SAFETY: `row + lo` has `avail` readable values, and every column in `cols` under mask `m` is in bounds (the caller checked the run against the table).
        unsafe {
            if hi - lo < 16 {
                let vm: __mmask16 = if avail >= 16 { 0xffff } else { ((1u32 << avail) - 1) as __mmask16 };
                let v = _mm512_maskz_loadu_ps(vm, row.add(lo as usize));
                _mm512_permutexvar_ps(_mm512_sub_epi32(cols, _mm512_set1_epi32(lo as i32)), v)
            } else {
                _mm512_mask_i32gather_ps::<4>(_mm512_setzero_ps(), m, cols, row)
            }
        }
    }

    /// `out[k][m] = r[m][k]` for a 16 x 16 tile.
    #[inline(always)]
    unsafe fn transpose16(r: &[__m512; 16]) -> [__m512; 16] {
        // SAFETY: register shuffles only; callers run with AVX-512F.
        unsafe {
            let mut t = [_mm512_setzero_ps(); 16];
            for p in 0..8 {
                t[2 * p] = _mm512_unpacklo_ps(r[2 * p], r[2 * p + 1]);
                t[2 * p + 1] = _mm512_unpackhi_ps(r[2 * p], r[2 * p + 1]);
            }
            // u[4q + c]: column c (and c+4, c+8, c+12 in the other 128-bit lanes) of rows 4q..4q+4.
            let mut u = [_mm512_setzero_ps(); 16];
            for q in 0..4 {
                let (a0, a1, b0, b1) = (t[4 * q], t[4 * q + 1], t[4 * q + 2], t[4 * q + 3]);
                let pd = _mm512_castps_pd;
                u[4 * q] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(a0), pd(b0)));
                u[4 * q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(a0), pd(b0)));
                u[4 * q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(pd(a1), pd(b1)));
                u[4 * q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(pd(a1), pd(b1)));
            }
            let mut out = [_mm512_setzero_ps(); 16];
            for c in 0..4 {
                let v0 = _mm512_shuffle_f32x4::<0x88>(u[c], u[4 + c]);
                let v1 = _mm512_shuffle_f32x4::<0xdd>(u[c], u[4 + c]);
                let v2 = _mm512_shuffle_f32x4::<0x88>(u[8 + c], u[12 + c]);
                let v3 = _mm512_shuffle_f32x4::<0xdd>(u[8 + c], u[12 + c]);
                out[c] = _mm512_shuffle_f32x4::<0x88>(v0, v2);
                out[c + 8] = _mm512_shuffle_f32x4::<0xdd>(v0, v2);
                out[c + 4] = _mm512_shuffle_f32x4::<0x88>(v1, v3);
                out[c + 12] = _mm512_shuffle_f32x4::<0xdd>(v1, v3);
            }
            out
        }
    }

    /// c2p along each row (its columns are a contiguous run of the reversed
    /// table); p2c by 16 x 16 tiles, each key's 16 queries read as one run of its
    /// row and the tile transposed. Gathers only where a run is too wide.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn relative_block(
        scores: &mut [f32],
        n: usize,
        i0: usize,
        ml: usize,
        c2p: Option<RelTerm>,
        p2c: Option<RelTerm>,
        scale: f32,
    ) {
        // SAFETY: AVX-512F is present (the caller checked); `RelTerm::check` bounded every table and value index read here, and stores stay inside `scores` (masked at row ends).
        unsafe {
            let rows = scores.len() / n;
            let sc = _mm512_set1_ps(scale);
            let sp = scores.as_mut_ptr();
            // c2p (and the scale, when there is no p2c), row by row.
            if c2p.is_some() || p2c.is_none() {
                for r in 0..rows {
                    let i = i0 + r;
                    let row = sp.add(r * n);
                    let mut j = 0;
                    while j < n {
                        let w = 16.min(n - j);
                        let m: __mmask16 = if w == 16 { 0xffff } else { ((1u32 << w) - 1) as __mmask16 };
                        let mut s = _mm512_maskz_loadu_ps(m, row.add(j));
                        if let Some(t) = &c2p {
                            // Keys j.. read distances i-j downwards: the reversed table, forwards.
                            let idx = t.rev.as_ptr().add(ml - 1 - i + j);
                            let (hi, lo) = (*idx, *idx.add(w - 1));
                            let cols = _mm512_sub_epi32(
                                _mm512_maskz_loadu_epi32(m, idx as *const i32),
                                _mm512_set1_epi32(t.offset as i32),
                            );
                            let base = r * t.stride;
                            let (lo, hi) = (lo - t.offset, hi - t.offset);
                            let avail = t.values.len() - base - lo as usize;
                            s = _mm512_add_ps(s, run16(t.values.as_ptr().add(base), cols, lo, hi, avail, m));
                        }
                        if p2c.is_none() {
                            s = _mm512_mul_ps(s, sc);
                        }
                        _mm512_mask_storeu_ps(row.add(j), m, s);
                        j += 16;
                    }
                }
            }
            let Some(t) = p2c else { return };
            let (full_rows, full_keys) = (rows / 16 * 16, n / 16 * 16);
            let off = _mm512_set1_epi32(t.offset as i32);
            for r0 in (0..full_rows).step_by(16) {
                for j0 in (0..full_keys).step_by(16) {
                    let mut tile = [_mm512_setzero_ps(); 16];
                    for (mm, v) in tile.iter_mut().enumerate() {
                        let j = j0 + mm;
                        // Queries i0+r0.. at key j: distances upwards, the table forwards.
                        let idx = t.table.as_ptr().add(i0 + r0 + ml - 1 - j);
                        let (lo, hi) = (*idx - t.offset, *idx.add(15) - t.offset);
                        let cols = _mm512_sub_epi32(_mm512_loadu_si512(idx as *const _), off);
                        let base = j * t.stride;
                        let avail = t.values.len() - base - lo as usize;
                        *v = run16(t.values.as_ptr().add(base), cols, lo, hi, avail, 0xffff);
                    }
                    let by_query = transpose16(&tile);
                    for (k, p) in by_query.iter().enumerate() {
                        let at = sp.add((r0 + k) * n + j0);
                        _mm512_storeu_ps(at, _mm512_mul_ps(_mm512_add_ps(_mm512_loadu_ps(at), *p), sc));
                    }
                }
            }
            // Edges: the scalar code adds only p2c (c2p was added above), then scales.
            let p_only = |rs: std::ops::Range<usize>, js: std::ops::Range<usize>, scores: &mut [f32]| {
                super::relative_block_scalar(scores, n, i0, ml, None, Some(t), scale, rs, js);
            };
            p_only(0..full_rows, full_keys..n, scores);
            p_only(full_rows..rows, 0..n, scores);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate() {
        let mut worst = 0f64;
        let mut x = -87.0f32;
        while x < 88.0 {
            let got = exp_f32(x) as f64;
            let want = (x as f64).exp();
            worst = worst.max(((got - want) / want).abs());
            x += 0.0137;
        }
        assert!(worst < 3e-7, "relative error {worst}");
        assert!(exp_f32(-1000.0) < 1e-37 && exp_f32(1000.0).is_finite());
        assert!(exp_f32(f32::NAN).is_nan());
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        let mut xs: Vec<f32> = (-1000..1000).map(|i| i as f32 * 0.01).collect();
        let orig = xs.clone();
        activate(Activation::Gelu, &mut xs);
        for (&x, &g) in orig.iter().zip(&xs) {
            let want = 0.5 * x as f64 * (1.0 + erf64(x as f64 / std::f64::consts::SQRT_2));
            assert!((g as f64 - want).abs() < 5e-7 * (1.0 + x.abs() as f64), "gelu({x}) = {g}, want {want}");
        }
    }

    // Reference erf in f64 by series/continued fraction (test only).
    fn erf64(x: f64) -> f64 {
        if x.abs() < 3.0 {
            let mut sum = x;
            let mut term = x;
            let mut n = 0.0;
            while term.abs() > 1e-17 {
                n += 1.0;
                term *= -x * x / n;
                sum += term / (2.0 * n + 1.0);
            }
            2.0 / std::f64::consts::PI.sqrt() * sum
        } else {
            // erfc continued fraction for large |x|.
            let a = x.abs();
            let mut f = 0.0;
            for k in (1..60).rev() {
                f = (k as f64 / 2.0) / (a + f);
            }
            let erfc = (-a * a).exp() / std::f64::consts::PI.sqrt() / (a + f);
            (1.0 - erfc) * x.signum()
        }
    }

    #[test]
    fn relative_scores_follow_the_gathers() {
        let n = 37;
        let values: Vec<f32> = (0..n * 50).map(|i| (i as f32 * 0.37).sin()).collect();
        let index: Vec<u32> = (0..n).map(|j| 10 + (j * 40 / n) as u32).collect();
        let g = Gathered { values: &values, index: &index, offset: 10, stride: 50 };
        let c = Gathered { values: &values[..60], index: &index, offset: 0, stride: 0 };
        let base: Vec<f32> = (0..n).map(|j| j as f32 * 0.1).collect();
        let mut fast = base.clone();
        relative_scores(&mut fast, Some(c), Some(g), 0.125);
        for (j, &v) in fast.iter().enumerate() {
            let want = (base[j] + c.at(j) + g.at(j)) * 0.125;
            assert_eq!(v, want, "key {j}");
        }
    }

    #[test]
    fn relative_block_fast_path_equals_element_by_element() {
        // Tables with steps of 0 and 1 (log buckets) and, in the second, of 2 (gathers).
        for (ml, steep) in [(53usize, false), (53, true), (16, false), (40, true)] {
            let mut table = vec![3u32; 2 * ml - 1];
            for d in 1..table.len() {
                // Steep: 16-key runs spanning 16 or 17 columns, one past what a load covers.
                let step = if steep { 1 + u32::from(d % 11 == 0) } else { u32::from(d % 3 != 0) };
                table[d] = table[d - 1] + step;
            }
            let rev: Vec<u32> = table.iter().rev().copied().collect();
            let width = (table[table.len() - 1] - 3 + 1) as usize;
            for (n, i0, rows) in [(ml, 0, ml), (37, 5, 33), (16, 0, 16), (17, 20, 1), (ml, ml - 16, 16)] {
                if i0 >= ml {
                    continue;
                }
                let n = n.min(ml);
                let rows = rows.min(ml - i0);
                let c2p_vals: Vec<f32> = (0..rows * width).map(|v| (v as f32 * 0.31).sin()).collect();
                let p2c_vals: Vec<f32> = (0..n * (width + 2)).map(|v| (v as f32 * 0.17).cos()).collect();
                let c2p = RelTerm { values: &c2p_vals, stride: width, offset: 3, table: &table, rev: &rev };
                // p2c's columns start one below the smallest table entry, as a panel range may.
                let p2c = RelTerm { values: &p2c_vals, stride: width + 2, offset: 2, table: &table, rev: &rev };
                for (c, p) in [(Some(c2p), Some(p2c)), (Some(c2p), None), (None, Some(p2c)), (None, None)] {
                    let base: Vec<f32> = (0..rows * n).map(|v| (v as f32 * 0.07).sin()).collect();
                    let mut fast = base.clone();
                    relative_block(&mut fast, n, i0, ml, c, p, 0.125);
                    let mut slow = base.clone();
                    relative_block_scalar(&mut slow, n, i0, ml, c, p, 0.125, 0..rows, 0..n);
                    assert_eq!(fast, slow, "ml {ml} n {n} i0 {i0} rows {rows}");
                    // And the definition, element by element.
                    let (r, j) = (rows - 1, n / 2);
                    let d = i0 + r + ml - 1 - j;
                    let mut want = base[r * n + j];
                    if c.is_some() {
                        want += c2p_vals[r * width + (table[d] - 3) as usize];
                    }
                    if p.is_some() {
                        want += p2c_vals[j * (width + 2) + (table[d] - 2) as usize];
                    }
                    assert_eq!(fast[r * n + j], want * 0.125);
                }
            }
        }
    }

    #[test]
    fn layer_norm_and_softmax() {
        let mut row: Vec<f32> = (0..37).map(|i| (i as f32 * 0.7).sin() * 3.0).collect();
        let orig = row.clone();
        let w = vec![1.5f32; 37];
        let b = vec![0.25f32; 37];
        layer_norm(&mut row, &w, &b, 1e-7);
        let mean: f64 = orig.iter().map(|&v| v as f64).sum::<f64>() / 37.0;
        let var: f64 = orig.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / 37.0;
        for (&o, &r) in orig.iter().zip(&row) {
            let want = (o as f64 - mean) / (var + 1e-7).sqrt() * 1.5 + 0.25;
            assert!((r as f64 - want).abs() < 1e-5);
        }
        let mut s = orig.clone();
        softmax(&mut s);
        let mx = orig.iter().cloned().fold(f32::MIN, f32::max) as f64;
        let z: f64 = orig.iter().map(|&v| (v as f64 - mx).exp()).sum();
        for (&o, &p) in orig.iter().zip(&s) {
            assert!((p as f64 - (o as f64 - mx).exp() / z).abs() < 1e-7);
        }
    }
}
