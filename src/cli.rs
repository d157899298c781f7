//! The command line, parsed in one place. `config` turns it into checked,
//! clap-free settings before any work starts.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::engine::{Aggregate, Batching, Long, Pool, Precision};
use crate::hub::DEFAULT_MODEL;
use crate::output::{EmbedFormat, Format, NliFormat};

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

    /// Probabilities of the model's labels for premise/hypothesis pairs
    #[command(after_help = NLI_EXAMPLES)]
    Nli(Box<NliArgs>),

    /// Contextual token embeddings or pooled document vectors
    #[command(after_help = EMBED_EXAMPLES)]
    Embed(Box<EmbedArgs>),

    /// Accuracy, macro-F1 and a confusion matrix on gold-labelled data
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(Box<EvalArgs>),

    /// Join the outputs of `--shard I/N` runs into the output of one unsharded run
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),

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

        /// The precision to describe (as classify would run it)
        #[arg(long, value_enum, default_value = "f32", env = "ZEROSHOT_PRECISION", value_name = "P")]
        precision: Precision,

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

const MERGE_EXAMPLES: &str = "\
Examples:
  for i in 0 1 2 3; do zeroshot classify --labels @topics --shard $i/4 -o part-$i.csv news.csv & done; wait
  zeroshot merge part-*.csv -o news.labelled.csv";

const NLI_EXAMPLES: &str = "\
Examples:
  zeroshot nli pairs.tsv
  zeroshot nli --premise sentence1 --hypothesis sentence2 xnli.test.tsv -o probs.jsonl
  printf 'premise\\thypothesis\\nIt is raining.\\tThe ground is wet.\\n' | zeroshot nli";

const EMBED_EXAMPLES: &str = "\
Examples:
  echo 'Ein kurzer Satz.' | zeroshot embed --pool mean --normalize
  zeroshot embed --lines --pool cls sentences.txt -o vectors.npy
  zeroshot embed --model microsoft/mdeberta-v3-base < sentences.txt > tokens.jsonl";

const EVAL_EXAMPLES: &str = "\
Examples:
  zeroshot eval xnli.test.tsv
  zeroshot eval --limit 1000 --json xnli.dev.tsv
  zeroshot eval --labels @sentiment --gold-column sentiment reviews.csv";

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
    #[command(flatten)]
    pub input: InputArgs,

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

    /// Documents longer than the model accepts: `truncate` keeps the start (as
    /// the Hugging Face pipeline does); `chunk` scores overlapping windows
    /// covering the whole document and aggregates them
    #[arg(long, value_enum, default_value = "truncate", value_name = "HOW", help_heading = "Long documents")]
    pub long: Long,

    /// With --long chunk: tokens shared by consecutive windows [default: 32]
    #[arg(long, value_name = "TOKENS", value_parser = count(0, 1 << 20), allow_hyphen_values = true, help_heading = "Long documents")]
    pub stride: Option<usize>,

    /// With --long chunk: a label's document score is its best window's
    /// (`max`) or the average over windows (`mean`) [default: max]
    #[arg(long, value_enum, value_name = "HOW", help_heading = "Long documents")]
    pub aggregate: Option<Aggregate>,

    #[command(flatten)]
    pub model: ModelArgs,

    /// Output format [default: from the --output extension (.csv, .tsv,
    /// .jsonl, .json), else csv for CSV input, jsonl for JSONL input, else
    /// table on a terminal and jsonl otherwise]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT", help_heading = "Output")]
    pub format: Option<Format>,

    /// Show only the K best labels per document (jsonl, json, table)
    #[arg(long, value_name = "K", value_parser = count(1, 1 << 20), allow_hyphen_values = true, help_heading = "Output")]
    pub top_k: Option<usize>,

    /// Score threshold: with --multi-label, show only labels at or above it;
    /// with --fail-on, the score that trips the gate [default: 0.5]
    #[arg(long, value_name = "T", allow_hyphen_values = true, help_heading = "Output")]
    pub threshold: Option<f32>,

    /// Exit 1 (after writing all output) if any document scores at least
    /// --threshold for LABEL; repeatable
    #[arg(long, value_name = "LABEL", help_heading = "Output")]
    pub fail_on: Vec<String>,

    #[command(flatten)]
    pub job: JobArgs,

    #[command(flatten)]
    pub run: RunArgs,
}

