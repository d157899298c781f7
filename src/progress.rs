//! Progress on stderr: a bar on a terminal (documents done, rate, ETA when the
//! input size is known), or, when asked for without a terminal, a plain line
//! every few seconds. Nothing here ever touches stdout.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::ProgressMode;

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    start: Instant,
    last_line: Instant,
    total: Option<u64>,
    docs: usize,
    pos: u64,
}

impl Progress {
    /// `total` is the input size in bytes when known.
    pub fn new(mode: ProgressMode, total: Option<u64>) -> Self {
        let terminal = std::io::stderr().is_terminal();
        let show = match mode {
            ProgressMode::Off => false,
            ProgressMode::Auto => terminal,
            ProgressMode::Always => true,
        };
        let bar = (show && terminal).then(|| {
            let bar = match total {
                Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()).with_style(
                    ProgressStyle::with_template("{bar:30} {percent:>3}%  {msg}  ETA {eta}").expect("valid template"),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr())
                    .with_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template")),
            };
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        let now = Instant::now();
        Progress { bar, plain: show && !terminal, start: now, last_line: now, total, docs: 0, pos: 0 }
    }

    fn rate(&self) -> f64 {
        self.docs as f64 / self.start.elapsed().as_secs_f64().max(1e-9)
    }

    /// `docs` documents done this run, `pos` input bytes consumed.
    pub fn update(&mut self, docs: usize, pos: u64) {
        self.docs = docs;
        self.pos = pos;
        let msg = format!("{docs} documents, {:.1}/s", self.rate());
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
            bar.set_message(msg);
        } else if self.plain && self.last_line.elapsed() >= Duration::from_secs(2) {
            self.last_line = Instant::now();
            eprintln!("zeroshot: {}", self.line());
        }
    }

    fn line(&self) -> String {
        let mut s = format!("{} documents, {:.1}/s", self.docs, self.rate());
        if let Some(t) = self.total.filter(|&t| t > 0) {
            let frac = self.pos as f64 / t as f64;
            s.push_str(&format!(", {:.0}%", frac * 100.0));
            if frac > 0.0 {
                let eta = self.start.elapsed().as_secs_f64() * (1.0 - frac) / frac;
                s.push_str(&format!(", ETA {:.0}s", eta));
            }
        }
        s
    }

    /// Prints a message without garbling the bar.
    pub fn println(&self, msg: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{msg}")),
            None => eprintln!("{msg}"),
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        } else if self.plain {
            eprintln!("zeroshot: {} (done)", self.line());
        }
    }
}
