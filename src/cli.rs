//! The command line, parsed in one place. `config` turns it into checked,
//! clap-free settings before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::hub::DEFAULT_MODEL;

const ABOUT: &str = "Zero-shot multilingual text classification with DeBERTa-v2/v3 NLI models";

const LONG_ABOUT: &str = "\
Zero-shot multilingual text classification with DeBERTa-v2/v3 NLI models.

Each document is paired with every candidate label as an NLI hypothesis
(\"This example is {}.\") and the pairs are scored by the model; labels come
out ranked per document, with the same scores as the Hugging Face
zero-shot-classification pipeline for the same checkpoint.";

const EXAMPLES: &str = "\
Examples:
  echo 'The match ended 2-1 after extra time.' | zeroshot classify --labels sport,politics,economy
  zeroshot classify --labels @topics --format tsv report.txt letter.txt
  zeroshot classify --labels @sentiment reviews.csv -o labelled.csv
  zeroshot labels topics
  zeroshot model info";

#[derive(Parser, Debug)]
#[command(name = "zeroshot", version, about = ABOUT, long_about = LONG_ABOUT, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Rank candidate labels for each document
    #[command(after_help = CLASSIFY_EXAMPLES)]
    Classify(Box<ClassifyArgs>),

    /// List the built-in label sets, or show one
    #[command(after_help = "Examples:\n  zeroshot labels\n  zeroshot labels toxicity\n  zeroshot classify --labels @toxicity --multi-label < comments.txt")]
    Labels {
        /// The set to show (`topics` or `@topics`)
        name: Option<String>,
    },

    /// Inspect or download models
    #[command(subcommand)]
    Model(ModelCommand),

    /// Print a shell completion script
    #[command(after_help = "Examples:\n  source <(zeroshot completions bash)\n  zeroshot completions zsh > ~/.zfunc/_zeroshot\n  zeroshot completions fish > ~/.config/fish/completions/zeroshot.fish")]
    Completions {
        /// Shell to complete for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff), for the whole tool or one command
    #[command(after_help = "Examples:\n  zeroshot man | man -l -\n  zeroshot man classify > zeroshot-classify.1")]
    Man {
        /// A command whose page to print instead (e.g. classify)
        command: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ModelCommand {
    /// Where the model resolves to, its architecture, labels and tokenizer
    #[command(after_help = "Examples:\n  zeroshot model info\n  zeroshot model info --model ./my-nli-model --json")]
    Info {
        #[command(flatten)]
        model: ModelArgs,

        /// Print JSON instead of text
        #[arg(long)]
        json: bool,
    },

    /// Download a model into the Hugging Face cache for later offline use
    #[command(after_help = "Examples:\n  zeroshot model fetch\n  zeroshot model fetch --model MoritzLaurer/mDeBERTa-v3-base-mnli-xnli --revision main\n  HF_HUB_OFFLINE=1 zeroshot classify --labels a,b < docs.txt")]
    Fetch {
        #[command(flatten)]
        model: ModelArgs,
    },
}

const CLASSIFY_EXAMPLES: &str = "\
Examples:
  # one document per line on stdin
  printf 'I loved this film\\nTerrible service\\n' | zeroshot classify --labels positive,negative

  # each file is one document; a label with a comma needs --label
  zeroshot classify --label 'tech, science' --label sport article1.txt article2.txt

  # several labels may hold at once; a German template
  zeroshot classify --multi-label --labels Sport,Politik --template 'Dieser Text handelt von {}.' < news.txt";

#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Model: a local folder (holding config.json, weights and tokenizer) or a
    /// Hugging Face Hub repo id, looked up in the Hugging Face cache and
    /// downloaded there when missing
    #[arg(long, short = 'm', env = "ZEROSHOT_MODEL", default_value = DEFAULT_MODEL, value_name = "ID|DIR", value_hint = clap::ValueHint::DirPath)]
    pub model: String,

    /// Hub revision to use: a branch, tag or commit hash
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,
}

#[derive(Args, Debug)]
pub struct ClassifyArgs {
    /// Documents: each FILE is one document (`-` reads stdin). Without FILE,
    /// each non-blank line of stdin is a document
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<String>,

    /// Read FILEs line by line too: each non-blank line is a document
    #[arg(long)]
    pub lines: bool,

    /// Read CSV (automatic for .csv and .tsv files; use it for CSV on stdin).
    /// Output keeps every input column and appends zeroshot_label,
    /// zeroshot_score and one zeroshot_score_<label> column per label
    #[arg(long, conflicts_with = "jsonl", help_heading = "Structured input")]
    pub csv: bool,

    /// Read JSON Lines (automatic for .jsonl and .ndjson files). Output records
    /// keep every input field and add "zeroshot": {labels, scores}
    #[arg(long, help_heading = "Structured input")]
    pub jsonl: bool,

    /// CSV column holding the text: a header name or a 1-based index
    #[arg(long, default_value = "text", value_name = "NAME|N", help_heading = "Structured input")]
    pub text_column: String,

    /// CSV column holding each row's id (default: FILE:ROW)
    #[arg(long, value_name = "NAME|N", help_heading = "Structured input")]
    pub id_column: Option<String>,

    /// JSONL field holding the text; a dotted path reaches into objects
    #[arg(long, default_value = "text", value_name = "PATH", help_heading = "Structured input")]
    pub text_field: String,

    /// CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]
    #[arg(long, value_name = "CHAR", help_heading = "Structured input")]
    pub delimiter: Option<String>,

    /// Skip malformed rows (ragged CSV rows, invalid JSON, missing text) instead
    /// of stopping; they are counted on stderr and make the exit code 2
    #[arg(long, help_heading = "Structured input")]
    pub skip_bad_rows: bool,

    /// Candidate labels, comma-separated, or a built-in set as `@name` (see
    /// `zeroshot labels`); repeatable
    #[arg(long, short = 'l', value_name = "A,B,...|@SET")]
    pub labels: Vec<String>,

    /// One candidate label, taken whole, so it may contain commas (repeatable)
    #[arg(long = "label", value_name = "LABEL")]
    pub label: Vec<String>,

    /// File with one label per line (`label = hypothesis phrase` allowed, `#`
    /// comments, optional `# template: ...` header); `@name` or
    /// `labels/NAME.txt` finds a built-in set anywhere; repeatable
    #[arg(long, value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub labels_file: Vec<PathBuf>,

    /// Hypothesis template; `{}` is replaced by each label [default: "This example is {}."]
    #[arg(long, short = 't', value_name = "TEMPLATE")]
    pub template: Option<String>,

    /// Score each label on its own (entailment vs contradiction) instead of
    /// making the scores of a document sum to one
    #[arg(long)]
    pub multi_label: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Output format [default: csv for CSV input, jsonl for JSONL input, else
    /// table on a terminal and jsonl otherwise]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT", help_heading = "Output")]
    pub format: Option<FormatArg>,

    /// Write results to PATH, atomically: it appears only once the run is
    /// complete (work in progress goes to PATH.partial)
    #[arg(long, short = 'o', value_name = "PATH", help_heading = "Output", value_hint = clap::ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Continue an interrupted run of the same job from its PATH.partial (or
    /// start, if there is none); the result is identical to an uninterrupted run
    #[arg(long, requires = "output", help_heading = "Output")]
    pub resume: bool,

    /// Show only the K best labels per document (jsonl, json, table)
    #[arg(long, value_name = "K", help_heading = "Output")]
    pub top_k: Option<usize>,

    /// Score threshold: with --multi-label, show only labels at or above it;
    /// with --fail-on, the score that trips the gate [default: 0.5]
    #[arg(long, value_name = "T", help_heading = "Output")]
    pub threshold: Option<f32>,

    /// Exit 1 (after writing all output) if any document scores at least
    /// --threshold for LABEL; repeatable
    #[arg(long, value_name = "LABEL", help_heading = "Output")]
    pub fail_on: Vec<String>,

    /// Process only documents whose 0-based index modulo N is I, to spread one
    /// input over N machines or processes
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,

    /// No progress display
    #[arg(long, short = 'q', conflicts_with = "progress")]
    pub quiet: bool,

    /// Show progress on stderr even when it is not a terminal (as plain lines)
    #[arg(long)]
    pub progress: bool,

    /// Most NLI pairs in one forward pass
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub batch_size: usize,

    /// Most tokens in one forward pass (pairs are packed without padding;
    /// longer pairs run alone)
    #[arg(long, default_value_t = 4096, value_name = "N")]
    pub batch_tokens: usize,

    /// Worker threads [default: all cores]
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FormatArg {
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
