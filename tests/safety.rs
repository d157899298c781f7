//! "Never lose a byte": outputs that cannot destroy inputs, devices or another
//! job's file, resume that proves it reads the same input, strict tables,
//! refused absurd flags, and one rule for bad input. On the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use predicates::prelude::*;
use serde_json::Value;

fn cmd(home: &Path) -> assert_cmd::Command {
    let mut c = zeroshot(home);
    c.arg("classify").arg("--model").arg(model("nli-base"));
    c
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("zeroshot")
}

/// A CSV of `n` rows of fixture sentences.
fn csv_input(dir: &Path, name: &str, n: usize) -> PathBuf {
    let docs = documents();
    let mut s = String::from("id,text\n");
    for i in 0..n {
        let text: String = docs[i % docs.len()].chars().take(60).collect();
        s.push_str(&format!("{i},\"{}\"\n", text.replace('"', "\"\"")));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

/// Waits until the job's checkpoint holds at least `items` items.
fn wait_for_checkpoint(state: &Path, items: u64, child: &mut std::process::Child) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let done = std::fs::read_to_string(state)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v["progress"]["items"].as_u64())
            .unwrap_or(0);
        if done >= items {
            return;
        }
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        assert!(child.try_wait().unwrap().is_none(), "the job finished before it could be stopped");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn spawn_job(home: &Path, args: &[&str], stdin: Stdio) -> std::process::Child {
    std::process::Command::new(bin())
        .args(["classify", "--model"])
        .arg(model("nli-base"))
        .args(args)
        .env("HF_HOME", home.join("hf"))
        .env("HF_HUB_OFFLINE", "1")
        .stdin(stdin)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

// 1. -o naming an input.
#[test]
fn an_output_that_is_an_input_is_refused_before_any_work() {
    let home = tempfile::tempdir().unwrap();
    let data = csv_input(home.path(), "data.csv", 3);
    let before = std::fs::read(&data).unwrap();
    let txt = home.path().join("news.txt");
    std::fs::write(&txt, "one\ntwo\n").unwrap();
    let link = home.path().join("link.csv");
    std::os::unix::fs::symlink(&data, &link).unwrap();
    let hard = home.path().join("hard.csv");
    std::fs::hard_link(&data, &hard).unwrap();
    // The issue's own example stops too (the extension already contradicts --format).
    cmd(home.path()).args(["--labels", "a,b", "--format", "jsonl"]).arg(&data).arg("-o").arg(&data).assert().code(2);
    for out in [&data, &link, &hard] {
        cmd(home.path())
            .args(["--labels", "a,b"])
            .arg(&data)
            .arg("-o")
            .arg(out)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("is the input").and(predicate::str::contains("write elsewhere")));
    }
    cmd(home.path()).args(["--labels", "a,b", "--lines"]).arg(&txt).arg("-o").arg(&txt).assert().code(2);
    // Standard input redirected from the output file (`< news.txt -o news.txt`).
    let run = std::process::Command::new(bin())
        .args(["classify", "--model"])
        .arg(model("nli-base"))
        .args(["--labels", "a,b", "-o"])
        .arg(&txt)
        .env("HF_HOME", home.path().join("hf"))
        .env("HF_HUB_OFFLINE", "1")
        .stdin(std::fs::File::open(&txt).unwrap())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("the file on standard input"));
    // A label file is an input too.
    let labels = home.path().join("labels.txt");
    std::fs::write(&labels, "a\nb\n").unwrap();
    cmd(home.path()).arg("--labels-file").arg(&labels).arg("-o").arg(&labels).write_stdin("x\n").assert().code(2);
    assert_eq!(std::fs::read(&data).unwrap(), before);
    assert_eq!(std::fs::read_to_string(&txt).unwrap(), "one\ntwo\n");
    assert_eq!(std::fs::read_to_string(&labels).unwrap(), "a\nb\n");
    assert!(!home.path().join("data.csv.partial").exists());
}

