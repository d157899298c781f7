//! Running each command: wiring config, model, input and output together and
//! deciding the exit code.

use std::io::{BufWriter, IsTerminal, Write};

use anyhow::{Context, Result};

use crate::classify::{self, Event};
use crate::cli::{Cli, Command};
use crate::config::ClassifyConfig;
use crate::hub::{self, HubEnv};
use crate::input::Docs;
use crate::output::{self, Format, Show};

/// Exit codes: 0 success, 1 a gate tripped, 2 an error (some input failed or the run stopped).
pub const EXIT_OK: u8 = 0;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Classify(args) => classify(ClassifyConfig::new(&args, std::io::stdout().is_terminal())?),
    }
}

fn init_threads(threads: Option<usize>) -> Result<()> {
    if let Some(n) = threads {
        rayon::ThreadPoolBuilder::new().num_threads(n).build_global().context("cannot start the thread pool")?;
    }
    Ok(())
}

fn classify(cfg: ClassifyConfig) -> Result<u8> {
    let started = std::time::Instant::now();
    init_threads(cfg.threads)?;
    let resolved = hub::resolve(&cfg.model.spec, cfg.model.revision.as_deref(), &HubEnv::from_env())?;
    let clf = classify::load(&resolved.dir).with_context(|| format!("cannot load the model in {}", resolved.dir.display()))?;
    let loaded = started.elapsed();
    let task = clf.task(cfg.labels, &cfg.template, cfg.multi_label)?;
    let names: Vec<String> = task.labels.iter().map(|l| l.name.clone()).collect();
    let width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0);

    let mut out = BufWriter::new(std::io::stdout().lock());
    match cfg.format {
        Format::Json => out.write_all(output::json_open().as_bytes())?,
        Format::Tsv => out.write_all(output::tsv_header(&names).as_bytes())?,
        _ => {}
    }
    let mut written = 0usize;
    let mut input_errors = 0usize;
    let docs = Docs::new(cfg.sources, cfg.lines);
    classify::stream(&clf, &task, docs, &cfg.batching, |event| {
        match event {
            Event::Scored(doc, scores) => {
                let text = match cfg.format {
                    Format::Jsonl => output::jsonl(&output::rank(&doc.id, &names, &scores, Show::default())),
                    Format::Json => output::json_item(&output::rank(&doc.id, &names, &scores, Show::default()), written == 0),
                    Format::Tsv => output::tsv_row(&doc.id, &names, &scores),
                    Format::Table => {
                        let sep = if written == 0 { "" } else { "\n" };
                        format!("{sep}{}", output::table(&output::rank(&doc.id, &names, &scores, Show::default()), width))
                    }
                };
                out.write_all(text.as_bytes())?;
                // Results appear as they are ready, also when input trickles in.
                out.flush()?;
                written += 1;
            }
            Event::InputError(e) => {
                eprintln!("zeroshot: {e}");
                input_errors += 1;
            }
        }
        Ok(())
    })?;
    if cfg.format == Format::Json {
        out.write_all(output::json_close(written > 0).as_bytes())?;
    }
    out.flush()?;
    if std::env::var_os("ZEROSHOT_STATS").is_some_and(|v| v == "1") {
        print_stats(&clf.stats.lock().unwrap(), loaded, started.elapsed());
    }
    Ok(if input_errors > 0 { EXIT_ERROR } else { EXIT_OK })
}

/// One line on stderr for the benchmark: `zeroshot-stats {json}`.
fn print_stats(st: &classify::Stats, load: std::time::Duration, total: std::time::Duration) {
    let v = serde_json::json!({
        "documents": st.documents,
        "pairs": st.pairs,
        "tokens": st.tokens,
        "forward_flops": st.forward_flops,
        "load_seconds": load.as_secs_f64(),
        "tokenize_seconds": st.tokenize.as_secs_f64(),
        "forward_seconds": st.forward.as_secs_f64(),
        "total_seconds": total.as_secs_f64(),
    });
    eprintln!("zeroshot-stats {v}");
}
