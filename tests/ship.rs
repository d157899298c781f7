//! What a new user meets first: help, completions, man pages, label sets,
//! `model info` and `model fetch`.

mod common;

use common::hub::{FakeHub, COMMIT};
use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn run_ok(home: &std::path::Path, args: &[&str]) -> Vec<u8> {
    zeroshot(home).args(args).assert().success().get_output().stdout.clone()
}

#[test]
fn committed_completions_are_current() {
    let home = tempfile::tempdir().unwrap();
    for (shell, file) in [
        ("bash", "zeroshot.bash"),
        ("zsh", "_zeroshot"),
        ("fish", "zeroshot.fish"),
        ("powershell", "_zeroshot.ps1"),
        ("elvish", "zeroshot.elv"),
    ] {
        let committed = std::fs::read(root().join("completions").join(file)).unwrap();
        assert!(
            run_ok(home.path(), &["completions", shell]) == committed,
            "completions/{file} is stale: run completions/regenerate.sh"
        );
    }
}

#[test]
fn committed_man_pages_are_current() {
    let home = tempfile::tempdir().unwrap();
    let main = std::fs::read(root().join("man/zeroshot.1")).unwrap();
    assert!(run_ok(home.path(), &["man"]) == main, "man/zeroshot.1 is stale: run completions/regenerate.sh");
    for cmd in ["classify", "nli", "embed", "eval", "labels", "model", "completions", "man"] {
        let committed = std::fs::read(root().join(format!("man/zeroshot-{cmd}.1"))).unwrap();
        assert!(run_ok(home.path(), &["man", cmd]) == committed, "man/zeroshot-{cmd}.1 is stale: run completions/regenerate.sh");
    }
    let page = String::from_utf8(run_ok(home.path(), &["man", "classify"])).unwrap();
    assert!(page.contains(".TH zeroshot-classify 1") && page.contains("\\-\\-labels"));
}

#[test]
fn bash_completion_completes_commands_and_flags() {
    let script = format!(
        "source {}\n\
         COMP_WORDS=(zeroshot cla); COMP_CWORD=1; COMP_LINE='zeroshot cla'; COMP_POINT=12; _zeroshot zeroshot cla zeroshot; echo \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(zeroshot classify --multi); COMP_CWORD=2; COMP_LINE='zeroshot classify --multi'; COMP_POINT=25; _zeroshot zeroshot --multi classify; echo \"${{COMPREPLY[@]}}\"\n\
         COMP_WORDS=(zeroshot classify --format ''); COMP_CWORD=3; COMP_LINE='zeroshot classify --format '; COMP_POINT=27; _zeroshot zeroshot '' --format; echo \"${{COMPREPLY[@]}}\"\n",
        root().join("completions/zeroshot.bash").display()
    );
    let out = std::process::Command::new("bash").arg("-c").arg(script).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0].trim(), "classify", "{text} {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(lines[1].trim(), "--multi-label");
    for f in ["jsonl", "json", "tsv", "csv", "table"] {
        assert!(lines[2].split_whitespace().any(|w| w == f), "{text}");
    }
}

#[test]
fn every_help_shows_examples_and_the_cli_is_consistent() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["classify", "--help"],
        vec!["labels", "--help"],
        vec!["model", "info", "--help"],
        vec!["model", "fetch", "--help"],
        vec!["completions", "--help"],
        vec!["man", "--help"],
    ] {
        let out = String::from_utf8(run_ok(home.path(), &args)).unwrap();
        assert!(out.contains("Examples:"), "{args:?} has no examples");
    }
}

#[test]
fn usage_errors_are_prefixed_and_exit_2() {
    let home = tempfile::tempdir().unwrap();
    zeroshot(home.path())
        .args(["classify", "--bogus"])
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("zeroshot: unexpected argument '--bogus'"));
    zeroshot(home.path()).args(["labels", "nope"]).assert().code(2).stderr(predicate::str::starts_with(
        "zeroshot: no built-in label set \"nope\"",
    ));
}

#[test]
fn no_color_is_respected() {
    let home = tempfile::tempdir().unwrap();
    let colored = zeroshot(home.path()).env_remove("NO_COLOR").env("CLICOLOR_FORCE", "1").arg("--help").output().unwrap();
    assert!(colored.stdout.contains(&0x1b), "CLICOLOR_FORCE should colour help");
    let plain = zeroshot(home.path()).env("NO_COLOR", "1").env("CLICOLOR_FORCE", "1").arg("--help").output().unwrap();
    assert!(!plain.stdout.contains(&0x1b), "NO_COLOR must win");
}

