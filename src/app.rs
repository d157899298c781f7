//! Running each command: wiring config, model, input and output together and
//! deciding the exit code.

use std::io::{BufWriter, IsTerminal};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::classify;
use crate::cli::{Cli, Command, ModelCommand};
use crate::config::{ClassifyConfig, EmbedConfig, EvalConfig, EvalTask, JobConfig, NliConfig, NliFormat, ProgressMode, Shard};
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
        Command::Nli(args) => nli(NliConfig::new(&args)?),
        Command::Embed(args) => embed(EmbedConfig::new(&args)?),
        Command::Eval(args) => eval(EvalConfig::new(&args)?),
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
fn model_identity(model: &Resolved) -> serde_json::Value {
    match &model.origin {
        Origin::Folder => json!({ "folder": std::fs::canonicalize(&model.dir).unwrap_or(model.dir.clone()) }),
        Origin::Cache { repo, commit, .. } => json!({ "repo": repo, "commit": commit }),
    }
}

fn inputs_identity(sources: &[Source]) -> Vec<serde_json::Value> {
    sources
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
        .collect()
}

fn job_identity(cfg: &ClassifyConfig, model: &Resolved) -> serde_json::Value {
    let (model_id, inputs) = (model_identity(model), inputs_identity(&cfg.input.sources));
    json!({
        "zeroshot": env!("CARGO_PKG_VERSION"),
        "model": model_id,
        "labels": cfg.labels.iter().map(|l| [&l.name, &l.phrase]).collect::<Vec<_>>(),
        "template": cfg.template,
        "multi_label": cfg.multi_label,
        "long": format!("{:?}", cfg.long),
        "format": format!("{:?}", cfg.format),
        "top_k": cfg.show.top_k,
        "min_score": cfg.show.min_score,
        "shard": cfg.job.shard,
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

impl<'a> JobOptions<'a> {
    fn new(cfg: &'a JobConfig, identity: serde_json::Value, window: usize) -> Self {
        JobOptions {
            output: cfg.output.as_deref(),
            resume: cfg.resume,
            progress: cfg.progress,
            shard: cfg.shard,
            identity,
            window,
        }
    }
}

/// The identity of a non-classify job: the command, its options and inputs.
fn simple_identity(command: &str, options: serde_json::Value, model: &Resolved, sources: &[Source]) -> serde_json::Value {
    json!({
        "zeroshot": env!("CARGO_PKG_VERSION"),
        "command": command,
        "options": options,
        "model": model_identity(model),
        "inputs": inputs_identity(sources),
    })
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
    init_threads(cfg.run.threads)?;
    // Inputs first: a missing column is reported before the model loads.
    let docs = Docs::open(cfg.input.clone())?;
    let header = docs.csv_header().cloned();
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let clf = classify::load(&resolved.dir).with_context(|| format!("cannot load the model in {}", resolved.dir.display()))?;
    let loaded = started.elapsed();
    let task = clf.task(cfg.labels.clone(), &cfg.template, cfg.multi_label, cfg.long)?;
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
    let job = JobOptions::new(&cfg.job, job_identity(&cfg, &resolved), ((cfg.run.batching.batch_size * 4).max(256) / task.labels.len()).max(1));
    let gate_index: Vec<usize> = cfg
        .gate
        .iter()
        .flat_map(|g| g.labels.iter().map(|l| names.iter().position(|n| n == l).expect("gate labels are candidates")))
        .collect();
    let threshold = cfg.gate.as_ref().map_or(0.5, |g| g.threshold);
    let prog = run_job(
        &job,
        docs,
        |window| clf.score(&task, window, &cfg.run.batching),
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
    // Freeing a 250K-piece tokenizer and the weights piece by piece takes half
    // a second; the process is about to end and the OS takes it all back.
    std::mem::forget(clf);
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
        "forward_stages": crate::model::profile::seconds().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        "attention_parts_cpu": crate::model::profile::attention_parts().into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
    });
    eprintln!("zeroshot-stats {v}");
}


/// `zeroshot nli`.
fn nli(cfg: NliConfig) -> Result<u8> {
    init_threads(cfg.run.threads)?;
    let docs = Docs::open(cfg.input.clone())?;
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let nli = crate::nli::Nli::load(&resolved.dir).with_context(|| format!("cannot load the model in {}", resolved.dir.display()))?;
    let labels = nli.labels().to_vec();
    struct R {
        format: NliFormat,
        labels: Vec<String>,
    }
    impl Render<Vec<f32>> for R {
        fn preamble(&self) -> Vec<u8> {
            match self.format {
                NliFormat::Tsv => crate::nli::tsv_header(&self.labels).into_bytes(),
                NliFormat::Jsonl => Vec::new(),
            }
        }
        fn record(&self, doc: &Doc, probs: &Vec<f32>, _: usize) -> Vec<u8> {
            match self.format {
                NliFormat::Jsonl => crate::nli::jsonl(&doc.id, &self.labels, probs).into_bytes(),
                NliFormat::Tsv => crate::nli::tsv_row(&doc.id, &self.labels, probs).into_bytes(),
            }
        }
    }
    let identity = simple_identity("nli", json!({ "format": format!("{:?}", cfg.format), "shard": cfg.job.shard, "input": format!("{:?}", cfg.input.structured) }), &resolved, &cfg.input.sources);
    let job = JobOptions::new(&cfg.job, identity, (cfg.run.batching.batch_size * 4).max(256));
    let batching = cfg.run.batching;
    let prog = run_job(
        &job,
        docs,
        |window| {
            let pairs: Vec<(&str, &str)> = window.iter().map(|d| (d.text.as_str(), d.pair.as_deref().unwrap_or(""))).collect();
            nli.probabilities(&pairs, &batching)
        },
        &R { format: cfg.format, labels },
        |_, _, _| {},
    )?;
    std::mem::forget(nli); // see classify
    Ok(input_exit(&prog))
}

/// `zeroshot embed`.
fn embed(cfg: EmbedConfig) -> Result<u8> {
    init_threads(cfg.run.threads)?;
    let docs = Docs::open(cfg.input.clone())?;
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let embedder =
        crate::embed::Embedder::load(&resolved.dir).with_context(|| format!("cannot load the model in {}", resolved.dir.display()))?;
    let h = embedder.hidden_size();
    struct R {
        h: usize,
        cfg: EmbedConfig,
    }
    impl Render<crate::embed::Embedded> for R {
        fn preamble(&self) -> Vec<u8> {
            if self.cfg.npy {
                crate::embed::npy_header(0, self.h)
            } else {
                Vec::new()
            }
        }
        fn record(&self, doc: &Doc, e: &crate::embed::Embedded, _: usize) -> Vec<u8> {
            match self.cfg.pool {
                Some(p) => {
                    let v = crate::embed::pool(e, self.h, p, self.cfg.normalize);
                    if self.cfg.npy {
                        crate::embed::npy_row(&v)
                    } else {
                        crate::embed::jsonl_pooled(&doc.id, &v).into_bytes()
                    }
                }
                None => crate::embed::jsonl_tokens(&doc.id, e, self.h).into_bytes(),
            }
        }
        fn patch(&self, written: usize) -> Option<(u64, Vec<u8>)> {
            self.cfg.npy.then(|| (0, crate::embed::npy_header(written, self.h)))
        }
    }
    let identity = simple_identity(
        "embed",
        json!({ "pool": format!("{:?}", cfg.pool), "normalize": cfg.normalize, "npy": cfg.npy, "shard": cfg.job.shard,
                "input": format!("{:?}", cfg.input.structured), "lines": cfg.input.lines, "text": [format!("{:?}", cfg.input.text_column), &cfg.input.text_field] }),
        &resolved,
        &cfg.input.sources,
    );
    let job = JobOptions::new(&cfg.job, identity, (cfg.run.batching.batch_size * 2).max(64));
    let batching = cfg.run.batching;
    let render = R { h, cfg: cfg.clone() };
    let prog = run_job(
        &job,
        docs,
        |window| {
            let texts: Vec<&str> = window.iter().map(|d| d.text.as_str()).collect();
            embedder.embed(&texts, &batching)
        },
        &render,
        |_, _, _| {},
    )?;
    std::mem::forget(embedder); // see classify
    Ok(input_exit(&prog))
}

/// `zeroshot eval`.
fn eval(cfg: EvalConfig) -> Result<u8> {
    use crate::eval::{Metrics, Table};
    init_threads(cfg.run.threads)?;
    let mut table = Table::open(&cfg.file)?;
    let gold_col = table.column(&cfg.gold_column)?;
    let lang_col = match &cfg.language_column {
        Some(c) => Some(table.column(c)?),
        None => table.header.iter().position(|h| h == "language"),
    };
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let load_err = || format!("cannot load the model in {}", resolved.dir.display());
    let batching = cfg.run.batching;
    enum Scorer {
        Nli(crate::nli::Nli, usize, usize),
        Classify(classify::Classifier, classify::Task, usize),
    }
    let scorer = match &cfg.task {
        EvalTask::Nli { premise, hypothesis } => {
            let (p, h) = (table.column(premise)?, table.column(hypothesis)?);
            Scorer::Nli(crate::nli::Nli::load(&resolved.dir).with_context(load_err)?, p, h)
        }
        EvalTask::Classify { text, labels, template } => {
            let t = table.column(text)?;
            let clf = classify::load(&resolved.dir).with_context(load_err)?;
            let task = clf.task(labels.clone(), template, false, crate::config::Long::Truncate)?;
            Scorer::Classify(clf, task, t)
        }
    };
    let classes = match &scorer {
        Scorer::Nli(n, ..) => n.labels().to_vec(),
        Scorer::Classify(_, task, _) => task.labels.iter().map(|l| l.name.clone()).collect(),
    };
    let mut m = Metrics::new(classes);
    let mut rows = 0usize;
    let mut done = false;
    while !done {
        // A window of rows at a time keeps memory bounded.
        let mut window: Vec<(Option<String>, usize, String, String)> = Vec::new();
        while window.len() < 512 {
            if cfg.limit.is_some_and(|l| rows >= l) {
                done = true;
                break;
            }
            let Some(rec) = table.next_record()? else {
                done = true;
                break;
            };
            rows += 1;
            let gold = rec.get(gold_col).unwrap_or("");
            if gold.trim().is_empty() || gold.trim() == "-" {
                m.no_gold += 1;
                continue;
            }
            let Some(g) = m.class_of(gold) else {
                m.unknown_gold += 1;
                continue;
            };
            let lang = lang_col.and_then(|c| rec.get(c)).map(String::from);
            let (a, b) = match &scorer {
                Scorer::Nli(_, p, h) => (rec.get(*p).unwrap_or("").to_string(), rec.get(*h).unwrap_or("").to_string()),
                Scorer::Classify(.., t) => (rec.get(*t).unwrap_or("").to_string(), String::new()),
            };
            window.push((lang, g, a, b));
        }
        if window.is_empty() {
            continue;
        }
        let predicted: Vec<usize> = match &scorer {
            Scorer::Nli(n, ..) => {
                let pairs: Vec<(&str, &str)> = window.iter().map(|w| (w.2.as_str(), w.3.as_str())).collect();
                n.probabilities(&pairs, &batching)?.iter().map(|p| crate::nli::argmax(p)).collect()
            }
            Scorer::Classify(clf, task, _) => {
                let docs: Vec<Doc> = window
                    .iter()
                    .enumerate()
                    .map(|(i, w)| Doc { index: i, id: format!("{} row {}", table.name, rows - window.len() + i + 1), text: w.2.clone(), pair: None, raw: None, pos: 0 })
                    .collect();
                clf.score(task, &docs, &batching)?.iter().map(|s| crate::nli::argmax(s)).collect()
            }
        };
        for (w, p) in window.iter().zip(predicted) {
            m.add(w.0.as_deref(), w.1, p);
        }
    }
    if m.total() == 0 {
        bail!("{}: no rows with a gold label among {}", table.name, m.classes.join(", "));
    }
    let text = if cfg.json {
        format!("{}\n", serde_json::to_string_pretty(&m.to_json())?)
    } else {
        format!("{}: {} rows, model {}\n\n{}", table.name, m.total(), cfg.model.spec, m.render())
    };
    print(text.as_bytes())
}
