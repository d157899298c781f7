//! Checked, clap-free settings for each command, built from the parsed
//! command line before any work starts: every usage error surfaces here.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::ValueEnum;

use crate::cli::{ClassifyArgs, EmbedArgs, EvalArgs, InputArgs, JobArgs, ModelArgs, NliArgs, RunArgs};
use crate::engine::{Aggregate, Batching, Long, LongDocs, Pool, Precision};
use crate::input::{Column, Dialect, Extra, Flags, InputSpec, Source, Structured};
use crate::job::dest::Existing;
use crate::job::{JobConfig, Shard};
use crate::labels::{self, Label, DEFAULT_TEMPLATE};
use crate::output::{EmbedFormat, Format, NliFormat, Show};
use crate::progress::ProgressMode;
use crate::state::State;

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

/// How the model runs: batching, threads and precision.
#[derive(Clone, Copy, Debug)]
pub struct RunConfig {
    pub batching: Batching,
    pub threads: Option<usize>,
    pub precision: Precision,
}

impl RunConfig {
    pub fn new(a: &RunArgs) -> Self {
        // The flags' parsers checked the ranges.
        RunConfig { batching: Batching { batch_size: a.batch_size, batch_tokens: a.batch_tokens }, threads: a.threads, precision: a.precision }
    }
}

/// The output side of a streaming command.
fn job_config(a: &JobArgs, skip_bad_rows: bool, state: &State) -> Result<JobConfig> {
    let progress = if a.quiet {
        ProgressMode::Off
    } else if a.progress {
        ProgressMode::Always
    } else {
        ProgressMode::Auto
    };
    let existing = if a.resume {
        Existing::Resume
    } else if a.restart {
        Existing::Restart
    } else {
        Existing::Keep
    };
    Ok(JobConfig {
        output: a.output.clone(),
        existing,
        shard: a.shard.as_deref().map(Shard::parse).transpose()?,
        progress,
        skip_bad_rows,
        argv: state.argv.clone(),
        stderr_tty: state.stderr_tty,
        same_terminal: state.same_terminal,
    })
}

#[derive(Clone, Debug)]
pub struct ClassifyConfig {
    pub input: InputSpec,
    pub labels: Vec<Label>,
    pub template: String,
    /// Label files read (inputs, which the output may not overwrite).
    pub label_files: Vec<PathBuf>,
    pub multi_label: bool,
    pub long: LongDocs,
    pub model: ModelSpec,
    pub format: Format,
    /// Output carries table rows or JSONL records through (format matches the input).
    pub passthrough: bool,
    pub show: Show,
    pub gate: Option<Gate>,
    pub job: JobConfig,
    pub run: RunConfig,
}

/// `--fail-on`: labels whose score at or above the threshold fails the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Gate {
    pub labels: Vec<String>,
    pub threshold: f32,
}

fn delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
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

/// The flags that choose a table or JSONL format.
struct FormatFlags<'a> {
    csv: bool,
    tsv: bool,
    jsonl: bool,
    delimiter: Option<&'a str>,
    csv_quotes: bool,
}

/// Structured input: forced by a flag, or implied by every file's extension.
fn structured(sources: &[Source], f: &FormatFlags, stdin_default: Option<Structured>) -> Result<Option<Structured>> {
    let delim = f.delimiter.map(delimiter).transpose()?;
    let table = |default: u8| Structured::Table(Dialect::for_delimiter(delim.unwrap_or(default), f.csv_quotes));
    let s = if f.csv {
        Some(table(b','))
    } else if f.tsv {
        Some(table(b'\t'))
    } else if f.jsonl {
        Some(Structured::Jsonl)
    } else {
        let implied: Vec<Option<Structured>> =
            sources.iter().map(|s| if *s == Source::Stdin { stdin_default } else { s.implied_format() }).collect();
        let first = implied[0];
        if implied.iter().any(|x| *x != first) {
            bail!("the inputs mix formats (CSV, TSV, JSONL, text); process them separately, or force one with --csv, --tsv or --jsonl");
        }
        match first {
            Some(Structured::Table(d)) => Some(table(d.delimiter)),
            other => other,
        }
    };
    if delim.is_some() && !matches!(s, Some(Structured::Table(_))) {
        bail!("--delimiter applies to CSV or TSV input only (add --csv)");
    }
    if f.csv_quotes && !matches!(s, Some(Structured::Table(d)) if d.delimiter == b'\t') {
        bail!("--csv-quotes applies to tab-separated input (CSV always honours quotes)");
    }
    Ok(s)
}