// 2. Devices and FIFOs are written straight through; a replaced file keeps its mode.
#[test]
fn a_fifo_is_written_through_and_stays_a_fifo() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let home = tempfile::tempdir().unwrap();
    let fifo = home.path().join("out.fifo");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    let docs = "The match ended in a draw.\nParliament passed the bill.\n";
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&fifo).write_stdin(docs).assert().success();
    let through = reader.join().unwrap();
    let plain = cmd(home.path()).args(["--labels", "a,b"]).write_stdin(docs).assert().success().get_output().stdout.clone();
    assert_eq!(through, plain);
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(!home.path().join("out.fifo.partial").exists());
    cmd(home.path())
        .args(["--labels", "a,b", "--resume", "-o"])
        .arg(&fifo)
        .write_stdin(docs)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("needs a regular file"));

    let out = home.path().join("private.jsonl");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&out).write_stdin(docs).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), plain);
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
}

// 3. Two jobs writing one -o.
#[test]
fn a_second_job_on_the_same_output_is_refused_naming_the_first() {
    let home = tempfile::tempdir().unwrap();
    let input = csv_input(home.path(), "in.csv", 3000);
    let out = home.path().join("out.csv");
    let out_s = out.to_str().unwrap().to_string();
    let input_s = input.to_str().unwrap().to_string();
    let mut first = spawn_job(home.path(), &["--labels", "a,b", "--batch-size", "4", "-o", &out_s, &input_s], Stdio::null());
    wait_for_checkpoint(&home.path().join("out.csv.partial.json"), 50, &mut first);
    for extra in [&[][..], &["--resume"][..], &["--restart"][..]] {
        cmd(home.path())
            .args(["--labels", "a,b", "-o"])
            .arg(&out)
            .args(extra)
            .arg(&input)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("another zeroshot (process {})", first.id())).and(predicate::str::contains("out.csv")));
    }
    let _ = first.kill();
    first.wait().unwrap();
    // Once the first is gone its work can be continued.
    cmd(home.path()).args(["--labels", "a,b", "--resume", "-o"]).arg(&out).arg(&input).assert().success();
    let fresh = home.path().join("fresh.csv");
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&fresh).arg(&input).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());
}

// 4. Quotes: an unclosed CSV quote is an error; TSV quotes are text.
#[test]
fn an_unclosed_quote_is_an_error_and_tsv_quotes_are_text() {
    let home = tempfile::tempdir().unwrap();
    cmd(home.path())
        .args(["--csv", "--labels", "a,b"])
        .write_stdin("id,text\n1,\"open\n2,b\n3,c\n")
        .assert()
        .code(2)
        .stdout("id,text,zeroshot_label,zeroshot_score,zeroshot_score_a,zeroshot_score_b\n")
        .stderr(predicate::str::contains("stdin row 1: a quoted field opened on line 2 is never closed"));
    // --skip-bad-rows cannot skip it: the rest of the file is inside the field.
    cmd(home.path()).args(["--csv", "--labels", "a,b", "--skip-bad-rows"]).write_stdin("id,text\n1,\"open\n2,b\n").assert().code(2);

    let tsv = home.path().join("pairs.tsv");
    std::fs::write(
        &tsv,
        "language\tgold_label\tsentence1\tsentence2\tpremise\thypothesis\n\
         en\tneutral\t\"Well,\" he said.\tHe spoke.\t\"Well,\" he said.\tHe spoke.\n\
         en\tentailment\t\"Open quote\tThe end.\t\"Open quote\tThe end.\n",
    )
    .unwrap();
    let nli = zeroshot(home.path()).arg("nli").arg("--model").arg(model("nli-base")).arg(&tsv).assert().success().get_output().stdout.clone();
    let nli = jsonl(&nli);
    assert_eq!(nli.len(), 2, "one record per line: quotes do not join lines");
    // The classify path reads the same TSV the same way: quotes stay in the text.
    let texts = zeroshot(home.path())
        .args(["embed", "--model"])
        .arg(model("nli-base"))
        .args(["--text-column", "premise"])
        .arg(&tsv)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let first_tokens = jsonl(&texts)[0]["tokens"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect::<String>();
    assert!(first_tokens.contains('"'), "{first_tokens}");
    // eval's prediction for each pair is nli's most probable label.
    let eval = zeroshot(home.path()).args(["eval", "--json", "--model"]).arg(model("nli-base")).arg(&tsv).assert().success().get_output().stdout.clone();
    let m: Value = serde_json::from_slice(&eval).unwrap();
    let classes = strings(&m["classes"]);
    let gold = ["neutral", "entailment"];
    let correct = nli.iter().zip(gold).filter(|(r, g)| r["label"] == *g).count();
    assert_eq!(m["total"], 2);
    assert_eq!(m["correct"], correct);
    for (r, g) in nli.iter().zip(gold) {
        let (gi, pi) = (classes.iter().position(|c| c == g).unwrap(), classes.iter().position(|c| *c == r["label"]).unwrap());
        assert!(m["confusion"][gi][pi].as_u64().unwrap() >= 1);
    }
    // With --csv-quotes the same file is read CSV-style: the second row's quotes
    // now span a tab, leaving it short of fields.
    zeroshot(home.path())
        .arg("nli")
        .arg("--model")
        .arg(model("nli-base"))
        .arg("--csv-quotes")
        .arg(&tsv)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("row 2 (line 3): 4 fields, the header has 6"));
}

