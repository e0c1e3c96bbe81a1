#!/usr/bin/env bash
# Fuzz `check` + `migrate` with libFuzzer (cargo-fuzz, on the stable toolchain, no sanitizer).
# Seeds: every real config in tests/corpus. A crash lands in fuzz/artifacts/pipeline/; copy it to
# fuzz/regressions/ (named after the bug) so `cargo test --test fuzz_regressions` replays it.
# usage: scripts/fuzz.sh [SECONDS]    (default 60; needs `cargo install cargo-fuzz`)
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
mkdir -p fuzz/corpus/pipeline
while IFS= read -r f; do
  cp "$f" "fuzz/corpus/pipeline/seed-$(sha1sum "$f" | cut -c1-16)"
done < <(find tests/corpus fuzz/regressions -type f ! -name '*.md' ! -name '*.ts' ! -name '*.js')
cd fuzz
# RUSTC_BOOTSTRAP: cargo-fuzz's flags are accepted by the stable compiler with it.
RUSTC_BOOTSTRAP=1 cargo fuzz run pipeline --sanitizer none -- \
  -max_total_time="$SECS" -max_len=65536 -rss_limit_mb=4096 -timeout=20 -print_final_stats=1
