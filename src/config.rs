//! Checked, clap-free settings for each command, built from the parsed
//! command line before any work starts: every usage error surfaces here.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::classify::Batching;
use crate::cli::{
    AggregateArg, ClassifyArgs, EmbedArgs, EmbedFormatArg, EvalArgs, FormatArg, InputArgs, JobArgs, LongArg,
    ModelArgs, NliArgs, NliFormatArg, PoolArg, RunArgs,
};
use crate::input::{Column, Flags, InputSpec, Source, Structured};
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

/// How the model runs: batching and threads.
#[derive(Clone, Copy, Debug)]
pub struct RunConfig {
    pub batching: Batching,
    pub threads: Option<usize>,
}

impl RunConfig {
    pub fn new(a: &RunArgs) -> Result<Self> {
        if a.batch_size == 0 || a.batch_tokens == 0 {
            bail!("--batch-size and --batch-tokens must be at least 1");
        }
        if a.threads == Some(0) {
            bail!("--threads must be at least 1");
        }
        Ok(RunConfig { batching: Batching { batch_size: a.batch_size, batch_tokens: a.batch_tokens }, threads: a.threads })
    }
}

/// The output side of a streaming command.
#[derive(Clone, Debug)]
pub struct JobConfig {
    pub output: Option<PathBuf>,
    pub resume: bool,
    pub shard: Option<Shard>,
    pub progress: ProgressMode,
}

impl JobConfig {
    pub fn new(a: &JobArgs) -> Result<Self> {
        let progress = if a.quiet {
            ProgressMode::Off
        } else if a.progress {
            ProgressMode::Always
        } else {
            ProgressMode::Auto
        };
        Ok(JobConfig {
            output: a.output.clone(),
            resume: a.resume,
            shard: a.shard.as_deref().map(Shard::parse).transpose()?,
            progress,
        })
    }
}

#[derive(Clone, Debug)]
pub struct ClassifyConfig {
    pub input: InputSpec,
    pub labels: Vec<Label>,
    pub template: String,
    pub multi_label: bool,
    pub long: Long,
    pub model: ModelSpec,
    pub format: Format,
    /// Output carries CSV rows or JSONL records through (format matches the input).
    pub passthrough: bool,
    pub show: Show,
    pub gate: Option<Gate>,
    pub job: JobConfig,
    pub run: RunConfig,
}

/// What to do with documents longer than the model accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Long {
    Truncate,
    Chunk { stride: usize, aggregate: Aggregate },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    Max,
    Mean,
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
        "tab" | "\\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => Ok(s.as_bytes()[0]),
        _ => bail!("--delimiter {s:?}: give one ASCII character (or `tab`), not a quote or line break"),
    }
}

fn sources(files: &[String]) -> Result<Vec<Source>> {
    let mut sources: Vec<Source> = files.iter().map(|f| Source::parse(f)).collect();
    if sources.is_empty() {
        sources.push(Source::Stdin);
    }
    if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
        bail!("`-` (stdin) is given more than once");
    }
    Ok(sources)
}

/// Structured input: forced by a flag, or implied by every file's extension.
fn structured(sources: &[Source], csv: bool, jsonl: bool, delim: Option<u8>, stdin_default: Option<Structured>) -> Result<Option<Structured>> {
    let s = if csv {
        Some(Structured::Csv(delim.unwrap_or(b',')))
    } else if jsonl {
        Some(Structured::Jsonl)
    } else {
        let implied: Vec<Option<Structured>> =
            sources.iter().map(|s| if *s == Source::Stdin { stdin_default } else { s.implied_format() }).collect();
        let first = implied[0];
        if implied.iter().any(|f| *f != first) {
            bail!("the inputs mix formats (CSV, JSONL, text); process them separately, or force one with --csv or --jsonl");
        }
        match first {
            Some(Structured::Csv(d)) => Some(Structured::Csv(delim.unwrap_or(d))),
            other => other,
        }
    };
    if delim.is_some() && !matches!(s, Some(Structured::Csv(_))) {
        bail!("--delimiter applies to CSV input only (add --csv)");
    }
    Ok(s)
}

