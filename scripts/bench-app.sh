#!/usr/bin/env bash
# Start-up and memory of the app, side by side with the cheapest Tauri 2 window
# (bench/minimal-window), in one run on one virtual X server and session bus:
#   - first drawn: from exec until the window shows anything but a flat colour;
#   - ready: until the screen the person acts on is drawn (Userdesk: the sign-in screen, which
#     waits for the embedded server; the minimal window: its text);
#   - PSS of the whole process tree (the app and its WebKit processes) once settled.
# Each is the median of RUNS starts, a new data directory for every one (a first start: the
# embedded server makes its keys and database), then the same with the directory kept (a second
# start). Prints the figures and the ratios to the minimal window. No figure fails anything.
#
#   scripts/bench-app.sh               # release builds, 5 runs each
#   PROFILE=debug RUNS=3 scripts/bench-app.sh
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-5}
PROFILE=${PROFILE:-release}
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/bench-app

if [ -z "${BENCH_APP_INSIDE:-}" ]; then
  for tool in xvfb-run dbus-run-session import convert xdotool; do
    command -v "$tool" >/dev/null ||
      { echo "bench-app: $tool is missing (scripts/install-deps.sh test)" >&2; exit 2; }
  done
  flag=(); [ "$PROFILE" = release ] && flag=(--release)
  echo "== building ($PROFILE)"
  scripts/build-app.sh >/dev/null
  [ "$PROFILE" = release ] && cargo build --quiet --release -p userdesk
  [ -f bench/minimal-window/Cargo.lock ] || cp Cargo.lock bench/minimal-window/Cargo.lock
  CARGO_TARGET_DIR=$target cargo build --quiet "${flag[@]}" --manifest-path bench/minimal-window/Cargo.toml
  rm -rf "$work"; mkdir -p "$work"
  export BENCH_APP_INSIDE=1
  exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' "$0" "$@" 2>"$work/session.log"
fi

# --- inside the bus and the display ----------------------------------------------------------
export WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1 USERDESK_NO_KEYCHAIN=1

now() { date +%s.%N; }
# The standard deviation of the window's middle: 0 while it is one flat colour.
spread() {
  import -window root -crop 600x400+340+200 png:- 2>/dev/null |
    convert - -colorspace gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0
}
# The sum of PSS over a process and all its descendants, in MiB.
pss_tree() {
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    for child in $(cat "/proc/${pids[$i]}/task/"*/children 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  local kb=0
  for pid in "${pids[@]}"; do
    kb=$((kb + $(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)))
  done
  echo "scale=1; $kb / 1024" | bc
}

# One start of $1 with its data in $2: prints "first_drawn ready pss".
measure() {
  local binary=$1 home=$2 ready_spread=$3
  export XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config XDG_CACHE_HOME=$home/cache
  local start; start=$(now)
  "$binary" >>"$work/apps.log" 2>&1 &
  local pid=$! first="" ready=""
  for _ in $(seq 1 600); do
    local s; s=$(spread)
    local t; t=$(echo "$(now) - $start" | bc)
    if [ -z "$first" ] && [ "$(echo "$s > 0.003" | bc)" = 1 ]; then first=$t; fi
    if [ -n "$first" ] && [ "$(echo "$s > $ready_spread" | bc)" = 1 ]; then ready=$t; break; fi
  done
  sleep 4 # settle
  local pss; pss=$(pss_tree "$pid")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "${first:-nan} ${ready:-nan} $pss"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

run_set() { # name binary ready_spread keep_dir → lines of figures
  local name=$1 binary=$2 ready_spread=$3 keep=$4
  : >"$work/$name.txt"
  for i in $(seq 1 "$RUNS"); do
    local home=$work/home-$name
    [ "$keep" = keep ] || rm -rf "$home"
    measure "$binary" "$home" "$ready_spread" >>"$work/$name.txt"
  done
}

app=$target/$PROFILE/userdesk
minimal=$target/$PROFILE/minimal-window
# The sign-in screen has far more on it than "Connecting…": its spread is what says it is drawn.
run_set minimal "$minimal" 0.003 fresh
run_set app-first "$app" 0.1 fresh
# Second starts: one start to make the data directory, then RUNS with it kept.
measure "$app" "$work/home-app-second" 0.1 >/dev/null
run_set app-second "$app" 0.1 keep

col() { awk "{print \$$2}" "$work/$1.txt" | median; }
m_first=$(col minimal 1); m_pss=$(col minimal 3)
printf '%-22s %12s %12s %10s\n' "" "first drawn" "ready" "PSS MiB"
for set in minimal app-first app-second; do
  printf '%-22s %11.2fs %11.2fs %10.1f\n' "$set" "$(col $set 1)" "$(col $set 2)" "$(col $set 3)"
done
for set in app-first app-second; do
  printf '%-22s first drawn %.2f×, ready %.2f×, PSS %.2f× the minimal window\n' "$set" \
    "$(echo "$(col $set 1) / $m_first" | bc -l)" "$(echo "$(col $set 2) / $m_first" | bc -l)" \
    "$(echo "$(col $set 3) / $m_pss" | bc -l)"
done
echo "($RUNS runs each, $PROFILE builds, $(nproc) cores, $(date -u +%Y-%m-%d))"
