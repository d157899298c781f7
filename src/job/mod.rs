//! A streaming job: documents in, results out through a [`Render`], with
//! atomic output files, checkpoints, `--resume` (which proves it reads the
//! same input), shards and progress. Every command that streams documents
//! (classify, nli, embed, eval) runs through [`run`].

pub mod dest;
mod interrupt;
pub mod stream;

use std::path::PathBuf;

use anyhow::{bail, Result};
use serde_json::{json, Value};

use crate::hub::{Origin, Resolved};
use crate::input::{Doc, ErrorKind, InputError, Source};
use crate::output::Render;
use crate::progress::{Progress as Display, ProgressMode};
pub use dest::Progress;
use dest::{Dest, Existing};
use stream::Event;

/// The output side of a streaming command, as the command line asks for it.
#[derive(Clone, Debug)]
pub struct JobConfig {
    pub output: Option<PathBuf>,
    pub existing: Existing,
    pub shard: Option<Shard>,
    pub progress: ProgressMode,
    pub skip_bad_rows: bool,
    /// The command line, for the hint that continues an interrupted run.
    pub argv: Vec<String>,
    /// stderr is a terminal, and whether stdout is the same one.
    pub stderr_tty: bool,
    pub same_terminal: bool,
}

/// `--shard I/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(s: &str) -> Result<Shard> {
        use anyhow::Context;
        let (i, n) = s.split_once('/').with_context(|| format!("--shard {s:?}: expected I/N, e.g. 0/4"))?;
        let index: usize = i.trim().parse().with_context(|| format!("--shard {s:?}: {i:?} is not a whole number"))?;
        let count: usize = n.trim().parse().with_context(|| format!("--shard {s:?}: {n:?} is not a whole number"))?;
        if count == 0 || index >= count {
            bail!("--shard {s:?}: needs 0 <= I < N");
        }
        Ok(Shard { index, count })
    }

    pub fn takes(&self, doc_index: usize) -> bool {
        doc_index % self.count == self.index
    }
}

/// The output side of a streaming command, fixed before any work.
pub struct JobOptions {
    pub output: Option<PathBuf>,
    pub existing: Existing,
    pub progress: ProgressMode,
    pub shard: Option<Shard>,
    /// Everything that decides the output bytes (for --resume).
    pub identity: Value,
    /// Documents scored per window (a checkpoint after each).
    pub window: usize,
    /// Files the job reads, which the output may not be.
    pub inputs: Vec<PathBuf>,
    pub reads_stdin: bool,
    pub skip_bad_rows: bool,
    /// The command line, for the hint that continues an interrupted run.
    pub argv: Vec<String>,
    /// Progress is drawn as a bar (stderr is a terminal that results do not share).
    pub bar: bool,
    pub stderr_tty: bool,
}

impl JobOptions {
    pub fn new(cfg: &JobConfig, identity: Value, window: usize, sources: &[Source], extra_inputs: &[PathBuf]) -> Self {
        let mut inputs: Vec<PathBuf> =
            sources.iter().filter_map(|s| if let Source::File(p) = s { Some(p.clone()) } else { None }).collect();
        inputs.extend(extra_inputs.iter().cloned());
        JobOptions {
            output: cfg.output.clone(),
            existing: cfg.existing,
            progress: cfg.progress,
            shard: cfg.shard,
            identity,
            window: window.clamp(1, 1 << 14),
            inputs,
            reads_stdin: sources.contains(&Source::Stdin),
            skip_bad_rows: cfg.skip_bad_rows,
            argv: cfg.argv.clone(),
            // Results printed to the terminal the bar is on would leave it among them.
            bar: cfg.stderr_tty && !(cfg.output.is_none() && cfg.same_terminal),
            stderr_tty: cfg.stderr_tty,
        }
    }
}

/// The model's part of a job's identity.
pub fn model_identity(model: &Resolved) -> Value {
    match &model.origin {
        Origin::Folder => json!({ "folder": std::fs::canonicalize(&model.dir).unwrap_or(model.dir.clone()) }),
        Origin::Cache { repo, commit, .. } => json!({ "repo": repo, "commit": commit }),
    }
}

