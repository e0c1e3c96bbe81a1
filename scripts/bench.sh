#!/usr/bin/env bash
# Benchmark (figures, not a pass/fail test): wall time of `check --discover` and
# `migrate --discover --dry-run` on the real configs in tests/corpus, with a release build.
# usage: scripts/bench.sh [RUNS]   (default 20 runs each; prints min / median / mean in ms)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-20}
cargo build --release --quiet
BIN=target/release/alchemy-migrator
files=$(find tests/corpus -name 'wrangler.*' | wc -l)
echo "corpus: $files config files; $RUNS runs each; $(nproc) cores"
measure() { # label, command...
  local label=$1; shift
  local times=()
  for _ in $(seq 1 "$RUNS"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" '
    { v[NR] = $1; sum += $1 }
    END { printf "%-34s min %7.2f ms   median %7.2f ms   mean %7.2f ms\n", label, v[1]/1000, v[int((NR+1)/2)]/1000, sum/NR/1000 }'
}
measure "check --discover tests/corpus" "$BIN" check --discover tests/corpus
measure "migrate --discover --dry-run" "$BIN" migrate --discover tests/corpus --out target/bench-out --dry-run
