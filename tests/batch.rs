//! Batch labelling: CSV and JSONL in and out, atomic output files, resume,
//! gating, top-k, thresholds and shards, on the real binary.

mod common;

use std::path::Path;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn cmd(home: &Path) -> assert_cmd::Command {
    let mut c = zeroshot(home);
    c.arg("classify").arg("--model").arg(model("nli-base"));
    c
}

/// A CSV field quoted the RFC 4180 way.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

fn split_csv_rows(bytes: &[u8]) -> Vec<Vec<u8>> {
    // Records end at a newline outside quotes (test inputs use no lone CRs).
    let mut rows = Vec::new();
    let (mut cur, mut quoted) = (Vec::new(), false);
    for &b in bytes {
        cur.push(b);
        if b == b'"' {
            quoted = !quoted;
        } else if b == b'\n' && !quoted {
            rows.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        rows.push(cur);
    }
    rows
}

#[test]
fn csv_round_trip_keeps_every_column_and_matches_the_pipeline() {
    let home = tempfile::tempdir().unwrap();
    let reference = reference("nli-base");
    let case = &reference["cases"][0];
    let labels = strings(&case["labels"]);
    let results = case["results"].as_array().unwrap();
    // BOM, CRLF, quoted multi-line fields, commas and quotes in fields.
    let mut input = b"\xef\xbb\xbfid,text,\"note, with comma\"\r\n".to_vec();
    for (i, r) in results.iter().enumerate() {
        let text = r["sequence"].as_str().unwrap();
        input.extend_from_slice(format!("{i},{},\"multi\r\nline \"\"{i}\"\"\"\r\n", quote(text)).as_bytes());
    }
    let path = home.path().join("docs.csv");
    std::fs::write(&path, &input).unwrap();
    let mut c = cmd(home.path());
    for l in &labels {
        c.arg("--label").arg(l);
    }
    let out = c.arg(&path).assert().success().get_output().stdout.clone();
    let in_rows = split_csv_rows(&input);
    let out_rows = split_csv_rows(&out);
    assert_eq!(in_rows.len(), out_rows.len());
    for (i, (a, b)) in in_rows.iter().zip(&out_rows).enumerate() {
        let body = &a[..a.len() - 2];
        assert!(b.starts_with(body), "row {i}: original bytes not kept");
        assert!(b.ends_with(b"\r\n"), "row {i}: line ending changed");
        if i == 0 {
            assert!(b.starts_with(b"\xef\xbb\xbf"));
            let appended = String::from_utf8(b[body.len() + 1..b.len() - 2].to_vec()).unwrap();
            let mut want = vec!["zeroshot_label".to_string(), "zeroshot_score".to_string()];
            want.extend(labels.iter().map(|l| format!("zeroshot_score_{l}")));
            assert_eq!(appended, want.join(","));
        } else {
            let appended = String::from_utf8(b[body.len() + 1..b.len() - 2].to_vec()).unwrap();
            let cols: Vec<&str> = appended.split(',').collect();
            let want = &results[i - 1];
            let (wl, ws) = (strings(&want["labels"]), floats(&want["scores"]));
            assert_eq!(cols[0], wl[0]);
            for (j, l) in labels.iter().enumerate() {
                let got: f64 = cols[2 + j].parse().unwrap();
                let w = ws[wl.iter().position(|x| x == l).unwrap()];
                assert!((got - w).abs() < 1e-4, "row {i} {l}: {got} vs pipeline {w}");
            }
        }
    }
}

#[test]
fn tsv_on_stdin_with_id_column() {
    let home = tempfile::tempdir().unwrap();
    let input = "text\tkey\nThe match ended in a draw.\ta1\nParliament passed the bill.\tb2\n";
    let out = cmd(home.path())
        .args(["--csv", "--delimiter", "tab", "--labels", "sport,politique", "--id-column", "key", "--format", "jsonl"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let ids: Vec<Value> = jsonl(&out).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(ids, ["a1", "b2"]);
    let out = cmd(home.path())
        .args(["--csv", "--delimiter", "tab", "--labels", "sport,politique", "--text-column", "1"])
        .write_stdin(input)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("text\tkey\tzeroshot_label\tzeroshot_score\tzeroshot_score_sport\tzeroshot_score_politique\n"), "{text}");
    assert!(text.lines().nth(1).unwrap().starts_with("The match ended in a draw.\ta1\t"));
}

#[test]
fn bad_rows_stop_the_run_or_are_skipped_and_counted() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("bad.csv");
    std::fs::write(&path, "text,n\nfirst,1\n\"two\nlines\",2\nragged\nlast,4\n").unwrap();
    cmd(home.path())
        .args(["--labels", "a,b"])
        .arg(&path)
        .assert()
        .code(2)
        .stdout(predicate::str::contains("first,1,"))
        .stderr(predicate::str::contains(format!("zeroshot: {} row 3 (line 5): 1 fields, the header has 2", path.display())))
        .stderr(predicate::str::contains("--skip-bad-rows"));
    let out = cmd(home.path())
        .args(["--labels", "a,b", "--skip-bad-rows"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("skipped 1 bad row"))
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(split_csv_rows(text.as_bytes()).len(), 4, "{text}");
    assert!(text.contains("last,4,"));
    // A missing column is named, with the columns there are.
    cmd(home.path())
        .args(["--labels", "a,b", "--text-column", "body"])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no column \"body\" in the header (columns: text, n)"));
}

