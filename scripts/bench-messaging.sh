#!/usr/bin/env bash
# bench-messaging.sh — 1:1 message relay: hippocrate (TLS WebSocket, durable) vs the XMPP
# anchors Prosody and ejabberd (plain TCP, no durable storage), in the same session.
#
#   scripts/bench-messaging.sh          (make bench runs it when BENCH_MESSAGING=1)
#
# What it does (method and figures: docs/benchmarks.md, "Messaging")
#   1. builds hippocrate and bench/messaging/msgbench (Release, $BUILD = build/bench);
#   2. a fresh data dir in a temp dir: `hippocrate admin bootstrap`, then the server with the
#      cheapest Argon2id allowed (19 MiB, 2 passes: setup speed only, logins are not measured)
#      and `msgbench --mode setup`: through the real HTTP API, P practitioners (TOTP
#      enrolled) each invite one patient (active care relationship), every pair member
#      registers one device; plus ceil(10000/16) patients with 16 devices each for the idle
#      test. Ciphertexts are random bytes: the server never decrypts (docs/messaging.md);
#   3. for each test a fresh server process on the same data (like the anchors), pinned on
#      core 0 (`taskset -c 0`), the generator on core 1; one JSON line per test:
#        tput  P pairs, window W, WARMUP s + DURATION s measured
#        lat   P pairs, open loop at LAT_RATE msgs/s in total
#        mem   VmRSS at 0 and each of MEM_STAGES idle authenticated device sockets
#   4. the anchors (ANCHORS=1): a copy of $ANCHORS_DIR in the temp dir (nothing is written
#      there; its account count is raised to the largest mem stage + 200), run with the same
#      knobs: TESTS="tput lat mem" WINDOWS=W LAT_RATES=R MEM_STAGES=... bench.sh all;
#   5. ROUNDS > 1 repeats steps 3 and 4 (ours, then the anchors) that many times, every line
#      tagged with its round: the latency tail varies from run to run on a shared machine,
#      so one round cannot settle a p99 comparison (docs/benchmarks.md);
#   6. prints a Markdown table with the ratios (medians over the rounds, and each round's
#      p99 when there are several), and writes every JSON line to
#      $RESULTS_DIR/messaging-<UTC timestamp>.jsonl.
# Network: 127.0.0.1 only. Every server started here is stopped here, by PID; a watchdog
# ends the script after BUDGET seconds.
#
# Knobs (env): DURATION [20] WARMUP [2] PAIRS [100] WINDOW [32] LAT_RATE [2000]
#   MEM_STAGES [1000,10000] SETTLE [10] TESTS ["tput lat mem"] SERVER_THREADS [0 = default]
#   ANCHORS [1] ANCHORS_DIR [<repo>/../shared/bench/anchors] BUILD [build/bench]
#   SKIP_BUILD [0] RESULTS_DIR [build/bench-results] BUDGET [3600] SETUP_THREADS [8]
#   ROUNDS [1] (e.g. TESTS=lat ROUNDS=5: five p99 comparisons, about 12 min)
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-20}; WARMUP=${WARMUP:-2}; PAIRS=${PAIRS:-100}; WINDOW=${WINDOW:-32}
LAT_RATE=${LAT_RATE:-2000}; MEM_STAGES=${MEM_STAGES:-1000,10000}; SETTLE=${SETTLE:-10}
TESTS=${TESTS:-"tput lat mem"}; SERVER_THREADS=${SERVER_THREADS:-0}
ANCHORS=${ANCHORS:-1}; ANCHORS_DIR=${ANCHORS_DIR:-$REPO/../shared/bench/anchors}
BUILD=${BUILD:-$REPO/build/bench}; SKIP_BUILD=${SKIP_BUILD:-0}
RESULTS_DIR=${RESULTS_DIR:-$REPO/build/bench-results}; BUDGET=${BUDGET:-3600}
SETUP_THREADS=${SETUP_THREADS:-8}; ROUNDS=${ROUNDS:-1}
[[ $ROUNDS =~ ^[1-9][0-9]?$ ]] || { echo "bench-messaging: ROUNDS must be 1 to 99" >&2; exit 2; }

