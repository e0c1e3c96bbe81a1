#!/usr/bin/env bash
# Builds the npm packages and runs `npm pack` for each into target/npm/: the main package
# `alchemy-migrator` (the launcher) and a platform package (`npm/<platform>/`) holding the binary.
# usage: scripts/npm-pack.sh [--binary PATH] [--platform NAME|all]
#   --binary    the binary to ship (default: a fresh `cargo build --release`)
#   --platform  the package that gets it: linux-x64, linux-arm64, darwin-x64, darwin-arm64,
#               win32-x64 (default: this machine's); `all` puts the same binary in every platform
#               package, which only tests the packaging (the release builds each on its own runner)
# Nothing is published.
set -euo pipefail
cd "$(dirname "$0")/.."
BINARY=
PLATFORM=
while [ $# -gt 0 ]; do
  case $1 in
    --binary) BINARY=$2; shift 2 ;;
    --platform) PLATFORM=$2; shift 2 ;;
    *) echo "npm-pack: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -z "$BINARY" ]; then
  cargo build --release --quiet
  BINARY=target/release/alchemy-migrator
  [ -f "$BINARY" ] || BINARY=$BINARY.exe
fi
[ -n "$PLATFORM" ] || PLATFORM=$(node -p 'process.platform + "-" + process.arch')
if [ "$PLATFORM" = all ]; then
  platforms=$(cd npm && for d in */; do [ "$d" = alchemy-migrator/ ] || echo "${d%/}"; done)
else
  [ -f "npm/$PLATFORM/package.json" ] || { echo "npm-pack: no package npm/$PLATFORM" >&2; exit 2; }
  platforms=$PLATFORM
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
for f in npm/*/package.json; do
  grep -q "\"version\": \"$version\"" "$f" || { echo "npm-pack: $f is not at version $version; run scripts/bump-version.sh $version" >&2; exit 1; }
done
out=target/npm
rm -rf "$out" && mkdir -p "$out/stage"
cp -R npm/alchemy-migrator "$out/stage/"
for p in $platforms; do
  exe=alchemy-migrator
  case $p in win32-*) exe=alchemy-migrator.exe ;; esac
  cp -R "npm/$p" "$out/stage/"
  mkdir -p "$out/stage/$p/bin"
  install -m 0755 "$BINARY" "$out/stage/$p/bin/$exe"
done
for pkg in alchemy-migrator $platforms; do
  (cd "$out/stage/$pkg" && npm pack --silent --pack-destination ../.. >/dev/null)
done
ls "$out"/*.tgz
