//! Running each command: wiring config, model, input and output together and
//! deciding the exit code.

use std::io::{BufWriter, IsTerminal};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::classify;
use crate::cli::{Cli, Command, ModelCommand};
use crate::config::{ClassifyConfig, ProgressMode, Shard};
use crate::hub::{self, HubEnv, Origin, Resolved};
use crate::input::{CsvHeader, Doc, Docs, ErrorKind, InputError, Raw, Source};
use crate::job::{Dest, FileDest, Progress as JobProgress};
use crate::output::{self, Format, Show};
use crate::progress::Progress;
use crate::stream::{self, Event};

/// Exit codes: 0 success, 1 a gate tripped, 2 an error (some input failed or the run stopped).
pub const EXIT_OK: u8 = 0;
pub const EXIT_GATE: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Classify(args) => classify(ClassifyConfig::new(&args, std::io::stdout().is_terminal())?),
        Command::Labels { name } => labels(name.as_deref()),
        Command::Model(ModelCommand::Info { model, json }) => {
            let resolved = hub::resolve(&model.model, model.revision.as_deref(), &HubEnv::from_env())?;
            let info = crate::inspect::model_info(&model.model, &resolved)?;
            let text = if json { format!("{}\n", serde_json::to_string_pretty(&info)?) } else { crate::inspect::render(&info) };
            print(text.as_bytes())
        }
        Command::Model(ModelCommand::Fetch { model }) => {
            let resolved = hub::fetch(&model.model, model.revision.as_deref(), &HubEnv::from_env())?;
            eprintln!("zeroshot: {} is in the Hugging Face cache; use it offline with HF_HUB_OFFLINE=1", model.model);
            print(format!("{}\n", resolved.dir.display()).as_bytes())
        }
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "zeroshot", &mut out);
            print(&out)
        }
        Command::Man { command } => print(&man_page(command.as_deref())?),
    }
}

fn print(bytes: &[u8]) -> Result<u8> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(EXIT_OK)
}

/// `zeroshot labels [NAME]`.
fn labels(name: Option<&str>) -> Result<u8> {
    match name {
        Some(n) => {
            let n = n.strip_prefix('@').unwrap_or(n);
            crate::labels::builtin_set(n)?;
            print(crate::labels::builtin(n).unwrap_or_default().as_bytes())
        }
        None => {
            let mut s = String::from("Built-in label sets (use with --labels @NAME; show one with `zeroshot labels NAME`):\n");
            for (n, text) in crate::labels::BUILTIN {
                let count = crate::labels::parse_file_text(text, n).map(|s| s.labels.len()).unwrap_or(0);
                s.push_str(&format!("  {n:<10} {count:>2} labels  {}\n", crate::labels::description(text)));
            }
            print(s.as_bytes())
        }
    }
}

/// The roff man page of the tool or of one command.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>> {
    let root = <Cli as clap::CommandFactory>::command();
    let cmd = match command {
        None => root,
        Some(name) => {
            let sub = root
                .find_subcommand(name)
                .with_context(|| format!("no command {name:?} (see `zeroshot --help`)"))?
                .clone();
            let title = format!("zeroshot-{name}");
            sub.name(title).version(env!("CARGO_PKG_VERSION"))
        }
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd).render(&mut out)?;
    Ok(out)
}

fn init_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot start the thread pool")?;
    }
    Ok(())
}

/// Everything that decides the output bytes, so `--resume` can refuse to mix jobs.
fn job_identity(cfg: &ClassifyConfig, model: &Resolved) -> serde_json::Value {
    let model_id = match &model.origin {
        Origin::Folder => json!({ "folder": std::fs::canonicalize(&model.dir).unwrap_or(model.dir.clone()) }),
        Origin::Cache { repo, commit, .. } => json!({ "repo": repo, "commit": commit }),
    };
    let inputs: Vec<serde_json::Value> = cfg
        .input
        .sources
        .iter()
        .map(|s| match s {
            Source::Stdin => json!({ "name": "stdin" }),
            Source::File(p) => {
                let meta = std::fs::metadata(p).ok();
                json!({
                    "name": p,
                    "size": meta.as_ref().map(|m| m.len()),
                    "modified": meta.and_then(|m| m.modified().ok()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_secs()),
                })
            }
        })
        .collect();
    json!({
        "zeroshot": env!("CARGO_PKG_VERSION"),
        "model": model_id,
        "labels": cfg.labels.iter().map(|l| [&l.name, &l.phrase]).collect::<Vec<_>>(),
        "template": cfg.template,
        "multi_label": cfg.multi_label,
        "format": format!("{:?}", cfg.format),
        "top_k": cfg.show.top_k,
        "min_score": cfg.show.min_score,
        "shard": cfg.shard,
        "inputs": inputs,
        "lines": cfg.input.lines,
        "structured": format!("{:?}", cfg.input.structured),
        "text_column": format!("{:?}", cfg.input.text_column),
        "id_column": format!("{:?}", cfg.input.id_column),
        "text_field": cfg.input.text_field,
    })
}