/// Documents for classify and embed.
pub fn input_spec(a: &InputArgs) -> Result<InputSpec> {
    let sources = sources(&a.files)?;
    let delim = a.delimiter.as_deref().map(delimiter).transpose()?;
    let structured = structured(&sources, a.csv, a.jsonl, delim, None)?;
    if a.lines && structured.is_some() {
        bail!("--lines applies to text input, not CSV or JSONL");
    }
    Ok(InputSpec {
        sources,
        lines: a.lines,
        structured,
        text_column: Column::parse(&a.text_column),
        id_column: a.id_column.as_deref().map(Column::parse),
        text_field: a.text_field.clone(),
        pair: None,
        flags: Flags::CLASSIFY,
        skip_bad_rows: a.skip_bad_rows,
    })
}

/// Candidate labels from `--labels` (lists or `@sets`), `--label` and
/// `--labels-file`, and the template: `--template`, else the first set's or
/// file's `# template:`, else the default. Checked: non-empty, unique, well formed.
fn gather_labels(lists: &[String], singles: &[String], files: &[PathBuf], template: Option<&str>) -> Result<(Vec<Label>, String)> {
    let mut labels: Vec<Label> = Vec::new();
    let mut set_template = None;
    for list in lists {
        if list.starts_with('@') {
            let set = labels::builtin_set(list)?;
            labels.extend(set.labels);
            set_template = set_template.or(set.template);
        } else {
            labels.extend(labels::parse_list(list)?);
        }
    }
    for one in singles {
        labels.push(labels::parse_single(one)?);
    }
    for path in files {
        let set = labels::read_file(path)?;
        labels.extend(set.labels);
        set_template = set_template.or(set.template);
    }
    labels::check_unique(&labels)?;
    let template = template.map(String::from).or(set_template).unwrap_or_else(|| DEFAULT_TEMPLATE.to_string());
    labels::check_template(&template)?;
    Ok((labels, template))
}

