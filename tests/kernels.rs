//! Output bytes do not depend on the SIMD width: every command's output is
//! the same under each kernel this CPU can run (AVX-512, AVX2, portable), in
//! float32 and in bf16 (the same FMA chain per element whatever the width),
//! and the kernel that ran is the one asked for. The one exception is bf16 on
//! `avx512bf16`, whose dot-product instruction sums k in pairs: its float32
//! bytes are those of every kernel, its bf16 bytes its own (held to the
//! reference by the bf16 parity tests, to batching by the invariance tests).
//! A kernel the CPU lacks is a clear error, never a silent fallback.

mod common;

use common::*;
use predicates::prelude::*;

const KERNELS: [&str; 4] = ["generic", "avx2", "avx512", "avx512bf16"];

/// Whether this CPU runs `kernel`, as the binary reports it.
fn runs(home: &std::path::Path, kernel: &str) -> bool {
    let out = zeroshot(home)
        .args(["model", "info", "--json", "--model"])
        .arg(model("nli-base"))
        .env("ZEROSHOT_KERNEL", kernel)
        .output()
        .unwrap();
    if out.status.code() == Some(2) {
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("this CPU cannot run it"), "{err}");
        return false;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kernel"], kernel, "ZEROSHOT_KERNEL={kernel} but model info reports {}", v["kernel"]);
    true
}

#[test]
fn every_kernel_gives_the_same_bytes() {
    let home = tempfile::tempdir().unwrap();
    let docs = home.path().join("docs.txt");
    std::fs::write(&docs, documents().join("\n")).unwrap();
    let long = root().join("tests/fixtures/docs/long.txt");
    let runs_here: Vec<&str> = KERNELS.into_iter().filter(|k| runs(home.path(), k)).collect();
    assert!(runs_here.contains(&"generic"));
    for k in KERNELS.iter().filter(|k| !runs_here.contains(k)) {
        eprintln!("kernel {k}: not run, this CPU lacks it");
    }
    let commands: Vec<Vec<String>> = vec![
        vec!["classify", "--labels", "sport,politics,Wirtschaft,科学", "--lines"],
        vec!["classify", "--labels", "sport,politics,Wirtschaft", "--multi-label", "--lines"],
        vec!["classify", "--labels", "sport,politics", "--long", "chunk", "--stride", "8"],
        vec!["embed", "--lines"],
        vec!["embed", "--pool", "mean", "--lines"],
        vec!["classify", "--labels", "sport,politics,Wirtschaft", "--precision", "bf16", "--lines"],
        vec!["classify", "--labels", "sport,politics", "--precision", "bf16", "--multi-label", "--long", "chunk", "--stride", "8"],
        vec!["embed", "--precision", "bf16", "--lines"],
    ]
    .into_iter()
    .map(|c| c.into_iter().map(String::from).collect())
    .collect();
    for (i, args) in commands.iter().enumerate() {
        let input = if args.iter().any(|a| a == "chunk") { &long } else { &docs };
        let run = |kernel: &str| {
            let out = zeroshot(home.path())
                .args(args)
                .arg("--model")
                .arg(model("nli-base"))
                .arg(input)
                .env("ZEROSHOT_KERNEL", kernel)
                .env("ZEROSHOT_STATS", "1")
                .assert()
                .success()
                .get_output()
                .clone();
            if args[0] == "classify" {
                let err = String::from_utf8_lossy(&out.stderr);
                assert!(err.contains(&format!("\"kernel\":\"{kernel}\"")), "command {i}: stats do not name {kernel}: {err}");
            }
            out.stdout
        };
        let reference = run("generic");
        assert!(!reference.is_empty());
        let bf16 = args.iter().any(|a| a == "bf16");
        for k in &runs_here[1..] {
            let got = run(k);
            if bf16 && *k == "avx512bf16" {
                assert!(!got.is_empty());
                continue;
            }
            assert!(got == reference, "command {i} ({}): {k} output differs from generic", args.join(" "));
        }
    }
}

#[test]
fn an_unknown_kernel_is_an_error_naming_the_choices() {
    let home = tempfile::tempdir().unwrap();
    zeroshot(home.path())
        .args(["classify", "--labels", "a,b", "--model"])
        .arg(model("nli-base"))
        .env("ZEROSHOT_KERNEL", "sse9")
        .write_stdin("x\n")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("choose one of generic, avx2, avx512, avx512bf16"));
}
