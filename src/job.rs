//! Where results go. Standard output, or a file written atomically: results
//! accumulate in `PATH.partial` with a checkpoint beside it
//! (`PATH.partial.json`) after every window, and only a finished run renames
//! the partial file to PATH. A killed run can be resumed from its last
//! checkpoint and ends byte-identical to an uninterrupted one.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How far a job got: enough to continue it and to report the same totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Input items (documents and bad records) consumed, in input order.
    pub items: usize,
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
}

pub enum Dest {
    Stdout(BufWriter<std::io::StdoutLock<'static>>),
    File(FileDest),
}

impl Dest {
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        match self {
            Dest::Stdout(w) => w.write_all(bytes)?,
            Dest::File(f) => {
                f.w.write_all(bytes).with_context(|| format!("cannot write {}", f.partial.display()))?;
                f.bytes += bytes.len() as u64;
            }
        }
        Ok(())
    }

    /// Makes everything so far durable (file) or visible (stdout).
    pub fn checkpoint(&mut self, progress: &Progress) -> Result<()> {
        match self {
            Dest::Stdout(w) => Ok(w.flush()?),
            Dest::File(f) => f.checkpoint(progress),
        }
    }
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

impl FileDest {
    /// Starts writing `path` (through `path.partial`). With `resume`, continues
    /// the partial file of an interrupted run of the same `job`, if there is
    /// one, and returns its progress.
    pub fn open(path: &Path, job: Value, resume: bool) -> Result<(Self, Option<Progress>)> {
        let partial = with_suffix(path, ".partial");
        let state_path = with_suffix(path, ".partial.json");
        if path.is_dir() {
            bail!("--output {}: is a folder", path.display());
        }
        let mut restored = None;
        let mut bytes = 0;
        // With nothing to continue, --resume simply starts the job.
        let file = if resume && state_path.exists() {
            let text = std::fs::read_to_string(&state_path)
                .with_context(|| format!("--resume: cannot read {}", state_path.display()))?;
            let state: State = serde_json::from_str(&text)
                .with_context(|| format!("--resume: {} is damaged; run without --resume", state_path.display()))?;
            if let Some(diff) = first_difference(&state.job, &job) {
                bail!(
                    "--resume: {} was written by a different job ({diff}); run without --resume to start over",
                    partial.display()
                );
            }
            let mut f = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&partial)
                .with_context(|| format!("--resume: cannot open {}", partial.display()))?;
            let len = f.metadata()?.len();
            if len < state.bytes {
                bail!("--resume: {} is shorter than its checkpoint says; run without --resume", partial.display());
            }
            // Anything after the checkpoint is from a window that did not finish.
            f.set_len(state.bytes)?;
            f.seek(SeekFrom::End(0))?;
            bytes = state.bytes;
            restored = Some(state.progress);
            f
        } else {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                if !dir.is_dir() {
                    bail!("--output {}: folder {} does not exist", path.display(), dir.display());
                }
            }
            let f = File::create(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
            let _ = std::fs::remove_file(&state_path);
            f
        };
        let dest = FileDest { path: path.to_path_buf(), partial, state: state_path, w: BufWriter::new(file), bytes, job };
        Ok((dest, restored))
    }

    fn checkpoint(&mut self, progress: &Progress) -> Result<()> {
        self.w.flush().with_context(|| format!("cannot write {}", self.partial.display()))?;
        self.w.get_ref().sync_data()?;
        let state = State { job: self.job.clone(), bytes: self.bytes, progress: progress.clone() };
        let tmp = with_suffix(&self.state, ".tmp");
        std::fs::write(&tmp, serde_json::to_vec(&state)?).with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, &self.state).with_context(|| format!("cannot write {}", self.state.display()))?;
        Ok(())
    }

    /// Completes the job: applies a final patch (bytes at an offset), and the
    /// partial file becomes PATH.
    pub fn finish(mut self, patch: Option<(u64, Vec<u8>)>) -> Result<()> {
        self.w.flush()?;
        if let Some((offset, bytes)) = patch {
            let f = self.w.get_mut();
            f.seek(SeekFrom::Start(offset))?;
            f.write_all(&bytes)?;
        }
        self.w.get_ref().sync_all()?;
        std::fs::rename(&self.partial, &self.path)
            .with_context(|| format!("cannot move {} to {}", self.partial.display(), self.path.display()))?;
        let _ = std::fs::remove_file(&self.state);
        Ok(())
    }

    pub fn partial_path(&self) -> &Path {
        &self.partial
    }
}

/// The first key whose value differs, for a readable refusal.
fn first_difference(old: &Value, new: &Value) -> Option<String> {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    Some(w) if w == v => {}
                    Some(w) => return Some(format!("{k}: was {w}, now {v}")),
                    None => return Some(format!("{k}: new")),
                }
            }
            a.keys().find(|k| !b.contains_key(*k)).map(|k| format!("{k}: removed"))
        }
        _ if old == new => None,
        _ => Some(format!("was {old}, now {new}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn partial_until_finished_then_resumable() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        let (mut f, restored) = FileDest::open(&out, json!({"labels": ["a"]}), false).unwrap();
        assert!(restored.is_none());
        let mut d = Dest::File(f);
        d.write(b"one\n").unwrap();
        let p = Progress { items: 1, written: 1, ..Default::default() };
        d.checkpoint(&p).unwrap();
        d.write(b"tw").unwrap(); // a window that never finished
        let Dest::File(fd) = d else { unreachable!() };
        f = fd;
        f.w.flush().unwrap();
        drop(f);
        assert!(!out.exists());
        // A different job may not resume it.
        assert!(FileDest::open(&out, json!({"labels": ["b"]}), true).is_err());
        let (f, restored) = FileDest::open(&out, json!({"labels": ["a"]}), true).unwrap();
        assert_eq!(restored, Some(p));
        let mut d = Dest::File(f);
        d.write(b"two\n").unwrap();
        let Dest::File(f) = d else { unreachable!() };
        f.finish(None).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"one\ntwo\n");
        assert!(!with_suffix(&out, ".partial").exists() && !with_suffix(&out, ".partial.json").exists());
    }
}
