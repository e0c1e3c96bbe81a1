#!/usr/bin/env bash
# Builds the npm packages: the main package `alchemy-migrator` (the launcher) and the Linux x64
# platform package, filled with the release binary, and runs `npm pack` for each into target/npm/.
# usage: scripts/npm-pack.sh [--binary PATH]   (default: a fresh `cargo build --release`)
# Nothing is published.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=
if [ "${1:-}" = "--binary" ]; then BINARY=$2; fi
if [ -z "$BINARY" ]; then
  cargo build --release --quiet
  BINARY=target/release/alchemy-migrator
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
for f in npm/*/package.json; do
  grep -q "\"version\": \"$version\"" "$f" || { echo "npm-pack: $f is not at version $version; run scripts/bump-version.sh $version" >&2; exit 1; }
done
out=target/npm
rm -rf "$out" && mkdir -p "$out/stage"
cp -R npm/alchemy-migrator npm/linux-x64 "$out/stage/"
install -m 0755 "$BINARY" "$out/stage/linux-x64/bin/alchemy-migrator"
for pkg in alchemy-migrator linux-x64; do
  (cd "$out/stage/$pkg" && npm pack --silent --pack-destination ../.. >/dev/null)
done
ls "$out"/*.tgz