#[test]
fn label_sets_list_show_and_classify_from_any_directory() {
    let home = tempfile::tempdir().unwrap();
    let list = String::from_utf8(run_ok(home.path(), &["labels"])).unwrap();
    for name in ["topics", "sentiment", "emotions", "intents", "toxicity", "doctypes"] {
        assert!(list.contains(name), "{list}");
        let shown = run_ok(home.path(), &["labels", name]);
        assert_eq!(shown, std::fs::read(root().join(format!("labels/{name}.txt"))).unwrap());
    }
    let docs = "I loved this film.\nTerrible service, never again.\n";
    let explicit = zeroshot(home.path())
        .args(["classify", "--labels", "positive,negative,neutral", "--template", "The sentiment of this text is {}.", "--model"])
        .arg(model("nli-base"))
        .write_stdin(docs)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    for how in [vec!["--labels", "@sentiment"], vec!["--labels-file", "labels/sentiment.txt"], vec!["--labels-file", "@sentiment"]] {
        let out = zeroshot(home.path())
            .current_dir(home.path())
            .arg("classify")
            .args(&how)
            .arg("--model")
            .arg(model("nli-base"))
            .write_stdin(docs)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        assert_eq!(out, explicit, "{how:?}");
    }
}

#[test]
fn model_info_reports_what_classify_uses() {
    let home = tempfile::tempdir().unwrap();
    let text = String::from_utf8(run_ok(home.path(), &["model", "info", "--model", model("nli-upper-f16").to_str().unwrap()])).unwrap();
    assert!(text.contains("entailment    2 (ENTAILMENT)"), "{text}");
    assert!(text.contains("contradiction 0 (CONTRADICTION)"), "{text}");
    assert!(text.contains("float16"), "{text}");
    let info: Value =
        serde_json::from_slice(&run_ok(home.path(), &["model", "info", "--json", "--model", model("nli-upper-f16").to_str().unwrap()])).unwrap();
    // The parameter count, independently from the safetensors header.
    let bytes = std::fs::read(model("nli-upper-f16").join("model.safetensors")).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    let params: u64 = header
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k != "__metadata__")
        .map(|(_, v)| v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap()).product::<u64>())
        .sum();
    assert_eq!(info["parameters"], params);
    assert_eq!(info["labels"], serde_json::json!(["CONTRADICTION", "NEUTRAL", "ENTAILMENT"]));
    assert_eq!(info["max_length"], 128);
    assert_eq!(info["position_buckets"], 64);
    assert_eq!(info["tokenizer"], "tokenizer.json");
    let base = String::from_utf8(run_ok(home.path(), &["model", "info", "--model", model("base-spm").to_str().unwrap()])).unwrap();
    assert!(base.contains("head          none: an encoder without a classification head"), "{base}");
    assert!(!base.contains("contradiction"), "{base}");
    assert!(base.contains(&format!("kernel        {}", info["kernel"].as_str().unwrap())), "{base}");
}

#[test]
fn model_fetch_fills_the_cache_for_offline_use() {
    let home = tempfile::tempdir().unwrap();
    let hub = FakeHub::serve(vec![("tiny-org/tiny-nli", model("nli-base"))]);
    // Offline and not cached: a clear refusal.
    zeroshot(home.path())
        .args(["model", "fetch", "--model", "tiny-org/tiny-nli"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("HF_HUB_OFFLINE is set"));
    let out = zeroshot(home.path())
        .env_remove("HF_HUB_OFFLINE")
        .env("HF_ENDPOINT", &hub.url)
        .args(["model", "fetch", "--model", "tiny-org/tiny-nli"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let snapshot = home.path().join(format!("hf/hub/models--tiny-org--tiny-nli/snapshots/{COMMIT}"));
    assert_eq!(String::from_utf8(out).unwrap().trim(), snapshot.display().to_string());
    assert_eq!(std::fs::read_to_string(home.path().join("hf/hub/models--tiny-org--tiny-nli/refs/main")).unwrap(), COMMIT);
    for f in ["config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors"] {
        assert_eq!(std::fs::read(snapshot.join(f)).unwrap(), std::fs::read(model("nli-base").join(f)).unwrap(), "{f}");
    }
    // Then offline: classify and model info use the cache.
    let direct = zeroshot(home.path())
        .args(["classify", "--labels", "a,b", "--model"])
        .arg(model("nli-base"))
        .write_stdin("hello\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    zeroshot(home.path())
        .args(["classify", "--labels", "a,b", "--model", "tiny-org/tiny-nli"])
        .write_stdin("hello\n")
        .assert()
        .success()
        .stdout(direct);
    let info = String::from_utf8(run_ok(home.path(), &["model", "info", "--model", "tiny-org/tiny-nli"])).unwrap();
    assert!(info.contains(&format!("Hugging Face cache, tiny-org/tiny-nli at revision main (commit {COMMIT})")), "{info}");
    // classify downloads by itself when online and the model is missing.
    let home2 = tempfile::tempdir().unwrap();
    zeroshot(home2.path())
        .env_remove("HF_HUB_OFFLINE")
        .env("HF_ENDPOINT", &hub.url)
        .args(["classify", "--labels", "a,b", "--model", "tiny-org/tiny-nli"])
        .write_stdin("hello\n")
        .assert()
        .success();
    // A repo the Hub does not have.
    zeroshot(home2.path())
        .env_remove("HF_HUB_OFFLINE")
        .env("HF_ENDPOINT", &hub.url)
        .args(["model", "fetch", "--model", "tiny-org/missing"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot download tiny-org/missing"));
}
