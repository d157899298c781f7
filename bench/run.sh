#!/usr/bin/env bash
# Benchmark zeroshot against the Hugging Face zero-shot-classification pipeline on a base-size
# (mDeBERTa-v3-base-shaped, random-weight) checkpoint. Writes bench/RESULTS.md. See bench/README.md.
#
# Environment (all optional):
#   BENCH_VENV             virtualenv to use/create          (default: bench/.venv)
#   BENCH_PYTHON           python used to create it          (default: python3)
#   BENCH_TORCH_INDEX_URL  extra pip index for torch, e.g. https://download.pytorch.org/whl/cpu
#   BENCH_THREADS          threads for both sides            (default: physical cores)
#   BENCH_SCALE            corpus size; 1.0 = 40 short + 40 medium + 40 long documents (default: 0.25)
#   BENCH_HF_BATCH_SIZES   HF pipeline batch sizes           (default: 1,8,32)
#   BENCH_MODEL            benchmark this checkpoint folder instead of the random one
#   BENCH_BIN              zeroshot binary                   (default: target/profiling/zeroshot, built here)
#   BENCH_WAIT_IDLE        before each measured run, wait up to this many seconds for other
#                          processes to stop using the CPU (default: 60; 0 = never wait)
#   BENCH_RETRY_BUSY       1 (default): measure a run again (once) if other processes used more than
#                          a quarter of a core during it, keeping the faster; 0: never
#   BENCH_BUILD            auto (default): cargo build --profile profiling, fall back to an existing binary
#                          if the build fails; 0: never build; 1: build, fail if the build fails
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
cd "$ROOT"

say() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] error: %s\n' "$*" >&2; exit 1; }

START=$(date +%s)
VENV="${BENCH_VENV:-$BENCH_DIR/.venv}"
PYTHON="${BENCH_PYTHON:-python3}"
REQ="$BENCH_DIR/requirements.txt"
SCALE="${BENCH_SCALE:-0.25}"
HF_BS="${BENCH_HF_BATCH_SIZES:-1,8,32}"
BIN="${BENCH_BIN:-$ROOT/target/profiling/zeroshot}"
BUILD="${BENCH_BUILD:-auto}"

if [[ -z "${BENCH_THREADS:-}" ]]; then
    cores=""
    if command -v lscpu >/dev/null 2>&1; then
        # physical cores: unique (core, socket) pairs
        cores=$(lscpu -p=CORE,SOCKET 2>/dev/null | grep -v '^#' | sort -u | wc -l || true)
    fi
    [[ -n "$cores" && "$cores" -gt 0 ]] || cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
    BENCH_THREADS=$cores
fi
THREADS="$BENCH_THREADS"
[[ "$THREADS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_THREADS must be a positive integer, got '$THREADS'"

# ---- 1. virtualenv ---------------------------------------------------------------------------------
req_hash=$(sha256sum "$REQ" | cut -c1-16)$(printf '%s' "${BENCH_TORCH_INDEX_URL:-}" | sha256sum | cut -c1-8)
stamp="$VENV/.bench-requirements"
check_venv() {
    "$VENV/bin/python" - <<'PY' 2>/dev/null
import sys
import numpy, safetensors, sentencepiece, google.protobuf, tokenizers, torch, transformers
sys.exit(0 if transformers.__version__.startswith("4.") else 1)
PY
}
if [[ -f "$stamp" && "$(cat "$stamp")" == "$req_hash" ]]; then
    say "virtualenv ready: $VENV"
elif [[ -n "${BENCH_VENV:-}" && -x "$VENV/bin/python" && ! -f "$stamp" ]]; then
    # someone else's environment: use it as it is, never install into it
    check_venv || die "BENCH_VENV=$VENV lacks torch/transformers 4.x/sentencepiece/protobuf/safetensors/numpy; \
unset BENCH_VENV to let the script create bench/.venv"
    say "using existing virtualenv as is: $VENV"
else
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found (set BENCH_PYTHON)"
    say "creating virtualenv $VENV and installing $(grep -cv '^#' "$REQ") pinned packages (a few minutes) ..."
    "$PYTHON" -m venv "$VENV" || die "could not create a virtualenv with $PYTHON (on Debian/Ubuntu: apt install python3-venv)"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    extra=()
    [[ -n "${BENCH_TORCH_INDEX_URL:-}" ]] && extra=(--extra-index-url "$BENCH_TORCH_INDEX_URL")
    "$VENV/bin/python" -m pip install --quiet "${extra[@]}" -r "$REQ" || die "pip install -r $REQ failed"
    check_venv || die "the virtualenv $VENV does not import the benchmark's packages"
    echo "$req_hash" > "$stamp"
fi
PY="$VENV/bin/python"

# ---- 2. zeroshot binary ----------------------------------------------------------------------------
if [[ "$BUILD" != 0 && -z "${BENCH_BIN:-}" ]]; then
    command -v cargo >/dev/null 2>&1 || { [[ "$BUILD" == auto && -x "$BIN" ]] || die "cargo not found"; }
    if command -v cargo >/dev/null 2>&1; then
        say "cargo build --profile profiling ..."
        if ! cargo build --profile profiling --locked >&2; then
            if [[ "$BUILD" == auto && -x "$BIN" ]]; then
                say "WARNING: cargo build --profile profiling failed; benchmarking the existing $BIN (built $(date -r "$BIN" '+%F %T'))"
            else
                die "cargo build --profile profiling failed"
            fi
        fi
    fi
fi
[[ -x "$BIN" ]] || die "no zeroshot binary at $BIN"

# ---- 3. checkpoint, corpus, runs, RESULTS.md -------------------------------------------------------
args=(all --binary "$BIN" --threads "$THREADS" --scale "$SCALE" --hf-batch-sizes "$HF_BS" \
      --wait-idle "${BENCH_WAIT_IDLE:-60}" --retry-busy "${BENCH_RETRY_BUSY:-1}")
[[ -n "${BENCH_MODEL:-}" ]] && args+=(--model "$BENCH_MODEL")
cmd="bench/run.sh"
for v in BENCH_VENV BENCH_THREADS BENCH_SCALE BENCH_HF_BATCH_SIZES BENCH_MODEL BENCH_BIN; do
    [[ -n "${!v:-}" ]] && cmd="$v=${!v} $cmd"
done
say "threads $THREADS, corpus scale $SCALE, HF batch sizes $HF_BS"
BENCH_COMMAND="$cmd" PYTHONUNBUFFERED=1 "$PY" "$BENCH_DIR/bench.py" "${args[@]}"
say "done in $(( ($(date +%s) - START) / 60 )) min $(( ($(date +%s) - START) % 60 )) s; results in bench/RESULTS.md"
