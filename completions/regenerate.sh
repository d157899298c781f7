#!/usr/bin/env bash
# Regenerates the committed shell completions and man pages from the clap
# definition. tests/ship.rs fails when they are stale; run this to fix it.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/zeroshot
$bin completions bash > completions/zeroshot.bash
$bin completions zsh > completions/_zeroshot
$bin completions fish > completions/zeroshot.fish
$bin completions powershell > completions/_zeroshot.ps1
$bin completions elvish > completions/zeroshot.elv
$bin man > man/zeroshot.1
for cmd in classify nli embed eval merge labels model completions man; do
  $bin man "$cmd" > "man/zeroshot-$cmd.1"
done
