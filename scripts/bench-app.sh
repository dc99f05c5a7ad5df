#!/usr/bin/env bash
# Start-up and memory of the app's release build, side by side with the cheapest Tauri 2 window
# (bench/minimal-window, built here from its template with the same release profile), in one run
# on one virtual X server and session bus:
#   - first drawn: from exec until the window shows anything but a flat colour;
#   - ready: until the screen the person acts on is drawn, i.e. the frame matches (RMSE ≤
#     READY_RMSE) that screen as it looks once settled, taken in a start before the timed ones:
#       minimal window: its text;
#       Userdesk, first start (a new data directory: the embedded server makes its keys, its
#         database and the demo account): the sign-in screen;
#       Userdesk, second start (the data directory of a start that signed in as the demo
#         account, demo@example.com / userdesk-demo, by pressing "Use demo account" and Enter;
#         the stored token opens the app signed in): the signed-in profile;
#   - PSS of the whole process tree (the app and its WebKit processes), SETTLE s after ready.
# The three kinds of start take turns, RUNS times; each figure is the median (min–max beside
# it). Prints the figures and the ratios to the minimal window. No figure fails anything.
#
#   scripts/bench-app.sh                    # release builds (built first), 5 runs each
#   BUILD=0 RUNS=3 scripts/bench-app.sh     # the binaries already in target/release
#   PROFILE=debug scripts/bench-app.sh      # debug builds
#   PSS_DETAIL=FILE …                       # each process's PSS (MiB) too, appended to FILE
# Frames, references and logs stay in target/bench-app/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-5}
PROFILE=${PROFILE:-release}
READY_RMSE=${READY_RMSE:-0.02}
SETTLE=${SETTLE:-5}
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/bench-app

if [ -z "${BENCH_APP_INSIDE:-}" ]; then
  for tool in xvfb-run dbus-run-session import convert compare xdotool bc; do
    command -v "$tool" >/dev/null ||
      { echo "bench-app: $tool is missing (scripts/install-deps.sh test)" >&2; exit 2; }
  done
  if [ "${BUILD:-1}" != 0 ]; then
    flag=(); [ "$PROFILE" = release ] && flag=(--release)
    echo "== building ($PROFILE)"
    # The app embeds ui/dist: rebuilt when older than its sources (as scripts/build-app.sh does).
    if [ ! -f ui/dist/index.html ] || [ -n "$(find ui/src ui/index.html ui/package-lock.json \
        -newer ui/dist/index.html -print -quit 2>/dev/null)" ]; then
      scripts/npm-ci.sh ui
      (cd ui && npm run --silent build)
    fi
    cargo build --quiet "${flag[@]}" -p userdesk
    [ -f bench/minimal-window/Cargo.lock ] || cp Cargo.lock bench/minimal-window/Cargo.lock
    CARGO_TARGET_DIR=$target cargo build --quiet "${flag[@]}" --manifest-path bench/minimal-window/Cargo.toml
  fi
  for binary in "$target/$PROFILE/userdesk" "$target/$PROFILE/minimal-window"; do
    [ -x "$binary" ] || { echo "bench-app: $binary is missing (run without BUILD=0)" >&2; exit 2; }
  done
  rm -rf "$work"; mkdir -p "$work"
  export BENCH_APP_INSIDE=1 RUNS PROFILE READY_RMSE SETTLE
  exec dbus-run-session -- xvfb-run -a -s '-screen 0 1280x800x24' "$0" "$@" 2>"$work/session.log"
fi

# --- inside the bus and the display ----------------------------------------------------------
export WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1 USERDESK_NO_KEYCHAIN=1
app=$target/$PROFILE/userdesk
minimal=$target/$PROFILE/minimal-window
frame=$work/frame.ppm