#[test]
fn jsonl_keeps_every_field_and_adds_the_classification() {
    let home = tempfile::tempdir().unwrap();
    let path = home.path().join("in.jsonl");
    let lines = [
        r#"{"meta": {"body": "The match ended in a draw."}, "n": 1e5, "big": 123456789012345678901234567890}"#,
        r#"{"meta": {"body": "Parliament passed the bill."}, "tags": ["x"]}"#,
    ];
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let out = cmd(home.path())
        .args(["--labels", "sport,politique", "--text-field", "meta.body"])
        .arg(&path)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let plain = jsonl(&cmd(home.path())
        .args(["--labels", "sport,politique"])
        .write_stdin("The match ended in a draw.\nParliament passed the bill.\n")
        .assert()
        .success()
        .get_output()
        .stdout);
    for ((line, orig), p) in text.lines().zip(lines).zip(&plain) {
        // The original bytes, then the added key.
        assert!(line.starts_with(&orig[..orig.len() - 1]), "{line}");
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["zeroshot"]["labels"], p["labels"]);
        assert_eq!(v["zeroshot"]["scores"], p["scores"]);
    }
}

#[test]
fn output_file_appears_only_when_complete() {
    let home = tempfile::tempdir().unwrap();
    let input = home.path().join("in.csv");
    std::fs::write(&input, "text\nfine\nalso fine\nragged,row\n").unwrap();
    let out = home.path().join("out.csv");
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&out).arg(&input).assert().code(2).stderr(
        predicate::str::contains("results so far are kept in").and(predicate::str::contains("out.csv.partial")),
    );
    assert!(!out.exists(), "a failed run must not leave a complete-looking file");
    let partial = std::fs::read_to_string(home.path().join("out.csv.partial")).unwrap();
    assert!(partial.contains("also fine,"), "work done is kept: {partial}");
    std::fs::write(&input, "text\nfine\nalso fine\n").unwrap();
    // A plain rerun does not throw the finished work away...
    cmd(home.path())
        .args(["--labels", "a,b", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds 2 documents finished").and(predicate::str::contains("--resume")).and(predicate::str::contains("--restart")));
    assert!(!out.exists());
    // ...the fixed input continues it, and the output is what a fresh run writes.
    cmd(home.path()).args(["--labels", "a,b", "--resume", "-o"]).arg(&out).arg(&input).assert().success().stdout("");
    assert!(out.exists() && !home.path().join("out.csv.partial").exists());
    let fresh = home.path().join("fresh.csv");
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&fresh).arg(&input).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());
}

