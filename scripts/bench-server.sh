#!/usr/bin/env bash
# Loads `GET /v1/me` (signed in) on `userdesk-server` and the same route on the cheapest peer, a
# static-JSON axum handler (bench/static-json), back to back in one run, with wrk: 64 connections
# on 2 threads, then one connection. Prints req/s, p50 and p99 of each and the ratios against the
# issue-13 budget (≥ 0.5× the static handler's req/s, p99 < 5 ms at 64 connections, p50 < 0.3 ms
# on one). Loopback only; the server runs on a temporary data directory.
#
#   scripts/bench-server.sh            DURATION=10s (each wrk run), CONNECTIONS=64, THREADS=2
#   PROFILE=release scripts/bench-server.sh   both built with another cargo profile (default: server)
#   SERVER=path/to/userdesk-server scripts/bench-server.sh    a binary built before (not rebuilt)
#
# Exits 0 whatever the figures (the machine is shared; see the README's performance section);
# STRICT=1 makes a missed budget exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
STRICT=${STRICT:-0}
DEMO_EMAIL=demo@example.com
DEMO_PASSWORD=userdesk-demo

say() { printf '  %s\n' "$*"; }

# --- wrk (a Debian package), as scripts/install-deps.sh installs packages ---------------------
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "wrk is missing and there is no sudo to install it; as root run: apt-get install wrk" >&2
    exit 1
  fi
  say "apt: installing wrk"
  apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y -qq wrk </dev/null
fi
command -v curl >/dev/null || { echo "curl is missing" >&2; exit 1; }

# --- builds: both with the `server` profile (the root Cargo.toml's, whatever it is now) ----------
PROFILE=${PROFILE:-server}
target=${CARGO_TARGET_DIR:-$PWD/target}
if [ -z "${SERVER:-}" ]; then
  say "building userdesk-server (profile $PROFILE)"
  cargo build --quiet --profile "$PROFILE" -p userdesk-server --bin userdesk-server
  SERVER=$target/$PROFILE/userdesk-server
fi
say "building bench/static-json (profile $PROFILE)"
[ -f bench/static-json/Cargo.lock ] || cp Cargo.lock bench/static-json/Cargo.lock
CARGO_TARGET_DIR=$target cargo build --quiet --profile "$PROFILE" --manifest-path bench/static-json/Cargo.toml

work=$(mktemp -d)
pid=
stop() {
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    pid=
  fi
}
trap 'stop; rm -rf "$work"' EXIT

# Starts "$@" in the background and sets $url from its first stdout line.
start() {
  local out=$work/stdout
  : >"$out"
  "$@" >"$out" 2>"$work/stderr" &
  pid=$!
  url=
  for _ in $(seq 1 300); do
    url=$(sed -n '1s#^listening on \(http://127\.0\.0\.1:[0-9]*\)$#\1#p' "$out")
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "$1 did not start:" >&2
  cat "$work/stderr" >&2
  exit 1
}

# Milliseconds from a wrk duration (850.00us, 1.15ms, 1.02s, 2.00m).
to_ms() {
  awk -v d="$1" 'BEGIN {
    n = d + 0; u = d; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

# Runs wrk with "$@" against $me_url and sets rps, p50, p99 (ms); fails on any non-2xx answer or
# socket error, which would make the figures meaningless.
load() {
  local out=$work/wrk
  wrk "$@" -d "$DURATION" --latency "${auth[@]}" "$me_url" >"$out"
  if grep -q -e 'Non-2xx' -e 'Socket errors' "$out"; then
    echo "wrk saw failures:" >&2
    cat "$out" >&2
    exit 1
  fi
  rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
}

# --- userdesk-server, signed in as the demo account --------------------------------------------
say "userdesk-server: signing in and loading GET /v1/me"
mkdir "$work/data"
start "$SERVER" --addr 127.0.0.1:0 --data "$work/data"
curl -sS --max-time 30 -o /dev/null -D "$work/headers" -X POST \
  --data-urlencode "identifier=$DEMO_EMAIL" --data-urlencode "password=$DEMO_PASSWORD" \
  "$url/v1/client/sign_ins?_is_native=1"
token=$(awk 'tolower($1) == "authorization:" { print $2 }' "$work/headers" | tr -d '\r')
[ -n "$token" ] || { echo "the sign-in answered no client token:" >&2; cat "$work/headers" >&2; exit 1; }
auth=(-H "Authorization: $token")
me_url="$url/v1/me?_is_native=1"
status=$(curl -sS --max-time 10 -o "$work/me.json" -w '%{http_code}' "${auth[@]}" "$me_url")
[ "$status" = 200 ] || { echo "GET /v1/me answered $status:" >&2; cat "$work/me.json" >&2; exit 1; }
load -t "$THREADS" -c "$CONNECTIONS"
server_rps=$rps server_p50=$p50 server_p99=$p99
load -t 1 -c 1
server1_rps=$rps server1_p50=$p50 server1_p99=$p99
stop

# --- the static handler, the same way ------------------------------------------------------------
say "static-json: loading GET /v1/me"
start "$target/$PROFILE/static-json" 127.0.0.1:0
me_url="$url/v1/me?_is_native=1"
load -t "$THREADS" -c "$CONNECTIONS"
static_rps=$rps static_p50=$p50 static_p99=$p99
load -t 1 -c 1
static1_rps=$rps static1_p50=$p50 static1_p99=$p99
stop

ratio=$(awk -v a="$server_rps" -v b="$static_rps" 'BEGIN { printf "%.3f", a / b }')
ratio1=$(awk -v a="$server1_rps" -v b="$static1_rps" 'BEGIN { printf "%.3f", a / b }')
echo
printf '%s, %s cores (%s), load average %s, cargo profile %s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" \
  "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" "$(cut -d' ' -f1-3 /proc/loadavg)" "$PROFILE"
printf '%-32s %10s %10s %10s\n' "GET /v1/me, wrk $DURATION" "req/s" "p50 ms" "p99 ms"
printf '%-32s %10s %10s %10s\n' "static-json, -t$THREADS -c$CONNECTIONS" "$static_rps" "$static_p50" "$static_p99"
printf '%-32s %10s %10s %10s\n' "userdesk-server, -t$THREADS -c$CONNECTIONS" "$server_rps" "$server_p50" "$server_p99"
printf '%-32s %10s %10s %10s\n' "static-json, -t1 -c1" "$static1_rps" "$static1_p50" "$static1_p99"
printf '%-32s %10s %10s %10s\n' "userdesk-server, -t1 -c1" "$server1_rps" "$server1_p50" "$server1_p99"
echo "ratio (userdesk-server / static-json req/s): $ratio at $CONNECTIONS connections, $ratio1 on one"

met=$(awk -v r="$ratio" -v p99="$server_p99" -v p50="$server1_p50" \
  'BEGIN { print (r >= 0.5 && p99 < 5 && p50 < 0.3) ? "yes" : "no" }')
echo "budget (≥ 0.5×, p99 < 5 ms at $CONNECTIONS, p50 < 0.3 ms on one): $met"
[ "$met" = yes ] || [ "$STRICT" != 1 ] || exit 1
