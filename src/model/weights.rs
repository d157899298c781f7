//! Reading checkpoint tensors: safetensors (memory-mapped, single or sharded)
//! or PyTorch `pytorch_model.bin` (through candle's pickle reader), in f32, f16,
//! bf16 or f64. Values are widened to f32 on use; widening is exact.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use memmap2::Mmap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    F32,
    F16,
    BF16,
    F64,
}

impl DType {
    pub fn size(self) -> usize {
        match self {
            DType::F32 => 4,
            DType::F16 | DType::BF16 => 2,
            DType::F64 => 8,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "float32",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F64 => "float64",
        }
    }
}

#[derive(Clone)]
enum Bytes {
    Mapped(Arc<Mmap>, usize, usize),
    Owned(Arc<Vec<u8>>),
}

/// One tensor's raw little-endian data, its type and shape.
#[derive(Clone)]
pub struct TensorData {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    bytes: Bytes,
}

impl TensorData {
    fn raw(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(m, a, b) => &m[*a..*b],
            Bytes::Owned(v) => v,
        }
    }

    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// Widens elements `start..start+out.len()` into `out`.
    pub fn read_into(&self, start: usize, out: &mut [f32]) {
        let sz = self.dtype.size();
        let raw = &self.raw()[start * sz..(start + out.len()) * sz];
        match self.dtype {
            DType::F32 => {
                for (o, c) in out.iter_mut().zip(raw.chunks_exact(4)) {
                    *o = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                }
            }
            DType::F16 => {
                for (o, c) in out.iter_mut().zip(raw.chunks_exact(2)) {
                    *o = half::f16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f32();
                }
            }
            DType::BF16 => {
                for (o, c) in out.iter_mut().zip(raw.chunks_exact(2)) {
                    *o = half::bf16::from_bits(u16::from_le_bytes([c[0], c[1]])).to_f32();
                }
            }
            DType::F64 => {
                for (o, c) in out.iter_mut().zip(raw.chunks_exact(8)) {
                    *o = f64::from_le_bytes(c.try_into().unwrap()) as f32;
                }
            }
        }
    }

    /// Lets the OS drop the pages of this tensor's bytes once they have been
    /// copied (see `Checkpoint::release_pages`): loading then never holds a
    /// weight twice. Whole pages inside the tensor only; a later read faults
    /// them back in from the file.
    pub fn release(&self) {
        #[cfg(unix)]
        if let Bytes::Mapped(m, a, b) = &self.bytes {
            const PAGE: usize = 4096;
            let (start, end) = (a.div_ceil(PAGE) * PAGE, b / PAGE * PAGE);
            if end > start {
                // SAFETY: as in `Checkpoint::release_pages`: a read-only shared mapping never
                // written; dropped pages are faulted in again from the unchanged file.
                let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, start, end - start) };
            }
        }
    }

    pub fn to_f32(&self) -> Vec<f32> {
        let mut out = vec![0f32; self.numel()];
        self.read_into(0, &mut out);
        out
    }

    /// The data as f32 after checking the shape.
    pub fn expect(&self, shape: &[usize]) -> Result<Vec<f32>> {
        if self.shape != shape {
            bail!("tensor {} has shape {:?}, the config implies {:?}", self.name, self.shape, shape);
        }
        Ok(self.to_f32())
    }
}

/// All tensors of a checkpoint folder by name.
pub struct Checkpoint {
    pub files: Vec<PathBuf>,
    tensors: HashMap<String, TensorData>,
}

impl Checkpoint {
    /// Opens the weights in `dir`, preferring safetensors as transformers does.
    pub fn open(dir: &Path) -> Result<Self> {
        let candidates = [
            "model.safetensors",
            "model.safetensors.index.json",
            "pytorch_model.bin",
            "pytorch_model.bin.index.json",
        ];
        let Some(first) = candidates.iter().map(|f| dir.join(f)).find(|p| p.is_file()) else {
            bail!(
                "no weights in {}: expected model.safetensors or pytorch_model.bin (or a sharded *.index.json)",
                dir.display()
            );
        };
        let files = if first.extension().is_some_and(|e| e == "json") {
            shards(&first)?
        } else {
            vec![first]
        };
        let mut tensors = HashMap::new();
        for f in &files {
            let is_st = f.extension().is_some_and(|e| e == "safetensors");
            let loaded = if is_st { read_safetensors(f) } else { read_pth(f) };
            for t in loaded.with_context(|| format!("cannot read weights from {}", f.display()))? {
                tensors.insert(t.name.clone(), t);
            }
        }
        Ok(Checkpoint { files, tensors })
    }