// 5. Resume proves it reads the same input.
#[test]
fn resume_refuses_other_input_on_stdin_and_same_size_edits() {
    let home = tempfile::tempdir().unwrap();
    let input = csv_input(home.path(), "in.csv", 3000);
    let out = home.path().join("out.csv");
    let out_s = out.to_str().unwrap().to_string();
    let state = home.path().join("out.csv.partial.json");
    // Killed while reading stdin, resumed on other content.
    let mut job = spawn_job(home.path(), &["--csv", "--labels", "a,b", "--batch-size", "4", "-o", &out_s], Stdio::from(std::fs::File::open(&input).unwrap()));
    wait_for_checkpoint(&state, 50, &mut job);
    job.kill().unwrap();
    job.wait().unwrap();
    let other = csv_input(home.path(), "other.csv", 3000);
    let mut text = std::fs::read_to_string(&other).unwrap();
    text = text.replacen("1,", "1,x", 1);
    std::fs::write(&other, &text).unwrap();
    cmd(home.path())
        .args(["--csv", "--labels", "a,b", "--batch-size", "4", "--resume", "-o"])
        .arg(&out)
        .pipe_stdin(&other)
        .unwrap()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--resume: the input is not the one the partial output was made from"));
    // The same stdin continues it.
    cmd(home.path()).args(["--csv", "--labels", "a,b", "--batch-size", "4", "--resume", "-o"]).arg(&out).pipe_stdin(&input).unwrap().assert().success();
    let fresh = home.path().join("fresh.csv");
    cmd(home.path()).args(["--csv", "--labels", "a,b", "-o"]).arg(&fresh).pipe_stdin(&input).unwrap().assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());

    // A same-size edit of a file, its modification time restored.
    std::fs::remove_file(&out).unwrap();
    let input_s = input.to_str().unwrap().to_string();
    let mut job = spawn_job(home.path(), &["--labels", "a,b", "--batch-size", "4", "-o", &out_s, &input_s], Stdio::null());
    wait_for_checkpoint(&state, 50, &mut job);
    job.kill().unwrap();
    job.wait().unwrap();
    let mtime = std::fs::metadata(&input).unwrap().modified().unwrap();
    let mut bytes = std::fs::read(&input).unwrap();
    let at = bytes.iter().position(|&b| b == b'\n').unwrap() + 4; // inside the first row's text
    bytes[at] = if bytes[at] == b'Z' { b'Y' } else { b'Z' };
    std::fs::write(&input, &bytes).unwrap();
    std::fs::File::options().write(true).open(&input).unwrap().set_modified(mtime).unwrap();
    cmd(home.path())
        .args(["--labels", "a,b", "--batch-size", "4", "--resume", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not the one").and(predicate::str::contains("--restart")));
    // --restart starts over on the edited file.
    cmd(home.path()).args(["--labels", "a,b", "--batch-size", "4", "--restart", "-o"]).arg(&out).arg(&input).assert().success();
}

// 6. A rerun keeps finished work; Ctrl-C says what is safe and how to continue.
#[test]
fn an_interrupted_job_says_what_is_safe_and_the_printed_command_continues_it() {
    let home = tempfile::tempdir().unwrap();
    let input = csv_input(home.path(), "in.csv", 3000);
    let out = home.path().join("out.csv");
    let (out_s, input_s) = (out.to_str().unwrap().to_string(), input.to_str().unwrap().to_string());
    let mut job = spawn_job(home.path(), &["--labels", "a,b", "--batch-size", "4", "-o", &out_s, &input_s], Stdio::null());
    wait_for_checkpoint(&home.path().join("out.csv.partial.json"), 50, &mut job);
    assert!(std::process::Command::new("kill").args(["-INT", &job.id().to_string()]).status().unwrap().success());
    let done = job.wait_with_output().unwrap();
    assert_eq!(done.status.code(), Some(130));
    let err = String::from_utf8(done.stderr).unwrap();
    let line = err.lines().find(|l| l.starts_with("zeroshot: interrupted: ")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains(" documents are safe in ") && line.contains("out.csv.partial"), "{line}");
    let command = line.split("; continue with: ").nth(1).unwrap();
    assert!(command.ends_with("--resume"), "{command}");
    // A plain rerun refuses to throw the work away.
    cmd(home.path())
        .args(["--labels", "a,b", "--batch-size", "4", "-o"])
        .arg(&out)
        .arg(&input)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("finished by an earlier run").and(predicate::str::contains("--restart")));
    // The printed command, run by a shell, finishes the job.
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("HF_HOME", home.path().join("hf"))
        .env("HF_HUB_OFFLINE", "1")
        .status()
        .unwrap();
    assert!(status.success());
    let fresh = home.path().join("fresh.csv");
    cmd(home.path()).args(["--labels", "a,b", "-o"]).arg(&fresh).arg(&input).assert().success();
    assert_eq!(std::fs::read(&out).unwrap(), std::fs::read(&fresh).unwrap());
}

