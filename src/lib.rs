//! zeroshot: zero-shot text classification with DeBERTa-v2/v3 NLI models,
//! exact to the Hugging Face zero-shot-classification pipeline.
//! ARCHITECTURE.md says what each module owns.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod app;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod cpu;
pub mod engine;
pub mod hub;
pub mod input;
pub mod inspect;
pub mod job;
pub mod labels;
pub mod metrics;
pub mod model;
pub mod msg;
pub mod output;
pub mod progress;
pub mod spm;
pub mod state;
pub mod tokenize;
pub mod unigram;

/// Exit codes: 0 success, 1 a gate tripped, 2 an error (some input failed or the run stopped).
pub mod exit {
    pub const OK: u8 = 0;
    pub const GATE: u8 = 1;
    pub const ERROR: u8 = 2;
}
