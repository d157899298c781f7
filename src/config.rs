//! Checked, clap-free settings for each command, built from the parsed
//! command line before any work starts: every usage error surfaces here.

use anyhow::{bail, Result};

use crate::classify::Batching;
use crate::cli::{ClassifyArgs, FormatArg, ModelArgs};
use crate::input::Source;
use crate::labels::{self, Label, DEFAULT_TEMPLATE};
use crate::output::Format;

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
    pub sources: Vec<Source>,
    pub lines: bool,
    pub labels: Vec<Label>,
    pub template: String,
    pub multi_label: bool,
    pub model: ModelSpec,
    pub format: Format,
    pub batching: Batching,
    pub threads: Option<usize>,
}

impl ClassifyConfig {
    pub fn new(a: &ClassifyArgs, stdout_is_terminal: bool) -> Result<Self> {
        let mut labels: Vec<Label> = Vec::new();
        let mut file_template = None;
        for list in &a.labels {
            labels.extend(labels::parse_list(list)?);
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
        let format = match a.format {
            Some(FormatArg::Jsonl) => Format::Jsonl,
            Some(FormatArg::Json) => Format::Json,
            Some(FormatArg::Tsv) => Format::Tsv,
            Some(FormatArg::Table) => Format::Table,
            None if stdout_is_terminal => Format::Table,
            None => Format::Jsonl,
        };
        let mut sources: Vec<Source> = a.files.iter().map(|f| Source::parse(f)).collect();
        if sources.is_empty() {
            sources.push(Source::Stdin);
        }
        if sources.iter().filter(|s| **s == Source::Stdin).count() > 1 {
            bail!("`-` (stdin) is given more than once");
        }
        Ok(ClassifyConfig {
            sources,
            lines: a.lines,
            labels,
            template,
            multi_label: a.multi_label,
            model: ModelSpec::from(&a.model),
            format,
            batching: Batching { batch_size: a.batch_size, batch_tokens: a.batch_tokens },
            threads: a.threads,
        })
    }
}
