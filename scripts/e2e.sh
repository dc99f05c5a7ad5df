#!/usr/bin/env bash
# End-to-end tests of the real app: builds the UI and the app, then, inside a fresh D-Bus session
# and a virtual X server, runs each file of e2e/tests with node's test runner against its own
# tauri-driver (which spawns /usr/bin/WebKitWebDriver, which launches the app) and its own new,
# empty data directories, so no test sees what another left. What a run leaves (per test file:
# screenshots and page HTML of a failed step, the app's log) is in target/e2e/.
#   scripts/e2e.sh [NAME...]   only e2e/tests/NAME.test.mjs for each NAME
#   E2E_KEEP=1     keep the data directories (removed after a passing run otherwise)
#   E2E_APP=PATH   drive another binary and build nothing (to check the harness itself)
#   E2E_SERVER=PATH  the account server that tests needing one outside the app start
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
app=${E2E_APP:-${CARGO_TARGET_DIR:-$root/target}/debug/userdesk}
server=${E2E_SERVER:-${CARGO_TARGET_DIR:-$root/target}/debug/userdesk-server}
artifacts=$root/target/e2e

if [ -z "${USERDESK_E2E_RUN_DIR:-}" ]; then
  # --- outside: build, then run this script again inside its own bus and display -------------
  [ -n "${E2E_APP:-}" ] || scripts/build-app.sh
  scripts/npm-ci.sh e2e
  export PATH=${CARGO_HOME:-$HOME/.cargo}/bin:$PATH
  command -v tauri-driver >/dev/null ||
    { echo "e2e: tauri-driver is not installed: run scripts/install-deps.sh" >&2; exit 1; }
  [ -x /usr/bin/WebKitWebDriver ] ||
    { echo "e2e: WebKitWebDriver is missing: run scripts/install-deps.sh (webkit2gtk-driver)" >&2; exit 1; }
  rm -rf "$artifacts"
  mkdir -p "$artifacts"

  run_dir=$(mktemp -d /tmp/userdesk-e2e.XXXXXX)
  export USERDESK_E2E_RUN_DIR=$run_dir

  # The bus daemon and Xvfb chatter on stderr: that goes to session.log; this script's own
  # stderr travels inside on fd 3.
  echo "e2e: running under dbus-run-session -- xvfb-run -a; data directories in $run_dir"
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
# The app opens OAuth pages with xdg-open. The person's browser here is e2e/browser.sh, which
# records the URL so that a test can play the person at the provider's page: each test's data
# directories make it the default handler of http and https (else xdg-open would pick whatever
# browser the machine has installed), and $BROWSER names it for xdg-open's other paths.
export BROWSER=$root/e2e/browser.sh
browser_entry=userdesk-e2e-browser.desktop

