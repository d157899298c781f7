use std::process::ExitCode;

use clap::Parser;
use zeroshot::cli::Cli;
use zeroshot::exit;
use zeroshot::state::State;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let msg = e.render().to_string();
            zeroshot::msg::raw(&format!("zeroshot: {}", msg.strip_prefix("error: ").unwrap_or(&msg)));
            return ExitCode::from(exit::ERROR);
        }
    };
    let state = State::capture();
    match zeroshot::app::run(cli, &state) {
        Ok(code) => ExitCode::from(code),
        // A closed stdout (`| head`) is a normal way to stop.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            zeroshot::msg::line(&format!("{e:#}"));
            ExitCode::from(exit::ERROR)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