/// Everything that decides a job's output bytes: the command, its options,
/// the model and the inputs' names (their content is checked by hash).
pub fn identity(command: &str, options: Value, model: &Resolved, sources: &[Source]) -> Value {
    json!({
        "zeroshot": env!("CARGO_PKG_VERSION"),
        "command": command,
        "options": options,
        "model": model_identity(model),
        "inputs": sources.iter().map(Source::name).collect::<Vec<_>>(),
    })
}

/// An opened output: where results go and what an earlier run already did.
pub struct Opened {
    dest: Dest,
    restored: Option<Progress>,
}

/// Opens the output before the model loads, so that a refused `-o` (an
/// input, a locked or unfinished file) costs nothing.
pub fn open(job: &JobOptions) -> Result<Opened> {
    let (dest, restored) = Dest::open(job.output.as_deref(), job.identity.clone(), job.existing, &job.inputs, job.reads_stdin)?;
    if let Some(partial) = dest.partial_path() {
        interrupt::watch(partial, restored.as_ref().map_or(0, |p| p.written), &job.argv);
    }
    Ok(Opened { dest, restored })
}

/// Streams `docs` through `score` into the output, with checkpoints, resume
/// and progress; returns the final counts.
#[allow(clippy::too_many_arguments)]
pub fn run<I, R>(
    job: &JobOptions,
    opened: Opened,
    docs: I,
    total_bytes: Option<u64>,
    score: impl FnMut(&[Doc]) -> Result<Vec<R>>,
    render: &dyn Render<R>,
    mut on_result: impl FnMut(&Doc, &R, &mut Progress),
) -> Result<Progress>
where
    I: Iterator<Item = Result<Doc, InputError>> + Send + 'static,
{
    let Opened { mut dest, restored } = opened;
    let resumed = restored.is_some();
    let mut prog = restored.unwrap_or_default();
    let mut items = docs.enumerate();
    if resumed {
        skip_done(&mut items, &prog)?;
    } else {
        dest.write(&render.preamble())?;
    }
    let shard = job.shard;
    // Where the whole input ended, whichever shard its last item was for.
    let read_to = std::sync::Arc::new(std::sync::Mutex::new(prog.input));
    let seen = read_to.clone();
    let items = items.filter(move |(_, item)| {
        let end = item.as_ref().map_or_else(|e| e.end, |d| d.end);
        *seen.lock().unwrap_or_else(|e| e.into_inner()) = end;
        item.as_ref().map_or(true, |d| shard.is_none_or(|s| s.takes(d.index)))
    });
    let mut display = Display::new(job.progress, job.bar, total_bytes, prog.written, prog.input.bytes);
    let result = stream::stream(items, job.window, score, |event| {
        match event {
            Event::Scored { seq, doc, result } => {
                prog.items = seq + 1;
                prog.input = doc.end;
                on_result(&doc, &result, &mut prog);
                dest.write(&render.record(&doc, &result, prog.written))?;
                prog.written += 1;
                display.update(prog.written, doc.end.bytes);
            }
            Event::InputError { seq, error } => {
                prog.items = seq + 1;
                prog.input = error.end;
                crate::msg::error(&error.to_string());
                match error.kind {
                    ErrorKind::Skipped => prog.skipped += 1,
                    _ => prog.unreadable += 1,
                }
            }
            Event::WindowDone => {
                dest.checkpoint(&prog)?;
                interrupt::safe(prog.written);
            }
            Event::Started => display.start(),
        }
        Ok(())
    });
    display.finish();
    if let Err(e) = result {
        interrupt::stop();
        if let Some(input) = e.downcast_ref::<InputError>() {
            let mut msg = input.to_string();
            if !job.skip_bad_rows && input.kind == ErrorKind::Fatal && !input.message.contains("quoted field") {
                msg.push_str("\nhint: fix the record, or pass --skip-bad-rows to skip malformed rows");
            }
            if let Some(partial) = dest.partial_path() {
                msg.push_str(&format!(
                    "\nthe {} so far are kept in {} (continue with --resume once fixed)",
                    plural(prog.written, "result"),
                    partial.display()
                ));
            }
            bail!(msg);
        }
        return Err(e);
    }
    dest.write(&render.epilogue(prog.written))?;
    dest.checkpoint(&prog)?;
    interrupt::stop();
    let file = dest.partial_path().is_some();
    dest.finish(render.patch(prog.written))?;
    if let (Some(shard), Some(path), true) = (job.shard, &job.output, file) {
        let input = *read_to.lock().unwrap_or_else(|e| e.into_inner());
        write_shard_note(path, job, shard, &prog, input, render.framing())?;
    }
    if prog.skipped > 0 {
        crate::msg::line(&format!("skipped {}", plural(prog.skipped, "bad row")));
    }
    Ok(prog)
}

