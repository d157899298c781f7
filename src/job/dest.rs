//! Where results go: standard output, a device or FIFO written straight
//! through, or a regular file written atomically.
//!
//! A regular file is written as `PATH.partial`, locked against a second job,
//! with a checkpoint beside it (`PATH.partial.json`) after every window; only
//! a finished run renames the partial file to PATH, keeping the permissions of
//! the file it replaces. A killed run is resumed from its last checkpoint and
//! ends byte-identical to an uninterrupted one; a rerun without `--resume`
//! refuses to throw a partial file's finished work away unless told to.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::input::Position;

/// How far a job got: enough to continue it and to report the same totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Input items (documents and bad records) consumed, in input order.
    pub items: usize,
    /// The input read up to the end of those items (checked on resume).
    pub input: Position,
    /// Documents written.
    pub written: usize,
    /// Bad rows skipped and unreadable inputs reported.
    pub skipped: usize,
    pub unreadable: usize,
    /// Documents that tripped the gate, and the first of them.
    pub gate_hits: usize,
    pub gate_first: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct State {
    /// What the job is: anything that changes the output bytes.
    job: Value,
    /// Bytes of the partial file that belong to `progress`.
    bytes: u64,
    progress: Progress,
    /// The process writing it, named when a second job finds it locked.
    #[serde(default)]
    pid: u32,
}

pub enum Dest {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    /// A device, FIFO or other non-regular file: no partial file, no rename.
    Special { path: PathBuf, w: BufWriter<File> },
    File(FileDest),
}

/// What `--output` should do with earlier work.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Existing {
    /// Refuse to delete a partial file that holds finished work.
    Keep,
    /// `--resume`: continue it.
    Resume,
    /// `--restart`: delete it and start over.
    Restart,
}

impl Dest {
    /// Opens `--output PATH` (or stdout). `inputs` are the files the job
    /// reads: PATH may not be one of them.
    pub fn open(path: Option<&Path>, job: Value, existing: Existing, inputs: &[PathBuf], stdin: bool) -> Result<(Dest, Option<Progress>)> {
        let Some(path) = path else {
            return Ok((Dest::Stdout(BufWriter::new(std::io::stdout().lock())), None));
        };
        refuse_inputs(path, inputs, stdin)?;
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => bail!("--output {}: is a folder", path.display()),
            Ok(m) if !m.is_file() => {
                if existing == Existing::Resume {
                    bail!("--output {}: --resume needs a regular file, and this is a device or pipe (written straight through)", path.display());
                }
                let f = OpenOptions::new().write(true).open(path).with_context(|| format!("--output {}: cannot open it for writing", path.display()))?;
                return Ok((Dest::Special { path: path.to_path_buf(), w: BufWriter::new(f) }, None));
            }
            _ => {}
        }
        let (f, restored) = FileDest::open(path, job, existing)?;
        Ok((Dest::File(f), restored))
    }

    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Dest::Stdout(w) => w.write_all(bytes)?,
            Dest::Special { path, w } => w.write_all(bytes).with_context(|| format!("cannot write {}", path.display()))?,
            Dest::File(f) => {
                f.w.write_all(bytes).with_context(|| format!("cannot write {}", f.partial.display()))?;
                f.bytes += bytes.len() as u64;
            }
        }
        Ok(())
    }

    /// Makes everything so far durable (file) or visible (stdout, device).
    pub fn checkpoint(&mut self, progress: &Progress) -> Result<()> {
        match self {
            Dest::Stdout(w) => Ok(w.flush()?),
            Dest::Special { path, w } => w.flush().with_context(|| format!("cannot write {}", path.display())),
            Dest::File(f) => f.checkpoint(progress),
        }
    }

    /// Completes the output: a final patch (bytes at an offset; files only)
    /// and, for a file, the rename into place.
    pub fn finish(self, patch: Option<(u64, Vec<u8>)>) -> Result<()> {
        match self {
            Dest::Stdout(mut w) => Ok(w.flush()?),
            Dest::Special { path, mut w } => w.flush().with_context(|| format!("cannot write {}", path.display())),
            Dest::File(f) => f.finish(patch),
        }
    }

    /// The partial file holding finished work, when writing a file.
    pub fn partial_path(&self) -> Option<&Path> {
        match self {
            Dest::File(f) => Some(&f.partial),
            _ => None,
        }
    }
}