impl ClassifyConfig {
    pub fn new(a: &ClassifyArgs, stdout_is_terminal: bool) -> Result<Self> {
        let (labels, template) = gather_labels(&a.labels, &a.label, &a.labels_file, a.template.as_deref())?;

        let run = RunConfig::new(&a.run)?;
        let job = JobConfig::new(&a.job)?;
        let input = input_spec(&a.input)?;
        let format = match a.format {
            Some(FormatArg::Jsonl) => Format::Jsonl,
            Some(FormatArg::Json) => Format::Json,
            Some(FormatArg::Tsv) => Format::Tsv,
            Some(FormatArg::Csv) => Format::Csv,
            Some(FormatArg::Table) => Format::Table,
            None => match input.structured {
                Some(Structured::Csv(_)) => Format::Csv,
                Some(Structured::Jsonl) => Format::Jsonl,
                None if stdout_is_terminal && job.output.is_none() => Format::Table,
                None => Format::Jsonl,
            },
        };
        let passthrough = matches!(
            (input.structured, format),
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
        if a.top_k == Some(0) {
            bail!("--top-k must be at least 1");
        }
        let show = Show { top_k: a.top_k, min_score: if a.multi_label { a.threshold } else { None } };
        let long = match a.long {
            LongArg::Truncate => Long::Truncate,
            LongArg::Chunk => Long::Chunk {
                stride: a.stride,
                aggregate: match a.aggregate {
                    AggregateArg::Max => Aggregate::Max,
                    AggregateArg::Mean => Aggregate::Mean,
                },
            },
        };

        Ok(ClassifyConfig {
            input,
            labels,
            template,
            multi_label: a.multi_label,
            long,
            model: ModelSpec::from(&a.model),
            format,
            passthrough,
            show,
            gate,
            job,
            run,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NliFormat {
    Jsonl,
    Tsv,
}

#[derive(Clone, Debug)]
pub struct NliConfig {
    pub input: InputSpec,
    pub format: NliFormat,
    pub model: ModelSpec,
    pub job: JobConfig,
    pub run: RunConfig,
}

impl NliConfig {
    pub fn new(a: &NliArgs) -> Result<Self> {
        let sources = sources(&a.files)?;
        let delim = a.delimiter.as_deref().map(delimiter).transpose()?;
        let structured = structured(&sources, a.csv, a.jsonl, delim, Some(Structured::Csv(b'\t')))?
            .context("zeroshot nli reads CSV, TSV or JSONL (name files .csv, .tsv or .jsonl, or pass --csv/--jsonl)")?;
        Ok(NliConfig {
            input: InputSpec {
                sources,
                lines: false,
                structured: Some(structured),
                text_column: Column::parse(&a.premise),
                id_column: a.id_column.as_deref().map(Column::parse),
                text_field: a.premise.clone(),
                pair: Some((Column::parse(&a.hypothesis), a.hypothesis.clone())),
                flags: Flags { text_column: "--premise", text_field: "--premise", pair_column: "--hypothesis", pair_field: "--hypothesis" },
                skip_bad_rows: a.skip_bad_rows,
            },
            format: match a.format {
                NliFormatArg::Jsonl => NliFormat::Jsonl,
                NliFormatArg::Tsv => NliFormat::Tsv,
            },
            model: ModelSpec::from(&a.model),
            job: JobConfig::new(&a.job)?,
            run: RunConfig::new(&a.run)?,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Mean,
    Cls,
}

#[derive(Clone, Debug)]
pub struct EmbedConfig {
    pub input: InputSpec,
    pub pool: Option<Pool>,
    pub normalize: bool,
    /// Write a .npy array instead of JSONL.
    pub npy: bool,
    pub model: ModelSpec,
    pub job: JobConfig,
    pub run: RunConfig,
}

impl EmbedConfig {
    pub fn new(a: &EmbedArgs) -> Result<Self> {
        let job = JobConfig::new(&a.job)?;
        let npy = match a.format {
            Some(EmbedFormatArg::Npy) => true,
            Some(EmbedFormatArg::Jsonl) => false,
            None => job.output.as_ref().is_some_and(|p| p.extension().is_some_and(|e| e == "npy")),
        };
        if npy && a.pool.is_none() {
            bail!("a .npy array needs one vector per document: add --pool mean or --pool cls (token embeddings go to JSONL)");
        }
        if npy && job.output.is_none() {
            bail!("--format npy needs --output PATH (the array's header is completed at the end)");
        }
        Ok(EmbedConfig {
            input: input_spec(&a.input)?,
            pool: a.pool.map(|p| match p {
                PoolArg::Mean => Pool::Mean,
                PoolArg::Cls => Pool::Cls,
            }),
            normalize: a.normalize,
            npy,
            model: ModelSpec::from(&a.model),
            job,
            run: RunConfig::new(&a.run)?,
        })
    }
}

/// What `zeroshot eval` measures.
#[derive(Clone, Debug)]
pub enum EvalTask {
    /// NLI pairs with gold labels named like the model's.
    Nli { premise: String, hypothesis: String },
    /// Zero-shot classification with gold labels among the candidates.
    Classify { text: String, labels: Vec<Label>, template: String },
}

#[derive(Clone, Debug)]
pub struct EvalConfig {
    pub file: PathBuf,
    pub task: EvalTask,
    pub gold_column: String,
    pub language_column: Option<String>,
    pub limit: Option<usize>,
    pub json: bool,
    pub model: ModelSpec,
    pub run: RunConfig,
}

impl EvalConfig {
    pub fn new(a: &EvalArgs) -> Result<Self> {
        let task = if a.labels.is_empty() {
            if a.template.is_some() {
                bail!("--template applies with --labels (classification evaluation)");
            }
            EvalTask::Nli { premise: a.premise.clone(), hypothesis: a.hypothesis.clone() }
        } else {
            let (labels, template) = gather_labels(&a.labels, &[], &[], a.template.as_deref())?;
            EvalTask::Classify { text: a.text_column.clone(), labels, template }
        };
        let gold_column = a.gold_column.clone().unwrap_or_else(|| {
            match task {
                EvalTask::Nli { .. } => "gold_label",
                EvalTask::Classify { .. } => "label",
            }
            .to_string()
        });
        Ok(EvalConfig {
            file: PathBuf::from(&a.file),
            task,
            gold_column,
            language_column: a.language_column.clone(),
            limit: a.limit,
            json: a.json,
            model: ModelSpec::from(&a.model),
            run: RunConfig::new(&a.run)?,
        })
    }
}