// 8. Absurd flag values are refused with the range, quickly.
#[test]
fn absurd_flag_values_are_refused_with_their_range() {
    let home = tempfile::tempdir().unwrap();
    for (flag, value, range) in [
        ("--batch-size", "18446744073709551615", "1 to 8192"),
        ("--batch-size", "100000000", "1 to 8192"),
        ("--batch-size", "0", "1 to 8192"),
        ("--batch-tokens", "99999999999", "1 to 1048576"),
        ("--threads", "100000", "1 to 1024"),
        ("--threads", "-1", "1 to 1024"),
        ("--top-k", "-3", "1 to"),
    ] {
        let started = Instant::now();
        cmd(home.path())
            .args(["--labels", "a,b", flag, value])
            .write_stdin("x\n")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("'{value}'")).and(predicate::str::contains(range)));
        assert!(started.elapsed() < Duration::from_secs(20));
    }
    // Large but allowed values allocate by the work, not by the flag.
    cmd(home.path()).args(["--labels", "a,b", "--batch-size", "8192", "--batch-tokens", "1048576"]).write_stdin("x\n").assert().success();
}

/// A copy of a fixture model with some tensors' values replaced.
fn patched_model(dir: &Path, name: &str, patch: &[(&str, f32)]) -> PathBuf {
    let src = model(name);
    let dst = dir.join(format!("{name}-patched"));
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
    }
    let path = dst.join("model.safetensors");
    let mut bytes = std::fs::read(&path).unwrap();
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header: Value = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    for (tensor, value) in patch {
        let t = &header[*tensor];
        assert_eq!(t["dtype"], "F32");
        let (a, b) = (t["data_offsets"][0].as_u64().unwrap() as usize, t["data_offsets"][1].as_u64().unwrap() as usize);
        for c in bytes[8 + n + a..8 + n + b].chunks_exact_mut(4) {
            c.copy_from_slice(&value.to_le_bytes());
        }
    }
    std::fs::write(&path, bytes).unwrap();
    dst
}

