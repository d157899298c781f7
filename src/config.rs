//! Checked, clap-free settings for each command, built from the parsed
//! command line before any work starts: every usage error surfaces here.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::classify::Batching;
use crate::cli::{ClassifyArgs, FormatArg, ModelArgs};
use crate::input::{Column, InputSpec, Source, Structured};
use crate::labels::{self, Label, DEFAULT_TEMPLATE};
use crate::output::{Format, Show};

#[derive(Clone, Debug)]
pub struct ModelSpec {
    pub spec: String,
    pub revision: Option<String>,
}

impl From<&ModelArgs> for ModelSpec {
    fn from(a: &ModelArgs) -> Self {
        ModelSpec { spec: a.model.clone(), revision: a.revision.clone() }
    }
}

#[derive(Clone, Debug)]
pub struct ClassifyConfig {
    pub input: InputSpec,
    pub labels: Vec<Label>,
    pub template: String,
    pub multi_label: bool,
    pub model: ModelSpec,
    pub format: Format,
    /// Output carries CSV rows or JSONL records through (format matches the input).
    pub passthrough: bool,
    pub output: Option<PathBuf>,
    pub resume: bool,
    pub show: Show,
    pub gate: Option<Gate>,
    pub shard: Option<Shard>,
    pub progress: ProgressMode,
    pub batching: Batching,
    pub threads: Option<usize>,
}

/// `--fail-on`: labels whose score at or above the threshold fails the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub labels: Vec<String>,
    pub threshold: f32,
}

/// `--shard I/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard> {
        let (i, n) = s.split_once('/').with_context(|| format!("--shard {s:?}: expected I/N, e.g. 0/4"))?;
        let index: usize = i.trim().parse().with_context(|| format!("--shard {s:?}: {i:?} is not a number"))?;
        let count: usize = n.trim().parse().with_context(|| format!("--shard {s:?}: {n:?} is not a number"))?;
        if count == 0 || index >= count {
            bail!("--shard {s:?}: needs 0 <= I < N");
        }
        Ok(Shard { index, count })
    }

    pub fn takes(&self, doc_index: usize) -> bool {
        doc_index % self.count == self.index
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    Off,
    /// A progress bar when stderr is a terminal.
    Auto,
    /// Progress also when stderr is not a terminal (plain lines).
    Always,
}

fn delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => Ok(s.as_bytes()[0]),
        _ => bail!("--delimiter {s:?}: give one ASCII character (or `tab`), not a quote or line break"),
    }
}

impl ClassifyConfig {
    pub fn new(a: &ClassifyArgs, stdout_is_terminal: bool) -> Result<Self> {
        let mut labels: Vec<Label> = Vec::new();
        let mut file_template = None;
        for list in &a.labels {
            if list.starts_with('@') {
                let set = labels::builtin_set(list)?;
                labels.extend(set.labels);
                file_template = file_template.or(set.template);
            } else {
                labels.extend(labels::parse_list(list)?);
            }
        }
        for one in &a.label {
            labels.push(labels::parse_single(one)?);
        }
        for path in &a.labels_file {
            let set = labels::read_file(path)?;
            labels.extend(set.labels);
            if file_template.is_none() {
                file_template = set.template;
            }
        }
        labels::check_unique(&labels)?;
        let template = a.template.clone().or(file_template).unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
        labels::check_template(&template)?;

        if a.batch_size == 0 || a.batch_tokens == 0 {
            bail!("--batch-size and --batch-tokens must be at least 1");
        }
        if a.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        let mut sources: Vec<Source> = a.files.iter().map(|f| Source::parse(f)).collect();
        if sources.is_empty() {
            sources.push(Source::Stdin);
        }
        if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
            bail!("`-` (stdin) is given more than once");
        }

        // Structured input: forced by a flag, or implied by every file's extension.
        let delim = a.delimiter.as_deref().map(delimiter).transpose()?;
        let structured = if a.csv {
            Some(Structured::Csv(delim.unwrap_or(b',')))
        } else if a.jsonl {
            Some(Structured::Jsonl)
        } else {
            let implied: Vec<Option<Structured>> = sources.iter().map(Source::implied_format).collect();
            let first = implied[0];
            if implied.iter().any(|f| *f != first) {
                bail!("the inputs mix formats (CSV, JSONL, text); classify them separately, or force one with --csv or --jsonl");
            }
            match first {
                Some(Structured::Csv(d)) => Some(Structured::Csv(delim.unwrap_or(d))),
                other => other,
            }
        };
        if delim.is_some() && !matches!(structured, Some(Structured::Csv(_))) {
            bail!("--delimiter applies to CSV input only (add --csv)");
        }
        if a.lines && structured.is_some() {
            bail!("--lines applies to text input, not CSV or JSONL");
        }

        let format = match a.format {
            Some(FormatArg::Jsonl) => Format::Jsonl,
            Some(FormatArg::Json) => Format::Json,
            Some(FormatArg::Tsv) => Format::Tsv,
            Some(FormatArg::Csv) => Format::Csv,
            Some(FormatArg::Table) => Format::Table,
            None => match structured {
                Some(Structured::Csv(_)) => Format::Csv,
                Some(Structured::Jsonl) => Format::Jsonl,
                None if stdout_is_terminal && a.output.is_none() => Format::Table,
                None => Format::Jsonl,
            },
        };
        let passthrough = matches!(
            (structured, format),
            (Some(Structured::Csv(_)), Format::Csv) | (Some(Structured::Jsonl), Format::Jsonl)
        );

        if let Some(t) = a.threshold {
            if !(0.0..=1.0).contains(&t) {
                bail!("--threshold {t}: must be between 0 and 1");
            }
            if !a.multi_label && a.fail_on.is_empty() {
                bail!("--threshold needs --multi-label (to filter labels) or --fail-on (to gate)");
            }
        }
        for l in &a.fail_on {
            if !labels.iter().any(|x| &x.name == l) {
                bail!("--fail-on {l:?} is not one of the candidate labels");
            }
        }
        let gate = (!a.fail_on.is_empty())
            .then(|| Gate { labels: a.fail_on.clone(), threshold: a.threshold.unwrap_or(0.5) });
        let show = Show {
            top_k: a.top_k,
            min_score: if a.multi_label { a.threshold } else { None },
        };
        if a.top_k == Some(0) {
            bail!("--top-k must be at least 1");
        }
        let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
        let progress = if a.quiet {
            ProgressMode::Off
        } else if a.progress {
            ProgressMode::Always
        } else {
            ProgressMode::Auto
        };

        Ok(ClassifyConfig {
            input: InputSpec {
                sources,
                lines: a.lines,
                structured,
                text_column: Column::parse(&a.text_column),
                id_column: a.id_column.as_deref().map(Column::parse),
                text_field: a.text_field.clone(),
                skip_bad_rows: a.skip_bad_rows,
            },
            labels,
            template,
            multi_label: a.multi_label,
            model: ModelSpec::from(&a.model),
            format,
            passthrough,
            output: a.output.clone(),
            resume: a.resume,
            show,
            gate,
            shard,
            progress,
            batching: Batching { batch_size: a.batch_size, batch_tokens: a.batch_tokens },
            threads: a.threads,
        })
    }
}