/// Where documents come from (classify, embed).
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Documents: each FILE is one document (`-` reads stdin). Without FILE,
    /// each non-blank line of stdin is a document
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<String>,

    /// Read FILEs line by line too: each non-blank line is a document
    #[arg(long)]
    pub lines: bool,

    /// Read CSV (automatic for .csv files; use it for CSV on stdin).
    /// classify's CSV output keeps every input column and appends
    /// zeroshot_label, zeroshot_score and one zeroshot_score_<label> per label
    #[arg(long, conflicts_with_all = ["jsonl", "tsv"], help_heading = "Structured input")]
    pub csv: bool,

    /// Read TSV (automatic for .tsv files): tab-separated, quotes are plain
    /// text (IANA text/tab-separated-values) unless --csv-quotes
    #[arg(long, conflicts_with = "jsonl", help_heading = "Structured input")]
    pub tsv: bool,

    /// Read JSON Lines (automatic for .jsonl and .ndjson files). classify's
    /// JSONL output keeps every input field and adds "zeroshot": {labels, scores}
    #[arg(long, help_heading = "Structured input")]
    pub jsonl: bool,

    /// CSV/TSV column holding the text: a header name or a 1-based index [default: text]
    #[arg(long, value_name = "NAME|N", help_heading = "Structured input")]
    pub text_column: Option<String>,

    /// CSV column holding each row's id (default: FILE:ROW)
    #[arg(long, value_name = "NAME|N", help_heading = "Structured input")]
    pub id_column: Option<String>,

    /// JSONL field holding the text; a dotted path reaches into objects [default: text]
    #[arg(long, value_name = "PATH", help_heading = "Structured input")]
    pub text_field: Option<String>,

    /// CSV field delimiter: one character, or `tab` [default: `,`; tab for .tsv]
    #[arg(long, value_name = "CHAR", help_heading = "Structured input")]
    pub delimiter: Option<String>,

    /// Tab-separated input with CSV-style quoting (quoted fields may hold
    /// tabs and line breaks; "" is a quote)
    #[arg(long, help_heading = "Structured input")]
    pub csv_quotes: bool,

    /// Skip malformed rows (ragged CSV rows, invalid JSON, missing or empty
    /// text) instead of stopping; they are counted on stderr and make the exit code 2
    #[arg(long, help_heading = "Structured input")]
    pub skip_bad_rows: bool,
}

/// Output file, resume, shards and progress of a streaming command.
#[derive(Args, Debug, Clone)]
pub struct JobArgs {
    /// Write results to PATH, atomically: it appears only once the run is
    /// complete (work in progress goes to PATH.partial)
    #[arg(long, short = 'o', value_name = "PATH", help_heading = "Output", value_hint = clap::ValueHint::FilePath)]
    pub output: Option<PathBuf>,

    /// Continue an interrupted run of the same job from its PATH.partial (or
    /// start, if there is none); the result is identical to an uninterrupted
    /// run, and the input must be the same
    #[arg(long, requires = "output", help_heading = "Output")]
    pub resume: bool,

    /// Delete the finished work in PATH.partial and start the job over
    #[arg(long, requires = "output", conflicts_with = "resume", help_heading = "Output")]
    pub restart: bool,

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
}

/// How the model runs.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// Most sequences in one forward pass (1 to 8192)
    #[arg(long, default_value_t = 64, value_name = "N", value_parser = count(1, Batching::MAX_BATCH_SIZE), allow_hyphen_values = true)]
    pub batch_size: usize,

    /// Most tokens in one forward pass (sequences are packed without padding;
    /// longer ones run alone; 1 to 1048576)
    #[arg(long, default_value_t = 4096, value_name = "N", value_parser = count(1, Batching::MAX_BATCH_TOKENS), allow_hyphen_values = true)]
    pub batch_tokens: usize,

    /// How the encoder computes: f32 (exact: the Hugging Face pipeline's
    /// scores) or bf16 (bfloat16 weights and product inputs, float32 sums: less
    /// memory, faster where the CPU has bfloat16 units); see README "Precision"
    #[arg(long, value_enum, default_value = "f32", env = "ZEROSHOT_PRECISION", value_name = "P")]
    pub precision: Precision,

    /// Worker threads, 1 to 1024 [default: all cores]
    #[arg(long, short = 'j', value_name = "N", value_parser = count(1, MAX_THREADS), allow_hyphen_values = true)]
    pub threads: Option<usize>,
}



/// `zeroshot merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard outputs written with `--shard I/N -o PART` (each has PART.shard.json
    /// beside it), in any order; all N shards of one job
    #[arg(required = true, value_name = "PART", value_hint = clap::ValueHint::FilePath)]
    pub parts: Vec<PathBuf>,

    /// Write the merged output to PATH, atomically (default: stdout)
    #[arg(long, short = 'o', value_name = "PATH", value_hint = clap::ValueHint::FilePath)]
    pub output: Option<PathBuf>,
}