// 9. Non-finite weights and scores.
#[test]
fn non_finite_weights_and_scores_are_errors() {
    let home = tempfile::tempdir().unwrap();
    let nan = patched_model(home.path(), "nli-base", &[("classifier.weight", f32::NAN)]);
    zeroshot(home.path())
        .args(["classify", "--labels", "a,b", "--model"])
        .arg(&nan)
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("classifier.weight holds a non-finite value"));
    // Finite weights whose products overflow: the score names the document.
    let dir2 = home.path().join("b");
    std::fs::create_dir_all(&dir2).unwrap();
    let inf = patched_model(&dir2, "nli-base", &[("pooler.dense.bias", 3.0e38), ("classifier.weight", 3.0e38)]);
    zeroshot(home.path())
        .args(["classify", "--labels", "a,b", "--fail-on", "a", "--model"])
        .arg(&inf)
        .write_stdin("first line\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin:1: the model computed a non-finite value"));
}

// 10. A closed stderr is no reason to panic.
#[test]
fn a_closed_stderr_does_not_panic() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &str| {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("echo x | '{}' classify --model '{}' {args} 2>&-", bin().display(), model("nli-base").display()))
            .env("HF_HOME", home.path().join("hf"))
            .env("HF_HUB_OFFLINE", "1")
            .output()
            .unwrap()
    };
    assert_eq!(run("--labels a,,b").status.code(), Some(2));
    assert_eq!(run("--labels a,b --progress").status.code(), Some(0));
    let missing = run("--labels a,b --lines /nowhere/missing.txt");
    assert_eq!(missing.status.code(), Some(2));
}

// 11. One rule for unreadable inputs, in every mode.
#[test]
fn unreadable_inputs_are_named_skipped_and_the_run_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let a = home.path().join("a.txt");
    std::fs::write(&a, "first\n").unwrap();
    let b = home.path().join("b.txt");
    std::fs::write(&b, "second\n").unwrap();
    let missing = home.path().join("missing.txt");
    let folder = home.path().join("folder");
    std::fs::create_dir(&folder).unwrap();
    for lines in [true, false] {
        let mut c = cmd(home.path());
        c.args(["--labels", "a,b", "--format", "jsonl"]);
        if lines {
            c.arg("--lines");
        }
        let out = c
            .arg(&a)
            .arg(&folder)
            .arg(&missing)
            .arg(&b)
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!("{}: cannot open: is a folder", folder.display())))
            .stderr(predicate::str::contains(format!("{}: cannot open: no such file", missing.display())))
            .get_output()
            .stdout
            .clone();
        assert_eq!(jsonl(&out).len(), 2, "lines mode {lines}: the readable files are all classified");
    }
    // Several CSVs: a missing one is skipped, even with --skip-bad-rows, whose hint is not repeated.
    let c1 = csv_input(home.path(), "one.csv", 2);
    let c2 = csv_input(home.path(), "two.csv", 3);
    let out = cmd(home.path())
        .args(["--labels", "a,b", "--format", "jsonl", "--skip-bad-rows"])
        .arg(&c1)
        .arg(home.path().join("gone.csv"))
        .arg(&c2)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gone.csv: cannot open: no such file").and(predicate::str::contains("--skip-bad-rows").not()))
        .get_output()
        .stdout
        .clone();
    assert_eq!(jsonl(&out).len(), 5);
    // The first CSV missing: the header comes from the next.
    cmd(home.path()).args(["--labels", "a,b"]).arg(home.path().join("gone.csv")).arg(&c2).assert().code(2).stdout(predicate::str::starts_with("id,text,zeroshot_label"));
}

