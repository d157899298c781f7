//! The commands' bodies: each wires its checked config, the engine, the
//! input and the job runner together and decides the exit code.

pub mod classify;
pub mod embed;
pub mod eval;
pub mod info;
pub mod merge;
pub mod nli;

use anyhow::{Context, Result};

use crate::config::ModelSpec;
use crate::hub::{self, Resolved};
use crate::input::Source;
use crate::state::State;

/// Says once, when stdin is a terminal it will read, what to type there.
fn stdin_hint(state: &State, sources: &[Source], what: &str, how: &str) {
    if state.stdin_tty && sources.contains(&Source::Stdin) {
        crate::msg::line(&format!("reading {what} from the terminal{how}; press Ctrl-D to finish (or pipe them in, or name files)"));
    }
}

/// Starts the thread pool with `threads` workers (else rayon's default: all cores).
fn init_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot start the thread pool")?;
    }
    Ok(())
}

/// The model folder `--model` names.
fn resolve(model: &ModelSpec, state: &State) -> Result<Resolved> {
    hub::resolve(&model.spec, model.revision.as_deref(), &state.hub)
}

fn load_context(resolved: &Resolved) -> String {
    format!("cannot load the model in {}", resolved.dir.display())
}