/// Turns results into output bytes for one command and format.
trait Render<R> {
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
}

/// The output side of a streaming command.
struct JobOptions<'a> {
    output: Option<&'a std::path::Path>,
    resume: bool,
    progress: ProgressMode,
    shard: Option<Shard>,
    /// Everything that decides the output bytes (for --resume).
    identity: serde_json::Value,
    window: usize,
}

/// Streams `docs` through `score` into stdout or an atomic output file, with
/// checkpoints, resume and progress; returns the final counts.
fn run_job<R>(
    job: &JobOptions,
    docs: Docs,
    score: impl FnMut(&[Doc]) -> Result<Vec<R>>,
    render: &dyn Render<R>,
    mut on_result: impl FnMut(&Doc, &R, &mut JobProgress),
) -> Result<JobProgress> {
    let total_bytes = docs.total_bytes();
    let (mut dest, restored) = match job.output {
        Some(path) => {
            let (f, restored) = FileDest::open(path, job.identity.clone(), job.resume)?;
            (Dest::File(f), restored)
        }
        None => (Dest::Stdout(BufWriter::new(std::io::stdout().lock())), None),
    };
    let resumed = restored.is_some();
    let mut prog = restored.unwrap_or_default();
    if !resumed {
        dest.write(&render.preamble())?;
    }
    let resume_from = prog.items;
    let shard = job.shard;
    let items = docs.enumerate().filter(move |(seq, item)| {
        *seq >= resume_from && item.as_ref().map_or(true, |d| shard.is_none_or(|s| s.takes(d.index)))
    });
    let mut progress = Progress::new(job.progress, total_bytes);
    let mut done_now = 0usize;
    let result = stream::stream(items, job.window, score, |event| {
        match event {
            Event::Scored { seq, doc, result } => {
                prog.items = seq + 1;
                on_result(&doc, &result, &mut prog);
                dest.write(&render.record(&doc, &result, prog.written))?;
                prog.written += 1;
                done_now += 1;
                progress.update(done_now, doc.pos);
            }
            Event::InputError { seq, error } => {
                prog.items = seq + 1;
                progress.println(&format!("zeroshot: {error}"));
                match error.kind {
                    ErrorKind::Skipped => prog.skipped += 1,
                    _ => prog.unreadable += 1,
                }
            }
            Event::WindowDone => dest.checkpoint(&prog)?,
        }
        Ok(())
    });
    progress.finish();
    if let Err(e) = result {
        if let Some(input) = e.downcast_ref::<InputError>() {
            let mut msg = format!("{input}\nhint: fix the record, or pass --skip-bad-rows to skip malformed rows");
            if let Dest::File(f) = &dest {
                msg.push_str(&format!(
                    "; the {} results so far are kept in {} (continue with --resume)",
                    prog.written,
                    f.partial_path().display()
                ));
            }
            bail!(msg);
        }
        return Err(e);
    }
    dest.write(&render.epilogue(prog.written))?;
    dest.checkpoint(&prog)?;
    match dest {
        Dest::File(f) => f.finish(render.patch(prog.written))?,
        Dest::Stdout(_) => {}
    }
    if prog.skipped > 0 {
        eprintln!("zeroshot: skipped {} bad row{}", prog.skipped, if prog.skipped == 1 { "" } else { "s" });
    }
    Ok(prog)
}

/// 2 when some input failed, else 0.
fn input_exit(prog: &JobProgress) -> u8 {
    if prog.skipped + prog.unreadable > 0 {
        EXIT_ERROR
    } else {
        EXIT_OK
    }
}

/// How classify results are written, fixed once the input and labels are known.
struct ClassifyRender {
    format: Format,
    passthrough: bool,
    names: Vec<String>,
    width: usize,
    show: Show,
    header: Option<CsvHeader>,
}

impl Render<Vec<f32>> for ClassifyRender {
    fn preamble(&self) -> Vec<u8> {
        match (self.format, &self.header) {
            (Format::Json, _) => output::json_open().as_bytes().to_vec(),
            (Format::Tsv, _) => output::tsv_header(&self.names).into_bytes(),
            (Format::Csv, Some(h)) if self.passthrough => {
                output::csv_passthrough_header(h.bom, &h.raw, h.terminator, h.delimiter, &self.names)
            }
            (Format::Csv, _) => output::csv_header(&self.names),
            _ => Vec::new(),
        }
    }