// 12. Label files: BOM, invalid UTF-8.
#[test]
fn label_files_lose_their_bom_and_name_bad_lines() {
    let home = tempfile::tempdir().unwrap();
    let labels = home.path().join("labels.txt");
    std::fs::write(&labels, "\u{feff}sport\npolitics\n").unwrap();
    let out = cmd(home.path()).arg("--labels-file").arg(&labels).args(["--fail-on", "sport", "--threshold", "0.99"]).write_stdin("x\n").assert().success().get_output().stdout.clone();
    let mut got = strings(&jsonl(&out)[0]["labels"]);
    got.sort();
    assert_eq!(got, ["politics", "sport"]);
    std::fs::write(&labels, b"sport\npolitics\nbad \xff label\n").unwrap();
    cmd(home.path())
        .arg("--labels-file")
        .arg(&labels)
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(format!("{}:3: not valid UTF-8 (byte 5 of the line)", labels.display())));
}

// 13. Smaller things.
#[test]
fn small_input_problems_get_precise_messages() {
    let home = tempfile::tempdir().unwrap();
    // A BOM at the start of a .jsonl file is no error.
    let j = home.path().join("in.jsonl");
    std::fs::write(&j, "\u{feff}{\"text\":\"The match ended in a draw.\"}\n").unwrap();
    cmd(home.path()).args(["--labels", "a,b"]).arg(&j).assert().success();
    // A semicolon CSV gets a hint.
    cmd(home.path())
        .args(["--csv", "--labels", "a,b"])
        .write_stdin("id;text\n1;hello\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --delimiter ';'"));
    // A 5,000-character label is shortened in messages.
    let long = "x".repeat(5000);
    let err = cmd(home.path()).args(["--labels", &format!("{long},{long}")]).write_stdin("x\n").assert().code(2).get_output().stderr.clone();
    assert!(err.len() < 400, "{} bytes of error", err.len());
    // Duplicate header names: a warning, or an error when the text column is ambiguous.
    cmd(home.path())
        .args(["--csv", "--labels", "a,b"])
        .write_stdin("text,note,note\nhello,1,2\n")
        .assert()
        .success()
        .stderr(predicate::str::contains("warning: stdin: the header names \"note\" more than once"));
    cmd(home.path())
        .args(["--csv", "--labels", "a,b"])
        .write_stdin("text,text\nhello,1\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the header names \"text\" 2 times, so the text column is ambiguous"));
    // A record that already has the key the output adds.
    std::fs::write(&j, "{\"text\":\"x\",\"zeroshot\":{}}\n").unwrap();
    cmd(home.path()).args(["--labels", "a,b"]).arg(&j).assert().code(2).stderr(predicate::str::contains("already has a \"zeroshot\" key"));
    cmd(home.path()).args(["--labels", "a,b", "--format", "json"]).arg(&j).assert().success();
    // Empty documents are bad rows, as the pipeline refuses them.
    cmd(home.path())
        .args(["--csv", "--labels", "a,b", "--format", "jsonl"])
        .write_stdin("id,text\n1,hello\n2,\n3,  \n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("stdin row 2 (line 3): the text is empty"));
    let empty = home.path().join("empty.txt");
    std::fs::write(&empty, "  \n").unwrap();
    cmd(home.path()).args(["--labels", "a,b"]).arg(&empty).assert().code(2).stderr(predicate::str::contains("is empty; file skipped"));
}
