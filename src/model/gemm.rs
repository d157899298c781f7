//! Single-precision matrix multiply with pre-packed right-hand sides.
//!
//! Why our own: every output element is one fused-multiply-add chain over k in
//! ascending order, started from zero, whatever the matrix shape, the blocking,
//! the thread count or the SIMD width. A row of `A·B` therefore has the same bits
//! whether it is computed alone or inside a batch of thousands, which is what
//! makes `zeroshot`'s output bytes independent of batch size and threads.
//! Weights are packed once at load time into column panels the micro-kernel
//! streams straight from memory.

use std::ops::Range;
use std::sync::OnceLock;

use super::math::{self, Activation};
use crate::cpu::{self, Level};

/// Depth of one pass over k; a `KC x NR` slice of B stays in L1 while MR-row
/// slivers of A stream past it.
const KC: usize = 256;

/// A micro-kernel: computes an `MR x NR` tile of `C (+)= A_packed · B_packed`
/// over `kc` steps. `a` holds `kc` groups of MR values, `b` holds `kc` groups of
/// NR values. With `load` the tile continues from the values already in `c`.
/// Only the first `rows x cols` of the tile are read from or written to `c`
/// (edge tiles); the arithmetic is the same for every element either way.
type KernelFn =
    unsafe fn(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize);

/// The same tile product reading A in place (row-major, stride `lda`) instead
/// of packed: for products with few column panels, where packing A would cost
/// as much as the arithmetic. Rows past `rows` are not read.
type StridedFn = unsafe fn(
    kc: usize,
    a: *const f32,
    lda: usize,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    load: bool,
    rows: usize,
    cols: usize,
);

/// The packed kernel with B stored as bf16 (the upper half of an f32). A is
/// always packed for it, rounded to bf16 by the packing, so every product is
/// of two bf16 values, exact in f32, summed in f32. Two layouts:
/// - FMA kernels (`Kernel::pairs` false): A and B as for [`KernelFn`], B
///   widened exactly to f32 as it is read; one FMA chain over k per element,
///   the same bits on every such kernel.
/// - dot-product kernels (`pairs`): k is taken two at a time. `a` holds MR
///   rows of `ceil(kc/2)` u32 pairs each (k even in the low half, odd in the
///   high half, zero past kc), `b` `ceil(kc/2)` groups of NR column pairs.
///   Each pair adds the odd product, then the even one (what VDPBF16PS does).
type KernelHalfFn =
    unsafe fn(kc: usize, a: *const f32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize);

/// `x` rounded to the nearest bf16 (ties to even), as f32. NaN stays NaN;
/// values past bf16's range round to infinity, as the hardware conversion does.
#[inline(always)]
pub fn bf16_round(x: f32) -> f32 {
    // Branch-free (a select), so that loops over it vectorise.
    let bits = x.to_bits();
    let rounded = bits.wrapping_add(0x7fff + ((bits >> 16) & 1)) & 0xffff_0000;
    let quiet_nan = (bits | 0x0040_0000) & 0xffff_0000;
    f32::from_bits(if x.is_nan() { quiet_nan } else { rounded })
}

/// bf16 bits of `x` (rounded to nearest even).
#[inline(always)]
pub fn bf16_bits(x: f32) -> u16 {
    (bf16_round(x).to_bits() >> 16) as u16
}

/// Column panels below which A is read in place rather than packed.
const PACK_MIN_PANELS: usize = 16;

pub struct Kernel {
    pub name: &'static str,
    pub mr: usize,
    pub nr: usize,
    /// Rows of A packed and multiplied per pass over B's panels.
    pub mc: usize,
    /// Depth of one pass over k.
    pub kc: usize,
    /// bf16 products take k in pairs (see [`KernelHalfFn`]).
    pub pairs: bool,
    f: KernelFn,
    fs: StridedFn,
    fh: KernelHalfFn,
}

static KERNEL: OnceLock<Kernel> = OnceLock::new();

/// The micro-kernel of the process's [`cpu::level`], chosen once.
pub fn kernel() -> &'static Kernel {
    KERNEL.get_or_init(|| kernel_for(cpu::level()))
}