/// `zeroshot nli`.
#[derive(Args, Debug)]
pub struct NliArgs {
    /// Premise/hypothesis pairs: CSV, TSV (with a header) or JSONL files, by
    /// extension; `-` or no FILE reads stdin (TSV unless --csv or --jsonl)
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub files: Vec<String>,

    /// Read CSV
    #[arg(long, conflicts_with_all = ["jsonl", "tsv"])]
    pub csv: bool,

    /// Read TSV (quotes are plain text unless --csv-quotes)
    #[arg(long, conflicts_with = "jsonl")]
    pub tsv: bool,

    /// Read JSON Lines
    #[arg(long)]
    pub jsonl: bool,

    /// Column (CSV/TSV: name or 1-based index) or field (JSONL: dotted path) of the premise
    #[arg(long, default_value = "premise", value_name = "NAME")]
    pub premise: String,

    /// Column or field of the hypothesis
    #[arg(long, default_value = "hypothesis", value_name = "NAME")]
    pub hypothesis: String,

    /// CSV/TSV column holding each row's id (default: FILE:ROW)
    #[arg(long, value_name = "NAME|N")]
    pub id_column: Option<String>,

    /// Field delimiter for CSV input: one character, or `tab`
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// Tab-separated input with CSV-style quoting
    #[arg(long)]
    pub csv_quotes: bool,

    /// Skip malformed rows instead of stopping (counted; exit code 2)
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// Output format [default: from the --output extension, else jsonl]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<NliFormat>,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub job: JobArgs,

    #[command(flatten)]
    pub run: RunArgs,
}


/// `zeroshot embed`.
#[derive(Args, Debug)]
pub struct EmbedArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Pool each document into one vector: the mean over its tokens (special
    /// tokens included, as sentence-transformers does) or the first token.
    /// Without it, every token's contextual embedding is written
    #[arg(long, value_enum, value_name = "HOW")]
    pub pool: Option<Pool>,

    /// Scale each pooled vector to unit L2 length
    #[arg(long, requires = "pool")]
    pub normalize: bool,

    /// Output format [default: from the --output extension (.npy, .jsonl), else jsonl]
    #[arg(long, short = 'f', value_enum, value_name = "FORMAT")]
    pub format: Option<EmbedFormat>,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub job: JobArgs,

    #[command(flatten)]
    pub run: RunArgs,
}



/// `zeroshot eval`.
#[derive(Args, Debug)]
pub struct EvalArgs {
    /// Gold-labelled data: a TSV in XNLI's layout (language, gold_label,
    /// sentence1, sentence2), or with --labels a CSV/TSV of texts and gold labels
    #[arg(value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub file: String,

    /// Evaluate zero-shot classification instead of NLI: the candidate labels
    /// (comma-separated or `@set`); the gold column must hold one of them
    #[arg(long, short = 'l', value_name = "A,B,...|@SET")]
    pub labels: Vec<String>,

    /// Hypothesis template for --labels [default: the set's or "This example is {}."]
    #[arg(long, short = 't', value_name = "TEMPLATE")]
    pub template: Option<String>,

    /// Column of the gold label [default: gold_label (NLI) or label (--labels)]
    #[arg(long, value_name = "NAME")]
    pub gold_column: Option<String>,

    /// Column of the language, for per-language accuracy [default: language if present]
    #[arg(long, value_name = "NAME")]
    pub language_column: Option<String>,

    /// NLI: column of the premise
    #[arg(long, default_value = "sentence1", value_name = "NAME")]
    pub premise: String,

    /// NLI: column of the hypothesis
    #[arg(long, default_value = "sentence2", value_name = "NAME")]
    pub hypothesis: String,

    /// With --labels: column of the text
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_column: String,

    /// Only the first N rows
    #[arg(long, value_name = "N", value_parser = count(1, usize::MAX), allow_hyphen_values = true)]
    pub limit: Option<usize>,

    /// A tab-separated file with CSV-style quoting (by default TSV quotes are text, as in XNLI)
    #[arg(long)]
    pub csv_quotes: bool,

    /// Skip malformed rows instead of stopping (counted; exit code 2)
    #[arg(long)]
    pub skip_bad_rows: bool,

    /// Print JSON instead of tables
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub model: ModelArgs,

    #[command(flatten)]
    pub run: RunArgs,
}


/// Most worker threads: past this, threads only cost start-up time.
pub const MAX_THREADS: usize = 1024;

/// A parser for a whole number in `min..=max`, naming the range when refused
/// (negative numbers included, rather than clap's "unexpected argument").
fn count(min: usize, max: usize) -> impl Fn(&str) -> Result<usize, String> + Clone + Send + Sync + 'static {
    move |s: &str| match s.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("expected a whole number from {min} to {max}")),
    }
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
