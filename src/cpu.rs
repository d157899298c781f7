//! What this CPU can run, detected once, and the instruction-set level every
//! kernel (matrix products, elementwise maths) uses for the whole process.
//!
//! A leaf module: the model layer asks it which level to use; the binary may
//! force one (`ZEROSHOT_KERNEL`) through [`init`], which refuses a level the
//! CPU cannot run instead of silently running another.

use std::sync::OnceLock;

/// An instruction-set level, from the portable baseline up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Plain Rust, any CPU.
    Generic,
    /// x86-64 AVX2 with FMA.
    Avx2,
    /// x86-64 AVX-512 (foundation).
    Avx512,
    /// AVX-512 with the bf16 dot product (VDPBF16PS): float32 runs as under
    /// `Avx512`; bf16 products use the dot-product instruction.
    Avx512Bf16,
}

impl Level {
    pub const ALL: [Level; 4] = [Level::Generic, Level::Avx2, Level::Avx512, Level::Avx512Bf16];

    pub fn name(self) -> &'static str {
        match self {
            Level::Generic => "generic",
            Level::Avx2 => "avx2",
            Level::Avx512 => "avx512",
            Level::Avx512Bf16 => "avx512bf16",
        }
    }

    pub fn parse(name: &str) -> Option<Level> {
        Level::ALL.into_iter().find(|l| l.name() == name)
    }

    /// Whether this CPU (and OS) can run the level.
    pub fn supported(self) -> bool {
        features().supports(self)
    }
}

/// The CPU features the kernels care about.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Features {
    pub avx2_fma: bool,
    pub avx512f: bool,
    pub avx512bf16: bool,
}

impl Features {
    fn supports(self, l: Level) -> bool {
        match l {
            Level::Generic => true,
            Level::Avx2 => self.avx2_fma,
            Level::Avx512 => self.avx512f && self.avx2_fma,
            Level::Avx512Bf16 => self.avx512bf16 && self.avx512f && self.avx2_fma,
        }
    }
}

/// The features detected at first use.
pub fn features() -> Features {
    static F: OnceLock<Features> = OnceLock::new();
    *F.get_or_init(detect)
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Features {
    Features {
        avx2_fma: std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"),
        avx512f: std::arch::is_x86_feature_detected!("avx512f"),
        avx512bf16: std::arch::is_x86_feature_detected!("avx512bf16"),
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn detect() -> Features {
    Features::default()
}

/// The best level this CPU runs.
pub fn best() -> Level {
    let f = features();
    Level::ALL.into_iter().rev().find(|&l| f.supports(l)).unwrap_or(Level::Generic)
}

static CHOSEN: OnceLock<Level> = OnceLock::new();

/// Why a requested level cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    #[error("ZEROSHOT_KERNEL={0:?} is not a kernel; choose one of generic, avx2, avx512, avx512bf16 (or unset it)")]
    Unknown(String),
    #[error("ZEROSHOT_KERNEL={0}: this CPU cannot run it; it can run {1}")]
    Unsupported(&'static str, String),
    #[error("the kernel is already chosen ({0}); it is chosen once per process")]
    AlreadyChosen(&'static str),
}

/// Chooses the level for this process: `name` forces one (validated), `None`
/// takes the best. Call before the first product; a later call that asks for
/// a different level is an error.
pub fn init(name: Option<&str>) -> Result<Level, KernelError> {
    let wanted = match name {
        None => best(),
        Some(n) => {
            let l = Level::parse(n).ok_or_else(|| KernelError::Unknown(n.to_string()))?;
            if !l.supported() {
                let can: Vec<&str> = Level::ALL.into_iter().filter(|l| l.supported()).map(Level::name).collect();
                return Err(KernelError::Unsupported(l.name(), can.join(", ")));
            }
            l
        }
    };
    let got = *CHOSEN.get_or_init(|| wanted);
    if got != wanted {
        return Err(KernelError::AlreadyChosen(got.name()));
    }
    Ok(got)
}

/// The level in use: the one [`init`] chose, else the best.
pub fn level() -> Level {
    *CHOSEN.get_or_init(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_generic_always_runs() {
        for l in Level::ALL {
            assert_eq!(Level::parse(l.name()), Some(l));
        }
        assert!(Level::Generic.supported());
        assert!(best().supported());
        assert_eq!(Level::parse("sse9"), None);
    }
}