fn big_input(home: &Path, n: usize) -> std::path::PathBuf {
    let docs = documents();
    let mut s = String::from("id,text\n");
    for i in 0..n {
        let text: String = docs[i % docs.len()].chars().take(60).collect();
        s.push_str(&format!("{i},{}\n", quote(&text)));
    }
    let p = home.join("big.csv");
    std::fs::write(&p, s).unwrap();
    p
}

#[test]
fn killed_job_resumes_to_identical_bytes() {
    let home = tempfile::tempdir().unwrap();
    let input = big_input(home.path(), 3000);
    let args = ["--labels", "sport,politique,Wirtschaft", "--batch-size", "8"];
    let full = home.path().join("full.csv");
    cmd(home.path()).args(args).arg("-o").arg(&full).arg(&input).assert().success();
    let expected = std::fs::read(&full).unwrap();

    let out = home.path().join("out.csv");
    let state = home.path().join("out.csv.partial.json");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("zeroshot"))
        .args(["classify", "--model"])
        .arg(model("nli-base"))
        .args(args)
        .arg("-o")
        .arg(&out)
        .arg(&input)
        .env("HF_HOME", home.path())
        .env("HF_HUB_OFFLINE", "1")
        .spawn()
        .unwrap();
    // Kill it once a few checkpoints have been written.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let items = std::fs::read_to_string(&state)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v["progress"]["items"].as_u64())
            .unwrap_or(0);
        if items >= 300 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no checkpoint appeared");
        assert!(child.try_wait().unwrap().is_none(), "the job finished before it could be killed");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(!out.exists());
    let partial_len = std::fs::metadata(home.path().join("out.csv.partial")).unwrap().len() as usize;
    assert!(partial_len > 0 && partial_len < expected.len());

    // A different job may not continue it.
    cmd(home.path())
        .args(["--labels", "sport,politique", "--batch-size", "8", "--resume", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("different job"));
    cmd(home.path()).args(args).arg("--resume").arg("-o").arg(&out).arg(&input).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), expected, "resumed output differs from an uninterrupted run");
}

#[test]
fn progress_goes_to_stderr_only() {
    let home = tempfile::tempdir().unwrap();
    let input = big_input(home.path(), 50);
    let plain = cmd(home.path()).args(["--labels", "a,b", "--quiet"]).arg(&input).assert().success().get_output().clone();
    assert_eq!(String::from_utf8_lossy(&plain.stderr), "");
    let with = cmd(home.path()).args(["--labels", "a,b", "--progress"]).arg(&input).assert().success().get_output().clone();
    assert_eq!(with.stdout, plain.stdout);
    let err = String::from_utf8_lossy(&with.stderr);
    assert!(err.contains("zeroshot: 50 documents") && err.contains("100%"), "{err}");
}

#[test]
fn gate_exits_one_after_writing_everything() {
    let home = tempfile::tempdir().unwrap();
    let docs = "The match ended in a draw.\nParliament passed the bill.\nRain is expected tomorrow.\n";
    let all = jsonl(&cmd(home.path()).args(["--labels", "sport,politique"]).write_stdin(docs).assert().success().get_output().stdout);
    let sport: Vec<f64> = all
        .iter()
        .map(|r| {
            let l = strings(&r["labels"]);
            floats(&r["scores"])[l.iter().position(|x| x == "sport").unwrap()]
        })
        .collect();
    let max = sport.iter().cloned().fold(0.0, f64::max);
    let hits = sport.iter().filter(|&&s| s >= 0.5).count();
    assert!(hits > 0 && max < 0.99, "fixture scores changed: {sport:?}");
    let first = all[sport.iter().position(|&s| s >= 0.5).unwrap()]["id"].as_str().unwrap().to_string();
    let out = cmd(home.path())
        .args(["--labels", "sport,politique", "--fail-on", "sport"])
        .write_stdin(docs)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("gate: {hits} of 3 documents scored >= 0.5 for \"sport\" (first: {first})")))
        .get_output()
        .stdout
        .clone();
    assert_eq!(jsonl(&out), all);
    cmd(home.path())
        .args(["--labels", "sport,politique", "--fail-on", "sport", "--threshold", "0.99"])
        .write_stdin(docs)
        .assert()
        .code(0)
        .stderr("");
    cmd(home.path())
        .args(["--labels", "sport,politique", "--fail-on", "weather"])
        .write_stdin(docs)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not one of the candidate labels"));
}