/// Refuses an output that is (or resolves to: a symbolic or hard link) one of
/// the inputs, before anything is written.
fn refuse_inputs(out: &Path, inputs: &[PathBuf], stdin: bool) -> Result<()> {
    let Ok(o) = std::fs::metadata(out) else { return Ok(()) };
    for input in inputs {
        if let Ok(i) = std::fs::metadata(input) {
            if same_file(&o, &i) {
                bail!(
                    "--output {} is the input {} (the same file); writing it would destroy the input: write elsewhere",
                    out.display(),
                    input.display()
                );
            }
        }
    }
    if stdin {
        if let Some(i) = stdin_metadata() {
            if same_file(&o, &i) {
                bail!("--output {} is the file on standard input; writing it would destroy the input: write elsewhere", out.display());
            }
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    // Without inode numbers, compare what can be compared; canonical paths
    // are checked by the caller's metadata of the same path.
    a.len() == b.len() && a.modified().ok() == b.modified().ok() && a.created().ok() == b.created().ok()
}

/// The file behind standard input, when it is one.
#[cfg(unix)]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
    let m = File::from(fd).metadata().ok()?;
    m.is_file().then_some(m)
}

#[cfg(not(unix))]
fn stdin_metadata() -> Option<std::fs::Metadata> {
    None
}

pub struct FileDest {
    path: PathBuf,
    partial: PathBuf,
    state: PathBuf,
    w: BufWriter<File>,
    bytes: u64,
    job: Value,
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn read_state(path: &Path) -> Result<Option<State>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("{} is damaged; start over with --restart", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn plural(n: usize, one: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {one}s")
    }
}

impl FileDest {
    /// Starts writing `path` (through `path.partial`, locked). With
    /// `Existing::Resume`, continues the partial file of an interrupted run
    /// of the same `job`, if there is one, and returns its progress.
    fn open(path: &Path, job: Value, existing: Existing) -> Result<(Self, Option<Progress>)> {
        // A symbolic link is written through: the file it names is replaced.
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
            _ => path.to_path_buf(),
        };
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                bail!("--output {}: folder {} does not exist", path.display(), dir.display());
            }
        }
        let partial = with_suffix(&target, ".partial");
        let state_path = with_suffix(&target, ".partial.json");
        let mut f = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&partial)
            .with_context(|| format!("cannot create {}", partial.display()))?;
        match f.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let who = read_state(&state_path).ok().flatten().map(|s| s.pid).filter(|&p| p > 0);
                bail!(
                    "--output {}: another zeroshot ({}) is writing it right now ({} is locked); wait for it, or write elsewhere",
                    path.display(),
                    who.map_or("process".to_string(), |p| format!("process {p}")),
                    partial.display()
                );
            }
            // A file system without locks: go on unlocked.
            Err(std::fs::TryLockError::Error(e)) => {
                crate::msg::warn(&format!("cannot lock {} ({e}); make sure no other job writes --output {}", partial.display(), path.display()));
            }
        }
        let state = read_state(&state_path)?;
        let mut restored = None;
        let mut bytes = 0;
        match (existing, state) {
            (Existing::Resume, Some(state)) => {
                if let Some(diff) = first_difference(&state.job, &job) {
                    bail!(
                        "--resume: {} was written by a different job ({diff}); start over with --restart",
                        partial.display()
                    );
                }
                let len = f.metadata()?.len();
                if len < state.bytes {
                    bail!("--resume: {} is shorter than its checkpoint says; start over with --restart", partial.display());
                }
                // Anything after the checkpoint is from a window that did not finish.
                f.set_len(state.bytes)?;
                bytes = state.bytes;
                restored = Some(state.progress);
            }
            (Existing::Keep, Some(state)) if state.progress.written > 0 => bail!(
                "--output {}: {} holds {} finished by an earlier run; continue it with --resume, \
                 or delete them and start over with --restart",
                path.display(),
                partial.display(),
                plural(state.progress.written, "document")
            ),
            // Nothing finished to keep (or --restart): start afresh.
            _ => f.set_len(0)?,
        }
        f.seek(SeekFrom::End(0))?;
        let dest = FileDest { path: target, partial, state: state_path, w: BufWriter::new(f), bytes, job };
        // The state names this process from the start, for a second job's message.
        dest.write_state(restored.as_ref().unwrap_or(&Progress::default()))?;
        Ok((dest, restored))
    }

    fn write_state(&self, progress: &Progress) -> Result<()> {
        let state = State { job: self.job.clone(), bytes: self.bytes, progress: progress.clone(), pid: std::process::id() };
        let tmp = with_suffix(&self.state, ".tmp");
        std::fs::write(&tmp, serde_json::to_vec(&state)?).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.state).with_context(|| format!("cannot write {}", self.state.display()))?;
        Ok(())
    }

    fn checkpoint(&mut self, progress: &Progress) -> Result<()> {
        self.w.flush().with_context(|| format!("cannot write {}", self.partial.display()))?;
        self.w.get_ref().sync_data().with_context(|| format!("cannot write {}", self.partial.display()))?;
        self.write_state(progress)
    }

    /// Completes the job: applies a final patch (bytes at an offset), and the
    /// partial file becomes PATH with the permissions of the file it replaces.
    fn finish(mut self, patch: Option<(u64, Vec<u8>)>) -> Result<()> {
        let ctx = || format!("cannot write {}", self.partial.display());
        self.w.flush().with_context(ctx)?;
        if let Some((offset, bytes)) = patch {
            let f = self.w.get_mut();
            f.seek(SeekFrom::Start(offset)).with_context(ctx)?;
            f.write_all(&bytes).with_context(ctx)?;
        }
        self.w.get_ref().sync_all().with_context(ctx)?;
        if let Ok(old) = std::fs::metadata(&self.path) {
            if old.is_file() {
                std::fs::set_permissions(&self.partial, old.permissions())
                    .with_context(|| format!("cannot give {} the permissions of {}", self.partial.display(), self.path.display()))?;
            }
        }
        std::fs::rename(&self.partial, &self.path)
            .with_context(|| format!("cannot move {} to {}", self.partial.display(), self.path.display()))?;
        let _ = std::fs::remove_file(&self.state);
        #[cfg(unix)]
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The rename is durable once the folder is.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// The first key whose value differs, for a readable refusal.
fn first_difference(old: &Value, new: &Value) -> Option<String> {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return Some(format!("{k}: was {}, now {}", brief(w), brief(v))),
                    None => return Some(format!("{k}: new")),
                }
            }
            a.keys().find(|k| !b.contains_key(*k)).map(|k| format!("{k}: removed"))
        }
        _ if old == new => None,
        _ => Some(format!("was {}, now {}", brief(old), brief(new))),
    }
}

