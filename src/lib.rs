//! zeroshot: zero-shot text classification with DeBERTa-v2/v3 NLI models,
//! exact to the Hugging Face zero-shot-classification pipeline.

pub mod app;
pub mod classify;
pub mod cli;
pub mod config;
pub mod embed;
pub mod eval;
pub mod hub;
pub mod input;
pub mod inspect;
pub mod job;
pub mod labels;
pub mod model;
pub mod nli;
pub mod output;
pub mod progress;
pub mod spm;
pub mod stream;
pub mod tokenize;
