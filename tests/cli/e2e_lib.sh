# The common part of the CLI end-to-end tests (tests/cli/*_e2e_test.sh), sourced by each
# after `set -euo pipefail`, with the path of the hippocrate binary:
#   source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
# It gives: $bin; a fresh work folder $work (the current folder), removed at exit; the cast
# of the scenarios (passwords, e-mails, profiles $PA $PP $PT, the data folder $data); `check`
# and its counters; `hip`, which runs the binary and sets $out, $err and $rc; tests of JSON
# and of the output; bounded waits; the server's start and stop; the accounts' set-up
# (invite_as, sign_up, enrol, setup_clinic, setup_patient); and, when the script stops
# early (set -e), a report of what it last saw.
# Processes: only those the script started are stopped at exit, by pid: the server's ($pid),
# those in the variables a script names in `pid_vars` (it empties a variable once it has
# waited for the process), and those in `pids`. Everything listens on 127.0.0.1.
# SCRIPT_TRACE=FILE (MESSAGING_E2E_TRACE for messaging_e2e_test.sh, and so on) keeps every
# command `hip` runs and what it printed, to read afterwards.

bin=$(realpath "$1")
work=$(mktemp -d)

pid=""
pid_vars=()
pids=()
cleanup() {
  local v p
  for v in "${pid_vars[@]}"; do
    [[ -n "${!v:-}" ]] && kill -KILL "${!v}" 2>/dev/null || true
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [[ -n "$pid" ]] && kill -KILL "$pid" 2>/dev/null || true
  rm -rf "$work"
}
# A step that stops the script early (set -e) says what it last saw, before the cleanup:
# the line, the last command's output, the last commands, the tails of the server's stderr,
# of the access log and of the files a script adds to `report_tails`.
last_line=0
trap 'last_line=$LINENO' DEBUG
report_tails=()
report_stop() {
  local status=$?
  if [[ $status -ne 0 ]]; then
    echo "FAIL - the script stopped (status $status) near line $last_line"
    echo "    last command's output: ${out:-} ${err:-}"
    [[ -f "$work/history" ]] && { echo "    the last commands:"; tail -8 "$work/history"; }
    [[ -f "$work/serve.err" ]] && { echo "    server stderr (tail):"; tail -5 "$work/serve.err"; }
    [[ -s "$work/access.log" ]] && { echo "    access log (tail):"; tail -6 "$work/access.log"; }
    local f
    for f in "${report_tails[@]}"; do
      [[ -s "$f" ]] && { echo "    ${f##*/} (tail):"; tail -5 "$f"; }
    done
  fi
  cleanup
}
trap report_stop EXIT
cd "$work"

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "ok - $what"
  else
    failed=$((failed + 1)); echo "FAIL - $what"
    echo "    exit: ${rc:-}"; echo "    out: ${out:-}"; echo "    err: ${err:-}"
  fi
}
# need TOOL...: stops the script unless every TOOL is installed.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "FAIL - $tool is needed (scripts/install-deps.sh)"; exit 1; }
  done
}
need timeout

