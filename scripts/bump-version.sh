#!/usr/bin/env bash
# Sets one version everywhere: Cargo.toml, every npm package, and the main package's
# optionalDependencies (the packages move in lockstep).
# usage: scripts/bump-version.sh VERSION
set -euo pipefail
cd "$(dirname "$0")/.."
v=${1:?usage: scripts/bump-version.sh VERSION}
sed -i "0,/^version = \".*\"/s//version = \"$v\"/" Cargo.toml
for f in npm/*/package.json; do
  sed -i -E "s/(\"version\": \")[^\"]*\"/\1$v\"/; s/(\"@alchemy-migrator\/[a-z0-9-]+\": \")[^\"]*\"/\1$v\"/" "$f"
done
cargo update --workspace --quiet 2>/dev/null || true
grep -H '"version"\|@alchemy-migrator/' npm/*/package.json
grep '^version' Cargo.toml
