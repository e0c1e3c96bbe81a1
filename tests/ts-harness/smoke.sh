#!/usr/bin/env bash
# Run a generated alchemy.run.ts under `alchemy dev` (miniflare/workerd on localhost, offline)
# and check its answers over HTTP, as a SPEC file says.
#
# usage: tests/ts-harness/smoke.sh OUTDIR SPEC
#   OUTDIR  directory under tests/ with the generated alchemy.run.ts; it is run as
#           `node alchemy.run.ts --dev` with OUTDIR as cwd.
#   SPEC    one directive per line (`#` comments):
#             entry NAME              the worker requests go to (alchemy prints `NAME Ready at URL`)
#             env NAME=VALUE          an environment variable for the run (e.g. a secret)
#             get PATH EXPECTED...    GET PATH must answer exactly EXPECTED (rest of the line)
#             get-file PATH FILE      ... exactly the content of FILE (relative to SPEC, whitespace removed)
#             xfail PATH EXPECTED...  an expected failure (counted as skipped)
#             log TEXT...             TEXT must appear in the log (waits up to 10 s)
# Prints `smoke: N passed, M failed, K skipped`; exit 1 on any failure, 2 on usage errors.
#
# State: alchemy state goes to OUTDIR/.alchemy, miniflare persistence to WORKSPACE/.alchemy where
# WORKSPACE is the first ancestor with a lockfile/.git (normally tests/). Both are wiped first.
# Because that persistence dir is shared, smoke runs are serialized with flock.
# Env: SMOKE_READY_TIMEOUT (s, default 90), TS_HARNESS_NO_INSTALL=1, SMOKE_KEEP_LOG=1,
# SMOKE_ARGS (extra program arguments, e.g. `--stage production`).
set -uo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTS_DIR=$(cd "$(dirname "$HARNESS_DIR")" && pwd -P)
if [ $# -ne 2 ]; then
  echo "usage: $0 OUTDIR SPEC" >&2
  exit 2
fi
[ -f "$2" ] || { echo "smoke: SPEC $2 is not a file" >&2; exit 2; }
SPEC=$(cd "$(dirname "$2")" && pwd -P)/$(basename "$2")
SPEC_DIR=$(dirname "$SPEC")
ENTRY=$(sed -n 's/^entry[[:space:]]\+//p' "$SPEC" | head -n1)
[ -n "$ENTRY" ] || { echo "smoke: SPEC has no 'entry NAME' line" >&2; exit 2; }
[ -d "$1" ] || { echo "smoke: OUTDIR $1 is not a directory" >&2; exit 2; }
OUTDIR=$(cd "$1" && pwd -P)
[ -f "$OUTDIR/alchemy.run.ts" ] || { echo "smoke: no alchemy.run.ts in $OUTDIR" >&2; exit 2; }
case "$OUTDIR/" in
  "$TESTS_DIR"/*) ;;
  *) echo "smoke: OUTDIR must be under $TESTS_DIR (alchemy is resolved from tests/node_modules)" >&2; exit 2 ;;
esac

if [ "${TS_HARNESS_NO_INSTALL:-0}" != 1 ]; then
  "$HARNESS_DIR/install.sh" --quiet >&2 || { echo "smoke: install failed" >&2; exit 2; }
fi

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
fmt_s() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

# One smoke run at a time: miniflare's persistence dir (tests/.alchemy) is shared, and parallel
# runs of the same three worker names would also race for the dev registry.
mkdir -p "$TESTS_DIR/.work"
exec 8>"$TESTS_DIR/.work/smoke.lock"
flock 8
T_START=$(now_ms)   # after the lock: timings below exclude waiting for other smoke runs

# Holding the lock means no other smoke run is live: per-run XDG dirs left by killed runs are stale.
rm -rf "$TESTS_DIR/.work/xdg"
RUN_ID="$(basename "$OUTDIR")-$$"
export TS_HARNESS_XDG_CONFIG_HOME="$TESTS_DIR/.work/xdg/$RUN_ID"
# shellcheck source=env.sh
. "$HARNESS_DIR/env.sh"     # fake creds, telemetry off, cf.json off, Node 22 first on PATH
while IFS= read -r line; do
  case "$line" in env\ *) export "${line#env }" ;; esac
done <"$SPEC"
mkdir -p "$XDG_CONFIG_HOME"

NODE_BIN=$(command -v node)
case "$NODE_BIN" in
  "$TESTS_DIR"/node_modules/.bin/node) ;;
  *) echo "smoke: node is $NODE_BIN, expected tests/node_modules/.bin/node; run install.sh" >&2; exit 2 ;;
esac

# Where miniflare persists DO/KV/D1 data: alchemy's findWorkspaceRootSync(OUTDIR).
workspace_root() {
  local d=$1
  while :; do
    for m in bun.lock bun.lockb .git lerna.json package-lock.json nx.json pnpm-lock.yaml \
      pnpm-workspace.yaml pnpm-workspace.yml rush.json yarn.lock; do
      [ -e "$d/$m" ] && { echo "$d"; return; }
    done
    if [ -f "$d/package.json" ] && grep -q '"workspaces"' "$d/package.json"; then echo "$d"; return; fi
    if [ -f "$d/turbo.json" ] && ! grep -q '"extends"' "$d/turbo.json"; then echo "$d"; return; fi
    [ "$d" = / ] && { echo /; return; }
    d=$(dirname "$d")
  done
}
WS_ROOT=$(workspace_root "$OUTDIR")
case "$WS_ROOT/" in
  "$TESTS_DIR"/*) ;;
  *) echo "smoke: miniflare workspace root would be $WS_ROOT (outside tests/); refusing" >&2; exit 2 ;;
esac
rm -rf "$OUTDIR/.alchemy" "$TESTS_DIR/.alchemy" "$WS_ROOT/.alchemy/miniflare"

LOG_DIR="$TESTS_DIR/.work/smoke-logs"
mkdir -p "$LOG_DIR"
LOG="$LOG_DIR/$RUN_ID.log"
: >"$LOG"

# Own session/process group, so the whole tree (node + workerd) can be signalled at once.
# SMOKE_ARGS: extra arguments for the program (e.g. `--stage production`).
# shellcheck disable=SC2086
(cd "$OUTDIR" && exec setsid -w node alchemy.run.ts --dev ${SMOKE_ARGS:-}) >"$LOG" 2>&1 </dev/null &
PID=$!

descendants() { # all transitive children of $1
  ps -eo pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { for (p in parent) { x = p; while ((x in parent) && x != 1 && x != 0) { if (parent[x] == root) { print p; break } x = parent[x] } } }'
}
alive() { kill -0 "$1" 2>/dev/null; }
# Watchdog: if this script dies without running its EXIT trap (SIGKILL, e.g. a test-runner
# timeout), kill the server's process group so no node/workerd is left behind.
SCRIPT_PID=$$
( trap - INT TERM
  while kill -0 "$SCRIPT_PID" 2>/dev/null; do sleep 1; done
  kill -TERM -- "-$PID" 2>/dev/null; sleep 2; kill -KILL -- "-$PID" 2>/dev/null ) >/dev/null 2>&1 </dev/null &
WATCHDOG=$!
STOPPED=0
STOP_SIG=none
stop() {
  [ "$STOPPED" = 1 ] && return
  STOPPED=1
  local kids sig i
  kids=$(descendants "$PID")
  for sig in INT TERM KILL; do
    alive "$PID" || [ -n "$(for k in $kids; do alive "$k" && echo "$k"; done)" ] || break
    STOP_SIG=$sig
    kill -"$sig" -- "-$PID" 2>/dev/null   # the process group (setsid made PID its leader)
    # shellcheck disable=SC2086
    kill -"$sig" "$PID" $kids 2>/dev/null # and any descendant that left the group
    for i in $(seq 1 20); do
      alive "$PID" || [ -n "$(for k in $kids; do alive "$k" && echo "$k"; done)" ] || break
      sleep 0.25
    done
  done
  wait "$PID" 2>/dev/null
  kill "$WATCHDOG" 2>/dev/null; wait "$WATCHDOG" 2>/dev/null
  rm -rf "$XDG_CONFIG_HOME"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

strip_ansi() { sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' "$LOG"; }

URL=
deadline=$(( $(now_ms) + ${SMOKE_READY_TIMEOUT:-90} * 1000 ))
while [ "$(now_ms)" -lt "$deadline" ]; do
  if ! alive "$PID"; then
    echo "smoke: alchemy exited before it was ready; log ($LOG):"
    cat "$LOG"
    echo "smoke: 0 passed, 1 failed, 0 skipped"
    exit 1
  fi
  URL=$(strip_ansi | grep -F " $ENTRY Ready at " | sed -n 's/.* Ready at \(http[^ ]*\).*/\1/p' | head -n1)
  [ -n "$URL" ] && break
  sleep 0.2
done
if [ -z "$URL" ]; then
  echo "smoke: not ready after ${SMOKE_READY_TIMEOUT:-90} s; log ($LOG):"
  cat "$LOG"
  echo "smoke: 0 passed, 1 failed, 0 skipped"
  exit 1
fi
T_READY=$(now_ms)
echo "alchemy dev ready at $URL after $(fmt_s $((T_READY - T_START))) s"

pass=0; fail=0; skip=0
check() { # path expected [xfail-reason]
  local got
  got=$(curl -sS --noproxy '*' -m 15 "${URL%/}$1" 2>&1)
  if [ "$got" = "$2" ]; then
    if [ -n "${3:-}" ]; then echo "XPASS GET $1 -> $got   (expected failure now passes: $3)"; else echo "ok    GET $1 -> $got"; fi
    pass=$((pass + 1))
  elif [ -n "${3:-}" ]; then
    echo "xfail GET $1 -> $(printf '%s' "$got" | head -n1 | cut -c1-160)   ($3)"
    skip=$((skip + 1))
  else
    echo "FAIL  GET $1 -> $got   (want $2)"
    fail=$((fail + 1))
  fi
}
in_log() { [ -n "$(strip_ansi | grep -F -m1 -- "$1")" ]; }
while IFS= read -r line || [ -n "$line" ]; do
  set -- $line
  [ $# -ge 2 ] || continue
  kind=$1; path=$2
  rest=${line#*"$path"}; rest=${rest# }
  case "$kind" in
    get) check "$path" "$rest" ;;
    get-file) check "$path" "$(tr -d ' \n\r\t' <"$SPEC_DIR/$rest")" ;;
    xfail) check "$path" "$rest" "expected to fail" ;;
    log)
      text=${line#log }
      for _ in $(seq 1 40); do in_log "$text" && break; sleep 0.25; done
      if in_log "$text"; then echo "ok    log has: $text"; pass=$((pass + 1)); else echo "FAIL  log lacks: $text"; fail=$((fail + 1)); fi
      ;;
  esac
done <"$SPEC"

T_CHECKED=$(now_ms)
stop
T_END=$(now_ms)
echo "# smoke: ready $(fmt_s $((T_READY - T_START))) s, checks $(fmt_s $((T_CHECKED - T_READY))) s, stop $(fmt_s $((T_END - T_CHECKED))) s (last signal $STOP_SIG), total $(fmt_s $((T_END - T_START))) s" >&2
if [ "$fail" -eq 0 ] && [ "${SMOKE_KEEP_LOG:-0}" != 1 ]; then rm -f "$LOG"; else echo "log: $LOG"; fi
echo "smoke: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