for tool in taskset curl python3 setpriv gcc; do
  command -v "$tool" >/dev/null || { echo "bench-messaging: '$tool' not found (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
if [[ $ANCHORS == 1 ]]; then
  for tool in prosody ejabberdctl; do
    command -v "$tool" >/dev/null || { echo "bench-messaging: '$tool' not found (scripts/install-deps.sh --bench)" >&2; exit 2; }
  done
  [[ -x $ANCHORS_DIR/bench.sh ]] || { echo "bench-messaging: no anchor harness in $ANCHORS_DIR" >&2; exit 2; }
  ANCHORS_DIR=$(cd "$ANCHORS_DIR" && pwd)
fi
# Only our explicit settings reach hippocrate.
while read -r v; do unset "$v"; done < <(compgen -e | grep '^HIPPOCRATE_' || true)
ulimit -n 20000   # 10,000 idle sockets + pairs, both sides

if [[ $SKIP_BUILD != 1 ]]; then
  cmake -S "$REPO" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DHIPPOCRATE_BENCH=ON >/dev/null
  ninja -C "$BUILD" msgbench hippocrate >/dev/null
fi
HIPPO=$BUILD/src/cli/hippocrate
GEN=$BUILD/bench/messaging/msgbench
[[ -x $HIPPO && -x $GEN ]] || { echo "bench-messaging: missing $HIPPO or $GEN" >&2; exit 2; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$RESULTS_DIR"
RESULTS=$RESULTS_DIR/messaging-$STAMP.jsonl
T=$(mktemp -d "${TMPDIR:-/tmp}/hippo-bench-msg.XXXXXX")
chmod 755 "$T"   # the anchors run Prosody/ejabberd as their own users below this dir
DATA=$T/data
SPID=""; WATCHDOG=""
log() { printf 'bench-messaging: %s\n' "$*" >&2; }

stop_server() {
  [[ -n $SPID ]] || return 0
  kill -TERM "$SPID" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$SPID" 2>/dev/null && kill -KILL "$SPID" 2>/dev/null || true
  wait "$SPID" 2>/dev/null || true
  SPID=""
}
cleanup() {
  local rc=$?
  stop_server
  if [[ -n $WATCHDOG ]]; then
    pkill -TERM -P "$WATCHDOG" 2>/dev/null || true
    kill -TERM "$WATCHDOG" 2>/dev/null || true
    wait "$WATCHDOG" 2>/dev/null || true
  fi
  rm -rf "$T"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
( exec 2>/dev/null; sleep "$BUDGET" || exit 0
  echo "bench-messaging: overall time limit ($BUDGET s) hit, stopping" >&3; kill -TERM $$ ) 3>&2 &
WATCHDOG=$!

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORT=""
for _ in $(seq 200); do
  p=$((20000 + RANDOM % 40000)); port_in_use "$p" || { PORT=$p; break; }
done
[[ -n $PORT ]] || { log "no free port"; exit 1; }

# The load generator holds up to 10,000 connections from 127.0.0.1: far above the server's
# default cap per address (server.max_connections_per_address, 256).
start_server() {  # a fresh process on $DATA, pinned on core 0; sets SPID
  HIPPOCRATE_AUTH_ARGON2_MEMORY_MIB=19 HIPPOCRATE_AUTH_ARGON2_ITERATIONS=2 \
  HIPPOCRATE_SERVER_MAX_CONNECTIONS_PER_ADDRESS=30000 \
  HIPPOCRATE_SERVER_THREADS=$SERVER_THREADS HIPPOCRATE_LOG_ACCESS=$T/access.jsonl \
    taskset -c 0 "$HIPPO" serve --listen "127.0.0.1:$PORT" --data-dir "$DATA" >>"$T/server.log" 2>&1 &
  SPID=$!   # taskset execs: this is the server
  for _ in $(seq 100); do
    curl -sf --cacert "$DATA/tls/cert.pem" "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && { sleep 2; return 0; }
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.2
  done
  log "the server did not start:"; tail -20 "$T/server.log" >&2; exit 1
}
record() {  # record TEST LOADAVG JSON
  local json=${3:-null}
  echo "{\"server\":\"hippocrate\",\"pin\":1,\"threads\":$SERVER_THREADS,\"round\":$ROUND,\"loadavg\":\"$2\",\"test\":\"$1\",\"result\":$json}" | tee -a "$RESULTS"
}
run_gen() {  # run_gen TEST args...
  local t=$1 out load; shift
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  out=$(taskset -c 1 "$GEN" --ca-file "$DATA/tls/cert.pem" --port "$PORT" --state "$T/state" \
        --server-pid "$SPID" "$@") || log "generator failed ($t), output kept"
  record "$t" "$load" "${out:-null}"
}

# ---------------- setup: accounts, sessions, devices through the API ----------------
mkdir -p "$DATA"
TOKEN=$("$HIPPO" admin bootstrap --data-dir "$DATA" --org "Bench" --email admin@bench.example.org --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
IDLE_MAX=$(tr ',' '\n' <<<"$MEM_STAGES" | sort -n | tail -1)
[[ " $TESTS " == *" mem "* ]] || IDLE_MAX=0
start_server
log "setup: $PAIRS pairs, $IDLE_MAX idle devices (load $(cut -d' ' -f1-3 /proc/loadavg))"
"$GEN" --mode setup --ca-file "$DATA/tls/cert.pem" --port "$PORT" --state "$T/state" \
  --bootstrap-token "$TOKEN" --pairs "$PAIRS" --idle "$IDLE_MAX" --threads "$SETUP_THREADS" \
  --setup-timeout 1200 >&2
stop_server

if [[ $ANCHORS == 1 ]]; then
  cp -r "$ANCHORS_DIR" "$T/anchors"
  rm -rf "$T/anchors/results"
  NUSERS=$(( IDLE_MAX + 200 > 5200 ? IDLE_MAX + 200 : 5200 ))
  sed -i "s/^NUSERS=5200$/NUSERS=$NUSERS/" "$T/anchors/bench.sh"   # enough accounts for the mem stages
fi

for ROUND in $(seq "$ROUNDS"); do
  (( ROUNDS == 1 )) || log "round $ROUND of $ROUNDS"
  # ---------------- hippocrate ----------------
  for t in $TESTS; do
    case $t in
      tput) start_server; run_gen "tput_w$WINDOW" --mode tput --pairs "$PAIRS" --window "$WINDOW" \
              --warmup "$WARMUP" --duration "$DURATION"; stop_server ;;
      lat)  start_server; run_gen "lat_r$LAT_RATE" --mode lat --pairs "$PAIRS" --rate "$LAT_RATE" \
              --warmup "$WARMUP" --duration "$DURATION"; stop_server ;;
      mem)  start_server; run_gen mem --mode mem --stages "$MEM_STAGES" --settle "$SETTLE" \
              --setup-timeout 600; stop_server ;;
      *) log "unknown test $t"; exit 2 ;;
    esac
  done

  # ---------------- anchors: Prosody, ejabberd (same session) ----------------
  if [[ $ANCHORS == 1 ]]; then
    log "anchors: Prosody and ejabberd (load $(cut -d' ' -f1-3 /proc/loadavg))"
    ANCHOR_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
    rm -rf "$T/anchors-run" "$T/anchors.jsonl"
    RUN=$T/anchors-run RESULTS=$T/anchors.jsonl TAG=msgbench DURATION=$DURATION WARMUP=$WARMUP \
      PAIRS=$PAIRS WINDOWS=$WINDOW LAT_RATES=$LAT_RATE MEM_STAGES=$MEM_STAGES TESTS="$TESTS" \
      "$T/anchors/bench.sh" all >&2 || log "anchor run failed (partial results kept)"
    if [[ -s $T/anchors.jsonl ]]; then
      sed "s/^{/{\"round\":$ROUND,\"loadavg\":\"$ANCHOR_LOAD\",/" "$T/anchors.jsonl" >>"$RESULTS"
    fi
  fi
done

# ---------------- table ----------------
python3 "$REPO/bench/messaging/table.py" "$RESULTS"
log "results: $RESULTS"
