#!/usr/bin/env bash
# Install the pinned TypeScript toolchain (alchemy, tsc 7, workers-types, Node 22, wrangler,
# miniflare) into tests/node_modules from tests/package-lock.json.
#
# Idempotent: does nothing when tests/node_modules is newer than package.json and
# package-lock.json. Safe to call from several test processes at once (flock, when available).
# usage: tests/ts-harness/install.sh [--force|--quiet]   (--quiet: say nothing when up to date)
set -euo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$HARNESS_DIR")
STAMP="$TESTS_DIR/node_modules/.ts-harness-installed"
FORCE=${1:-}
QUIET=0
[ "$FORCE" = "--quiet" ] && QUIET=1

up_to_date() {
  [ "$FORCE" != "--force" ] &&
    [ -f "$STAMP" ] &&
    [ "$STAMP" -nt "$TESTS_DIR/package-lock.json" ] &&
    [ "$STAMP" -nt "$TESTS_DIR/package.json" ] &&
    [ -x "$TESTS_DIR/node_modules/.bin/tsc" ] &&
    [ -x "$TESTS_DIR/node_modules/.bin/node" ]
}

if up_to_date; then
  [ "$QUIET" = 1 ] || echo "install: tests/node_modules up to date"
  exit 0
fi

# Serialize concurrent installers (e.g. parallel cargo tests): the second one waits, then
# sees the fresh stamp and returns.
mkdir -p "$TESTS_DIR/.work"
if command -v flock >/dev/null 2>&1; then
  exec 9>"$TESTS_DIR/.work/install.lock"
  flock 9
  if up_to_date; then
    [ "$QUIET" = 1 ] || echo "install: tests/node_modules up to date (installed by a concurrent run)"
    exit 0
  fi
fi

# Use the system npm and node: drop tests/node_modules/.bin from PATH (it is first on PATH under
# `npm run`), since npm ci deletes that directory, Node 22 included, while it runs.
PATH=$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$TESTS_DIR/node_modules/.bin" | paste -sd: -)
export PATH
NPM=${NPM:-npm}
LOG="$TESTS_DIR/.work/npm-ci.log"
rm -f "$STAMP"   # a failed install must not look finished
t0=$(date +%s%N)
if ! (cd "$TESTS_DIR" && "$NPM" ci --no-audit --no-fund) >"$LOG" 2>&1; then
  cat "$LOG" >&2
  echo "install: npm ci FAILED in $TESTS_DIR (log: $LOG)" >&2
  exit 1
fi
touch "$STAMP"
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
echo "install: npm ci in tests/ took $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s ($("$TESTS_DIR/node_modules/.bin/node" --version), tsc $("$TESTS_DIR/node_modules/.bin/tsc" --version | awk '{print $2}'))"