/// Documents for classify and embed.
pub fn input_spec(a: &InputArgs) -> Result<InputSpec> {
    let sources = sources(&a.files)?;
    let flags = FormatFlags { csv: a.csv, tsv: a.tsv, jsonl: a.jsonl, delimiter: a.delimiter.as_deref(), csv_quotes: a.csv_quotes };
    let structured = structured(&sources, &flags, None)?;
    if a.lines && structured.is_some() {
        bail!("--lines applies to text input, not CSV, TSV or JSONL");
    }
    // Options for another kind of input would be silently ignored: refuse them.
    let table_only = [("--text-column", a.text_column.is_some()), ("--id-column", a.id_column.is_some())];
    match structured {
        None => {
            for (flag, given) in table_only.into_iter().chain([("--text-field", a.text_field.is_some()), ("--skip-bad-rows", a.skip_bad_rows)]) {
                if given {
                    bail!("{flag} applies to CSV, TSV or JSONL input; this input is plain text (add --csv, --tsv or --jsonl if it is a table)");
                }
            }
        }
        Some(Structured::Table(_)) if a.text_field.is_some() => {
            bail!("--text-field names a JSONL field; for CSV or TSV input use --text-column")
        }
        Some(Structured::Jsonl) => {
            for (flag, given) in table_only {
                if given {
                    bail!("{flag} names a CSV or TSV column; for JSONL input use --text-field (ids are PATH:LINE)");
                }
            }
        }
        _ => {}
    }
    Ok(InputSpec {
        sources,
        lines: a.lines,
        structured,
        text_column: Column::parse(a.text_column.as_deref().unwrap_or("text")),
        id_column: a.id_column.as_deref().map(Column::parse),
        text_field: a.text_field.clone().unwrap_or_else(|| "text".to_string()),
        pair: None,
        extra: Vec::new(),
        flags: Flags::CLASSIFY,
        skip_bad_rows: a.skip_bad_rows,
        passthrough: false,
        sniff: false,
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
    pub fn new(a: &ClassifyArgs, state: &State) -> Result<Self> {
        let (labels, template) = gather_labels(&a.labels, &a.label, &a.labels_file, a.template.as_deref())?;
        let run = RunConfig::new(&a.run);
        let job = job_config(&a.job, a.input.skip_bad_rows, state)?;
        let mut input = input_spec(&a.input)?;
        let default = match input.structured {
            Some(Structured::Table(_)) => Format::Csv,
            Some(Structured::Jsonl) => Format::Jsonl,
            None if state.stdout_tty && job.output.is_none() => Format::Table,
            None => Format::Jsonl,
        };
        let format = crate::output::choose(a.format, job.output.as_deref(), |ext| Format::from_str(ext, true).ok(), default)?;
        if a.top_k.is_some() && matches!(format, Format::Csv | Format::Tsv) {
            bail!("--top-k applies to jsonl, json and table output (csv and tsv have a column for every label)");
        }
        let passthrough = matches!(
            (input.structured, format),
            (Some(Structured::Table(_)), Format::Csv) | (Some(Structured::Jsonl), Format::Jsonl)
        );
        input.passthrough = passthrough;

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
                bail!("--fail-on {:?} is not one of the candidate labels", crate::msg::short(l, 60));
            }
        }
        let gate = (!a.fail_on.is_empty()).then(|| Gate { labels: a.fail_on.clone(), threshold: a.threshold.unwrap_or(0.5) });
        let show = Show { top_k: a.top_k, min_score: if a.multi_label { a.threshold } else { None } };
        if a.long != Long::Chunk && (a.stride.is_some() || a.aggregate.is_some()) {
            bail!("--stride and --aggregate apply with --long chunk");
        }
        let long = LongDocs { long: a.long, stride: a.stride.unwrap_or(32), aggregate: a.aggregate.unwrap_or(Aggregate::Max) };

        Ok(ClassifyConfig {
            input,
            labels,
            template,
            label_files: a.labels_file.iter().filter(|p| !p.to_string_lossy().starts_with('@')).cloned().collect(),
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

#[derive(Clone, Debug)]
pub struct NliConfig {
    pub input: InputSpec,
    pub format: NliFormat,
    pub model: ModelSpec,
    pub job: JobConfig,
    pub run: RunConfig,
}

impl NliConfig {
    pub fn new(a: &NliArgs, state: &State) -> Result<Self> {
        let sources = sources(&a.files)?;
        let flags = FormatFlags { csv: a.csv, tsv: a.tsv, jsonl: a.jsonl, delimiter: a.delimiter.as_deref(), csv_quotes: a.csv_quotes };
        let structured = structured(&sources, &flags, None)?;
        // A table or JSONL on stdin is recognised from its first line.
        let sniff = structured.is_none() && sources == [Source::Stdin];
        if structured.is_none() && !sniff {
            bail!("zeroshot nli reads CSV, TSV or JSONL (name files .csv, .tsv or .jsonl, or pass --csv, --tsv or --jsonl)");
        }
        Ok(NliConfig {
            input: InputSpec {
                sources,
                lines: false,
                structured,
                sniff,
                text_column: Column::parse(&a.premise),
                id_column: a.id_column.as_deref().map(Column::parse),
                text_field: a.premise.clone(),
                pair: Some((Column::parse(&a.hypothesis), a.hypothesis.clone())),
                extra: Vec::new(),
                flags: Flags { text_column: "--premise", text_field: "--premise", pair_column: "--hypothesis", pair_field: "--hypothesis" },
                skip_bad_rows: a.skip_bad_rows,
                passthrough: false,
            },
            format: crate::output::choose(a.format, a.job.output.as_deref(), |ext| NliFormat::from_str(ext, true).ok(), a.format.unwrap_or(NliFormat::Jsonl))?,
            model: ModelSpec::from(&a.model),
            job: job_config(&a.job, a.skip_bad_rows, state)?,
            run: RunConfig::new(&a.run),
        })
    }
}

#[derive(Clone, Debug)]
pub struct EmbedConfig {
    pub input: InputSpec,
    /// `--pool` and `--normalize`.
    pub pool: Option<(Pool, bool)>,
    pub format: EmbedFormat,
    pub model: ModelSpec,
    pub job: JobConfig,
    pub run: RunConfig,
}

impl EmbedConfig {
    pub fn new(a: &EmbedArgs, state: &State) -> Result<Self> {
        let job = job_config(&a.job, a.input.skip_bad_rows, state)?;
        let format = crate::output::choose(a.format, job.output.as_deref(), |ext| EmbedFormat::from_str(ext, true).ok(), EmbedFormat::Jsonl)?;
        let npy = format == EmbedFormat::Npy;
        if npy && a.pool.is_none() {
            bail!("a .npy array needs one vector per document: add --pool mean or --pool cls (token embeddings go to JSONL)");
        }
        if npy && job.output.is_none() {
            bail!("--format npy needs --output PATH (the array's header is completed at the end)");
        }
        Ok(EmbedConfig {
            input: input_spec(&a.input)?,
            pool: a.pool.map(|p| (p, a.normalize)),
            format,
            model: ModelSpec::from(&a.model),
            job,
            run: RunConfig::new(&a.run),
        })
    }
}

/// What `zeroshot eval` measures.
#[derive(Clone, Debug)]
pub enum EvalTask {
    /// NLI pairs with gold labels named like the model's.
    Nli,
    /// Zero-shot classification with gold labels among the candidates.
    Classify { labels: Vec<Label>, template: String },
}

#[derive(Clone, Debug)]
pub struct EvalConfig {
    /// The file read as a table: texts (or premise and hypothesis), then
    /// `extra` holds the gold label and the language.
    pub input: InputSpec,
    pub name: String,
    pub task: EvalTask,
    pub limit: Option<usize>,
    pub json: bool,
    pub model: ModelSpec,
    pub job: JobConfig,
    pub run: RunConfig,
}

impl EvalConfig {
    pub fn new(a: &EvalArgs, state: &State) -> Result<Self> {
        let (task, text, pair) = if a.labels.is_empty() {
            if a.template.is_some() {
                bail!("--template applies with --labels (classification evaluation)");
            }
            (EvalTask::Nli, a.premise.clone(), Some(a.hypothesis.clone()))
        } else {
            let (labels, template) = gather_labels(&a.labels, &[], &[], a.template.as_deref())?;
            (EvalTask::Classify { labels, template }, a.text_column.clone(), None)
        };
        let gold = a.gold_column.clone().unwrap_or_else(|| {
            match task {
                EvalTask::Nli => "gold_label",
                EvalTask::Classify { .. } => "label",
            }
            .to_string()
        });
        let sources = sources(std::slice::from_ref(&a.file))?;
        // Eval files are tables: .csv is CSV, anything else (XNLI's .tsv) tab-separated.
        let dialect = match sources[0].implied_format() {
            Some(Structured::Table(d)) if d.delimiter == b',' => d,
            _ => Dialect::for_delimiter(b'\t', a.csv_quotes),
        };
        if a.csv_quotes && dialect.delimiter != b'\t' {
            bail!("--csv-quotes applies to tab-separated input (CSV always honours quotes)");
        }
        let language = a.language_column.clone();
        let extra = vec![
            Extra { column: Column::Name(gold.clone()), field: gold, required: true, flag: "--gold-column" },
            Extra {
                column: Column::Name(language.clone().unwrap_or_else(|| "language".into())),
                field: language.clone().unwrap_or_else(|| "language".into()),
                required: language.is_some(),
                flag: "--language-column",
            },
        ];
        let (text_flag, pair_flag) = match task {
            EvalTask::Nli => ("--premise", "--hypothesis"),
            EvalTask::Classify { .. } => ("--text-column", ""),
        };
        let input = InputSpec {
            sources: sources.clone(),
            lines: false,
            structured: Some(Structured::Table(dialect)),
            text_column: Column::Name(text.clone()),
            id_column: None,
            text_field: text,
            pair: pair.map(|p| (Column::Name(p.clone()), p)),
            extra,
            flags: Flags { text_column: text_flag, text_field: text_flag, pair_column: pair_flag, pair_field: pair_flag },
            skip_bad_rows: a.skip_bad_rows,
            passthrough: false,
            sniff: false,
        };
        Ok(EvalConfig {
            input,
            name: sources[0].name(),
            task,
            limit: a.limit,
            json: a.json,
            model: ModelSpec::from(&a.model),
            job: JobConfig {
                output: None,
                existing: Existing::Keep,
                shard: None,
                progress: ProgressMode::Auto,
                skip_bad_rows: a.skip_bad_rows,
                argv: state.argv.clone(),
                stderr_tty: state.stderr_tty,
                same_terminal: state.same_terminal,
            },
            run: RunConfig::new(&a.run),
        })
    }
}
