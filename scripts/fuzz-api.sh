#!/usr/bin/env bash
# Fuzzes the embedded FAPI server with schemathesis against Clerk's FAPI spec, limited to the
# operations Userdesk implements: no 5xx on any generated input (`not_a_server_error`), and every
# response conforms to the spec's schemas (`response_schema_conformance`, then a second opinion
# from crates/conformance over the recorded traffic).
#
#   scripts/fuzz-api.sh
#
# Each group of operations gets its own fresh server (a temporary data dir, the demo account) and
# a signed-in native client token, because some operations destroy what the others need:
#   main           GET /v1/environment, GET /v1/client, POST /v1/client/sign_ins,
#                  GET /v1/me, PATCH /v1/me, PATCH /v1/me/metadata
#   sessions       POST /v1/client/sessions/{session_id}/end and /remove (half the ids are real)
#   delete-user    DELETE /v1/me (deletes the demo account)
#   delete-client  DELETE /v1/client (signs the client out)
# Requests carry `Authorization: Bearer <token>` and `_is_native=1` (added by the hooks in
# scripts/fuzz-api/hooks.py, which also swap in some real values so that fuzzing gets past
# "not found"; a few sign-ins go without the token, as a new client).
#
# Environment:
#   FUZZ_EXAMPLES       most test cases per operation and phase (default 100)
#   FUZZ_SEED           schemathesis seed, to replay a run
#   FUZZ_TIMEOUT        seconds each group may take before it is stopped (default 240)
#   USERDESK_SPEC_DIR   folder of fapi-2026-05-12.yml (default ../shared/spec beside the repo)
#   USERDESK_FUZZ_SELFTEST=1  corrupt every JSON response after it arrives: the run must fail
#   CARGO_TARGET_DIR    as for cargo; the venv lives in $CARGO_TARGET_DIR/fuzz-venv
# Reports, server logs and HAR files land in target/fuzz-api/. Exits non-zero on any failure.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET" in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
VENV=$TARGET/fuzz-venv
OUT=$TARGET/fuzz-api
SCHEMATHESIS_VERSION=4.32.5
SPEC_DIR=${USERDESK_SPEC_DIR:-$ROOT/../shared/spec}
SPEC=$SPEC_DIR/fapi-2026-05-12.yml
EXAMPLES=${FUZZ_EXAMPLES:-100}
GROUP_TIMEOUT=${FUZZ_TIMEOUT:-240}
DEMO_IDENTIFIER=demo@example.com
DEMO_PASSWORD=userdesk-demo

SERVER_PIDS=()
DATA_DIRS=()
RESULTS=()
FAILED=0
PASSED=0

say() { printf 'fuzz-api: %s\n' "$*"; }

ST_PID=
TAIL_PID=
cleanup() {
    local pid
    if [[ -n $ST_PID ]]; then
        kill "$ST_PID" 2>/dev/null   # timeout(1) passes it on to schemathesis
        wait "$ST_PID" 2>/dev/null
        ST_PID=
    fi
    if [[ -n $TAIL_PID ]]; then
        kill "$TAIL_PID" 2>/dev/null
        wait "$TAIL_PID" 2>/dev/null
        TAIL_PID=
    fi
    for pid in "${SERVER_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -9 "$pid" 2>/dev/null
        fi
        wait "$pid" 2>/dev/null
    done
    SERVER_PIDS=()
    local dir
    for dir in "${DATA_DIRS[@]}"; do rm -rf -- "$dir"; done
    DATA_DIRS=()
}
trap cleanup EXIT
trap 'say "interrupted"; exit 130' INT TERM

if [[ ! -f $SPEC ]]; then
    say "no spec at $SPEC (set USERDESK_SPEC_DIR)"
    exit 2
fi

# One run at a time: runs share target/fuzz-api/.
mkdir -p "$TARGET"
exec 9>"$TARGET/fuzz-api.lock"
if ! flock -n 9; then
    say "another fuzz-api run holds $TARGET/fuzz-api.lock; waiting for it"
    flock 9
fi

# --- tools ---------------------------------------------------------------------------------------
if ! "$VENV/bin/st" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION\$"; then
    say "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
    python3 -m venv "$VENV" || { say "python3 -m venv failed (Debian: apt-get install python3-venv)"; exit 2; }
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
        || { say "pip install schemathesis failed"; exit 2; }
fi

say "building userdesk-server and the conformance checker"
(cd "$ROOT" && cargo build --quiet -p userdesk-server && cargo build --quiet -p userdesk-conformance --example check_har) \
    || { say "cargo build failed"; exit 2; }
SERVER_BIN=$TARGET/debug/userdesk-server
CHECK_HAR=$TARGET/debug/examples/check_har

rm -rf "$OUT"
mkdir -p "$OUT"

# --- one group -----------------------------------------------------------------------------------
# start_server NAME: sets URL and SERVER_PID
start_server() {
    local name=$1 data
    data=$(mktemp -d "${TMPDIR:-/tmp}/userdesk-fuzz.XXXXXX")
    DATA_DIRS+=("$data")
    "$SERVER_BIN" --addr 127.0.0.1:0 --data "$data" >"$OUT/$name.server.out" 2>"$OUT/$name.server.log" 9>&- &
    SERVER_PID=$!
    SERVER_PIDS+=("$SERVER_PID")
    URL=
    for _ in $(seq 1 150); do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            say "$name: the server exited at start; its log:"; tail -20 "$OUT/$name.server.log"
            return 1
        fi
        URL=$(head -n 1 "$OUT/$name.server.out" 2>/dev/null | sed -n 's/^listening on //p')
        [[ -n $URL ]] && return 0
        sleep 0.2
    done
    say "$name: the server printed no 'listening on' line within 30 s"
    return 1
}