/// A value for a message: strings and lists of strings without JSON noise.
fn brief(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(brief).collect();
            parts.join(", ")
        }
        other => other.to_string(),
    };
    crate::msg::short(&s, 120)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_until_finished_then_resumable() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (mut d, restored) = Dest::open(Some(&out), json!({"labels": ["a"]}), Existing::Keep, &[], false).unwrap();
        assert!(restored.is_none());
        d.write(b"one\n").unwrap();
        let p = Progress { items: 1, written: 1, ..Default::default() };
        d.checkpoint(&p).unwrap();
        d.write(b"tw").unwrap(); // a window that never finished
        if let Dest::File(f) = &mut d {
            f.w.flush().unwrap();
        }
        drop(d);
        assert!(!out.exists());
        // Finished work is not deleted by a plain rerun, nor continued by another job.
        let e = Dest::open(Some(&out), json!({"labels": ["a"]}), Existing::Keep, &[], false).err().unwrap();
        assert!(e.to_string().contains("1 document finished") && e.to_string().contains("--resume"), "{e}");
        assert!(Dest::open(Some(&out), json!({"labels": ["b"]}), Existing::Resume, &[], false).is_err());
        let (mut d, restored) = Dest::open(Some(&out), json!({"labels": ["a"]}), Existing::Resume, &[], false).unwrap();
        assert_eq!(restored, Some(p));
        // While it runs, a second job is refused.
        let busy = Dest::open(Some(&out), json!({"labels": ["a"]}), Existing::Restart, &[], false).err().unwrap();
        assert!(busy.to_string().contains(&format!("process {}", std::process::id())), "{busy}");
        d.write(b"two\n").unwrap();
        d.finish(None).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one\ntwo\n");
        assert!(!with_suffix(&out, ".partial").exists() && !with_suffix(&out, ".partial.json").exists());
    }

    #[test]
    fn an_input_is_never_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "text\nx\n").unwrap();
        let link = dir.path().join("link.csv");
        std::fs::hard_link(&input, &link).unwrap();
        for out in [&input, &link] {
            assert!(Dest::open(Some(out), json!({}), Existing::Keep, std::slice::from_ref(&input), false).is_err());
        }
        assert_eq!(std::fs::read_to_string(&input).unwrap(), "text\nx\n");
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        std::fs::write(&out, "old").unwrap();
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
        let (mut d, _) = Dest::open(Some(&out), json!({}), Existing::Keep, &[], false).unwrap();
        d.write(b"new").unwrap();
        d.finish(None).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new");
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
