#!/usr/bin/env bash
# Typecheck generated Alchemy programs with tsc 7 (tests/node_modules/.bin/tsc).
#
# usage: tests/ts-harness/typecheck.sh DIR [DIR...]
#
# Each DIR holds an `alchemy.run.ts`, and maybe `env/*.ts` (env type modules such as
# `import type { apiWorker } from "../alchemy.run.ts"; export type Env = typeof apiWorker.Env;`),
# other top-level `*.ts` files, and `src/**/*.ts`. DIR must be under tests/ so that `alchemy`
# and `@cloudflare/workers-types` resolve from tests/node_modules by walking up.
#
# For each DIR a temporary DIR/tsconfig.check.json (compiler options from
# shared/docs/verification.md §0) is written, tsc runs once on it (from DIR, so diagnostics read
# `alchemy.run.ts(12,5): error TS2322: ...`), and the file is deleted again. An existing
# tsconfig.json in DIR is left alone and not used.
#
# Output: `ok DIR`, or `FAIL DIR` followed by the tsc diagnostics; then
# `typecheck: N passed, M failed`. Exit 0 if all passed, 1 if any failed, 2 on usage errors.
# Env: TS_HARNESS_NO_INSTALL=1 skips the (cheap, idempotent) install.sh check;
# TS_HARNESS_OWN_FILES_ONLY=1 fails only on errors in DIR's own files (not in sources under ../).
set -uo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(dirname "$HARNESS_DIR")
TSC="$TESTS_DIR/node_modules/.bin/tsc"

if [ $# -eq 0 ]; then
  echo "usage: $0 DIR [DIR...]" >&2
  exit 2
fi

if [ "${TS_HARNESS_NO_INSTALL:-0}" != 1 ]; then
  "$HARNESS_DIR/install.sh" --quiet >&2 || { echo "typecheck: install failed" >&2; exit 2; }
fi
if [ ! -x "$TSC" ]; then
  echo "typecheck: $TSC missing; run tests/ts-harness/install.sh" >&2
  exit 2
fi

CURRENT_CFG=
cleanup() { [ -n "$CURRENT_CFG" ] && rm -f "$CURRENT_CFG"; CURRENT_CFG=; }
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt_s() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

passed=0
failed=0
T_ALL=$(now_ms)
for arg in "$@"; do
  if [ ! -d "$arg" ]; then
    echo "FAIL $arg"
    echo "  not a directory"
    failed=$((failed + 1))
    continue
  fi
  dir=$(cd "$arg" && pwd -P)
  if [ ! -f "$dir/alchemy.run.ts" ]; then
    echo "FAIL $arg"
    echo "  no alchemy.run.ts in $dir"
    failed=$((failed + 1))
    continue
  fi
  case "$dir/" in
    "$(cd "$TESTS_DIR" && pwd -P)"/*) ;;
    *) echo "warning: $dir is not under $TESTS_DIR; 'alchemy' will probably not resolve" >&2 ;;
  esac

  CURRENT_CFG="$dir/tsconfig.check.json"
  cat >"$CURRENT_CFG" <<'JSON'
{
  "compilerOptions": {
    "target": "ESNext",
    "lib": ["ESNext"],
    "module": "ESNext",
    "moduleResolution": "Bundler",
    "strict": true,
    "skipLibCheck": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "verbatimModuleSyntax": true,
    "erasableSyntaxOnly": true,
    "types": ["@cloudflare/workers-types"]
  },
  "include": ["alchemy.run.ts", "*.ts", "env/**/*.ts", "src/**/*.ts"]
}
JSON
  t0=$(now_ms)
  out=$(cd "$dir" && "$TSC" -p tsconfig.check.json --pretty false 2>&1)
  rc=$?
  t1=$(now_ms)
  cleanup
  # TS_HARNESS_OWN_FILES_ONLY=1: errors inside worker sources outside DIR (real projects copied only
  # in part) are shown but do not fail the check; errors in the generated files always do.
  if [ $rc -ne 0 ] && [ "${TS_HARNESS_OWN_FILES_ONLY:-0}" = 1 ]; then
    own=$(printf '%s\n' "$out" | grep -E '^[^ ].*error TS' | grep -vE '^\.\./' || true)
    if [ -z "$own" ]; then
      echo "# $arg: errors only in sources outside the generated files:" >&2
      printf '%s\n' "$out" | sed 's/^/#   /' | head -5 >&2
      rc=0
    fi
  fi
  if [ $rc -eq 0 ]; then
    echo "ok $arg"
    passed=$((passed + 1))
  else
    echo "FAIL $arg"
    [ -n "$out" ] && printf '%s\n' "$out"
    failed=$((failed + 1))
  fi
  echo "# $arg: tsc $(fmt_s $((t1 - t0))) s, exit $rc" >&2
done
echo "# typecheck wall time $(fmt_s $(( $(now_ms) - T_ALL ))) s" >&2
echo "typecheck: $passed passed, $failed failed"
[ $failed -eq 0 ]