    fn record(&self, doc: &Doc, scores: &Vec<f32>, written: usize) -> Vec<u8> {
        let ranked = || output::rank(&doc.id, &self.names, scores, self.show);
        match self.format {
            Format::Jsonl => match (&doc.raw, self.passthrough) {
                (Some(Raw::Json(raw)), true) => output::jsonl_passthrough(raw, &ranked()).into_bytes(),
                _ => output::jsonl(&ranked()).into_bytes(),
            },
            Format::Json => output::json_item(&ranked(), written == 0).into_bytes(),
            Format::Tsv => output::tsv_row(&doc.id, &self.names, scores).into_bytes(),
            Format::Csv => match (&doc.raw, &self.header) {
                (Some(Raw::Csv { bytes, terminator }), Some(h)) if self.passthrough => {
                    let fallback = if h.terminator.is_empty() { b"\n".as_slice() } else { h.terminator };
                    output::csv_passthrough_row(bytes, terminator, fallback, h.delimiter, &self.names, scores)
                }
                _ => output::csv_row(&doc.id, &self.names, scores),
            },
            Format::Table => {
                let sep = if written == 0 { "" } else { "\n" };
                format!("{sep}{}", output::table(&ranked(), self.width)).into_bytes()
            }
        }
    }

    fn epilogue(&self, written: usize) -> Vec<u8> {
        match self.format {
            Format::Json => output::json_close(written > 0).as_bytes().to_vec(),
            _ => Vec::new(),
        }
    }
}

fn classify(cfg: ClassifyConfig) -> Result<u8> {
    let started = Instant::now();
    init_threads(cfg.threads)?;
    // Inputs first: a missing column is reported before the model loads.
    let docs = Docs::open(cfg.input.clone())?;
    let header = docs.csv_header().cloned();
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let clf = classify::load(&resolved.dir).with_context(|| format!("cannot load the model in {}", resolved.dir.display()))?;
    let loaded = started.elapsed();
    let task = clf.task(cfg.labels.clone(), &cfg.template, cfg.multi_label)?;
    let names: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
    if let (Some(h), true) = (&header, cfg.passthrough) {
        let ours = [output::COL_LABEL.to_string(), output::COL_SCORE.to_string()]
            .into_iter()
            .chain(names.iter().map(|l| format!("{}{l}", output::COL_SCORE_PREFIX)));
        for col in ours {
            if h.names.contains(&col) {
                bail!("the input already has a column {col:?}; zeroshot appends columns of that name (rename it, or use --format jsonl)");
            }
        }
    }
    let render = ClassifyRender {
        format: cfg.format,
        passthrough: cfg.passthrough,
        width: names.iter().map(|n| n.chars().count()).max().unwrap_or(0),
        names: names.clone(),
        show: cfg.show,
        header,
    };
    let job = JobOptions {
        output: cfg.output.as_deref(),
        resume: cfg.resume,
        progress: cfg.progress,
        shard: cfg.shard,
        identity: job_identity(&cfg, &resolved),
        window: ((cfg.batching.batch_size * 4).max(256) / task.labels.len()).max(1),
    };
    let gate_index: Vec<usize> = cfg
        .gate
        .iter()
        .flat_map(|g| g.labels.iter().map(|l| names.iter().position(|n| n == l).expect("gate labels are candidates")))
        .collect();
    let threshold = cfg.gate.as_ref().map_or(0.5, |g| g.threshold);
    let prog = run_job(
        &job,
        docs,
        |window| clf.score(&task, window, &cfg.batching),
        &render,
        |doc, scores, prog| {
            if gate_index.iter().any(|&i| scores[i] >= threshold) {
                prog.gate_hits += 1;
                prog.gate_first.get_or_insert_with(|| doc.id.clone());
            }
        },
    )?;
    if std::env::var_os("ZEROSHOT_STATS").is_some_and(|v| v == "1") {
        print_stats(&clf.stats.lock().unwrap(), loaded, started.elapsed());
    }
    if let Some(gate) = &cfg.gate {
        if prog.gate_hits > 0 {
            eprintln!(
                "zeroshot: gate: {} of {} documents scored >= {} for {} (first: {})",
                prog.gate_hits,
                prog.written,
                gate.threshold,
                gate.labels.iter().map(|l| format!("{l:?}")).collect::<Vec<_>>().join(" or "),
                prog.gate_first.as_deref().unwrap_or("?")
            );
        }
    }
    let code = input_exit(&prog);
    Ok(if code == EXIT_OK && prog.gate_hits > 0 { EXIT_GATE } else { code })
}

/// One line on stderr for the benchmark: `zeroshot-stats {json}`.
fn print_stats(st: &classify::Stats, load: Duration, total: Duration) {
    let v = json!({
        "documents": st.documents,
        "pairs": st.pairs,
        "tokens": st.tokens,
        "forward_flops": st.forward_flops,
        "load_seconds": load.as_secs_f64(),
        "tokenize_seconds": st.tokenize.as_secs_f64(),
        "forward_seconds": st.forward.as_secs_f64(),
        "total_seconds": total.as_secs_f64(),
    });
    eprintln!("zeroshot-stats {v}");
}

