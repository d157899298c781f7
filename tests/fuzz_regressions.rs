//! Every input a fuzz target ever crashed on (fuzz/regressions/TARGET/*),
//! through the same checks the fuzz targets run, on stable Rust.

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

#[test]
fn committed_fuzz_crashes_stay_fixed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    type Check = fn(&[u8]);
    let targets: [(&str, Check); 6] = [
        ("table", checks::table),
        ("docs", checks::docs),
        ("labels", checks::labels),
        ("spm", checks::spm),
        ("config", checks::config),
        ("safetensors", checks::safetensors),
    ];
    let mut ran = 0;
    for (name, check) in targets {
        let Ok(entries) = std::fs::read_dir(root.join(name)) else { continue };
        for e in entries {
            let path = e.unwrap().path();
            check(&std::fs::read(&path).unwrap());
            ran += 1;
        }
    }
    eprintln!("{ran} fuzz regression inputs");
    // Plus a few inputs that reach each check's interesting paths.
    checks::table(b"\x00id,text\n1,\"a\nb\"\n2,\"open\n");
    checks::docs(b"\x02id,text\n1,hello\n2,\"\"\n");
    checks::docs(b"\x09{\"a\":{\"b\":\"x\"}}\n\xff\n");
    checks::labels("# template: It is {}.\nsport = a sport\n\u{feff}x".as_bytes());
    checks::config(br#"{"id2label":{"0":"entailment","1":"neutral"},"hidden_size":8,"num_attention_heads":2}"#);
    checks::safetensors(b"\x08\x00\x00\x00\x00\x00\x00\x00{}      ");
}
