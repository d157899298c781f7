//! Dispatch: each command's checked config, then its body in `cmd`.

use anyhow::Result;

use crate::cli::{Cli, Command, ModelCommand};
use crate::cmd;
use crate::config::{ClassifyConfig, EmbedConfig, EvalConfig, NliConfig};
use crate::state::State;

pub fn run(cli: Cli, state: &State) -> Result<u8> {
    match cli.command {
        Command::Classify(args) => {
            let cfg = ClassifyConfig::new(&args, state)?;
            kernel(state)?;
            cmd::classify::run(cfg, state)
        }
        Command::Nli(args) => {
            let cfg = NliConfig::new(&args, state)?;
            kernel(state)?;
            cmd::nli::run(cfg, state)
        }
        Command::Embed(args) => {
            let cfg = EmbedConfig::new(&args, state)?;
            kernel(state)?;
            cmd::embed::run(cfg, state)
        }
        Command::Eval(args) => {
            let cfg = EvalConfig::new(&args, state)?;
            kernel(state)?;
            cmd::eval::run(cfg, state)
        }
        Command::Merge(args) => cmd::merge::run(&args),
        Command::Labels { name } => cmd::info::labels(name.as_deref()),
        Command::Model(ModelCommand::Info { model, precision, json }) => {
            kernel(state)?;
            cmd::info::model_info(&model, precision, json, state)
        }
        Command::Model(ModelCommand::Fetch { model }) => cmd::info::model_fetch(&model, state),
        Command::Completions { shell } => cmd::info::completions(shell),
        Command::Man { command } => cmd::info::print(&cmd::info::man_page(command.as_deref())?),
    }
}

/// The instruction-set level for this process (`ZEROSHOT_KERNEL` validated).
fn kernel(state: &State) -> Result<()> {
    crate::cpu::init(state.kernel.as_deref())?;
    Ok(())
}
