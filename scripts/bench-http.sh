#!/usr/bin/env bash
# bench-http.sh — GET /healthz over TLS with keep-alive: hippocrate vs nginx, same run.
#
#   scripts/bench-http.sh HIPPOCRATE_BINARY        (make bench calls it on build/bench)
#
# What it measures (details and how to read the figures: bench/http/README.md)
#   - hippocrate `serve` answering GET /healthz (a real SQLite ping per request), and nginx
#     (the Debian package, run as a standalone process from a temp prefix, not the system
#     service) serving a static file with the same body bytes, the same response headers,
#     the same certificate and key (the ones hippocrate generated in its data dir) and the
#     same TLS policy (TLS 1.2/1.3, ECDHE + AEAD ciphers, X25519/P-256/P-384, server
#     preference, no tickets; template bench/http/nginx.conf.in). Both on 127.0.0.1 only.
#   - load: wrk, keep-alive, 64 connections, --latency. Per run: a 2 s warm-up wrk, then the
#     measured wrk (10 s). The servers alternate, hippocrate then nginx, for 3 rounds; the
#     report gives each round and the median per server, and the ratio of the medians.
#   - configurations:
#       pinned   (headline) server on core 0 (`taskset -c 0`) with 1 worker
#                (HIPPOCRATE_SERVER_THREADS=1 / nginx worker_processes 1); wrk -t1 on core 1.
#       unpinned both servers with 2 workers, wrk -t2, nobody pinned (all share the cores).
#                Run only if the time budget still allows it.
#   - server CPU: utime+stime from /proc/PID/stat (all threads; for nginx master + workers)
#     over the measured wrk run, as % of one core, and per request (µs: robust to other load).
#     wrk CPU: user+sys from bash `time`. other%: the machine's busy time (/proc/stat) minus
#     server and wrk, a noise flag (runs above NOISE_PCT are flagged NOISY).
#   - access logs: ON for both by default, one JSON line per request, flushed per line, to a
#     file in the temp dir (ACCESS_LOG=off turns both off). The mode is in the output.
#   - before measuring: curl --cacert CERT must get 200 from both, the nginx body must be
#     byte-identical to hippocrate's, and the TLS 1.3 / 1.2 suites both negotiate are shown.
#     After every wrk run: non-2xx/3xx responses and socket errors are printed (exit 3 at
#     the end if any). If a server dies under load, its exit status (signal) and the tail of
#     its output are printed, that configuration is marked FAILED (in the table and the
#     JSON), the next one still runs, and the script exits 4 at the end.
#
# Output: a table on stdout, and one JSON line appended to
#   build/bench-results/http-<UTC timestamp>.jsonl
#
# Bounds: every wrk/nginx/server command runs under `timeout`; the whole script stays under
# BUDGET seconds (a configuration that would not fit is skipped and marked so), and a
# watchdog stops it at BUDGET+30 s. A trap stops both servers (by PID) and removes the temp
# dir on any exit. Ports: free ports picked at runtime on 127.0.0.1.
#
# Knobs (env): DURATION [10] WARMUP [2] ROUNDS [3] CONNS [64] CONFIGS ["pinned unpinned"]
#   ACCESS_LOG [file|off, default file] BUDGET [170] RESULTS_DIR [build/bench-results]
#   UNPINNED_WORKERS [2] NOISE_PCT [10] (a run is flagged NOISY when other% exceeds it)
set -euo pipefail

