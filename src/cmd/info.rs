//! The commands that only inform: `labels`, `model info`, `model fetch`,
//! `completions` and `man`.

use std::io::Write;

use anyhow::{Context, Result};

use crate::cli::Cli;
use crate::exit;
use crate::hub;
use crate::state::State;

/// Writes `bytes` to stdout.
pub fn print(bytes: &[u8]) -> Result<u8> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()?;
    Ok(exit::OK)
}

/// `zeroshot labels [NAME]`.
pub fn labels(name: Option<&str>) -> Result<u8> {
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

pub fn model_info(model: &crate::cli::ModelArgs, precision: crate::model::Precision, json: bool, state: &State) -> Result<u8> {
    let resolved = hub::resolve(&model.model, model.revision.as_deref(), &state.hub)?;
    let info = crate::inspect::model_info(&model.model, &resolved, precision)?;
    let text = if json { format!("{}\n", serde_json::to_string_pretty(&info)?) } else { crate::inspect::render(&info) };
    print(text.as_bytes())
}

pub fn model_fetch(model: &crate::cli::ModelArgs, state: &State) -> Result<u8> {
    let resolved = hub::fetch(&model.model, model.revision.as_deref(), &state.hub)?;
    crate::msg::line(&format!("{} is in the Hugging Face cache; use it offline with HF_HUB_OFFLINE=1", model.model));
    print(format!("{}\n", resolved.dir.display()).as_bytes())
}

pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "zeroshot", &mut out);
    print(&out)
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
