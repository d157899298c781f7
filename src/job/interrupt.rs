//! Ctrl-C and SIGTERM while writing an output file: the partial file is
//! already safe up to its last checkpoint; say how much is there and the
//! command that continues it, then exit 130.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

struct Watched {
    partial: PathBuf,
    written: usize,
    command: String,
}

static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);

/// Starts reporting interruptions of a job writing `partial`.
pub fn watch(partial: &Path, written: usize, argv: &[String]) {
    let command = resume_command(argv);
    *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = Some(Watched { partial: partial.to_path_buf(), written, command });
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // If a handler cannot be installed the default action (exit) still keeps the partial file.
        let _ = ctrlc::set_handler(|| {
            let w = WATCHED.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(w) = w.as_ref() {
                crate::msg::clear_bar();
                let safe = if w.written == 1 { "1 document is".to_string() } else { format!("{} documents are", w.written) };
                crate::msg::line(&format!("interrupted: {safe} safe in {}; continue with: {}", w.partial.display(), w.command));
            }
            std::process::exit(130);
        });
    });
}

/// `written` documents are now safe in the partial file.
pub fn safe(written: usize) {
    if let Some(w) = WATCHED.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        w.written = written;
    }
}

/// The job is over (done or failed): an interruption no longer needs words.
pub fn stop() {
    *WATCHED.lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The command line with `--resume` (and without `--restart`), quoted for a shell.
fn resume_command(argv: &[String]) -> String {
    let mut args: Vec<&str> = argv.iter().map(String::as_str).filter(|a| *a != "--restart").collect();
    if !args.contains(&"--resume") {
        args.push("--resume");
    }
    args.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ")
}

fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resume_command_is_shell_ready() {
        let argv: Vec<String> = ["zeroshot", "classify", "--labels", "a b,c", "-o", "out.csv", "--restart", "it's.csv"].iter().map(|s| s.to_string()).collect();
        assert_eq!(resume_command(&argv), "zeroshot classify --labels 'a b,c' -o out.csv 'it'\\''s.csv' --resume");
    }
}
