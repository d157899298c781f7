//! What a person sees at a terminal, in a real pseudo-terminal: no progress
//! left among results, a word when stdin is the terminal, a summary after an
//! `-o` job.
#![cfg(unix)]

mod common;

use std::time::Duration;

use common::*;
use expectrl::session::OsSession as Session;
use expectrl::{ControlCode, Eof, Expect};

fn session(home: &std::path::Path, shell: &str) -> Session {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg(shell);
    cmd.env("HF_HOME", home.join("hf")).env("HF_HUB_OFFLINE", "1").env("NO_COLOR", "1").env("COLUMNS", "120").env("LINES", "40");
    let mut s = Session::spawn(cmd).unwrap();
    s.set_expect_timeout(Some(Duration::from_secs(60)));
    s
}

fn bin() -> String {
    assert_cmd::cargo::cargo_bin("zeroshot").display().to_string()
}

/// Everything the session printed until it ended.
fn all_output(mut s: Session) -> String {
    let found = s.expect(Eof).unwrap();
    let mut all = found.before().to_vec();
    for m in found.matches() {
        all.extend_from_slice(m);
    }
    String::from_utf8_lossy(&all).into_owned()
}

#[test]
fn no_progress_is_left_among_results_on_one_terminal() {
    let home = tempfile::tempdir().unwrap();
    let docs = home.path().join("news.txt");
    std::fs::write(&docs, documents().join("\n")).unwrap();
    let m = model("nli-base");
    // stdout and stderr are the terminal: results only.
    let out = all_output(session(
        home.path(),
        &format!("'{}' classify --model '{}' --labels sport,politics,economy --lines '{}'", bin(), m.display(), docs.display()),
    ));
    assert!(out.contains("sport"), "{out}");
    for remnant in ["documents,", "ETA", "⠁", "⠂", "⠄"] {
        assert!(!out.contains(remnant), "progress remnant {remnant:?} among the results:\n{out}");
    }
    // stdout redirected: the bar is drawn on the terminal, the file gets results only.
    let file = home.path().join("out.jsonl");
    let out = all_output(session(
        home.path(),
        &format!(
            "'{}' classify --model '{}' --labels sport,politics --lines '{}' --batch-size 1 > '{}'",
            bin(),
            m.display(),
            docs.display(),
            file.display()
        ),
    ));
    let _ = out;
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), documents().len());
    assert!(!written.contains("documents,"));
}

#[test]
fn a_terminal_on_stdin_is_told_what_to_type() {
    let home = tempfile::tempdir().unwrap();
    let m = model("nli-base");
    let mut s = session(home.path(), &format!("'{}' classify --model '{}' --labels sport,politics", bin(), m.display()));
    s.expect("reading documents from the terminal").unwrap();
    s.expect("Ctrl-D").unwrap();
    s.send_line("The match ended in a draw.").unwrap();
    s.expect("stdin:1").unwrap();
    s.send(ControlCode::EndOfTransmission).unwrap();
    let rest = all_output(s);
    assert!(!rest.contains("reading documents"), "said twice: {rest}");
    // nli says what it reads too.
    let mut s = session(home.path(), &format!("'{}' nli --model '{}'", bin(), m.display()));
    s.expect("reading premise/hypothesis pairs").unwrap();
    s.send(ControlCode::EndOfTransmission).unwrap();
    let _ = all_output(s);
}

#[test]
fn an_output_job_ends_with_one_summary_line() {
    let home = tempfile::tempdir().unwrap();
    let docs = home.path().join("news.txt");
    std::fs::write(&docs, documents().join("\n")).unwrap();
    let out = home.path().join("out.jsonl");
    let text = all_output(session(
        home.path(),
        &format!(
            "'{}' classify --model '{}' --labels sport,politics --lines '{}' -o '{}'",
            bin(),
            model("nli-base").display(),
            docs.display(),
            out.display()
        ),
    ));
    let n = documents().len();
    let line = text.lines().find(|l| l.contains("zeroshot: wrote")).unwrap_or_else(|| panic!("no summary in {text:?}"));
    assert!(line.contains(&format!("wrote {n} documents ({} pairs) to {}", n * 2, out.display())), "{line}");
    assert!(line.contains(" s (") && line.contains("documents/s)"), "{line}");
    assert_eq!(text.matches("zeroshot: wrote").count(), 1);
}
