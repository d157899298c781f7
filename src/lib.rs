//! zeroshot: zero-shot text classification with DeBERTa-v2/v3 NLI models.

pub mod model;
pub mod tokenize;