/// The micro-kernel of one level (the caller checks the CPU runs it).
pub fn kernel_for(level: Level) -> Kernel {
    #[cfg(target_arch = "x86_64")]
    match level {
        Level::Avx512Bf16 => return x86::avx512bf16_kernel(),
        Level::Avx512 => return x86::avx512_kernel(),
        Level::Avx2 => return x86::avx2_kernel(),
        Level::Generic => {}
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = level;
    Kernel {
        name: "generic",
        mr: generic::MR,
        nr: generic::NR,
        mc: 64,
        kc: KC,
        pairs: false,
        f: generic::kernel,
        fs: generic::strided,
        fh: generic::kernel_bf16,
    }
}

/// Right-hand side `B` (k rows, n columns) packed into column panels of the
/// kernel's NR width: panel `p` stores, for each k, the NR values
/// `B[k][p*NR .. p*NR+NR]` (zero beyond n).
///
/// The values are f32, or bf16 (`from_weight_bf16`): then the product rounds
/// A to bf16 too, and every product term is exact in f32. For a kernel that
/// takes k in pairs, bf16 panels interleave each pair of k steps column by
/// column (`[k/2][NR][2]`, k padded to even with zeros).
#[derive(Default, Clone)]
pub struct PackedB {
    k: usize,
    n: usize,
    nr: usize,
    data: Vec<f32>,
    /// bf16 values (empty unless the panels are stored in bf16).
    half: Vec<u16>,
    /// `half` is in the k-pair layout.
    pairs: bool,
}

impl PackedB {
    /// `B = W^T` for a weight stored row-major as `[n][k]` (PyTorch's Linear layout).
    pub fn from_weight(w: &[f32], n: usize, k: usize) -> Self {
        assert_eq!(w.len(), n * k, "weight shape");
        let mut p = PackedB::default();
        p.pack_nk(w, k, n, k);
        p
    }

    /// `B = W^T` rounded to bf16, for a weight stored as `[n][k]`.
    pub fn from_weight_bf16(w: &[f32], n: usize, k: usize) -> Self {
        let f = PackedB::from_weight(w, n, k);
        let mut p = PackedB { k, n, nr: f.nr, data: Vec::new(), half: Vec::new(), pairs: kernel().pairs };
        if p.pairs {
            p.half = vec![0u16; p.panels() * p.half_k() * p.nr];
            for pan in 0..p.panels() {
                for kk in 0..k {
                    for c in 0..p.nr {
                        let i = p.half_index(kk, pan * p.nr + c);
                        p.half[i] = bf16_bits(f.data[pan * k * p.nr + kk * p.nr + c]);
                    }
                }
            }
        } else {
            p.half = f.data.iter().map(|&v| bf16_bits(v)).collect();
        }
        p
    }

    /// k as the bf16 panels store it (padded to even in the pair layout).
    fn half_k(&self) -> usize {
        if self.pairs {
            self.k.div_ceil(2) * 2
        } else {
            self.k
        }
    }

    /// Where `B[kk][j]` is in `half`.
    fn half_index(&self, kk: usize, j: usize) -> usize {
        let (p, c) = (j / self.nr, j % self.nr);
        let panel = p * self.half_k() * self.nr;
        if self.pairs {
            panel + (kk / 2) * 2 * self.nr + 2 * c + kk % 2
        } else {
            panel + kk * self.nr + c
        }
    }

    /// Whether the panels hold bf16 values.
    pub fn is_bf16(&self) -> bool {
        !self.half.is_empty()
    }

    /// Packs `B[kk][j] = src[j*ld + kk]` (rows of `src` are columns of B).
    pub fn pack_nk(&mut self, src: &[f32], ld: usize, n: usize, k: usize) {
        self.reset(k, n);
        let nr = self.nr;
        for p in 0..self.panels() {
            let panel = &mut self.data[p * k * nr..(p + 1) * k * nr];
            for c in 0..nr.min(n - p * nr) {
                let row = &src[(p * nr + c) * ld..(p * nr + c) * ld + k];
                for (kk, &v) in row.iter().enumerate() {
                    panel[kk * nr + c] = v;
                }
            }
        }
    }

    /// Packs `B[kk][j] = src[kk*ld + j]` (row-major B).
    pub fn pack_kn(&mut self, src: &[f32], ld: usize, k: usize, n: usize) {
        self.reset(k, n);
        let nr = self.nr;
        for p in 0..self.panels() {
            let width = nr.min(n - p * nr);
            let panel = &mut self.data[p * k * nr..(p + 1) * k * nr];
            for kk in 0..k {
                let row = &src[kk * ld + p * nr..kk * ld + p * nr + width];
                panel[kk * nr..kk * nr + width].copy_from_slice(row);
            }
        }
    }

    fn reset(&mut self, k: usize, n: usize) {
        self.k = k;
        self.n = n;
        self.nr = kernel().nr;
        let len = n.div_ceil(self.nr) * self.nr * k;
        self.half = Vec::new();
        self.pairs = false;
        self.data.clear();
        self.data.resize(len, 0.0);
    }

    pub fn k(&self) -> usize {
        self.k
    }

    pub fn n(&self) -> usize {
        self.n
    }

    pub fn nr(&self) -> usize {
        self.nr
    }

    pub fn panels(&self) -> usize {
        self.n.div_ceil(self.nr.max(1))
    }

    /// The panel holding column `j`.
    pub fn panel_of(&self, j: usize) -> usize {
        j / self.nr
    }

    /// Number of C columns a product over these panels yields.
    pub fn cols_of(&self, panels: &Range<usize>) -> usize {
        (panels.end * self.nr).min(self.n).saturating_sub(panels.start * self.nr)
    }

    /// `B[kk][j]`, read back from the packed layout.
    pub fn at(&self, kk: usize, j: usize) -> f32 {
        if self.is_bf16() {
            f32::from_bits((self.half[self.half_index(kk, j)] as u32) << 16)
        } else {
            self.data[(j / self.nr) * self.k * self.nr + kk * self.nr + j % self.nr]
        }
    }

    /// Bytes held, for memory accounting.
    pub fn bytes(&self) -> usize {
        self.data.len() * 4 + self.half.len() * 2
    }
}

/// What to do with each finished row segment of C, while it is still in cache.
#[derive(Clone, Copy)]
pub enum Epilogue<'a> {
    None,
    /// `c += bias[col]`, then the activation.
    Bias(&'a [f32], Activation),
    /// `c += bias[col] + residual[row][col]` (residual row-major with its stride).
    BiasResidual(&'a [f32], &'a [f32], usize),
}

/// Whether a product may use the thread pool. Products computed inside an
/// already-parallel task (attention heads) run serially.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Par {
    Serial,
    Pool,
}

/// A pointer into an output matrix shared by parallel tasks that each write
/// their own disjoint elements.
#[derive(Clone, Copy)]
pub(crate) struct SyncPtr(pub(crate) *mut f32);
// SAFETY: the pointer is only dereferenced by tasks that write disjoint
// elements of a buffer outliving them (each use site says which).
unsafe impl Send for SyncPtr {}
// SAFETY: as for Send: no two threads access the same element through it.
unsafe impl Sync for SyncPtr {}

impl SyncPtr {
    // A method, so closures capture the Sync wrapper rather than the raw field.
    pub(crate) fn get(self) -> *mut f32 {
        self.0
    }
}

/// `C[m x cols] = A[m x k] · B[:, panels]` followed by the epilogue.
///
/// `A` is row-major with stride `lda`; C's column 0 is B's column
/// `panels.start * NR`, and C gets every B column up to the end of the last
/// panel that exists (`min(panels.end*NR, n)`). C is row-major with stride `ldc`.
#[allow(clippy::too_many_arguments)]
pub fn gemm(
    a: &[f32],
    lda: usize,
    m: usize,
    b: &PackedB,
    panels: Range<usize>,
    c: &mut [f32],
    ldc: usize,
    epilogue: Epilogue,
    par: Par,
) {
    if m == 0 || panels.is_empty() {
        return;
    }
    let ncols = b.cols_of(&panels);
    assert!(c.len() >= (m - 1) * ldc + ncols, "C too short");
    // SAFETY: the slice covers every element the product writes.
    unsafe { gemm_ptr(a, lda, m, b, panels, c.as_mut_ptr(), ldc, epilogue, par) }
}