    pub fn get(&self, name: &str) -> Option<&TensorData> {
        self.tensors.get(name).or_else(|| {
            // Older checkpoints name LayerNorm parameters gamma/beta; transformers renames them on load.
            let alt = name.strip_suffix("LayerNorm.weight").map(|p| format!("{p}LayerNorm.gamma")).or_else(|| {
                name.strip_suffix("LayerNorm.bias").map(|p| format!("{p}LayerNorm.beta"))
            })?;
            self.tensors.get(&alt)
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.tensors.keys().map(String::as_str)
    }

    /// Lets the OS drop the mapped file's pages from this process: weights were
    /// copied into packed buffers at load, and the embedding rows read later
    /// fault back in from the page cache (the mapping is read-only, so its
    /// contents never change). Saves the file's size in resident memory.
    pub fn release_pages(&self) {
        #[cfg(unix)]
        {
            let mut seen: Vec<*const Mmap> = Vec::new();
            for t in self.tensors.values() {
                if let Bytes::Mapped(m, _, _) = &t.bytes {
                    let ptr = Arc::as_ptr(m);
                    if !seen.contains(&ptr) {
                        seen.push(ptr);
                        // SAFETY: a read-only shared file mapping (memmap2 maps MAP_SHARED) that is
                        // never written: MADV_DONTNEED drops our page-table entries only, and the
                        // next access faults the same file bytes in again (the same assumption
                        // as `Mmap::map`: nobody rewrites the checkpoint while we run).
                        let _ = unsafe { m.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, 0, m.len()) };
                    }
                }
            }
        }
    }

    /// The dtype most of the parameters are stored in.
    pub fn main_dtype(&self) -> Option<DType> {
        let mut count: HashMap<&'static str, (usize, DType)> = HashMap::new();
        for t in self.tensors.values() {
            let e = count.entry(t.dtype.name()).or_insert((0, t.dtype));
            e.0 += t.numel();
        }
        count.into_values().max_by_key(|(n, _)| *n).map(|(_, d)| d)
    }
}

fn shards(index: &Path) -> Result<Vec<PathBuf>> {
    let text = std::fs::read_to_string(index).with_context(|| format!("cannot read {}", index.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", index.display()))?;
    let map = v
        .get("weight_map")
        .and_then(|m| m.as_object())
        .with_context(|| format!("{} has no weight_map", index.display()))?;
    let dir = index.parent().unwrap_or(Path::new("."));
    let mut files: Vec<PathBuf> = map.values().filter_map(|f| f.as_str()).map(|f| dir.join(f)).collect();
    files.sort();
    files.dedup();
    for f in &files {
        if !f.is_file() {
            bail!("shard {} listed in {} is missing", f.display(), index.display());
        }
    }
    Ok(files)
}

fn read_safetensors(path: &Path) -> Result<Vec<TensorData>> {
    let file = std::fs::File::open(path)?;
    // SAFETY: the map is read-only; like every safetensors reader we rely on the
    // file not being truncated while the process runs.
    let mmap = Arc::new(unsafe { Mmap::map(&file)? });
    let (header_len, meta) = safetensors::SafeTensors::read_metadata(&mmap[..])?;
    let base = 8 + header_len;
    let mut out = Vec::new();
    for (name, info) in meta.tensors() {
        let dtype = match info.dtype {
            safetensors::Dtype::F32 => DType::F32,
            safetensors::Dtype::F16 => DType::F16,
            safetensors::Dtype::BF16 => DType::BF16,
            safetensors::Dtype::F64 => DType::F64,
            // Integer buffers (e.g. position_ids) are not parameters we read.
            _ => continue,
        };
        let (a, b) = info.data_offsets;
        out.push(TensorData {
            name,
            dtype,
            shape: info.shape.clone(),
            bytes: Bytes::Mapped(mmap.clone(), base + a, base + b),
        });
    }
    Ok(out)
}

fn read_pth(path: &Path) -> Result<Vec<TensorData>> {
    use candle_core::DType as C;
    let pth = candle_core::pickle::PthTensors::new(path, None)?;
    let mut names: Vec<String> = pth.tensor_infos().keys().cloned().collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let Some(t) = pth.get(&name)? else { continue };
        let shape = t.dims().to_vec();
        let flat = t.flatten_all()?;
        let (dtype, bytes): (DType, Vec<u8>) = match t.dtype() {
            C::F32 => (DType::F32, flat.to_vec1::<f32>()?.iter().flat_map(|v| v.to_le_bytes()).collect()),
            C::F16 => (DType::F16, flat.to_vec1::<half::f16>()?.iter().flat_map(|v| v.to_le_bytes()).collect()),
            C::BF16 => (DType::BF16, flat.to_vec1::<half::bf16>()?.iter().flat_map(|v| v.to_le_bytes()).collect()),
            C::F64 => (DType::F64, flat.to_vec1::<f64>()?.iter().flat_map(|v| v.to_le_bytes()).collect()),
            _ => continue,
        };
        out.push(TensorData { name, dtype, shape, bytes: Bytes::Owned(Arc::new(bytes)) });
    }
    Ok(out)
}
