//! `zeroshot merge`: the outputs of `--shard I/N` runs joined back into the
//! output of one unsharded run, byte for byte. Each part's note (beside it)
//! says which job and shard it is; parts of different jobs, a missing or
//! doubled shard, or parts that do not fit together are refused.

use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::cli::MergeArgs;
use crate::exit;
use crate::job::dest::{Dest, Existing};
use crate::job::{self, ShardNote};

pub fn run(args: &MergeArgs) -> Result<u8> {
    let mut parts: Vec<(PathBuf, ShardNote)> = Vec::new();
    for p in &args.parts {
        let note_path = job::shard_note_path(p);
        let text = std::fs::read_to_string(&note_path).with_context(|| {
            format!("{}: no shard note {} beside it (parts are written with --shard I/N -o PATH)", p.display(), note_path.display())
        })?;
        let note: ShardNote = serde_json::from_str(&text).with_context(|| format!("{} is damaged", note_path.display()))?;
        parts.push((p.clone(), note));
    }
    let first = parts[0].1.clone();
    let n = first.shard.count;
    for (p, note) in &parts[1..] {
        if note.job != first.job || note.input != first.input || note.framing != first.framing {
            bail!("{} is a shard of a different job (or input) than {}; merge the parts of one job", p.display(), parts[0].0.display());
        }
        if note.shard.count != n {
            bail!("{} is shard {}/{}, but {} is of {n} shards", p.display(), note.shard.index, note.shard.count, parts[0].0.display());
        }
    }
    let mut by_index: Vec<Option<usize>> = vec![None; n];
    for (k, (p, note)) in parts.iter().enumerate() {
        if let Some(other) = by_index[note.shard.index] {
            bail!("{} and {} are both shard {}/{n}", parts[other].0.display(), p.display(), note.shard.index);
        }
        by_index[note.shard.index] = Some(k);
    }
    let missing: Vec<String> = (0..n).filter(|&i| by_index[i].is_none()).map(|i| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        bail!("shard {} missing; merge needs all {n} parts", missing.join(", "));
    }
    let order: Vec<usize> = by_index.into_iter().map(|k| k.expect("checked")).collect();
    // Shard i holds documents i, i+n, ...: the counts must say so.
    let total: usize = parts.iter().map(|(_, note)| note.documents).sum();
    for (i, &k) in order.iter().enumerate() {
        let want = (total + n - 1 - i) / n;
        if parts[k].1.documents != want {
            bail!("{} holds {} documents, but shard {i}/{n} of {total} should hold {want}", parts[k].0.display(), parts[k].1.documents);
        }
    }
    let framing = first.framing;
    let mut split = Vec::with_capacity(n);
    for &k in &order {
        let (p, note) = &parts[k];
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        let s = framing.split(&bytes).with_context(|| format!("{}: not the output its shard note describes", p.display()))?;
        if s.records.len() != note.documents {
            bail!("{} holds {} records, its shard note says {}", p.display(), s.records.len(), note.documents);
        }
        split.push(s);
    }
    for (s, &k) in split.iter().zip(&order).skip(1) {
        if s.preamble != split[0].preamble {
            bail!("{} has another header than {}", parts[k].0.display(), parts[order[0]].0.display());
        }
    }
    let records: Vec<&[u8]> = (0..total).map(|d| split[d % n].records[d / n].as_slice()).collect();
    let bytes = framing.join(&split[0].preamble, &records);
    let inputs: Vec<PathBuf> = parts.iter().flat_map(|(p, _)| [p.clone(), job::shard_note_path(p)]).collect();
    let (mut dest, _) = Dest::open(args.output.as_deref(), serde_json::json!({ "merge": first.job }), Existing::Restart, &inputs, false)?;
    dest.write(&bytes)?;
    dest.finish(None)?;
    Ok(exit::OK)
}