/// [`gemm`] writing through a raw pointer, for callers that fill interleaved
/// column blocks of one matrix from several threads (attention heads).
///
/// # Safety
/// `c` must be valid for writes at `c + i*ldc + j` for every row `i < m` and
/// column `j < b.cols_of(&panels)`, and no other thread may touch those elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_ptr(
    a: &[f32],
    lda: usize,
    m: usize,
    b: &PackedB,
    panels: Range<usize>,
    c: *mut f32,
    ldc: usize,
    epilogue: Epilogue,
    par: Par,
) {
    let kern = kernel();
    assert_eq!(b.nr, kern.nr, "B was packed for another kernel");
    assert!(!b.is_bf16() || b.pairs == kern.pairs, "B was packed for another kernel");
    let k = b.k;
    if m == 0 || panels.is_empty() {
        return;
    }
    assert!(panels.end <= b.panels());
    let col0 = panels.start * kern.nr;
    let ncols = b.cols_of(&panels);
    assert!(a.len() >= (m - 1) * lda + k, "A too short");
    assert!(ldc >= ncols && lda >= k);

    let mc = kern.mc;
    let row_blocks = m.div_ceil(mc);
    let threads = if par == Par::Pool { rayon::current_num_threads() } else { 1 };
    // Enough work items to keep every thread busy: split columns when rows are few.
    let npan = panels.len();
    let col_groups = if row_blocks >= threads * 2 { 1 } else { (threads * 4).div_ceil(row_blocks).min(npan) };
    let per_group = npan.div_ceil(col_groups);
    let col_groups = npan.div_ceil(per_group);
    let items = row_blocks * col_groups;
    let cptr = SyncPtr(c);

    let run = |item: usize| {
        let rb = item / col_groups;
        let g = item % col_groups;
        let rows = rb * mc..((rb + 1) * mc).min(m);
        let pans = panels.start + g * per_group..(panels.start + (g + 1) * per_group).min(panels.end);
        // SAFETY: work items cover disjoint (row block, panel group) tiles of C.
        unsafe { block(kern, a, lda, k, rows, b, pans, cptr, ldc, col0, epilogue) };
    };
    if items == 1 || threads == 1 {
        (0..items).for_each(run);
    } else {
        use rayon::prelude::*;
        (0..items).into_par_iter().for_each(run);
    }
}

/// `dst[kk*mr + r] = a[r*lda + kk]` for `r < h` (rounded to bf16 when
/// `round`), zero for the padding rows.
fn pack_sliver(dst: &mut [f32], a: &[f32], lda: usize, h: usize, mr: usize, kc: usize, round: bool) {
    assert!(h <= mr && dst.len() >= mr * kc && (h == 0 || a.len() >= (h - 1) * lda + kc));
    if h < mr {
        dst[..mr * kc].fill(0.0);
    }
    // The next sliver's rows come from L3: ask for them while this one is packed.
    #[cfg(target_arch = "x86_64")]
    for r in 0..h {
        let next = a.as_ptr().wrapping_add((r + mr) * lda);
        for line in (0..kc).step_by(16) {
            // SAFETY: prefetching never faults, whatever the address.
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(next.wrapping_add(line) as *const i8) };
        }
    }
    // Eight k at a time per row: eight contiguous loads, eight strided stores.
    for r in 0..h {
        let src = &a[r * lda..r * lda + kc];
        let mut chunks = src.chunks_exact(8);
        let mut kk = 0;
        let value = |v: f32| if round { bf16_round(v) } else { v };
        for c in &mut chunks {
            let c: [f32; 8] = std::array::from_fn(|t| value(c[t]));
            for (t, &v) in c.iter().enumerate() {
                // SAFETY: kk + t < kc and r < h <= mr, so the index is below mr * kc <= dst.len() (asserted above).
                unsafe { *dst.get_unchecked_mut((kk + t) * mr + r) = v };
            }
            kk += 8;
        }
        for (t, &v) in chunks.remainder().iter().enumerate() {
            dst[(kk + t) * mr + r] = value(v);
        }
    }
}