/// What `zeroshot merge` needs to know about one shard's output: the job
/// (without its shard), which shard, how many records, the whole input's
/// fingerprint (every shard reads all of it) and the file's framing.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ShardNote {
    pub job: Value,
    pub shard: Shard,
    pub documents: usize,
    pub input: crate::input::Position,
    pub framing: crate::output::framing::Framing,
}

/// The note beside a shard's output file.
pub fn shard_note_path(output: &std::path::Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".shard.json");
    PathBuf::from(s)
}

fn write_shard_note(path: &std::path::Path, job: &JobOptions, shard: Shard, prog: &Progress, input: crate::input::Position, framing: crate::output::framing::Framing) -> Result<()> {
    use anyhow::Context;
    let mut identity = job.identity.clone();
    if let Some(o) = identity.get_mut("options").and_then(Value::as_object_mut) {
        o.remove("shard");
    }
    let note = ShardNote { job: identity, shard, documents: prog.written, input, framing };
    let target = shard_note_path(path);
    let tmp = shard_note_path(&shard_note_path(path));
    std::fs::write(&tmp, serde_json::to_vec_pretty(&note)?).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &target).with_context(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

/// On resume: reads past the items an earlier run finished and checks that
/// they are the same bytes it read (stdin included).
fn skip_done(items: &mut impl Iterator<Item = (usize, Result<Doc, InputError>)>, prog: &Progress) -> Result<()> {
    if prog.items == 0 {
        return Ok(());
    }
    let mismatch = |why: &str| {
        anyhow::anyhow!(
            "--resume: the input is not the one the partial output was made from ({why}); \
             resume with the same input, or start over with --restart"
        )
    };
    for (seq, item) in items.by_ref() {
        let end = match &item {
            Ok(d) => d.end,
            Err(e) if e.kind == ErrorKind::Fatal => return Err(mismatch(&format!("it now fails at {}", e.location))),
            Err(e) => e.end,
        };
        if seq + 1 == prog.items {
            if end != prog.input {
                return Err(mismatch(&format!(
                    "its first {} differ",
                    if end.bytes == prog.input.bytes { format!("{} bytes", end.bytes) } else { "bytes read".to_string() }
                )));
            }
            return Ok(());
        }
    }
    Err(mismatch(&format!("it ends before the {} already done", plural(prog.items, "record"))))
}

/// After an `-o` job on a terminal: one line saying what was written where.
pub fn summary(job: &JobOptions, prog: &Progress, seconds: f64, pairs: Option<usize>) {
    let (Some(path), true, false) = (&job.output, job.stderr_tty, job.progress == ProgressMode::Off) else { return };
    let mut line = format!("wrote {}", plural(prog.written, "document"));
    if let Some(p) = pairs {
        line.push_str(&format!(" ({})", plural(p, "pair")));
    }
    line.push_str(&format!(" to {} in {seconds:.1} s ({:.1} documents/s)", path.display(), prog.written as f64 / seconds.max(1e-3)));
    if prog.skipped > 0 {
        line.push_str(&format!("; skipped {}", plural(prog.skipped, "bad row")));
    }
    if prog.unreadable > 0 {
        line.push_str(&format!("; {} could not be read", plural(prog.unreadable, "input")));
    }
    crate::msg::line(&line);
}

pub fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

/// 2 when some input failed, else 0.
pub fn input_exit(prog: &Progress) -> u8 {
    if prog.skipped + prog.unreadable > 0 {
        crate::exit::ERROR
    } else {
        crate::exit::OK
    }
}
