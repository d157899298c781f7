//! The DeBERTa-v2/v3 inference path: config, weights, kernels and forward pass.
//! Knows nothing about the command line.

pub mod config;
pub mod deberta;
pub mod gemm;
pub mod math;
pub mod profile;
pub mod weights;

pub use config::ModelConfig;
pub use deberta::{Deberta, Encoded, Precision};