trace_var=${0##*/}
trace_var=${trace_var%_test.sh}
trace_var=${trace_var^^}_TRACE
trace_file=${!trace_var:-}
# hip INPUT ARGS...: runs hippocrate (at most 60 s) with INPUT on stdin; sets $out, $err, $rc.
hip() {
  local input=$1; shift
  set +e
  out=$(printf '%s' "$input" | timeout 60 "$bin" "$@" 2>"$work/stderr.last")
  rc=$?
  set -e
  err=$(cat "$work/stderr.last")
  trace "hippocrate $*"
  # The last commands, shown if the script stops early (report_stop).
  printf '$ hippocrate %s [exit %s] %.300s %.300s\n' "${1:-}" "$rc" "$out" "$err" >>"$work/history"
}
# trace WHAT: keeps WHAT and $out, $err, $rc in the trace file, if there is one.
trace() {
  if [[ -n "$trace_file" ]]; then
    printf '$ %s\n%s\n%s\n[exit %s]\n\n' "$1" "$out" "$err" "$rc" >>"$trace_file"
  fi
}

# jget KEY: the first string value of "KEY" in the compact JSON on stdin, or else its first
# number, boolean or null; fails if there is none.
jget() {
  local json found
  json=$(cat)
  found=$(grep -oE "\"$1\":\"[^\"]*\"" <<<"$json" | head -1) ||
    found=$(grep -oE "\"$1\":(-?[0-9][0-9.eE+-]*|true|false|null)" <<<"$json" | head -1) ||
    return 1
  sed -E "s/^\"$1\":\"?//; s/\"\$//" <<<"$found"
}
code_of() { jget code <<<"$out"; }
failed_with() { [[ $rc -eq 1 && "$(code_of)" == "$1" ]]; }  # exit 1 and this error code
out_has() { grep -qF -- "$1" <<<"$out"; }      # the text, as it is
err_has() { grep -qF -- "$1" <<<"$err"; }
out_matches() { grep -qE -- "$1" <<<"$out"; }  # an extended regular expression
err_matches() { grep -qE -- "$1" <<<"$err"; }
wait_for() {  # wait_for SECONDS COMMAND...: polls every 0.1 s.
  local n=$(( $1 * 10 )); shift
  for _ in $(seq 1 "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}

# The cast, and where their profiles and the server's data live.
admin_pw='Correct horse battery staple 42'
prac_pw='Stethoscope lantern orchard 1987'
pat_pw='Blue heron over the quiet river 5'
admin_email=admin@example.org
prac_email=dr.bernard@example.org
pat_email=camille@example.org
PA="$work/profiles/admin"
PP="$work/profiles/practitioner"
PT="$work/profiles/patient"
data="$work/var"
log=""  # the server's access log, if set before start_server
sql() { sqlite3 "$data/hippocrate.db" ".timeout 5000" "$@"; }

# start_server [LISTEN]: `hippocrate serve` on LISTEN (127.0.0.1:0, a free port, by default)
# and the data folder $data, its access log in $log if set, its output appended to
# $work/serve.out and serve.err; sets $pid.
start_server() {
  local listen=${1:-127.0.0.1:0}
  if [[ -n "$log" ]]; then
    HIPPOCRATE_LOG_ACCESS="$log" "$bin" serve --listen "$listen" --data-dir "$data" \
      >>"$work/serve.out" 2>>"$work/serve.err" &
  else
    "$bin" serve --listen "$listen" --data-dir "$data" >>"$work/serve.out" 2>>"$work/serve.err" &
  fi
  pid=$!
}
# banner_url FILE: the address a server's banner in FILE shows (waits at most 10 s), or "".
banner_url() {
  local url=""
  for _ in $(seq 1 100); do
    url=$(grep -soE 'https://127\.0\.0\.1:[0-9]+' "$1" | head -1 || true)
    [[ -n "$url" ]] && break
    sleep 0.1
  done
  printf '%s' "$url"
}
# await_server: waits for the banner of the server start_server started; sets $url, $port,
# $ca and the options that reach it, srv=(--server URL --ca-file CA). Stops the script if
# the server did not start.
await_server() {
  url=$(banner_url "$work/serve.err")
  [[ -n "$url" ]] || { echo "FAIL - server did not start"; cat "$work/serve.err"; exit 1; }
  port=${url##*:}
  ca="$data/tls/cert.pem"
  srv=(--server "$url" --ca-file "$ca")
}
# stop_server: SIGTERM to the server, and waits (at most 20 s) for it to end.
# Still running then, it is killed.
stop_server() {
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  pid=""
}

# Accounts. enrol PROFILE: TOTP enrolment of a staff profile (the code from oathtool).
enrol() {
  hip "" mfa enroll --profile "$1" --json
  local secret; secret=$(jget secret <<<"$out")
  hip "" mfa confirm "$(oathtool --totp --base32 "$secret")" --profile "$1"
}
# invite_as PROFILE ROLE EMAIL: PROFILE invites EMAIL as ROLE; sets $token.
invite_as() {
  hip "" invite --role "$2" "$3" --profile "$1" --json
  token=$(jget token <<<"$out")
}
# sign_up TOKEN EMAIL PASSWORD NAME PROFILE [SERVER_OPTION...]: accepts the invitation TOKEN as
# NAME (reaching the server with SERVER_OPTION..., "${srv[@]}" by default), then logs in.
sign_up() {
  local token=$1 email=$2 pw=$3 name=$4 profile=$5; shift 5
  (($#)) || set -- "${srv[@]}"
  hip "$pw"$'\n' accept-invite "$token" --name "$name" "$@" --profile "$profile" --password-stdin
  hip "$pw"$'\n' login "$email" --profile "$profile" --password-stdin
}
# setup_clinic: the first administrator, bootstrapped offline; the server (start_server,
# await_server); the administrator and the practitioner joined and enrolled.
setup_clinic() {
  hip "" admin bootstrap --data-dir "$data" --org "Clinique du Parc" --email "$admin_email" --json
  boot_token=$(jget token <<<"$out")
  start_server
  await_server
  sign_up "$boot_token" "$admin_email" "$admin_pw" "Alice Admin" "$PA"
  enrol "$PA"
  invite_as "$PA" practitioner "$prac_email"
  sign_up "$token" "$prac_email" "$prac_pw" "Dr Jeanne Bernard" "$PP"
  enrol "$PP"
}
# setup_patient: the practitioner invites the patient, who joins with $PT (an active care
# relationship).
setup_patient() {
  invite_as "$PP" patient "$pat_email"
  sign_up "$token" "$pat_email" "$pat_pw" "Camille Martin" "$PT"
}
