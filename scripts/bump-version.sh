#!/usr/bin/env bash
# Sets one version everywhere: Cargo.toml (and Cargo.lock), every npm package, and the main
# package's optionalDependencies (the packages move in lockstep). Portable sed/awk: runs on
# macOS as on Linux.
# usage: scripts/bump-version.sh VERSION   (then commit, and tag vVERSION to release)
set -euo pipefail
cd "$(dirname "$0")/.."
v=${1:?usage: scripts/bump-version.sh VERSION}
if ! [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "bump-version: $v is not a version (MAJOR.MINOR.PATCH[-PRERELEASE])" >&2
  exit 2
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v v="$v" '!done && /^version = "/ { print "version = \"" v "\""; done = 1; next } { print }' \
  Cargo.toml >"$tmp" && cat "$tmp" >Cargo.toml
for f in npm/*/package.json; do
  sed -E "s/(\"version\": \")[^\"]*\"/\1$v\"/; s/(\"@alchemy-migrator\/[a-z0-9-]+\": \")[^\"]*\"/\1$v\"/" \
    "$f" >"$tmp" && cat "$tmp" >"$f"
done
cargo update --workspace --quiet 2>/dev/null || true
grep -H '"version"\|@alchemy-migrator/' npm/*/package.json
grep '^version' Cargo.toml