/// One (row block, panel group) tile of C, over all of k.
///
/// # Safety
/// `c` must be valid for writes at `c + i*ldc + j - col0` for every row `i` in
/// `rows` and column `j` of the panels `pans`, with no other thread touching them.
#[allow(clippy::too_many_arguments)]
unsafe fn block(
    kern: &Kernel,
    a: &[f32],
    lda: usize,
    k: usize,
    rows: Range<usize>,
    b: &PackedB,
    pans: Range<usize>,
    c: SyncPtr,
    ldc: usize,
    col0: usize,
    epilogue: Epilogue,
) {
    let (mr, nr) = (kern.mr, kern.nr);
    let m = rows.len();
    let slivers = m.div_ceil(mr);
    thread_local! {
        static APACK: std::cell::RefCell<Vec<f32>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let half = b.is_bf16();
    // bf16 rounds A: once per packed sliver, rather than per panel in place.
    let pack = pans.len() >= PACK_MIN_PANELS || half;
    let kh = b.half_k();
    APACK.with(|cell| {
        let mut apack = cell.borrow_mut();
        if pack {
            apack.resize(slivers * mr * kern.kc.min(k.max(1)), 0.0);
        }
        let mut pc = 0;
        while pc < k {
            let kc = kern.kc.min(k - pc);
            if !pack {
                let load = pc > 0;
                for p in pans.clone() {
                    let off = p * k * nr + pc * nr;
                    let cols = nr.min(b.n - p * nr);
                    for s in 0..slivers {
                        let r0 = s * mr;
                        let h = mr.min(m - r0);
                        let ap = a[(rows.start + r0) * lda + pc..].as_ptr();
                        // SAFETY: A rows r0..r0+h exist (gemm_ptr asserts A covers m rows of k);
                        // the panel holds kc groups of NR from pc; the caller owns these C elements.
                        unsafe {
                            let cp = c.get().add((rows.start + r0) * ldc + p * nr - col0);
                            (kern.fs)(kc, ap, lda, b.data[off..].as_ptr(), cp, ldc, load, h, cols);
                        }
                    }
                }
                pc += kc;
                continue;
            }
            // Pack A[rows, pc..pc+kc] as slivers of MR rows, k-major, zero-padded.
            for s in 0..slivers {
                let dst = &mut apack[s * mr * kc..(s + 1) * mr * kc];
                let h = mr.min(m - s * mr);
                let src = &a[(rows.start + s * mr) * lda + pc..];
                if half && kern.pairs {
                    assert!(dst.len() >= mr * kc.div_ceil(2) && (h == 0 || src.len() >= (h - 1) * lda + kc));
                    // SAFETY: a pair kernel exists only where the CPU has AVX512-BF16 (`cpu`
                    // chose its level); dst holds mr rows of ceil(kc/2) pairs and src h rows
                    // of kc values at stride lda (asserted).
                    #[cfg(target_arch = "x86_64")]
                    unsafe {
                        x86::pack_pairs(dst.as_mut_ptr() as *mut u32, src.as_ptr(), lda, h, mr, kc)
                    };
                } else {
                    pack_sliver(dst, src, lda, h, mr, kc, half);
                }
            }
            let load = pc > 0;
            for p in pans.clone() {
                let off = p * k * nr + pc * nr;
                // pc is a multiple of KC (even), so a pass starts on a k pair.
                let off_half = p * kh * nr + pc * nr;
                let cols = nr.min(b.n - p * nr);
                for s in 0..slivers {
                    let r0 = s * mr;
                    let h = mr.min(m - r0);
                    let ap = apack[s * mr * kc..].as_ptr();
                    // SAFETY: the packed sliver holds kc groups of MR; the panel kc groups of NR
                    // from pc; C's h x cols tile is inside the caller's matrix and owned by this task.
                    unsafe {
                        let cp = c.get().add((rows.start + r0) * ldc + p * nr - col0);
                        if half {
                            (kern.fh)(kc, ap, b.half[off_half..].as_ptr(), cp, ldc, load, h, cols);
                        } else {
                            (kern.f)(kc, ap, b.data[off..].as_ptr(), cp, ldc, load, h, cols);
                        }
                    }
                }
            }
            pc += kc;
        }
        if k == 0 {
            for r in 0..m {
                for p in pans.clone() {
                    let cols = nr.min(b.n - p * nr);
                    // SAFETY: row r's columns of this panel are inside C and owned by this task.
                    unsafe { std::ptr::write_bytes(c.get().add((rows.start + r) * ldc + p * nr - col0), 0, cols) };
                }
            }
        }
        // Epilogue on this tile's rows while they are hot.
        let cstart = pans.start * nr;
        let cend = (pans.end * nr).min(b.n);
        if cstart >= cend {
            return;
        }
        for r in rows.clone() {
            // SAFETY: columns cstart..cend of row r are inside C, written by this task alone.
            let row = unsafe { std::slice::from_raw_parts_mut(c.get().add(r * ldc + cstart - col0), cend - cstart) };
            match epilogue {
                Epilogue::None => {}
                Epilogue::Bias(bias, act) => {
                    math::add_assign(row, &bias[cstart..cend]);
                    math::activate(act, row);
                }
                Epilogue::BiasResidual(bias, res, ldr) => {
                    math::add_assign(row, &bias[cstart..cend]);
                    math::add_assign(row, &res[r * ldr + cstart..r * ldr + cend]);
                }
            }
        }
    });
}

mod generic {
    pub const MR: usize = 4;
    pub const NR: usize = 16;

    /// Packs a sliver of A read in place (on the stack: this runs per
    /// micro-tile).
    ///
    /// # Safety
    /// Rows `r < rows` of A hold `kc` values at stride `lda`.
    unsafe fn sliver(kc: usize, a: *const f32, lda: usize, rows: usize) -> [f32; super::KC * MR] {
        assert!(kc <= super::KC && rows <= MR);
        let mut ap = [0f32; super::KC * MR];
        for r in 0..rows {
            for kk in 0..kc {
                // SAFETY: the caller's contract.
                ap[kk * MR + r] = unsafe { *a.add(r * lda + kk) };
            }
        }
        ap
    }

    #[allow(clippy::too_many_arguments)]
    pub unsafe fn strided(kc: usize, a: *const f32, lda: usize, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: the caller's contract (A rows, B panel, C tile).
        unsafe {
            let ap = sliver(kc, a, lda, rows);
            kernel(kc, ap.as_ptr(), b, c, ldc, load, rows, cols)
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub unsafe fn kernel(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: the kernel contract: `b` holds kc groups of NR values.
        let b = unsafe { std::slice::from_raw_parts(b, kc * NR) };
        // SAFETY: the rest of the contract is the caller's.
        unsafe { tile(kc, a, |kk, j| b[kk * NR + j], c, ldc, load, rows, cols) }
    }

    #[allow(clippy::too_many_arguments)]
    pub unsafe fn kernel_bf16(kc: usize, a: *const f32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: the kernel contract: `b` holds kc groups of NR bf16 values.
        let b = unsafe { std::slice::from_raw_parts(b, kc * NR) };
        // SAFETY: the rest of the contract is the caller's.
        unsafe { tile(kc, a, |kk, j| f32::from_bits((b[kk * NR + j] as u32) << 16), c, ldc, load, rows, cols) }
    }

    /// The MR x NR tile: one FMA chain per element over k, B read by `b(kk, j)`.
    ///
    /// # Safety
    /// `a` holds kc groups of MR values; C's `rows x cols` tile is valid.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile(kc: usize, a: *const f32, b: impl Fn(usize, usize) -> f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: the caller's contract.
        let a = unsafe { std::slice::from_raw_parts(a, kc * MR) };
        let mut acc = [[0f32; NR]; MR];
        if load {
            for (r, row) in acc.iter_mut().enumerate().take(rows) {
                for (j, v) in row.iter_mut().enumerate().take(cols) {
                    // SAFETY: element (r, j) of the tile, r < rows and j < cols, is valid C.
                    *v = unsafe { *c.add(r * ldc + j) };
                }
            }
        }
        for (kk, ak) in a.chunks_exact(MR).enumerate() {
            let bk: [f32; NR] = std::array::from_fn(|j| b(kk, j));
            for (row, &av) in acc.iter_mut().zip(ak) {
                for (v, &bv) in row.iter_mut().zip(&bk) {
                    *v = av.mul_add(bv, *v);
                }
            }
        }
        for (r, row) in acc.iter().enumerate().take(rows) {
            for (j, v) in row.iter().enumerate().take(cols) {
                // SAFETY: as for the load above.
                unsafe { *c.add(r * ldc + j) = *v };
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Kernel;
    use std::arch::x86_64::*;

    pub fn avx2_kernel() -> Kernel {
        Kernel { name: "avx2", mr: 6, nr: 16, mc: 72, kc: super::KC, pairs: false, f: avx2, fs: avx2_strided, fh: avx2_bf16 }
    }

    /// 12 x 32 (24 accumulators), 96 rows per pass, k in steps of 256: measured
    /// on this project's benchmark machine against 8x48, 14x32, 6x64 and 4x96
    /// tiles and 192..960-row passes, which were all slower.
    pub fn avx512_kernel() -> Kernel {
        Kernel { name: "avx512", mr: 12, nr: 32, mc: 96, kc: super::KC, pairs: false, f: avx512, fs: avx512_strided, fh: avx512_bf16 }
    }

    /// `avx512` with bf16 products on VDPBF16PS (two k steps per instruction,
    /// k in pairs): float32 is the `avx512` kernel, bit for bit.
    pub fn avx512bf16_kernel() -> Kernel {
        Kernel { name: "avx512bf16", pairs: true, fh: avx512_dp, ..avx512_kernel() }
    }

    // The entry points: installed in a `Kernel` only when `cpu` chose their
    // level (the CPU reports the features); pointers as the caller guarantees.

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx2(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: AVX2 and FMA are present; A, B and C as the kernel contract says.
        unsafe { tile256::<false>(kc, |r, kk| *a.add(kk * 6 + r), b as *const u8, c, ldc, load, rows, cols) }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx2_bf16(kc: usize, a: *const f32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: as for `avx2`; `b` holds kc groups of 16 bf16 values.
        unsafe { tile256::<true>(kc, |r, kk| *a.add(kk * 6 + r), b as *const u8, c, ldc, load, rows, cols) }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx2_strided(kc: usize, a: *const f32, lda: usize, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: as for `avx2`; rows < `rows` of A hold kc values at stride lda, padding rows re-read row 0.
        unsafe {
            let rp: [*const f32; 6] = std::array::from_fn(|r| a.add(if r < rows { r * lda } else { 0 }));
            tile256::<false>(kc, |r, kk| *rp[r].add(kk), b as *const u8, c, ldc, load, rows, cols)
        }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx512(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: AVX-512F is present; A, B and C as the kernel contract says.
        unsafe { tile512::<false>(kc, |r, kk| *a.add(kk * 12 + r), b as *const u8, c, ldc, load, rows, cols) }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx512_bf16(kc: usize, a: *const f32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: as for `avx512`; `b` holds kc groups of 32 bf16 values.
        unsafe { tile512::<true>(kc, |r, kk| *a.add(kk * 12 + r), b as *const u8, c, ldc, load, rows, cols) }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx512_strided(kc: usize, a: *const f32, lda: usize, b: *const f32, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: as for `avx512`; rows < `rows` of A hold kc values at stride lda, padding rows re-read row 0.
        unsafe {
            let rp: [*const f32; 12] = std::array::from_fn(|r| a.add(if r < rows { r * lda } else { 0 }));
            tile512::<false>(kc, |r, kk| *rp[r].add(kk), b as *const u8, c, ldc, load, rows, cols)
        }
    }

    /// A sliver of A for a pair kernel: row r's bf16 pairs (k steps 2t and
    /// 2t+1, rounded to nearest even, the even one in the low half; zero past
    /// kc) at `dst[r * ceil(kc/2) + t]` for r < h; rows h..mr zero. Rounding is
    /// VCVTNE2PS2BF16's: bf16_round's for every value but subnormals, which
    /// it flushes to zero (as VDPBF16PS would then treat them anyway).
    ///
    /// # Safety
    /// AVX512-BF16 is present; `dst` is valid for `mr * ceil(kc/2)` writes;
    /// rows r < h of `a` hold kc values at stride lda.
    #[target_feature(enable = "avx512f,avx512bf16")]
    pub unsafe fn pack_pairs(dst: *mut u32, a: *const f32, lda: usize, h: usize, mr: usize, kc: usize) {
        let kpc = kc.div_ceil(2);
        for r in 0..mr {
            // SAFETY: row r of dst is inside its mr * kpc values.
            let out = unsafe { dst.add(r * kpc) };
            if r >= h {
                // SAFETY: as above.
                unsafe { std::ptr::write_bytes(out, 0, kpc) };
                continue;
            }
            let row = a.wrapping_add(r * lda);
            let mut kk = 0;
            while kk < kc {
                let n = (kc - kk).min(32);
                // SAFETY: masked loads read only the row's values kk..kk+n (masked-off
                // lanes never fault); the masked store writes pairs kk/2..kk/2+ceil(n/2)
                // of row r, inside dst.
                unsafe {
                    let lo = _mm512_maskz_loadu_ps(mask16(n), row.wrapping_add(kk));
                    let hi = _mm512_maskz_loadu_ps(mask16(n.saturating_sub(16)), row.wrapping_add(kk + 16));
                    let v = std::mem::transmute::<__m512bh, __m512i>(_mm512_cvtne2ps_pbh(hi, lo));
                    _mm512_mask_storeu_epi32(out.add(kk / 2) as *mut i32, mask16(n.div_ceil(2)), v);
                }
                kk += 32;
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    unsafe fn avx512_dp(kc: usize, a: *const f32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        // SAFETY: AVX512-BF16 is present; `a` and `b` in the pair layout of the
        // kernel contract (ceil(kc/2) groups of 12 and of 32 pairs); C as it says.
        unsafe { tile512_dp(kc.div_ceil(2), a as *const u32, b, c, ldc, load, rows, cols) }
    }

    /// Lanes `0..n` of an 8-lane mask, for `n` clamped to 0..=8.
    #[target_feature(enable = "avx2,fma")]
    unsafe fn mask8(n: usize) -> __m256i {
        let idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        _mm256_cmpgt_epi32(_mm256_set1_epi32(n.min(8) as i32), idx)
    }

    /// A 6 x 16 tile with AVX2; `a(r, kk)` reads A; B's panel holds kc steps of
    /// 16 f32 values, or of 16 bf16 values when `BF16` (widened exactly to f32:
    /// a shift). Every element is one FMA chain over k whatever the storage.
    #[target_feature(enable = "avx2,fma")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile256<const BF16: bool>(kc: usize, a: impl Fn(usize, usize) -> f32, b: *const u8, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        const MR: usize = 6;
        let full = cols == 16;
        // SAFETY: AVX2 is enabled for this function.
        let (m0, m1) = unsafe { (mask8(cols), mask8(cols.saturating_sub(8))) };
        let mut acc = [[_mm256_setzero_ps(); 2]; MR];
        if load {
            for (r, row) in acc.iter_mut().enumerate().take(rows) {
                // SAFETY: C's rows x cols tile is valid; masked loads touch only `cols` values.
                unsafe {
                    let p = c.add(r * ldc);
                    if full {
                        row[0] = _mm256_loadu_ps(p);
                        row[1] = _mm256_loadu_ps(p.add(8));
                    } else {
                        row[0] = _mm256_maskload_ps(p, m0);
                        row[1] = _mm256_maskload_ps(p.add(8), m1);
                    }
                }
            }
        }
        for kk in 0..kc {
            // SAFETY: step kk of the panel is readable (the caller's contract).
            let (b0, b1) = unsafe {
                if BF16 {
                    let p = (b as *const u16).add(kk * 16);
                    let lo = _mm256_cvtepu16_epi32(_mm_loadu_si128(p as *const __m128i));
                    let hi = _mm256_cvtepu16_epi32(_mm_loadu_si128(p.add(8) as *const __m128i));
                    (_mm256_castsi256_ps(_mm256_slli_epi32::<16>(lo)), _mm256_castsi256_ps(_mm256_slli_epi32::<16>(hi)))
                } else {
                    let p = (b as *const f32).add(kk * 16);
                    (_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8)))
                }
            };
            for (r, row) in acc.iter_mut().enumerate() {
                let av = _mm256_set1_ps(a(r, kk));
                row[0] = _mm256_fmadd_ps(av, b0, row[0]);
                row[1] = _mm256_fmadd_ps(av, b1, row[1]);
            }
        }
        for (r, row) in acc.iter().enumerate().take(rows) {
            // SAFETY: as for the loads.
            unsafe {
                let p = c.add(r * ldc);
                if full {
                    _mm256_storeu_ps(p, row[0]);
                    _mm256_storeu_ps(p.add(8), row[1]);
                } else {
                    _mm256_maskstore_ps(p, m0, row[0]);
                    _mm256_maskstore_ps(p.add(8), m1, row[1]);
                }
            }
        }
    }

    /// Lanes `0..n` of a 16-lane mask, for `n` clamped to 0..=16.
    fn mask16(n: usize) -> __mmask16 {
        if n >= 16 {
            0xffff
        } else {
            ((1u32 << n) - 1) as __mmask16
        }
    }

    /// The first `rows x cols` of a 12 x 32 tile of C, zero elsewhere.
    ///
    /// # Safety
    /// AVX-512F is present; C's `rows x cols` tile at stride `ldc` is readable.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn load_c12x32(c: *const f32, ldc: usize, rows: usize, cols: usize) -> [[__m512; 2]; 12] {
        let (m0, m1) = (mask16(cols), mask16(cols.saturating_sub(16)));
        let mut acc = [[_mm512_setzero_ps(); 2]; 12];
        for (r, row) in acc.iter_mut().enumerate().take(rows) {
            // SAFETY: masked loads touch only the `cols` values of row r, inside the tile.
            unsafe {
                let p = c.add(r * ldc);
                row[0] = _mm512_maskz_loadu_ps(m0, p);
                row[1] = _mm512_maskz_loadu_ps(m1, p.add(16));
            }
        }
        acc
    }

    /// Writes the first `rows x cols` of a 12 x 32 tile to C.
    ///
    /// # Safety
    /// AVX-512F is present; C's `rows x cols` tile at stride `ldc` is writable.
    #[target_feature(enable = "avx512f")]
    #[inline]
    unsafe fn store_c12x32(acc: &[[__m512; 2]; 12], c: *mut f32, ldc: usize, rows: usize, cols: usize) {
        let (m0, m1) = (mask16(cols), mask16(cols.saturating_sub(16)));
        for (r, row) in acc.iter().enumerate().take(rows) {
            // SAFETY: masked stores touch only the `cols` values of row r, inside the tile.
            unsafe {
                let p = c.add(r * ldc);
                _mm512_mask_storeu_ps(p, m0, row[0]);
                _mm512_mask_storeu_ps(p.add(16), m1, row[1]);
            }
        }
    }

    /// A 12 x 32 tile with AVX-512; `a(r, kk)` reads A; B's panel holds kc
    /// steps of 32 f32, or bf16 when `BF16` (see `tile256`).
    #[target_feature(enable = "avx512f")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile512<const BF16: bool>(kc: usize, a: impl Fn(usize, usize) -> f32, b: *const u8, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        const MR: usize = 12;
        // SAFETY: C's rows x cols tile is valid (the caller's contract).
        let mut acc = if load { unsafe { load_c12x32(c, ldc, rows, cols) } } else { [[_mm512_setzero_ps(); 2]; MR] };
        let step = if BF16 { 64 } else { 128 };
        for kk in 0..kc {
            // SAFETY: step kk of the panel is readable (the caller's contract).
            let (b0, b1) = unsafe {
                if BF16 {
                    let p = (b as *const u16).add(kk * 32);
                    let lo = _mm512_cvtepu16_epi32(_mm256_loadu_si256(p as *const __m256i));
                    let hi = _mm512_cvtepu16_epi32(_mm256_loadu_si256(p.add(16) as *const __m256i));
                    (_mm512_castsi512_ps(_mm512_slli_epi32::<16>(lo)), _mm512_castsi512_ps(_mm512_slli_epi32::<16>(hi)))
                } else {
                    let p = (b as *const f32).add(kk * 32);
                    (_mm512_loadu_ps(p), _mm512_loadu_ps(p.add(16)))
                }
            };
            let ahead = b.wrapping_add((kk + 8) * step) as *const i8;
            // B comes from L3 on a panel's first sliver: fetch 8 steps ahead.
            _mm_prefetch::<_MM_HINT_T0>(ahead);
            _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(64));
            for (r, row) in acc.iter_mut().enumerate() {
                let av = _mm512_set1_ps(a(r, kk));
                row[0] = _mm512_fmadd_ps(av, b0, row[0]);
                row[1] = _mm512_fmadd_ps(av, b1, row[1]);
            }
        }
        // SAFETY: as for the loads.
        unsafe { store_c12x32(&acc, c, ldc, rows, cols) };
    }

    /// A 12 x 32 tile of bf16 products over `pairs` k pairs with VDPBF16PS:
    /// `a` holds 12 rows of `pairs` u32 pairs, `b` 32 column pairs per step
    /// (128 bytes).
    #[target_feature(enable = "avx512f,avx512bf16")]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile512_dp(pairs: usize, a: *const u32, b: *const u16, c: *mut f32, ldc: usize, load: bool, rows: usize, cols: usize) {
        const MR: usize = 12;
        // SAFETY: C's rows x cols tile is valid (the caller's contract).
        let mut acc = if load { unsafe { load_c12x32(c, ldc, rows, cols) } } else { [[_mm512_setzero_ps(); 2]; MR] };
        for kp in 0..pairs {
            // SAFETY: pair kp of the panel (64 u16) is readable (the caller's contract).
            // The casts reinterpret 512 bits of bf16 pairs as the instruction's type.
            let (b0, b1): (__m512bh, __m512bh) = unsafe {
                let p = b.add(kp * 64) as *const f32;
                let b0 = std::mem::transmute::<__m512, __m512bh>(_mm512_loadu_ps(p));
                let b1 = std::mem::transmute::<__m512, __m512bh>(_mm512_loadu_ps(p.add(16)));
                (b0, b1)
            };
            // B comes from L3 on a panel's first sliver: fetch 8 pairs ahead.
            let ahead = (b as *const u8).wrapping_add((kp + 8) * 128) as *const i8;
            _mm_prefetch::<_MM_HINT_T0>(ahead);
            _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(64));
            for (r, row) in acc.iter_mut().enumerate() {
                // SAFETY: row r of the packed sliver holds `pairs` pairs.
                let pair = unsafe { *a.add(r * pairs + kp) };
                // SAFETY: as above, a plain reinterpretation of 16 u32 lanes.
                let av = unsafe { std::mem::transmute::<__m512i, __m512bh>(_mm512_set1_epi32(pair as i32)) };
                row[0] = _mm512_dpbf16_ps(row[0], av, b0);
                row[1] = _mm512_dpbf16_ps(row[1], av, b1);
            }
        }
        // SAFETY: as for the loads.
        unsafe { store_c12x32(&acc, c, ldc, rows, cols) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rand_vec(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..len)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn naive(a: &[f32], m: usize, k: usize, w: &[f32], n: usize) -> Vec<f64> {
        let mut out = vec![0f64; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|kk| a[i * k + kk] as f64 * w[j * k + kk] as f64).sum();
            }
        }
        out
    }

    #[test]
    fn matches_naive_product_on_ragged_shapes() {
        for &(m, k, n) in &[(1, 1, 1), (7, 300, 33), (50, 513, 70), (13, 64, 16), (130, 40, 100)] {
            let a = rand_vec(m * k, 1);
            let w = rand_vec(n * k, 2);
            let b = PackedB::from_weight(&w, n, k);
            let mut c = vec![0f32; m * n];
            gemm(&a, k, m, &b, 0..b.panels(), &mut c, n, Epilogue::None, Par::Pool);
            let want = naive(&a, m, k, &w, n);
            for (x, y) in c.iter().zip(&want) {
                assert!((*x as f64 - y).abs() < 1e-4, "{m}x{k}x{n}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn a_row_has_the_same_bits_alone_or_in_a_batch() {
        let (m, k, n) = (97, 700, 75);
        let a = rand_vec(m * k, 3);
        let w = rand_vec(n * k, 4);
        let b = PackedB::from_weight(&w, n, k);
        let mut full = vec![0f32; m * n];
        gemm(&a, k, m, &b, 0..b.panels(), &mut full, n, Epilogue::None, Par::Pool);
        for i in [0, 5, 96] {
            let mut one = vec![0f32; n];
            gemm(&a[i * k..], k, 1, &b, 0..b.panels(), &mut one, n, Epilogue::None, Par::Serial);
            assert_eq!(one, full[i * n..(i + 1) * n]);
        }
    }

    #[test]
    fn packed_and_in_place_a_give_the_same_bits() {
        let (m, k) = (29, 300);
        let n = kernel().nr * (PACK_MIN_PANELS + 1) - 3;
        let a = rand_vec(m * k, 9);
        let w = rand_vec(n * k, 10);
        let b = PackedB::from_weight(&w, n, k);
        let mut whole = vec![0f32; m * n];
        gemm(&a, k, m, &b, 0..b.panels(), &mut whole, n, Epilogue::None, Par::Serial);
        for p in 0..b.panels() {
            let cols = b.cols_of(&(p..p + 1));
            let mut one = vec![0f32; m * cols];
            gemm(&a, k, m, &b, p..p + 1, &mut one, cols, Epilogue::None, Par::Serial);
            for i in 0..m {
                assert_eq!(one[i * cols..(i + 1) * cols], whole[i * n + p * b.nr()..i * n + p * b.nr() + cols]);
            }
        }
    }

    #[test]
    fn panel_ranges_and_kn_packing() {
        let (m, k, n) = (9, 20, 70);
        let a = rand_vec(m * k, 5);
        let bkn = rand_vec(k * n, 6);
        let mut b = PackedB::default();
        b.pack_kn(&bkn, n, k, n);
        let p0 = 1;
        let p1 = b.panels();
        let col0 = p0 * b.nr();
        let ncols = n - col0;
        let mut c = vec![0f32; m * ncols];
        gemm(&a, k, m, &b, p0..p1, &mut c, ncols, Epilogue::None, Par::Serial);
        for i in 0..m {
            for j in 0..ncols {
                let want: f64 = (0..k).map(|kk| a[i * k + kk] as f64 * bkn[kk * n + col0 + j] as f64).sum();
                assert!((c[i * ncols + j] as f64 - want).abs() < 1e-4);
            }
        }
    }

    /// `A·B` computed tile by tile with kernel `kern`: edge tiles are partial
    /// (masked loads and stores), and k is split in two passes so the second
    /// continues from C (`load`).
    fn by_tiles(kern: &Kernel, a: &[f32], m: usize, k: usize, w: &[f32], n: usize) -> Vec<f32> {
        let (mr, nr) = (kern.mr, kern.nr);
        let mut out = vec![0f32; m * n];
        let k1 = k / 2 + 3;
        for i0 in (0..m).step_by(mr) {
            for j0 in (0..n).step_by(nr) {
                let (rows, cols) = (mr.min(m - i0), nr.min(n - j0));
                for (ks, load) in [(0..k1, false), (k1..k, true)] {
                    let kc = ks.len();
                    let mut ap = vec![0f32; mr * kc];
                    let mut bp = vec![0f32; nr * kc];
                    for (t, kk) in ks.clone().enumerate() {
                        for r in 0..rows {
                            ap[t * mr + r] = a[(i0 + r) * k + kk];
                        }
                        for c in 0..cols {
                            bp[t * nr + c] = w[(j0 + c) * k + kk];
                        }
                    }
                    // Written straight into the output (stride n), edges included.
                    let cp = out[i0 * n + j0..].as_mut_ptr();
                    // SAFETY: `ap`/`bp` hold kc groups of mr/nr values; the kernel touches only
                    // `rows x cols` of C at stride n, all inside `out`.
                    unsafe { (kern.f)(kc, ap.as_ptr(), bp.as_ptr(), cp, n, load, rows, cols) };
                }
            }
        }
        out
    }

    #[test]
    fn every_kernel_gives_the_same_bits() {
        // Same FMA chain per element whatever the register tiling, edges included.
        for &(m, k, n) in &[(20, 300, 40), (13, 37, 19), (1, 5, 70), (25, 64, 33)] {
            let a = rand_vec(m * k, 7);
            let w = rand_vec(n * k, 8);
            let reference = by_tiles(&kernel_for(Level::Generic), &a, m, k, &w, n);
            for level in Level::ALL {
                if !level.supported() {
                    eprintln!("every_kernel_gives_the_same_bits: {} not run: this CPU lacks it", level.name());
                    continue;
                }
                let kern = kernel_for(level);
                assert_eq!(by_tiles(&kern, &a, m, k, &w, n), reference, "{m}x{k}x{n}: {} differs from generic", kern.name);
            }
        }
    }

    #[test]
    fn strided_kernels_match_packed_ones() {
        let (m, k, n) = (11, 70, 29);
        let a = rand_vec(m * k, 11);
        let w = rand_vec(n * k, 12);
        for level in Level::ALL.into_iter().filter(|l| l.supported()) {
            let kern = kernel_for(level);
            let (mr, nr) = (kern.mr, kern.nr);
            let (rows, cols) = (mr.min(m) - 1, nr.min(n) - 1);
            let mut ap = vec![0f32; mr * k];
            let mut bp = vec![0f32; nr * k];
            for kk in 0..k {
                for r in 0..rows {
                    ap[kk * mr + r] = a[r * k + kk];
                }
                for c in 0..cols {
                    bp[kk * nr + c] = w[c * k + kk];
                }
            }
            let (mut packed, mut strided) = (vec![0f32; rows * cols], vec![0f32; rows * cols]);
            // SAFETY: buffers sized for a rows x cols tile over k steps; A has `rows` rows at stride k.
            unsafe {
                (kern.f)(k, ap.as_ptr(), bp.as_ptr(), packed.as_mut_ptr(), cols, false, rows, cols);
                (kern.fs)(k, a.as_ptr(), k, bp.as_ptr(), strided.as_mut_ptr(), cols, false, rows, cols);
            }
            assert_eq!(packed, strided, "{}", kern.name);
        }
    }

    #[test]
    fn bf16_rounds_to_nearest_even() {
        assert_eq!(bf16_round(1.0), 1.0);
        // 1 + 2^-8 is halfway between two bf16 values: ties go to the even one (1.0).
        assert_eq!(bf16_round(1.0 + 1.0 / 256.0), 1.0);
        // 1 + 3 * 2^-8 is halfway too: the even neighbour is 1 + 2^-6.
        assert_eq!(bf16_round(1.0 + 3.0 / 256.0), 1.0 + 1.0 / 64.0);
        assert_eq!(bf16_round(1.0 + 1.0 / 256.0 + 1.0 / 65536.0), 1.0 + 1.0 / 128.0);
        assert_eq!(bf16_round(-2.5), -2.5);
        assert!(bf16_round(f32::NAN).is_nan());
        assert_eq!(bf16_round(f32::INFINITY), f32::INFINITY);
        assert_eq!(bf16_round(f32::MAX), f32::INFINITY);
        assert_eq!(bf16_bits(1.0), 0x3f80);
        for x in [0.1f32, -3.7, 1e-20, 6.5e4] {
            assert_eq!(bf16_round(x), half::bf16::from_f32(x).to_f32(), "{x}");
        }
    }

    /// What a bf16 product must give, element by element: a float32 sum from
    /// zero of the exact products of the rounded inputs, k in order for an FMA
    /// kernel; for a pair kernel k two at a time, the odd step first, a missing
    /// last odd step adding +0 (VDPBF16PS on zero padding). The inputs have no
    /// subnormals, so the instruction's flushing of them does not show.
    fn bf16_chain(a: &[f32], m: usize, k: usize, w: &[f32], n: usize, pairs: bool) -> Vec<f32> {
        let mut out = vec![0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                // Exact: two 8-bit significands multiply into 16 bits.
                let term = |kk: usize| bf16_round(a[i * k + kk]) * bf16_round(w[j * k + kk]);
                let mut acc = 0f32;
                if pairs {
                    for kk in (0..k).step_by(2) {
                        acc += if kk + 1 < k { term(kk + 1) } else { 0.0 };
                        acc += term(kk);
                    }
                } else {
                    for kk in 0..k {
                        acc += term(kk);
                    }
                }
                out[i * n + j] = acc;
            }
        }
        out
    }

    #[test]
    fn a_bf16_product_is_its_kernels_chain_over_the_rounded_inputs() {
        // Bit for bit, whatever the shape (odd k, edge tiles, several k passes),
        // alone or in a batch.
        let pairs = kernel().pairs;
        for &(m, k, n) in &[(1, 5, 3), (7, 300, 33), (29, 301, 16 * (PACK_MIN_PANELS + 1) - 3), (50, 513, 70)] {
            let a = rand_vec(m * k, 21);
            let w = rand_vec(n * k, 22);
            let bh = PackedB::from_weight_bf16(&w, n, k);
            assert!(bh.is_bf16() && bh.bytes() <= PackedB::from_weight(&w, n, k).bytes() / 2 + 2 * n * bh.nr());
            assert_eq!(bh.at(k - 1, n - 1), bf16_round(w[(n - 1) * k + k - 1]));
            let mut got = vec![0f32; m * n];
            gemm(&a, k, m, &bh, 0..bh.panels(), &mut got, n, Epilogue::None, Par::Pool);
            assert!(got == bf16_chain(&a, m, k, &w, n, pairs), "{m}x{k}x{n} on {}", kernel().name);
            let mut one = vec![0f32; n];
            gemm(&a[(m - 1) * k..], k, 1, &bh, 0..bh.panels(), &mut one, n, Epilogue::None, Par::Serial);
            assert_eq!(one, got[(m - 1) * n..]);
        }
    }

    #[test]
    fn every_kernel_gives_its_chain_in_bf16() {
        // Each kernel this CPU runs, tile by tile (edges masked), k in two
        // passes (the second continues from C), packed as `block` packs.
        for &(m, k, n) in &[(13, 250, 45), (5, 37, 70), (25, 64, 33)] {
            let a = rand_vec(m * k, 31);
            let w = rand_vec(n * k, 32);
            for level in Level::ALL {
                if !level.supported() {
                    eprintln!("every_kernel_gives_its_chain_in_bf16: {} not run: this CPU lacks it", level.name());
                    continue;
                }
                let kern = kernel_for(level);
                let (mr, nr) = (kern.mr, kern.nr);
                let split = (k / 2) & !1;
                let mut out = vec![0f32; m * n];
                for i0 in (0..m).step_by(mr) {
                    for j0 in (0..n).step_by(nr) {
                        let (rows, cols) = (mr.min(m - i0), nr.min(n - j0));
                        for (ks, load) in [(0..split, false), (split..k, true)] {
                            let kc = ks.len();
                            let mut ap = vec![0f32; mr * kc];
                            let mut bp = vec![0u16; nr * kc.div_ceil(2) * 2];
                            let src = &a[i0 * k + ks.start..];
                            if kern.pairs {
                                // SAFETY: only pair kernels the CPU runs get here; ap holds mr rows
                                // of ceil(kc/2) pairs, src `rows` rows of kc values at stride k.
                                #[cfg(target_arch = "x86_64")]
                                unsafe {
                                    x86::pack_pairs(ap.as_mut_ptr() as *mut u32, src.as_ptr(), k, rows, mr, kc)
                                };
                            } else {
                                pack_sliver(&mut ap, src, k, rows, mr, kc, true);
                            }
                            for (t, kk) in ks.clone().enumerate() {
                                for c in 0..cols {
                                    let at = if kern.pairs { (t / 2) * 2 * nr + 2 * c + t % 2 } else { t * nr + c };
                                    bp[at] = bf16_bits(w[(j0 + c) * k + kk]);
                                }
                            }
                            // SAFETY: `ap`/`bp` hold kc steps of the tile in the kernel's layout;
                            // C's rows x cols tile at stride n is inside `out`.
                            unsafe { (kern.fh)(kc, ap.as_ptr(), bp.as_ptr(), out[i0 * n + j0..].as_mut_ptr(), n, load, rows, cols) };
                        }
                    }
                }
                assert!(out == bf16_chain(&a, m, k, &w, n, kern.pairs), "{m}x{k}x{n}: {} bf16 is not its chain", kern.name);
            }
        }
    }
}
