//! Progress on stderr: a bar on a terminal (documents done, rate, ETA when the
//! input size is known), or, when asked for without a terminal, a plain line
//! every few seconds. Nothing here ever touches stdout.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressMode {
    Off,
    /// A progress bar when stderr is a terminal.
    Auto,
    /// Progress also when stderr is not a terminal (plain lines).
    Always,
}

pub struct Progress {
    bar: Option<ProgressBar>,
    plain: bool,
    start: Instant,
    last_line: Instant,
    total: Option<u64>,
    /// Documents and bytes done by an earlier run (a resumed job).
    before: (usize, u64),
    /// When the first input of this run came.
    first: Option<Instant>,
    docs: usize,
    pos: u64,
}

impl Progress {
    /// `bar`: stderr is a terminal results do not share; `total` is the input
    /// size in bytes when known; `done_docs` and `done_bytes` what a resumed
    /// job had already finished.
    pub fn new(mode: ProgressMode, bar: bool, total: Option<u64>, done_docs: usize, done_bytes: u64) -> Self {
        let terminal = bar;
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
            bar.set_position(done_bytes);
            bar.enable_steady_tick(Duration::from_millis(200));
            crate::msg::set_bar(Some(bar.clone()));
            bar
        });
        let now = Instant::now();
        Progress {
            bar,
            plain: show && !terminal,
            start: now,
            last_line: now,
            total,
            before: (done_docs, done_bytes),
            first: None,
            docs: done_docs,
            pos: done_bytes,
        }
    }

    /// The first input arrived: rates are timed from here, not counting a
    /// wait for someone to type.
    pub fn start(&mut self) {
        self.first.get_or_insert_with(Instant::now);
    }

    /// Documents per second this run.
    fn rate(&self) -> f64 {
        let since = self.first.unwrap_or(self.start);
        (self.docs - self.before.0) as f64 / since.elapsed().as_secs_f64().max(1e-3)
    }

    fn counted(&self) -> String {
        let d = if self.docs == 1 { "1 document".to_string() } else { format!("{} documents", self.docs) };
        format!("{d}, {:.1}/s", self.rate())
    }

    /// `docs` documents done in all, `pos` input bytes consumed.
    pub fn update(&mut self, docs: usize, pos: u64) {
        self.docs = docs;
        self.pos = pos;
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
            bar.set_message(self.counted());
        } else if self.plain && self.last_line.elapsed() >= Duration::from_secs(2) {
            self.last_line = Instant::now();
            crate::msg::line(&self.line());
        }
    }

    fn line(&self) -> String {
        let mut s = self.counted();
        if let Some(t) = self.total.filter(|&t| t > 0) {
            let frac = self.pos as f64 / t as f64;
            s.push_str(&format!(", {:.0}%", frac * 100.0));
            let this_run = (self.pos - self.before.1.min(self.pos)) as f64 / t as f64;
            if this_run > 0.0 {
                let eta = self.first.unwrap_or(self.start).elapsed().as_secs_f64() * (1.0 - frac) / this_run;
                s.push_str(&format!(", ETA {:.0}s", eta));
            }
        }
        s
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            crate::msg::set_bar(None);
            bar.finish_and_clear();
        } else if self.plain {
            crate::msg::line(&format!("{} (done)", self.line()));
        }
    }
}