now() { date +%s.%N; }
# A frame of the screen's middle (both windows cover it: Userdesk's is centred, the minimal one
# sits at the top left), to $1.
grab() { import -window root -crop 900x600+190+100 "ppm:$1" 2>/dev/null || : >"$1"; }
# The standard deviation of a frame: 0 while it is one flat colour (or nothing was grabbed).
spread() { convert "$1" -colorspace gray -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0; }
# The normalised RMSE between two frames (0: identical, 1: opposite).
distance() {
  local out; out=$(compare -metric RMSE "$1" "$2" null: 2>&1 || true) # exits 1 when they differ
  out=$(echo "$out" | sed -n 's/.*(\([0-9.e+-]*\)).*/\1/p')
  # bc reads no exponents: a tiny distance is 0.
  case $out in '') echo 1 ;; *e-*) echo 0 ;; *) echo "$out" ;; esac
}
is() { [ "$(echo "$1" | bc -l)" = 1 ]; }
# The sum of PSS over a process and all its descendants, in MiB.
pss_tree() {
  local pids=("$1") i=0
  while [ $i -lt ${#pids[@]} ]; do
    for child in $(cat "/proc/${pids[$i]}/task/"*/children 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  local kb=0 one
  for pid in "${pids[@]}"; do
    one=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo 0)
    kb=$((kb + ${one:-0}))
    # PSS_DETAIL=FILE: each process's share appended there, to see which one grew.
    [ -z "${PSS_DETAIL:-}" ] || echo "$1 $(cat "/proc/$pid/comm" 2>/dev/null) $((${one:-0} / 1024))" >>"$PSS_DETAIL"
  done
  echo "scale=1; $kb / 1024" | bc
}
use_home() {
  export XDG_DATA_HOME=$1/data XDG_CONFIG_HOME=$1/config XDG_CACHE_HOME=$1/cache
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

# Waits (up to 60 s) until the screen holds still and is not flat, nor within 0.05 of the
# optional frame $2; copies that frame to $1.
settled() {
  local out=$1 unlike=${2:-} a=$work/settle-a.ppm b=$work/settle-b.ppm
  grab "$a"
  for _ in $(seq 1 60); do
    sleep 1; grab "$b"
    if is "$(spread "$b") > 0.003" && is "$(distance "$a" "$b") < 0.01" &&
        { [ -z "$unlike" ] || is "$(distance "$b" "$unlike") > 0.05"; }; then
      cp "$b" "$out"; return 0
    fi
    cp "$b" "$a"
  done
  echo "bench-app: the screen did not settle (see $a, $b)" >&2; return 1
}

# One start of $1 with its data in $2, ready when the frame matches $3: "first_drawn ready pss".
measure() {
  local binary=$1 ready_ref=$3
  use_home "$2"
  local start; start=$(now)
  "$binary" >>"$work/apps.log" 2>&1 &
  local pid=$! first="" ready="" t
  while :; do
    # A start that ended by itself (seldom, under load: GTK failed to open the display).
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; echo "nan nan nan"; return; }
    grab "$frame"
    t=$(echo "$(now) - $start" | bc)
    if [ -z "$first" ] && is "$(spread "$frame") > 0.003"; then first=$t; fi
    if [ -n "$first" ] && is "$(distance "$frame" "$ready_ref") <= $READY_RMSE"; then ready=$t; break; fi
    if is "$t > 60"; then cp "$frame" "$work/timeout-$(basename "$binary").ppm"; break; fi
  done
  sleep "$SETTLE"
  local pss; pss=$(pss_tree "$pid")
  stop "$pid"
  echo "${first:-nan} ${ready:-nan} $pss"
}

# --- the screens "ready" means, and the signed-in data directory ----------------------------
echo "== references"
use_home "$work/home-minimal"
"$minimal" >>"$work/apps.log" 2>&1 & pid=$!
settled "$work/ref-minimal.ppm"; stop $pid

signed_in=$work/home-signed-in
use_home "$signed_in"
"$app" >>"$work/apps.log" 2>&1 & pid=$!
settled "$work/ref-sign-in.ppm"
# Sign in as the demo account: the first control of the sign-in screen is "Use demo account",
# which fills in both fields and focuses the password; Enter then submits the form.
# (Without a window manager, windowfocus reports a failure but the keys reach the window.)
xdotool windowfocus "$(xdotool search --name '^Userdesk$' | head -1)" 2>/dev/null || true
xdotool key Tab; sleep 0.3; xdotool key Return; sleep 0.5; xdotool key Return
settled "$work/ref-profile.ppm" "$work/ref-sign-in.ppm" ||
  { echo "bench-app: signing in as the demo account did not change the screen" >&2; stop $pid; exit 1; }
sleep 2; stop $pid
convert "$work/ref-sign-in.ppm" "$work/ref-sign-in.png"; convert "$work/ref-profile.ppm" "$work/ref-profile.png"
convert "$work/ref-minimal.ppm" "$work/ref-minimal.png"
# The profile must also be what a second start shows (the token was stored): checked by its
# "ready" below, which would time out on the sign-in screen.

: >"$work/minimal.txt"; : >"$work/app-first.txt"; : >"$work/app-second.txt"
# One start (fresh: with a new data directory), tried again if it failed; appends its figures.
once() {
  local set=$1 binary=$2 home=$3 ref=$4 fresh=$5 figures
  for _ in 1 2 3; do
    [ "$fresh" = fresh ] && rm -rf "$home"
    figures=$(measure "$binary" "$home" "$ref")
    case $figures in *nan*) echo "   $set: a start failed or timed out (target/bench-app/apps.log); again" ;;
      *) echo "$figures" >>"$work/$set.txt"; return ;; esac
  done
}
for i in $(seq 1 "$RUNS"); do
  echo "== run $i of $RUNS"
  once minimal "$minimal" "$work/home-minimal" "$work/ref-minimal.ppm" fresh
  once app-first "$app" "$work/home-first" "$work/ref-sign-in.ppm" fresh
  once app-second "$app" "$signed_in" "$work/ref-profile.ppm" keep
