//! Output formats: pure functions from results to bytes, one file per
//! format, each snapshot-tested on its own, with the [`Render`] impls that
//! write a command's results in that format beside them.

pub mod csv;
pub mod framing;
pub mod json;
pub mod jsonl;
pub mod npy;
pub mod table;
pub mod tsv;

use crate::input::{CsvHeader, Doc};

/// classify's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per document: id, labels, scores
    Jsonl,
    /// A JSON array of the same objects
    Json,
    /// One row per document: id, top label, its score, then a score column per label
    Tsv,
    /// CSV: the input's rows with columns appended (CSV input), else like tsv
    Csv,
    /// Ranked labels with scores and bars, for people
    Table,
}

/// nli's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
pub enum NliFormat {
    /// {"id", "label", "scores": {label: probability}} per pair
    Jsonl,
    /// id, predicted label, then one probability column per model label
    Tsv,
}

/// embed's output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
pub enum EmbedFormat {
    /// {"id", "embedding": [...]} (pooled) or {"id", "tokens", "embeddings"} per document
    Jsonl,
    /// A float32 NumPy array of shape (documents, hidden); needs --pool and --output
    Npy,
}

/// The format an output path's extension names: `csv`, `tsv`, `jsonl`,
/// `json` or `npy` (`.ndjson` is `jsonl`); `None` for any other extension.
pub fn extension_format(path: &std::path::Path) -> Option<&'static str> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "csv" => Some("csv"),
        "tsv" | "tab" => Some("tsv"),
        "jsonl" | "ndjson" => Some("jsonl"),
        "json" => Some("json"),
        "npy" => Some("npy"),
        _ => None,
    }
}

/// The format for `-o PATH`: `--format` if given (an error when the
/// extension names another), else the one the extension names, else
/// `default`. `named` maps an extension's format to the command's own.
pub fn choose<F: clap::ValueEnum + Copy + PartialEq>(
    given: Option<F>,
    output: Option<&std::path::Path>,
    named: impl Fn(&str) -> Option<F>,
    default: F,
) -> anyhow::Result<F> {
    let name = |f: F| f.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
    let implied = output.and_then(|p| extension_format(p).map(|e| (p, e)));
    let choices = || F::value_variants().iter().map(|&f| name(f)).collect::<Vec<_>>().join(", ");
    match (given, implied) {
        (Some(f), Some((p, ext))) => match named(ext) {
            Some(g) if g == f => Ok(f),
            _ => anyhow::bail!(
                "--format {} contradicts --output {} (its extension means {ext}); drop --format, or rename the output",
                name(f),
                p.display()
            ),
        },
        (Some(f), None) => Ok(f),
        (None, Some((p, ext))) => named(ext).ok_or_else(|| {
            anyhow::anyhow!("--output {}: this command cannot write {ext}; it writes {}", p.display(), choices())
        }),
        (None, None) => Ok(default),
    }
}

/// Turns one command's results into output bytes.
pub trait Render<R> {
    /// Written once, before the first record of a fresh run.
    fn preamble(&self) -> Vec<u8> {
        Vec::new()
    }
    fn record(&self, doc: &Doc, result: &R, written: usize) -> Vec<u8>;
    /// Written once, after the last record.
    fn epilogue(&self, _written: usize) -> Vec<u8> {
        Vec::new()
    }
    /// Bytes to overwrite at an offset once all records are in (a header that
    /// states a count).
    fn patch(&self, _written: usize) -> Option<(u64, Vec<u8>)> {
        None
    }
    /// How records sit in the file, for `zeroshot merge`.
    fn framing(&self) -> framing::Framing {
        framing::Framing::Unmergeable
    }
}

/// Names of the columns appended to CSV output.
pub const COL_LABEL: &str = "zeroshot_label";
pub const COL_SCORE: &str = "zeroshot_score";
pub const COL_SCORE_PREFIX: &str = "zeroshot_score_";
/// Key added to each record of JSONL input.
pub use crate::input::JSON_KEY;

/// One document's labels in descending score order (ties keep label order).
#[derive(Clone, Debug, PartialEq)]
pub struct Ranked {
    pub id: String,
    pub labels: Vec<String>,
    pub scores: Vec<f32>,
}

/// Which ranked labels to show.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct Show {
    pub top_k: Option<usize>,
    /// Only labels scoring at least this much.
    pub min_score: Option<f32>,
}

/// Sorts one document's scores (given in label order) into a ranking.
pub fn rank(id: &str, labels: &[String], scores: &[f32], show: Show) -> Ranked {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let keep = order
        .into_iter()
        .filter(|&i| show.min_score.is_none_or(|t| scores[i] >= t))
        .take(show.top_k.unwrap_or(usize::MAX));
    let (labels, scores) = keep.map(|i| (labels[i].clone(), scores[i])).unzip();
    Ranked { id: id.to_string(), labels, scores }
}

/// The best label and its score.
pub fn top(labels: &[String], scores: &[f32]) -> (String, f32) {
    let r = rank("", labels, scores, Show { top_k: Some(1), min_score: None });
    (r.labels[0].clone(), r.scores[0])
}

/// How classify results are written, fixed once the input and labels are
/// known: `passthrough` carries table rows or JSONL records through.
pub fn classify_render(
    format: Format,
    names: Vec<String>,
    show: Show,
    passthrough: bool,
    header: Option<CsvHeader>,
) -> Box<dyn Render<Vec<f32>> + Sync> {
    let passthrough_header = header.filter(|_| passthrough);
    match format {
        Format::Jsonl => Box::new(jsonl::Classify { names, show, passthrough }),
        Format::Json => Box::new(json::Classify { names, show }),
        Format::Tsv => Box::new(tsv::Classify { names }),
        Format::Csv => Box::new(csv::Classify { names, passthrough: passthrough_header }),
        Format::Table => {
            let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);
            Box::new(table::Classify { names, show, width })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_threshold_and_ties() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let r = rank("x", &labels, &[0.5, 0.5, 0.1], Show { top_k: Some(2), min_score: None });
        assert_eq!(r.labels, ["a", "b"]);
        let r = rank("x", &labels, &[0.5, 0.7, 0.1], Show { top_k: None, min_score: Some(0.5) });
        assert_eq!(r.labels, ["b", "a"]);
    }
}