stop_server() {
    local pid=$1
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

# group NAME OPERATION_ID...
group() {
    local name=$1; shift
    local ops=() id
    for id in "$@"; do ops+=(--include-operation-id "$id"); done
    say "── $name: $* ──"
    if ! start_server "$name"; then
        RESULTS+=("FAIL  $name: the server did not start"); FAILED=$((FAILED + 1)); return
    fi
    local creds token session
    if ! creds=$(python3 "$ROOT/scripts/fuzz-api/signin.py" "$URL" "$DEMO_IDENTIFIER" "$DEMO_PASSWORD"); then
        RESULTS+=("FAIL  $name: could not sign in as $DEMO_IDENTIFIER"); FAILED=$((FAILED + 1))
        stop_server "$SERVER_PID"; return
    fi
    read -r token session <<<"$creds"
    say "$name: server $URL, session $session"

    local color=() seed=() rc
    [[ -t 1 ]] || color=(--no-color)
    [[ -n ${FUZZ_SEED:-} ]] && seed=(--seed "$FUZZ_SEED")
    # In the background, so that a signal to this script is handled at once (bash defers traps
    # while a foreground command runs); the output goes to a file and is followed live.
    (
        cd "$OUT" || exit 2
        export PYTHONPATH=$ROOT/scripts/fuzz-api${PYTHONPATH:+:$PYTHONPATH}
        export SCHEMATHESIS_HOOKS=hooks
        export USERDESK_FUZZ_TOKEN=$token
        export USERDESK_FUZZ_IDENTIFIER=$DEMO_IDENTIFIER USERDESK_FUZZ_PASSWORD=$DEMO_PASSWORD
        export USERDESK_FUZZ_SESSION_ID=$session
        exec timeout --kill-after=10 "$GROUP_TIMEOUT" "$VENV/bin/st" "${color[@]}" run "$SPEC" \
            --url "$URL" \
            "${ops[@]}" \
            --checks not_a_server_error,response_schema_conformance \
            --phases examples,coverage,fuzzing \
            --max-examples "$EXAMPLES" \
            --workers 1 \
            --request-timeout 10 \
            --suppress-health-check all \
            --report har,junit \
            --report-har-path "$OUT/$name.har" \
            --report-junit-path "$OUT/$name.junit.xml" \
            "${seed[@]}"
    ) >"$OUT/$name.schemathesis.txt" 2>&1 </dev/null 9>&- &
    ST_PID=$!
    tail --pid="$ST_PID" -n +1 -f "$OUT/$name.schemathesis.txt" &
    TAIL_PID=$!
    wait "$ST_PID"
    rc=$?
    ST_PID=
    wait "$TAIL_PID" 2>/dev/null
    TAIL_PID=

    local alive=yes
    kill -0 "$SERVER_PID" 2>/dev/null || alive=no
    stop_server "$SERVER_PID"
    if [[ $alive == no ]]; then
        RESULTS+=("FAIL  $name: the server died during the run (log: $OUT/$name.server.log)"); FAILED=$((FAILED + 1))
    elif [[ $rc -eq 124 || $rc -eq 137 ]]; then
        RESULTS+=("FAIL  $name: schemathesis did not finish within ${GROUP_TIMEOUT}s"); FAILED=$((FAILED + 1))
    elif [[ $rc -ne 0 ]]; then
        RESULTS+=("FAIL  $name: schemathesis found failures (exit $rc; $OUT/$name.schemathesis.txt)"); FAILED=$((FAILED + 1))
    else
        RESULTS+=("ok    $name: $(grep -Eo '[0-9]+ generated, [0-9]+ passed.*' "$OUT/$name.schemathesis.txt" | tail -n 1)"); PASSED=$((PASSED + 1))
    fi
}

START=$SECONDS
group main getEnvironment getClient createSignIn getUser patchUser patchUserMetadata
group sessions endSession removeSession
group delete-user deleteUser
group delete-client deleteClientSessions
cleanup

# --- second opinion: every recorded response against crates/conformance -------------------------
say "── conformance check of the recorded responses ──"
hars=("$OUT"/*.har)
if [[ -e ${hars[0]} ]]; then
    if USERDESK_SPEC_DIR=$SPEC_DIR "$CHECK_HAR" "${hars[@]}" | tee "$OUT/check_har.txt"; then
        RESULTS+=("ok    conformance: every recorded response with a documented status conforms"); PASSED=$((PASSED + 1))
    else
        RESULTS+=("FAIL  conformance: recorded responses break their schema ($OUT/check_har.txt)"); FAILED=$((FAILED + 1))
    fi
else
    RESULTS+=("FAIL  conformance: no HAR files were recorded"); FAILED=$((FAILED + 1))
fi

echo
say "summary ($((SECONDS - START)) s, $EXAMPLES examples per operation and phase; reports in $OUT)"
for line in "${RESULTS[@]}"; do echo "  $line"; done
echo "fuzz-api: $PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