done

# --- figures ------------------------------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { awk "{print \$$2}" "$work/$1.txt" | median; }
range() { awk "{print \$$2}" "$work/$1.txt" | sort -g | awk -v f="$3" 'NR==1 {lo=$1} {hi=$1} END {printf f "–" f, lo, hi}'; }
m_first=$(col minimal 1); m_ready=$(col minimal 2); m_pss=$(col minimal 3)
label() {
  case $1 in
    minimal) echo "minimal Tauri 2 window" ;;
    app-first) echo "Userdesk, first start" ;;
    app-second) echo "Userdesk, second start" ;;
  esac
}
echo
printf '%-24s %-22s %-22s %-22s\n' "" "first drawn s" "ready s" "PSS MiB"
for set in minimal app-first app-second; do
  printf '%-24s %-22s %-22s %-22s\n' "$(label $set)" \
    "$(printf '%.2f' "$(col $set 1)") ($(range $set 1 %.2f))" \
    "$(printf '%.2f' "$(col $set 2)") ($(range $set 2 %.2f))" \
    "$(printf '%.0f' "$(col $set 3)") ($(range $set 3 %.0f))"
done
echo
echo "ratios to the minimal window (its first drawn for the times, its PSS):"
for set in app-first app-second; do
  printf '  %-24s first drawn %.2f×, ready %.2f× (%.2f× its ready), PSS %.2f×\n' "$(label $set)" \
    "$(echo "$(col $set 1) / $m_first" | bc -l)" "$(echo "$(col $set 2) / $m_first" | bc -l)" \
    "$(echo "$(col $set 2) / $m_ready" | bc -l)" "$(echo "$(col $set 3) / $m_pss" | bc -l)"
done
echo "(ready: first start = the sign-in screen, second start = the signed-in profile;"
echo " $RUNS runs each, $PROFILE builds, $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(date -u +%Y-%m-%d))"
