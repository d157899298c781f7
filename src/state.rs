//! The environment and terminal state, captured once at start-up (in the
//! manner of ripgrep's `State`), so nothing below reads variables or probes
//! the terminal on its own.

use std::io::IsTerminal;

use crate::hub::HubEnv;

#[derive(Clone, Debug)]
pub struct State {
    pub stdin_tty: bool,
    pub stdout_tty: bool,
    pub stderr_tty: bool,
    /// stdout and stderr are the same terminal: a progress bar would be left
    /// between the results.
    pub same_terminal: bool,
    /// `ZEROSHOT_STATS=1`: one line of work and timings on stderr.
    pub stats: bool,
    /// `ZEROSHOT_KERNEL`: the instruction-set level to force.
    pub kernel: Option<String>,
    /// Where models come from (Hugging Face variables).
    pub hub: HubEnv,
    /// The command line as given.
    pub argv: Vec<String>,
}

impl State {
    pub fn capture() -> Self {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let stderr_tty = std::io::stderr().is_terminal();
        let mut hub = HubEnv::from_env();
        hub.progress = stderr_tty;
        let stdout_tty = std::io::stdout().is_terminal();
        State {
            stdin_tty: std::io::stdin().is_terminal(),
            stdout_tty,
            stderr_tty,
            same_terminal: stdout_tty && stderr_tty && same_device(),
            stats: var("ZEROSHOT_STATS").is_some_and(|v| v == "1"),
            kernel: var("ZEROSHOT_KERNEL"),
            hub,
            argv: std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect(),
        }
    }
}

/// Whether stdout and stderr are the same device (one terminal).
#[cfg(unix)]
fn same_device() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let rdev = |fd: std::os::fd::BorrowedFd| fd.try_clone_to_owned().ok().and_then(|o| std::fs::File::from(o).metadata().ok()).map(|m| m.rdev());
    let (a, b) = (rdev(std::io::stdout().as_fd()), rdev(std::io::stderr().as_fd()));
    a.is_some() && a == b
}

#[cfg(not(unix))]
fn same_device() -> bool {
    true
}
