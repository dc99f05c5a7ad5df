#!/usr/bin/env bash
# End-to-end test of the real app: builds the UI and the app, then, inside a fresh D-Bus session
# and a virtual X server, starts tauri-driver (which spawns /usr/bin/WebKitWebDriver, which
# launches the app) and runs e2e/tests with node's test runner. Every run gets new, empty data
# directories. What a failure leaves (screenshots, page HTML, logs) is in target/e2e/.
#   E2E_KEEP=1   keep the run's data directories (removed after a passing run otherwise)
#   E2E_APP=PATH drive another binary and build nothing (to check the harness itself)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
app=${E2E_APP:-$root/target/debug/userdesk}
artifacts=$root/target/e2e

if [ -z "${USERDESK_E2E_RUN_DIR:-}" ]; then
  # --- outside: build, then run this script again inside its own bus and display -------------
  if [ -z "${E2E_APP:-}" ]; then
    if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package-lock.json \
        -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
      echo "e2e: building the UI (ui/dist is missing or older than its sources)"
      scripts/npm-ci.sh ui
      (cd ui && npm run --silent build)
    fi
    echo "e2e: cargo build -p userdesk"
    cargo build -p userdesk
  fi
  scripts/npm-ci.sh e2e
  export PATH=${CARGO_HOME:-$HOME/.cargo}/bin:$PATH
  command -v tauri-driver >/dev/null ||
    { echo "e2e: tauri-driver is not installed: run scripts/install-deps.sh" >&2; exit 1; }
  [ -x /usr/bin/WebKitWebDriver ] ||
    { echo "e2e: WebKitWebDriver is missing: run scripts/install-deps.sh (webkit2gtk-driver)" >&2; exit 1; }
  rm -rf "$artifacts"
  mkdir -p "$artifacts"

  # The app keeps its database, settings and token fallback file under these; both launches in
  # a test share them, so a relaunch sees what the first one saved. Set before the bus starts,
  # so that anything the bus starts sees them too.
  run_dir=$(mktemp -d /tmp/userdesk-e2e.XXXXXX)
  export USERDESK_E2E_RUN_DIR=$run_dir
  export XDG_DATA_HOME=$run_dir/data XDG_CONFIG_HOME=$run_dir/config \
    XDG_CACHE_HOME=$run_dir/cache XDG_STATE_HOME=$run_dir/state
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"

  # The bus daemon and Xvfb chatter on stderr: that goes to session.log; this script's own
  # stderr travels inside on fd 3.
  echo "e2e: running under dbus-run-session -- xvfb-run -a; data in $run_dir"
  exec 3>&2
  exec dbus-run-session --config-file="$root/e2e/session-bus.conf" -- \
    xvfb-run -a -s '-screen 0 1280x800x24' "$0" "$@" 2>"$artifacts/session.log"
fi

# --- inside dbus-run-session and xvfb-run ------------------------------------------------------
[ -e /proc/self/fd/3 ] && exec 2>&3 3>&-
run_dir=$USERDESK_E2E_RUN_DIR
# Software rendering on Xvfb: WebKit's DMA-BUF renderer wants a GPU. No accessibility bus here.
export WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1 NO_COLOR=1
export RUST_LOG=${RUST_LOG:-info}

driver_log=$artifacts/app.log # tauri-driver's, WebKitWebDriver's and the app's stdout and stderr
driver_pid=
status=1

# The processes tauri-driver started (WebKitWebDriver, the app and WebKit's helpers), by pid.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

cleanup() {
  if [ -n "$driver_pid" ]; then
    local pids
    pids=$(descendants "$driver_pid")
    kill "$driver_pid" 2>/dev/null || true
    # shellcheck disable=SC2086 # one pid a word
    [ -z "$pids" ] || kill $pids 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [ "$status" -eq 0 ] && [ -z "${E2E_KEEP:-}" ]; then
    rm -rf "$run_dir"
  else
    echo "e2e: the run's data directories are kept in $run_dir"
  fi
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=${E2E_PORT:-4444}
while port_in_use "$port" || port_in_use "$((port + 1))"; do
  port=$((port + 2))
  [ "$port" -lt 4500 ] || { echo "e2e: no free port pair for tauri-driver" >&2; exit 1; }
done

tauri-driver --port "$port" --native-port "$((port + 1))" >"$driver_log" 2>&1 &
driver_pid=$!
# WebKitWebDriver (the native port) first: tauri-driver logs a backtrace for every request it
# cannot forward yet.
for p in "$((port + 1))" "$port"; do
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$p/status" >/dev/null 2>&1 && continue 2
    kill -0 "$driver_pid" 2>/dev/null ||
      { echo "e2e: tauri-driver exited:" >&2; cat "$driver_log" >&2; exit 1; }
    sleep 0.2
  done
  echo "e2e: nothing answered on port $p within 20 s; $driver_log says:" >&2
  cat "$driver_log" >&2
  exit 1
done

set +e
(
  cd e2e
  USERDESK_APP=$app WEBDRIVER_URL=http://127.0.0.1:$port/ E2E_ARTIFACTS=$artifacts \
    node --test --test-force-exit --test-reporter=spec tests/
)
status=$?
set -e

if [ "$status" -ne 0 ]; then
  echo
  echo "e2e: FAILED. What the run left is in $artifacts:"
  ls -1 "$artifacts" | sed 's/^/  /'
  echo "e2e: the last lines of $driver_log (tauri-driver, WebKitWebDriver and the app):"
  tail -n 40 "$driver_log" | sed 's/^/  | /'
fi
exit "$status"