if [ $# -gt 0 ]; then
  files=()
  for name in "$@"; do files+=("e2e/tests/$name.test.mjs"); done
else
  files=(e2e/tests/*.test.mjs)
fi

driver_pid=
all_ok=1

# The processes tauri-driver started (WebKitWebDriver, the app and WebKit's helpers), by pid.
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

stop_driver() {
  [ -n "$driver_pid" ] || return 0
  local pids
  pids=$(descendants "$driver_pid")
  kill "$driver_pid" 2>/dev/null || true
  # shellcheck disable=SC2086 # one pid a word
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
  wait "$driver_pid" 2>/dev/null || true
  driver_pid=
}

cleanup() {
  stop_driver
  if [ "$all_ok" -eq 1 ] && [ -z "${E2E_KEEP:-}" ]; then
    rm -rf "$run_dir"
  else
    echo "e2e: the data directories are kept in $run_dir"
  fi
}
trap cleanup EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts tauri-driver with its output (and so WebKitWebDriver's and the app's) in $1; sets $port.
start_driver() {
  local log=$1 p
  port=${E2E_PORT:-4444}
  while port_in_use "$port" || port_in_use "$((port + 1))"; do
    port=$((port + 2))
    [ "$port" -lt 4500 ] || { echo "e2e: no free port pair for tauri-driver" >&2; return 1; }
  done
  tauri-driver --port "$port" --native-port "$((port + 1))" >"$log" 2>&1 &
  driver_pid=$!
  # WebKitWebDriver (the native port) first: tauri-driver logs a backtrace for every request
  # it cannot forward yet.
  for p in "$((port + 1))" "$port"; do
    for _ in $(seq 100); do
      curl -fsS "http://127.0.0.1:$p/status" >/dev/null 2>&1 && continue 2
      kill -0 "$driver_pid" 2>/dev/null || { echo "e2e: tauri-driver exited:" >&2; cat "$log" >&2; return 1; }
      sleep 0.2
    done
    echo "e2e: nothing answered on port $p within 20 s; $log says:" >&2
    cat "$log" >&2
    return 1
  done
}

passed=0
failed=0
for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "e2e: no test file $file" >&2; exit 1; }
  name=$(basename "$file" .test.mjs)
  out=$artifacts/$name
  data=$run_dir/$name
  mkdir -p "$out" "$data"/{data,config,cache,state}
  # The app keeps its database, settings and token fallback file under these; the launches
  # within one file share them, so a relaunch sees what the one before saved.
  export XDG_DATA_HOME=$data/data XDG_CONFIG_HOME=$data/config XDG_CACHE_HOME=$data/cache \
    XDG_STATE_HOME=$data/state USERDESK_E2E_BROWSER_LOG=$data/browser.log
  mkdir -p "$XDG_DATA_HOME/applications"
  printf '%s\n' '[Desktop Entry]' 'Type=Application' 'Name=End-to-end test browser' \
    "Exec=$BROWSER %u" 'NoDisplay=true' 'MimeType=x-scheme-handler/http;x-scheme-handler/https;' \
    >"$XDG_DATA_HOME/applications/$browser_entry"
  printf '%s\n' '[Default Applications]' "x-scheme-handler/http=$browser_entry" \
    "x-scheme-handler/https=$browser_entry" >"$XDG_CONFIG_HOME/mimeapps.list"

  # A file may set variables for its app, on lines "// e2e-env: NAME=value" (a shorter
  # reverification window, say); they hold for that file's driver only.
  file_env=$(sed -n 's#^// e2e-env: \([A-Z_][A-Z0-9_]*=[^ ]*\)$#\1#p' "$file")

  printf '\ne2e: %s\n' "$file"
  for assignment in $file_env; do export "${assignment?}"; done
  start_driver "$out/app.log" || { all_ok=0; exit 1; }
  # The driver (and each app it starts) has them now; the next file starts without.
  for assignment in $file_env; do unset "${assignment%%=*}"; done
  set +e
  # A hung test must not hold CI until its time runs out.
  (cd e2e && USERDESK_APP=$app USERDESK_SERVER=$server WEBDRIVER_URL=http://127.0.0.1:$port/ \
    E2E_ARTIFACTS=$out timeout --kill-after=10 900 node --test --test-force-exit --test-reporter=spec \
    "${file#e2e/}") 2>&1 | tee "$out/test.log"
  status=${PIPESTATUS[0]}
  set -e
  stop_driver

  file_passed=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$out/test.log" | tail -n 1)
  file_failed=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$out/test.log" | tail -n 1)
  file_passed=${file_passed:-0}
  file_failed=${file_failed:-0}
  if [ "$status" -ne 0 ]; then
    all_ok=0
    [ "$file_failed" -gt 0 ] || file_failed=1 # it died before its summary
    echo "e2e: $file FAILED (exit $status). What it left is in $out:"
    ls -1 "$out" | sed 's/^/  /'
    echo "e2e: the last lines of $out/app.log (tauri-driver, WebKitWebDriver and the app):"
    tail -n 30 "$out/app.log" | sed 's/^/  | /'
    # An app that cannot reach the display dies in GTK's init: the X server's own words are here.
    echo "e2e: the last lines of the bus and X server's output ($artifacts/session.log):"
    tail -n 10 "$artifacts/session.log" | sed 's/^/  | /'
  fi
  passed=$((passed + file_passed))
  failed=$((failed + file_failed))
done

echo
echo "e2e: $passed passed, $failed failed"
[ "$all_ok" -eq 1 ]