usage() { echo "usage: $0 HIPPOCRATE_BINARY" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
BIN=$1
[[ $BIN == */* ]] || BIN=./$BIN
[[ -x $BIN ]] || { echo "bench-http: $BIN is not an executable" >&2; exit 2; }
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")

REPO=$(cd "$(dirname "$0")/.." && pwd)
TEMPLATE=$REPO/bench/http/nginx.conf.in
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
ROUNDS=${ROUNDS:-3}
CONNS=${CONNS:-64}
CONFIGS=${CONFIGS:-"pinned unpinned"}
ACCESS_LOG=${ACCESS_LOG:-file}
BUDGET=${BUDGET:-170}
UNPINNED_WORKERS=${UNPINNED_WORKERS:-2}
NOISE_PCT=${NOISE_PCT:-10}
RESULTS_DIR=${RESULTS_DIR:-$REPO/build/bench-results}

# Same policy as src/server/tls_context.cc (nginx/OpenSSL names).
TLS12_CIPHERS="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
TLS13_SUITES="TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
TLS_GROUPS="X25519:prime256v1:secp384r1"

case $ACCESS_LOG in file|off) ;; *) echo "bench-http: ACCESS_LOG must be file or off" >&2; exit 2 ;; esac
for tool in wrk nginx curl taskset timeout awk sed sort; do
  command -v "$tool" >/dev/null || { echo "bench-http: '$tool' not found (scripts/install-deps.sh --bench)" >&2; exit 2; }
done
[[ -r $TEMPLATE ]] || { echo "bench-http: missing $TEMPLATE" >&2; exit 2; }
# Only our explicit settings reach hippocrate (no HIPPOCRATE_CONFIG etc. from the caller).
while read -r v; do unset "$v"; done < <(compgen -e | grep '^HIPPOCRATE_' || true)

NPROC=$(nproc)
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)
CLK_TCK=$(getconf CLK_TCK)
START=$(date +%s)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
T=$(mktemp -d "${TMPDIR:-/tmp}/hippo-bench-http.XXXXXX")
chmod 755 "$T"   # nginx workers may run as another user (nobody) and must read html/
mkdir -p "$T/logs" "$T/nginx/html" "$T/nginx/tmp"
chmod 755 "$T/nginx" "$T/nginx/html"
DATA=$T/hippo-data   # hippocrate makes it 0700: the key stays private (nginx's master reads it)

HIPPO_TPID="" NGINX_TPID="" WATCHDOG=""
log() { printf '%s\n' "$*" >&2; }
die() { log "bench-http: FAIL: $*"; exit "${2:-1}"; }

# Stop a server started as `timeout ... SERVER &` ($1 = the timeout PID, which forwards
# SIGTERM to the server). Bounded: 5 s, then SIGKILL to the server and to timeout.
stop_tpid() {
  local tpid=$1 child
  [[ -n $tpid ]] || return 0
  child=$(pgrep -P "$tpid" 2>/dev/null | head -1 || true)
  kill -TERM "$tpid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$tpid" 2>/dev/null; then
    [[ -n $child ]] && kill -KILL "$child" 2>/dev/null || true
    kill -KILL "$tpid" 2>/dev/null || true
  fi
  wait "$tpid" 2>/dev/null || true
}
cleanup() {
  local rc=$? p
  if [[ -n ${WRK_JOB:-} ]]; then   # a wrk still running: its timeout forwards SIGTERM to it
    for p in $(pgrep -P "$WRK_JOB" || true); do kill -TERM "$p" 2>/dev/null || true; done
    kill -TERM "$WRK_JOB" 2>/dev/null || true
    wait "$WRK_JOB" 2>/dev/null || true
  fi
  stop_tpid "$HIPPO_TPID"; HIPPO_TPID=""
  stop_tpid "$NGINX_TPID"; NGINX_TPID=""
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
( exec 2>/dev/null; sleep $((BUDGET + 30)) || exit 0
  echo "bench-http: overall time limit ($((BUDGET + 30)) s) hit, stopping" >&3; kill -TERM $$ ) 3>&2 &
WATCHDOG=$!

# ---------- helpers ----------
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    [[ $p == "${HIPPO_PORT:-}" || $p == "${NGINX_PORT:-}" ]] && continue
    port_in_use "$p" || { echo "$p"; return 0; }
  done
  return 1
}
# Sum of utime+stime (clock ticks) of the given PIDs (process-wide: all threads).
proc_ticks() {
  local p t=0 v
  for p in "$@"; do
    v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + v))
  done
  echo "$t"
}
proc_rss_kib() {
  local p t=0 v
  for p in "$@"; do
    v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null) || continue
    t=$((t + ${v:-0}))
  done
  echo "$t"
}
now_ns() { date +%s%N; }
# Busy ticks of the whole machine (all CPUs: user nice system irq softirq steal), /proc/stat.
machine_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
http_code() {  # URL -> status code ("000" if no answer)
  curl -sS -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$DATA/tls/cert.pem" "$1" 2>/dev/null || true
}
tls_suite() {  # URL VERSION(1.2|1.3) -> "TLSv1.3 / TLS_AES_256_GCM_SHA384 / X25519 / id-ecPublicKey"
  curl -sS -v -o /dev/null --max-time 3 --cacert "$DATA/tls/cert.pem" --tlsv"$2" --tls-max "$2" "$1" 2>&1 |
    sed -n 's/^\* SSL connection using //p' | head -1
}
fmt0() { awk -v v="$1" 'BEGIN { if (v == "null" || v == "") print "n/a"; else printf "%.0f", v }'; }
json_str() { local s=${1//\\/\\\\}; s=${s//\"/\\\"}; printf '"%s"' "$s"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "null";
  else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6g\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ---------- servers ----------
HIPPO_PID="" NGINX_PID="" HIPPO_PORT="" NGINX_PORT=""
start_hippocrate() {  # THREADS PIN_PREFIX...
  local threads=$1; shift
  local alog=off
  [[ $ACCESS_LOG == file ]] && alog=$T/logs/hippocrate-access-$CFG.log
  HIPPO_PORT=$(pick_port) || die "no free port"
  # wrk's connections all come from 127.0.0.1 (64, and the warm-up's while they close):
  # under the default cap per address (256), raised anyway so the cap never shapes a run.
  HIPPOCRATE_SERVER_THREADS=$threads HIPPOCRATE_LOG_ACCESS=$alog \
  HIPPOCRATE_SERVER_MAX_CONNECTIONS_PER_ADDRESS=4096 \
    timeout -s TERM $((BUDGET + 20)) "$@" "$BIN" serve --listen "127.0.0.1:$HIPPO_PORT" \
    --data-dir "$DATA" >>"$T/logs/hippocrate.out" 2>&1 &
  HIPPO_TPID=$!
  HIPPO_PID=""
  local up=0
  for _ in $(seq 150); do
    kill -0 "$HIPPO_TPID" 2>/dev/null || break
    [[ -z $HIPPO_PID ]] && HIPPO_PID=$(pgrep -P "$HIPPO_TPID" | head -1 || true)
    if [[ -f $DATA/tls/cert.pem && $(http_code "https://127.0.0.1:$HIPPO_PORT/healthz") == 200 ]]; then
      up=1; break
    fi
    sleep 0.1
  done
  if [[ -z $HIPPO_PID || $up -ne 1 ]]; then
    log "--- hippocrate output:"; tail -n 30 "$T/logs/hippocrate.out" >&2 || true
    log "bench-http: FAIL: hippocrate did not answer 200 on https://127.0.0.1:$HIPPO_PORT/healthz (curl --cacert $DATA/tls/cert.pem)"
    stop_tpid "$HIPPO_TPID"; HIPPO_TPID=""
    return 1
  fi
}
start_nginx() {  # WORKERS PIN_PREFIX...
  local workers=$1; shift
  local n=$T/nginx attempt alog="access_log off;"
  [[ $ACCESS_LOG == file ]] && alog="access_log $T/logs/nginx-access-$CFG.log bench;"
  for attempt in 1 2 3; do
    NGINX_PORT=$(pick_port) || die "no free port"
    sed -e "s#@PREFIX@#$n#g" -e "s#@PORT@#$NGINX_PORT#g" -e "s#@WORKERS@#$workers#g" \
        -e "s#@CERT@#$DATA/tls/cert.pem#g" -e "s#@KEY@#$DATA/tls/key.pem#g" \
        -e "s#@TLS12_CIPHERS@#$TLS12_CIPHERS#g" -e "s#@TLS13_SUITES@#$TLS13_SUITES#g" \
        -e "s#@GROUPS@#$TLS_GROUPS#g" -e "s#@ACCESS_LOG_DIRECTIVE@#$alog#g" \
        "$TEMPLATE" >"$n/nginx.conf"
    rm -f "$n/nginx.pid"
    timeout -s TERM $((BUDGET + 20)) "$@" nginx -e "$n/error.log" -p "$n/" -c "$n/nginx.conf" \
      -g 'daemon off;' >>"$T/logs/nginx.out" 2>&1 &
    NGINX_TPID=$!
    local up=0
    for _ in $(seq 100); do
      kill -0 "$NGINX_TPID" 2>/dev/null || break
      if [[ $(http_code "https://127.0.0.1:$NGINX_PORT/healthz") == 200 ]]; then up=1; break; fi
      sleep 0.1
    done
    if [[ $up -eq 1 ]]; then
      NGINX_PID=$(cat "$n/nginx.pid")
      return 0
    fi
    stop_tpid "$NGINX_TPID"; NGINX_TPID=""
    log "bench-http: nginx did not come up on port $NGINX_PORT (attempt $attempt):"
    tail -n 5 "$n/error.log" "$T/logs/nginx.out" >&2 2>/dev/null || true
  done
  die "nginx does not serve https://127.0.0.1:$NGINX_PORT/healthz (see errors above)"
}
nginx_pids() { echo "$NGINX_PID"; pgrep -P "$NGINX_PID" || true; }  # master + workers, one a line

# ---------- one measured run ----------
# Runs CMD (output to OUT, its user+sys CPU seconds to TIMEFILE) in the background and waits
# for it: a signal to the script is then handled at once rather than when wrk ends.
WRK_JOB=""
bg_wait() {  # OUT TIMEFILE CMD...
  local out=$1 tf=$2 rc=0; shift 2
  ( TIMEFORMAT='%U %S'; time "$@" >"$out" 2>&1 ) 2>"$tf" &
  WRK_JOB=$!
  wait "$WRK_JOB" || rc=$?
  WRK_JOB=""
  return "$rc"
}
ERRORS=0
ROWS=$T/rows.tsv   # cfg server round rps p50 p99 srv_cpu wrk_cpu req bytes non2xx sockerr rss other_cpu cpu_us_per_req
CRASHES=0
: >"$ROWS"
run_wrk() {  # SERVER ROUND URL PIDS...
  local server=$1 round=$2 url=$3; shift 3
  local pids=("$@") out=$T/logs/wrk-$CFG-$server-$round.txt tf=$T/logs/time.txt
  local t0 t1 w0 w1 m0 m1 rc=0 parsed srv_cpu wrk_cpu other_cpu rss
  local rps p50 p99 req rd non2xx sock
  bg_wait "$T/logs/warmup.txt" /dev/null timeout $((WARMUP + 15)) "${WRK_PIN[@]}" \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"${WARMUP}s" "$url" ||
    log "bench-http: warm-up wrk exited with $? ($server round $round)"
  t0=$(proc_ticks "${pids[@]}"); m0=$(machine_busy_ticks); w0=$(now_ns)
  bg_wait "$out" "$tf" timeout $((DURATION + 15)) "${WRK_PIN[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" \
    -d"${DURATION}s" --latency "$url" || rc=$?
  w1=$(now_ns); m1=$(machine_busy_ticks); t1=$(proc_ticks "${pids[@]}")
  rss=$(proc_rss_kib "${pids[@]}")
  [[ $rc -eq 0 ]] || { log "bench-http: wrk exited with $rc ($server round $round):"; cat "$out" >&2; }
  srv_cpu=$(awk -v d=$((t1 - t0)) -v hz="$CLK_TCK" -v ns=$((w1 - w0)) \
    'BEGIN { printf "%.1f", 100 * (d / hz) / (ns / 1e9) }')
  wrk_cpu=$(awk -v ns=$((w1 - w0)) '{ printf "%.1f", 100 * ($1 + $2) / (ns / 1e9) }' "$tf")
  # Everything else the machine ran meanwhile (other processes, kernel threads): a noise flag.
  # Tick-sampled, so only a rough figure; it can come out slightly negative.
  other_cpu=$(awk -v m=$((m1 - m0)) -v hz="$CLK_TCK" -v ns=$((w1 - w0)) -v s="$srv_cpu" -v w="$wrk_cpu" \
    'BEGIN { printf "%.1f", 100 * (m / hz) / (ns / 1e9) - s - w }')

  parsed=$(awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
                     if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v + 0 }
    function bytes(v) { if (v ~ /GB$/) return v * 1073741824; if (v ~ /MB$/) return v * 1048576;
                        if (v ~ /KB$/) return v * 1024; return v + 0 }
    /^ +50% / { p50 = ms($2) } /^ +99% / { p99 = ms($2) }
    /Requests\/sec:/ { rps = $2 }
    / requests in / { req = $1; rd = bytes($5) }
    /Non-2xx or 3xx responses:/ { non2xx = $NF }
    /Socket errors:/ { sock = $4 + $6 + $8 + $10 }
    END { printf "%s %s %s %s %.0f %d %d\n", (rps == "" ? "null" : rps), (p50 == "" ? "null" : p50),
                 (p99 == "" ? "null" : p99), (req == "" ? 0 : req), rd, non2xx, sock }' "$out")
  read -r rps p50 p99 req rd non2xx sock <<<"$parsed"
  if [[ $rps == null || $non2xx -ne 0 || $sock -ne 0 || $rc -ne 0 ]]; then
    ERRORS=$((ERRORS + 1))
    log "bench-http: WARNING: $server ($CFG, round $round): non-2xx/3xx=$non2xx socket errors=$sock wrk rc=$rc"
    grep -E 'Non-2xx|Socket errors' "$out" >&2 || true
  fi
  # Server CPU time per request (µs): robust to other load on the machine, unlike req/s.
  local cpr
  cpr=$(awk -v c="$srv_cpu" -v r="$rps" 'BEGIN { if (r + 0 > 0) printf "%.2f", 1e6 * (c / 100) / r; else print "null" }')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$CFG" "$server" "$round" "$rps" \
    "$p50" "$p99" "$srv_cpu" "$wrk_cpu" "$req" "$rd" "$non2xx" "$sock" "$rss" "$other_cpu" "$cpr" >>"$ROWS"
}
CFG_FAIL=""
check_alive() {  # SERVER TPID -> 1 (and CFG_FAIL set) if the server is gone
  kill -0 "$2" 2>/dev/null && return 0
  local rc=0 sig=""
  wait "$2" 2>/dev/null || rc=$?
  ((rc > 128)) && sig=" = SIG$(kill -l $((rc - 128)) 2>/dev/null || echo ?)"
  CFG_FAIL="$1 died under load (exit status $rc$sig)"
  CRASHES=$((CRASHES + 1))
  log "bench-http: FAIL: $CFG_FAIL during the $CFG runs"
  if [[ $1 == hippocrate ]]; then
    log "--- hippocrate output (tail):"; tail -n 15 "$T/logs/hippocrate.out" >&2; HIPPO_TPID=""
  else
    log "--- nginx error.log (tail):"; tail -n 15 "$T/nginx/error.log" >&2; NGINX_TPID=""
  fi
  return 1
}

# ---------- versions, body, TLS checks ----------
V_HIPPO=$("$BIN" --version 2>&1 | head -1 || true)
V_NGINX=$(nginx -v 2>&1 | sed 's/^nginx version: //' | head -1 || true)
V_WRK=$(wrk -v 2>&1 | awk 'NR == 1 { print $1 " " $2 }' || true)
V_SSL=$(openssl version 2>/dev/null || echo unknown)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)

# First start: hippocrate generates $DATA/tls/{cert,key}.pem; its /healthz body is the
# static file nginx serves.
CFG=probe
start_hippocrate 1 || die "hippocrate does not start (see above)"
curl -sS --fail --max-time 3 --cacert "$DATA/tls/cert.pem" -o "$T/nginx/html/healthz.json" \
  "https://127.0.0.1:$HIPPO_PORT/healthz" || die "cannot fetch hippocrate's /healthz body"
chmod 644 "$T/nginx/html/healthz.json"
BODY=$(cat "$T/nginx/html/healthz.json")
TLS_H13=$(tls_suite "https://127.0.0.1:$HIPPO_PORT/healthz" 1.3)
TLS_H12=$(tls_suite "https://127.0.0.1:$HIPPO_PORT/healthz" 1.2)
curl -sS -D "$T/logs/hippocrate-headers.txt" -o /dev/null --cacert "$DATA/tls/cert.pem" \
  "https://127.0.0.1:$HIPPO_PORT/healthz" || true
stop_tpid "$HIPPO_TPID"; HIPPO_TPID=""
start_nginx 1
curl -sS --fail --max-time 3 --cacert "$DATA/tls/cert.pem" -o "$T/nginx-body.txt" \
  -D "$T/logs/nginx-headers.txt" "https://127.0.0.1:$NGINX_PORT/healthz" ||
  die "nginx does not serve the file"
cmp -s "$T/nginx-body.txt" "$T/nginx/html/healthz.json" || die "nginx body differs from hippocrate's"
TLS_N13=$(tls_suite "https://127.0.0.1:$NGINX_PORT/healthz" 1.3)
TLS_N12=$(tls_suite "https://127.0.0.1:$NGINX_PORT/healthz" 1.2)
stop_tpid "$NGINX_TPID"; NGINX_TPID=""
[[ -n $TLS_H13 && -n $TLS_H12 ]] || die "could not read the TLS suites hippocrate negotiates"
if [[ $TLS_H13 != "$TLS_N13" || $TLS_H12 != "$TLS_N12" ]]; then
  log "bench-http: WARNING: the servers negotiate different TLS parameters:"
  log "  hippocrate: $TLS_H13 | $TLS_H12"; log "  nginx:      $TLS_N13 | $TLS_N12"
fi
HDR_H=$(wc -c <"$T/logs/hippocrate-headers.txt"); HDR_N=$(wc -c <"$T/logs/nginx-headers.txt")

echo "bench-http: GET /healthz over TLS, keep-alive, wrk -c$CONNS, ${WARMUP} s warm-up + ${DURATION} s per run, $ROUNDS rounds (alternating)"
echo "  machine: nproc=$NPROC, $CPU_MODEL, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  versions: $V_HIPPO | nginx $V_NGINX | $V_WRK | $V_SSL"
echo "  body: $BODY ($(wc -c <"$T/nginx/html/healthz.json") B); response headers: hippocrate $HDR_H B, nginx $HDR_N B"
echo "  TLS 1.3: hippocrate $TLS_H13 | nginx $TLS_N13"
echo "  TLS 1.2: hippocrate $TLS_H12 | nginx $TLS_N12"
echo "  access log: $ACCESS_LOG (both servers$([[ $ACCESS_LOG == file ]] && echo ", one JSON line per request to a file in the temp dir"))"

# ---------- configurations ----------
CFG_JSON=()
run_config() {  # NAME
  CFG=$1
  local workers srv_pin=() desc
  case $CFG in
    pinned)
      if [[ $NPROC -lt 2 ]]; then
        echo; echo "== pinned: skipped (needs 2 cores, nproc=$NPROC)"
        CFG_JSON+=("{\"name\":\"pinned\",\"skipped\":\"nproc<2\"}"); return 0
      fi
      workers=1; srv_pin=(taskset -c 0); WRK_PIN=(taskset -c 1); WRK_THREADS=1
      desc="server on core 0 with 1 worker, wrk -t1 on core 1" ;;
    unpinned)
      workers=$UNPINNED_WORKERS; srv_pin=(); WRK_PIN=(); WRK_THREADS=2
      desc="servers with $workers workers, wrk -t2, no pinning ($NPROC cores shared)" ;;
    *) die "unknown configuration $CFG" 2 ;;
  esac
  local need=$((ROUNDS * 2 * (WARMUP + DURATION + 1) + 4)) elapsed=$(($(date +%s) - START))
  if ((elapsed + need > BUDGET)); then
    echo; echo "== $CFG: skipped (needs ~${need} s, ${elapsed} s of the ${BUDGET} s budget used)"
    CFG_JSON+=("{\"name\":\"$CFG\",\"skipped\":\"time budget\"}"); return 0
  fi
  CFG_FAIL=""
  if ! start_hippocrate "$workers" "${srv_pin[@]}"; then
    CRASHES=$((CRASHES + 1))
    echo; echo "== $CFG: FAILED: hippocrate did not start/answer with $workers worker(s)"
    CFG_JSON+=("{\"name\":\"$CFG\",\"failed\":\"hippocrate did not answer 200 at start\"}"); return 0
  fi
  start_nginx "$workers" "${srv_pin[@]}"
  local r h_dead=0
  for r in $(seq "$ROUNDS"); do
    if ((!h_dead)); then   # once hippocrate has died, nginx's rounds still run (reference)
      run_wrk hippocrate "$r" "https://127.0.0.1:$HIPPO_PORT/healthz" "$HIPPO_PID"
      check_alive hippocrate "$HIPPO_TPID" || h_dead=1
    fi
    local npids
    mapfile -t npids < <(nginx_pids)
    run_wrk nginx "$r" "https://127.0.0.1:$NGINX_PORT/healthz" "${npids[@]}"
    check_alive nginx "$NGINX_TPID" || break
  done
  if [[ -z $CFG_FAIL && $(http_code "https://127.0.0.1:$HIPPO_PORT/healthz") != 200 ]]; then
    log "bench-http: WARNING: hippocrate did not answer 200 on /healthz after the $CFG runs"
  fi
  local lines_h=null lines_n=null
  stop_tpid "$HIPPO_TPID"; HIPPO_TPID=""
  stop_tpid "$NGINX_TPID"; NGINX_TPID=""
  if [[ $ACCESS_LOG == file ]]; then
    lines_h=$(wc -l <"$T/logs/hippocrate-access-$CFG.log" 2>/dev/null || echo 0)
    lines_n=$(wc -l <"$T/logs/nginx-access-$CFG.log" 2>/dev/null || echo 0)
  fi

  # table
  echo
  echo "== $CFG: $desc"
  printf '%-11s %5s %10s %8s %8s %8s %8s %9s %10s %7s %7s\n' server round "req/s" "p50 ms" "p99 ms" \
    "srvCPU%" "wrkCPU%" "other%" "CPUus/req" "B/resp" errors
  awk -F'\t' -v c="$CFG" '$1 == c {
    bpr = ($9 > 0) ? $10 / $9 : 0
    printf "%-11s %5s %10.0f %8.2f %8.2f %8.1f %8.1f %9.1f %10.1f %7.0f %7d\n", $2, $3, $4, $5, $6, $7, $8, $14, $15, bpr, $11 + $12 }' "$ROWS"
  [[ -n $CFG_FAIL ]] && echo "FAILED      $CFG_FAIL: its remaining rounds were not run"
  local s json
  json="{\"name\":\"$CFG\",\"description\":$(json_str "$desc"),\"server_workers\":$workers"
  json+=",\"wrk_threads\":$WRK_THREADS,\"server_cpus\":$(json_str "${srv_pin[*]:-none}")"
  json+=",\"wrk_cpus\":$(json_str "${WRK_PIN[*]:-none}")"
  declare -A med
  for s in hippocrate nginx; do
    local col name
    for col in 4:rps 5:p50 6:p99 7:cpu 8:wrkcpu 14:other 15:cpr; do
      name=${col#*:}
      med[$s.$name]=$(awk -F'\t' -v c="$CFG" -v s="$s" -v k="${col%%:*}" \
        '$1 == c && $2 == s && $4 != "null" && $4 > 0 { print $k }' "$ROWS" | median)
    done
    json+=",\"$s\":{\"rounds\":["
    json+=$(awk -F'\t' -v c="$CFG" -v s="$s" 'BEGIN { sep = "" } $1 == c && $2 == s {
      printf "%s{\"round\":%d,\"rps\":%s,\"p50_ms\":%s,\"p99_ms\":%s,\"server_cpu_pct\":%s,\"server_cpu_us_per_req\":%s,\"wrk_cpu_pct\":%s,\"other_cpu_pct\":%s,\"requests\":%s,\"bytes_read\":%s,\"non_2xx_3xx\":%s,\"socket_errors\":%s,\"server_rss_kib\":%s}",
             sep, $3, $4, $5, $6, $7, $15, $8, $14, $9, $10, $11, $12, $13; sep = "," }' "$ROWS")
    json+="],\"median_rps\":${med[$s.rps]},\"median_p50_ms\":${med[$s.p50]},\"median_p99_ms\":${med[$s.p99]}"
    json+=",\"median_server_cpu_pct\":${med[$s.cpu]},\"median_server_cpu_us_per_req\":${med[$s.cpr]}"
    json+=",\"median_wrk_cpu_pct\":${med[$s.wrkcpu]},\"median_other_cpu_pct\":${med[$s.other]}"
    json+=",\"access_log_lines\":$([[ $s == hippocrate ]] && echo "$lines_h" || echo "$lines_n")}"
  done
  local ratio cratio noisy
  ratio=$(awk -v a="${med[hippocrate.rps]}" -v b="${med[nginx.rps]}" \
    'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f", a / b }')
  cratio=$(awk -v a="${med[hippocrate.cpr]}" -v b="${med[nginx.cpr]}" \
    'BEGIN { if (a == "null" || b == "null" || b == 0) print "null"; else printf "%.3f", a / b }')
  noisy=$(awk -F'\t' -v c="$CFG" -v lim="$NOISE_PCT" '$1 == c && $14 > lim { n++ } END { print n + 0 }' "$ROWS")
  json+=",\"ratio_rps_hippocrate_over_nginx\":$ratio,\"ratio_cpu_per_req_hippocrate_over_nginx\":$cratio"
  json+=",\"noisy_runs\":$noisy,\"failed\":$([[ -n $CFG_FAIL ]] && json_str "$CFG_FAIL" || echo null)}"
  CFG_JSON+=("$json")
  printf 'median      hippocrate %s req/s (p50 %s ms, p99 %s ms, CPU %s%%) | nginx %s req/s (p50 %s ms, p99 %s ms, CPU %s%%)\n' \
    "$(fmt0 "${med[hippocrate.rps]}")" "${med[hippocrate.p50]}" "${med[hippocrate.p99]}" "${med[hippocrate.cpu]}" \
    "$(fmt0 "${med[nginx.rps]}")" "${med[nginx.p50]}" "${med[nginx.p99]}" "${med[nginx.cpu]}"
  echo "ratio       hippocrate/nginx: median req/s $ratio | server CPU us/req ${med[hippocrate.cpr]}/${med[nginx.cpr]} = $cratio (higher = hippocrate costlier)"
  if ((noisy > 0)); then
    echo "NOISY       $noisy run(s) with other% > $NOISE_PCT: something else used the CPUs; req/s are unreliable, CPU us/req less so"
  fi
  [[ $ACCESS_LOG == file ]] && echo "access log  lines written: hippocrate $lines_h, nginx $lines_n (warm-ups included)"
  return 0
}

for c in $CONFIGS; do run_config "$c"; done

# ---------- JSON line ----------
mkdir -p "$RESULTS_DIR"
OUT=$RESULTS_DIR/http-$STAMP.jsonl
{
  printf '{"bench":"http-healthz-tls","timestamp":"%s","nproc":%d,"cpu_model":%s,"kernel":%s,"loadavg_at_start":%s' \
    "$STAMP" "$NPROC" "$(json_str "$CPU_MODEL")" "$(json_str "$(uname -r)")" "$(json_str "$LOADAVG0")"
  printf ',"versions":{"hippocrate":%s,"nginx":%s,"wrk":%s,"openssl":%s}' "$(json_str "$V_HIPPO")" \
    "$(json_str "$V_NGINX")" "$(json_str "$V_WRK")" "$(json_str "$V_SSL")"
  printf ',"method":{"path":"/healthz","connections":%d,"warmup_s":%d,"duration_s":%d,"rounds":%d,"access_log":"%s","keepalive":true}' \
    "$CONNS" "$WARMUP" "$DURATION" "$ROUNDS" "$ACCESS_LOG"
  printf ',"tls":{"hippocrate":{"tls13":%s,"tls12":%s},"nginx":{"tls13":%s,"tls12":%s}}' \
    "$(json_str "$TLS_H13")" "$(json_str "$TLS_H12")" "$(json_str "$TLS_N13")" "$(json_str "$TLS_N12")"
  printf ',"response_header_bytes":{"hippocrate":%d,"nginx":%d}' "$HDR_H" "$HDR_N"
  printf ',"configs":[%s],"runs_with_errors":%d,"server_crashes":%d,"elapsed_s":%d}\n' \
    "$(IFS=,; echo "${CFG_JSON[*]}")" "$ERRORS" "$CRASHES" $(($(date +%s) - START))
} >>"$OUT"
echo
echo "results: $OUT ($(($(date +%s) - START)) s)"
if ((CRASHES > 0)); then
  log "bench-http: $CRASHES server crash(es) under load: see FAILED above"
  exit 4
fi
if ((ERRORS > 0)); then
  log "bench-http: $ERRORS run(s) had errors (non-2xx/3xx, socket errors or wrk failure): see above"
  exit 3
fi
