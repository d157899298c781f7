//! Every message zeroshot prints on stderr goes through here: one prefix, a
//! progress bar suspended around it, and no panic when stderr is closed
//! (`eprintln!` panics on a write error).

use std::io::Write;
use std::sync::Mutex;

/// The progress bar on screen, if any: messages are printed around it.
static BAR: Mutex<Option<indicatif::ProgressBar>> = Mutex::new(None);

/// Registers (or, with `None`, removes) the bar messages must not garble.
pub fn set_bar(bar: Option<indicatif::ProgressBar>) {
    *BAR.lock().unwrap_or_else(|e| e.into_inner()) = bar;
}

/// Clears the progress bar from the screen for good (the process is ending).
pub fn clear_bar() {
    if let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
}

/// Writes `text` to stderr as it is (ignoring a closed or failing stderr).
pub fn raw(text: &str) {
    let write = || {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    };
    let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match bar {
        Some(bar) if !bar.is_finished() => bar.suspend(write),
        _ => write(),
    }
}

/// `zeroshot: MESSAGE` on a line of its own.
pub fn line(message: &str) {
    raw(&format!("zeroshot: {message}\n"));
}

/// An error that does not stop the run (it still makes the exit code 2).
pub fn error(message: &str) {
    line(message);
}

pub fn warn(message: &str) {
    line(&format!("warning: {message}"));
}

/// A value shortened for a message: at most `max` characters, with `…`.
pub fn short(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let head: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{head}…")
}
