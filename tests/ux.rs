//! Defaults that say what they do: the output format follows `-o`'s
//! extension, tables on stdin are recognised, options that would be ignored
//! are refused, and `zeroshot merge` puts shards back together byte for byte.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use predicates::prelude::*;

fn cmd(home: &Path, sub: &str) -> assert_cmd::Command {
    let mut c = zeroshot(home);
    c.arg(sub).arg("--model").arg(model("nli-base"));
    c
}

fn news(home: &Path) -> PathBuf {
    let p = home.join("news.txt");
    std::fs::write(&p, documents().join("\n")).unwrap();
    p
}

#[test]
fn the_output_extension_chooses_the_format() {
    let home = tempfile::tempdir().unwrap();
    let docs = news(home.path());
    for (name, starts) in [("out.csv", "id,label,score,sport,politics\n"), ("out.tsv", "id\tlabel\tscore\tsport\tpolitics\n"), ("out.json", "[\n"), ("out.jsonl", "{\"id\":")] {
        let out = home.path().join(name);
        cmd(home.path(), "classify").args(["--labels", "sport,politics", "--lines"]).arg(&docs).arg("-o").arg(&out).assert().success();
        let text = std::fs::read_to_string(&out).unwrap();
        assert!(text.starts_with(starts), "{name}: {text}");
    }
    cmd(home.path(), "classify")
        .args(["--labels", "a,b", "--format", "jsonl", "-o"])
        .arg(home.path().join("x.csv"))
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--format jsonl contradicts --output").and(predicate::str::contains("means csv")));
    cmd(home.path(), "classify").args(["--labels", "a,b", "-o"]).arg(home.path().join("x.npy")).write_stdin("x\n").assert().code(2).stderr(predicate::str::contains("cannot write npy"));
    // Another extension keeps the default (JSONL off a terminal).
    let out = home.path().join("results.txt");
    cmd(home.path(), "classify").args(["--labels", "a,b", "-o"]).arg(&out).write_stdin("x\n").assert().success();
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("{\"id\":"));
    // embed and nli follow the same rule.
    let npy = home.path().join("v.npy");
    cmd(home.path(), "embed").args(["--pool", "mean", "--lines"]).arg(&docs).arg("-o").arg(&npy).assert().success();
    assert!(std::fs::read(&npy).unwrap().starts_with(b"\x93NUMPY"));
    let tsv = home.path().join("p.tsv");
    cmd(home.path(), "nli").arg("-o").arg(&tsv).write_stdin("premise\thypothesis\nIt rains.\tIt is wet.\n").assert().success();
    assert!(std::fs::read_to_string(&tsv).unwrap().starts_with("id\tlabel\t"));
    cmd(home.path(), "nli").arg("-o").arg(home.path().join("p.csv")).write_stdin("premise\thypothesis\na\tb\n").assert().code(2);
}

#[test]
fn tables_on_stdin_are_recognised() {
    let home = tempfile::tempdir().unwrap();
    let csv = cmd(home.path(), "nli").write_stdin("premise,hypothesis\nIt is raining.,The ground is wet.\n").assert().success().get_output().stdout.clone();
    let tsv = cmd(home.path(), "nli").write_stdin("premise\thypothesis\nIt is raining.\tThe ground is wet.\n").assert().success().get_output().stdout.clone();
    let json = cmd(home.path(), "nli")
        .write_stdin("{\"premise\": \"It is raining.\", \"hypothesis\": \"The ground is wet.\"}\n")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let scores = |out: &[u8]| jsonl(out)[0]["scores"].clone();
    assert_eq!(scores(&csv), scores(&tsv));
    assert_eq!(scores(&csv), scores(&json));
    cmd(home.path(), "nli")
        .write_stdin("just some words\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --tsv, --csv or --jsonl"));
}

