//! Every command in the README's examples runs and succeeds, so the README
//! cannot rot. The default model comes from a stand-in Hub serving a fixture.

mod common;

use std::path::Path;

use common::hub::FakeHub;
use common::*;

/// Commands of the README's `sh` blocks, continuation lines joined.
fn readme_commands() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut cmds = Vec::new();
    let mut in_sh = false;
    let mut pending = String::new();
    for line in text.lines() {
        if line.starts_with("```") {
            in_sh = line.trim() == "```sh";
            continue;
        }
        if !in_sh || line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        pending.push_str(line.trim_end_matches('\\'));
        if !line.ends_with('\\') {
            cmds.push(std::mem::take(&mut pending));
        }
    }
    cmds
}

/// Sample inputs for the file names the examples use.
fn make_inputs(dir: &Path, cmds: &[String]) {
    let docs = ["The match ended in a draw after extra time.", "Parliament passed the budget bill.", "Mein Paket ist nicht angekommen."];
    for cmd in cmds {
        for word in cmd.split(|c: char| c.is_whitespace() || c == '<' || c == '>') {
            let path = dir.join(word);
            if word.contains('/') || word.starts_with('-') || word.contains(['$', '*']) || path.exists() {
                continue;
            }
            let content = if word.ends_with(".csv") {
                let mut s = String::from("id,text,review,body,sentiment\n");
                for (i, d) in docs.iter().enumerate() {
                    let sentiment = ["positive", "negative", "neutral"][i % 3];
                    s.push_str(&format!("{i},\"{d}\",\"{d}\",\"{d}\",{sentiment}\n"));
                }
                s
            } else if word.ends_with(".jsonl") {
                docs.iter().enumerate().map(|(i, d)| format!("{{\"id\":{i},\"text\":\"{d}\",\"message\":{{\"body\":\"{d}\"}}}}\n")).collect()
            } else if word.ends_with(".txt") {
                docs.join("\n") + "\n"
            } else if word.ends_with(".tsv") {
                // XNLI's layout, which also serves as premise/hypothesis pairs.
                let mut s = String::from("language\tgold_label\tsentence1\tsentence2\tpremise\thypothesis\n");
                for (i, d) in docs.iter().enumerate() {
                    let gold = ["entailment", "neutral", "contradiction"][i % 3];
                    s.push_str(&format!("en\t{gold}\t{d}\tThis is about sport.\t{d}\tThis is about sport.\n"));
                }
                s
            } else {
                continue;
            };
            std::fs::write(path, content).unwrap();
        }
    }
}

#[test]
fn every_readme_example_runs() {
    let cmds = readme_commands();
    assert!(cmds.len() > 15, "found only {} commands", cmds.len());
    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("work");
    std::fs::create_dir(&dir).unwrap();
    std::os::unix::fs::symlink(root().join("tests"), dir.join("tests")).unwrap();
    make_inputs(&dir, &cmds);
    let hub = FakeHub::serve(vec![("MoritzLaurer/mDeBERTa-v3-base-mnli-xnli", model("nli-base"))]);
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_zeroshot")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let run = |script: &str| {
        std::process::Command::new("bash")
            .arg("-c")
            .arg(format!("set -o pipefail\n{script}"))
            .current_dir(&dir)
            .env("PATH", &path)
            .env("HF_HOME", work.path().join("hf"))
            .env("HF_ENDPOINT", &hub.url)
            .env_remove("HF_HUB_OFFLINE")
            .env_remove("HF_HUB_CACHE")
            .env_remove("ZEROSHOT_MODEL")
            .env_remove("HF_TOKEN")
            .output()
            .unwrap()
    };
    for cmd in &cmds {
        // The set-up's build and test steps are what this suite already is; the
        // benchmarks take minutes and Python, and are run by hand.
        let script: Vec<&str> = cmd
            .split(" && ")
            .filter(|part| !part.trim_start().starts_with("cargo ") && !part.trim_start().starts_with("bench/"))
            .collect();
        if script.is_empty() {
            continue;
        }
        let script = script.join(" && ");
        let out = run(&script);
        let code = out.status.code();
        let ok = code == Some(0) || (script.contains("--fail-on") && code == Some(1));
        assert!(
            ok,
            "README example failed ({code:?}): {script}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"), "{script}");
    }
    // The examples did real work.
    let labelled = std::fs::read_to_string(dir.join("reviews.labelled.csv")).unwrap();
    assert!(labelled.starts_with("id,text,review,body,sentiment,zeroshot_label,zeroshot_score,"), "{labelled}");
    // The last example writing it is the shard merge: rows back in input order.
    let rows: Vec<&str> = labelled.lines().skip(1).map(|l| &l[..2]).collect();
    assert_eq!(rows, ["0,", "1,", "2,"], "{labelled}");
    assert!(labelled.contains("zeroshot_score_sport"), "{labelled}");
}