#[test]
fn top_k_and_multi_label_threshold() {
    let home = tempfile::tempdir().unwrap();
    let docs = documents().join("\n");
    let labels = ["--labels", "sport,politique,Wirtschaft,科学,weather report"];
    let full = jsonl(&cmd(home.path()).args(labels).arg("--multi-label").write_stdin(docs.clone()).assert().success().get_output().stdout);
    let top = jsonl(&cmd(home.path()).args(labels).args(["--multi-label", "--top-k", "2"]).write_stdin(docs.clone()).assert().success().get_output().stdout);
    let thr = jsonl(&cmd(home.path()).args(labels).args(["--multi-label", "--threshold", "0.5"]).write_stdin(docs).assert().success().get_output().stdout);
    for ((f, t), h) in full.iter().zip(&top).zip(&thr) {
        assert_eq!(strings(&t["labels"]), strings(&f["labels"])[..2]);
        let keep = floats(&f["scores"]).iter().filter(|&&s| s >= 0.5).count();
        assert_eq!(strings(&h["labels"]), strings(&f["labels"])[..keep]);
    }
    cmd(home.path()).args(labels).args(["--threshold", "0.5"]).write_stdin("x\n").assert().code(2);
}

#[test]
fn shards_cover_the_input_and_interleave_back_in_order() {
    let home = tempfile::tempdir().unwrap();
    let input = big_input(home.path(), 40);
    let full = cmd(home.path()).args(["--labels", "a,b", "--format", "jsonl"]).arg(&input).assert().success().get_output().stdout.clone();
    let shards: Vec<Vec<String>> = (0..3)
        .map(|i| {
            let out = cmd(home.path())
                .args(["--labels", "a,b", "--format", "jsonl", "--shard", &format!("{i}/3")])
                .arg(&input)
                .assert()
                .success()
                .get_output()
                .stdout
                .clone();
            String::from_utf8(out).unwrap().lines().map(String::from).collect()
        })
        .collect();
    // Round-robin interleaving (what `paste -d '\n'` does) restores input order.
    let mut merged = String::new();
    for k in 0.. {
        let before = merged.len();
        for s in &shards {
            if let Some(l) = s.get(k) {
                merged.push_str(l);
                merged.push('\n');
            }
        }
        if merged.len() == before {
            break;
        }
    }
    assert_eq!(merged.as_bytes(), &full[..]);
    cmd(home.path()).args(["--labels", "a,b", "--shard", "3/3"]).arg(&input).assert().code(2);
}

#[test]
fn hundred_thousand_rows_with_multiline_fields_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let mut input = b"id,text,note\r\n".to_vec();
    for i in 0..100_000 {
        input.extend_from_slice(format!("{i},\"doc {i}, \"\"quoted\"\"\",\"two\nlines {i}\"\r\n").as_bytes());
    }
    let path = home.path().join("rows.csv");
    std::fs::write(&path, &input).unwrap();
    let out = home.path().join("out.csv");
    cmd(home.path()).args(["--labels", "sport,politique", "-o"]).arg(&out).arg(&path).assert().success();
    let output = std::fs::read(&out).unwrap();
    let (a, b) = (split_csv_rows(&input), split_csv_rows(&output));
    assert_eq!(a.len(), 100_001);
    assert_eq!(b.len(), 100_001);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let body = &x[..x.len() - 2];
        assert!(y.starts_with(body) && y[body.len()] == b',' && y.ends_with(b"\r\n"), "row {i} changed");
    }
}