#[test]
fn options_that_would_be_ignored_are_refused() {
    let home = tempfile::tempdir().unwrap();
    for (args, says) in [
        (vec!["--labels", "a,b", "--top-k", "1", "--format", "csv"], "--top-k applies to jsonl"),
        (vec!["--labels", "a,b", "--text-column", "body"], "--text-column applies to CSV, TSV or JSONL input"),
        (vec!["--labels", "a,b", "--text-field", "body"], "--text-field applies"),
        (vec!["--labels", "a,b", "--stride", "8"], "--stride and --aggregate apply with --long chunk"),
        (vec!["--labels", "a,b", "--aggregate", "mean"], "--stride and --aggregate apply with --long chunk"),
        (vec!["--labels", "a,b", "--csv", "--text-field", "x"], "--text-field names a JSONL field"),
        (vec!["--labels", "a,b", "--jsonl", "--id-column", "x"], "--id-column names a CSV or TSV column"),
    ] {
        cmd(home.path(), "classify").args(&args).write_stdin("x\n").assert().code(2).stderr(predicate::str::contains(says));
    }
}

/// Runs `args` unsharded to `full` and as `n` shards to part files; merges
/// the parts and checks the bytes.
fn check_merge(home: &Path, sub: &str, args: &[&str], input: &Path, ext: &str, n: usize) {
    let full = home.join(format!("full.{ext}"));
    cmd(home, sub).args(args).arg(input).arg("-o").arg(&full).assert().success();
    let parts: Vec<PathBuf> = (0..n).map(|i| home.join(format!("part-{i}.{ext}"))).collect();
    for (i, p) in parts.iter().enumerate() {
        cmd(home, sub).args(args).arg(input).args(["--shard", &format!("{i}/{n}"), "-o"]).arg(p).assert().success();
        assert!(Path::new(&format!("{}.shard.json", p.display())).exists());
    }
    let merged = home.join(format!("merged.{ext}"));
    // Parts in any order.
    zeroshot(home).arg("merge").args(parts.iter().rev()).arg("-o").arg(&merged).assert().success();
    assert!(std::fs::read(&merged).unwrap() == std::fs::read(&full).unwrap(), "{sub} {args:?}: merged output differs");
    let stdout = zeroshot(home).arg("merge").args(&parts).assert().success().get_output().stdout.clone();
    assert!(stdout == std::fs::read(&full).unwrap());
    // A missing shard is refused.
    zeroshot(home).arg("merge").args(&parts[1..]).assert().code(2).stderr(predicate::str::contains("shard 0/"));
}

#[test]
fn merge_restores_the_unsharded_output_in_every_format() {
    let home = tempfile::tempdir().unwrap();
    let docs = news(home.path());
    let mut csv = String::from("id,text,note\r\n");
    for (i, d) in documents().iter().enumerate() {
        csv.push_str(&format!("{i},\"{}\",\"two\nlines, \"\"q\"\"\"\r\n", d.replace('"', "\"\"")));
    }
    let table = home.path().join("in.csv");
    std::fs::write(&table, csv).unwrap();
    let labels = ["--labels", "sport,politics,economy"];
    check_merge(home.path(), "classify", &[&labels[..], &["--lines"]].concat(), &docs, "jsonl", 3);
    check_merge(home.path(), "classify", &[&labels[..], &["--lines"]].concat(), &docs, "json", 4);
    check_merge(home.path(), "classify", &[&labels[..], &["--lines"]].concat(), &docs, "tsv", 3);
    check_merge(home.path(), "classify", &labels, &table, "csv", 3);
    check_merge(home.path(), "classify", &[&labels[..], &["--lines", "--format", "csv"]].concat(), &docs, "csv", 2);
    check_merge(home.path(), "embed", &["--pool", "mean", "--lines"], &docs, "npy", 3);
    check_merge(home.path(), "embed", &["--lines"], &docs, "jsonl", 2);
    // Parts of different jobs are refused.
    let (a, b) = (home.path().join("a.jsonl"), home.path().join("b.jsonl"));
    cmd(home.path(), "classify").args(["--labels", "sport,politics", "--lines", "--shard", "0/2", "-o"]).arg(&a).arg(&docs).assert().success();
    cmd(home.path(), "classify").args(["--labels", "sport,economy", "--lines", "--shard", "1/2", "-o"]).arg(&b).arg(&docs).assert().success();
    zeroshot(home.path()).arg("merge").arg(&a).arg(&b).assert().code(2).stderr(predicate::str::contains("different job"));
}
