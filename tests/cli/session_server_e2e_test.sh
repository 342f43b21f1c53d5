#!/usr/bin/env bash
# A session goes only to the server that issued it (docs/cli.md, "Which server gets your
# session"), and the command line works the way people type it:
#   - a TLS listener we control (openssl s_server, with its own certificate, trusted through
#     --ca-file) on another port, then on the real server's own port once it stopped: the
#     commands fail, saying why and what to do, and the listener never receives an
#     Authorization header nor the token (what it received is captured);
#   - a profile written by an older version (no recorded server) keeps working on its
#     server, and is refused elsewhere;
#   - options before the command (`hippocrate --profile P whoami`), "did you mean";
#   - `accept-invite` logs in; `patient` takes the relationship id or e-mail `patients` shows;
#     `devices revoke` takes the 8-character id `inbox` shows.
# Everything listens on 127.0.0.1; every wait is bounded; only processes started here are
# stopped, by pid.
#   session_server_e2e_test.sh PATH_TO_HIPPOCRATE
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need openssl oathtool curl sqlite3
serve2_pid=""
pid_vars+=(serve2_pid)

# A loopback port nobody answers on (at most 50 tries).
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
# listener PORT NAME: an openssl s_server with its own certificate on 127.0.0.1:PORT, writing
# what it receives to $work/NAME.out; sets $listener_pid. Fed by a bounded `sleep` so that it
# never reads an end of input while waiting.
listener() {
  local port=$1 name=$2
  mkfifo "$work/$name.in"
  sleep 120 >"$work/$name.in" &
  pids+=($!)
  disown $!
  openssl s_server -accept "127.0.0.1:$port" -cert "$work/other.pem" -key "$work/other.key" \
    -quiet <"$work/$name.in" >"$work/$name.out" 2>"$work/$name.err" &
  listener_pid=$!
  pids+=("$listener_pid")
  disown "$listener_pid"
  for _ in $(seq 1 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "FAIL - openssl s_server did not start on port $port"; cat "$work/$name.err"; return 1
}
# received_no_token NAME: the listener's capture holds no Authorization header and no token.
received_no_token() {
  ! grep -qi "authorization" "$work/$1.out" && ! grep -qF -- "$token" "$work/$1.out"
}

PT2="$work/profiles/patient-laptop"

# Another certificate for 127.0.0.1, the listener's.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
  -keyout "$work/other.key" -out "$work/other.pem" 2>/dev/null

hip "" admin bootstrap --data-dir "$data" --org "Clinique du Parc" --email admin@example.org --json
boot_token=$(jget token <<<"$out")
start_server
await_server

# --- accept-invite logs in at once (staff: an enrolment-only session and the next step). ---
hip "$admin_pw"$'\n' accept-invite "$boot_token" --name "Alice Admin" "${srv[@]}" \
  --profile "$PA" --password-stdin
check "accept-invite creates the account and logs in (no second password prompt)" \
  eval '[[ $rc -eq 0 ]] && out_matches "you are logged in" && [[ -s $PA/session ]]'
check "accept-invite tells staff to enrol a second factor now" out_matches "hippocrate mfa enroll"
hip "" whoami --profile "$PA" --json
check "the session accept-invite opened works (enrolment only)" \
  eval '[[ $rc -eq 0 ]] && out_matches "\"enrolment_only\":true"'
check "config.json records the server that issued the session and its certificate" \
  eval 'grep -qF "\"session_server\":{\"url\":\"$url\"" "$PA/config.json" && grep -qE "\"certificate_sha256\":\"[0-9a-f]{64}\"" "$PA/config.json"'
token=$(cat "$PA/session")
check "the session file holds a 43-character token" test "${#token}" -eq 43

hip "$admin_pw"$'\n' accept-invite AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA --name X --server "$url" \
  --profile "$work/profiles/nobody" --password-stdin
check "accept-invite failing on the certificate suggests --ca-file" \
  eval '[[ $rc -eq 1 ]] && err_matches "tls_failed|certificate|TLS" && err_matches "--ca-file"'

# --- A listener we control, on another port, trusted through --ca-file. ---
other_port=$(free_port)
other="https://127.0.0.1:$other_port"
listener "$other_port" other
set +e
curl -s --max-time 2 --cacert "$work/other.pem" -H "Authorization: Bearer canary-of-the-test" \
  "$other/api/v1/me" >/dev/null 2>&1
set -e
check "(control) the listener captures an Authorization header it receives" \
  grep -q "Authorization: Bearer canary-of-the-test" "$work/other.out"
: >"$work/other.out"

hip "" whoami --profile "$PA" --server "$other" --ca-file "$work/other.pem" --json
check "whoami --server OTHER is refused: session_other_server (exit 1)" failed_with session_other_server
check "the message names both servers and what to do" \
  eval 'err_matches "$url" && err_matches "$other" && err_matches "hippocrate login" && err_matches "another --profile"'
HIPPOCRATE_SERVER_URL="$other" HIPPOCRATE_CA_FILE="$work/other.pem" hip "" whoami --profile "$PA" --json
check "HIPPOCRATE_SERVER_URL=OTHER is refused the same way" failed_with session_other_server
hip "" logout --profile "$PA" --server "$other" --ca-file "$work/other.pem"
check "logout --server OTHER is refused and keeps the session" \
  eval '[[ $rc -eq 1 && -s $PA/session ]]'
hip "" mfa enroll --profile "$PA" --server "$other" --ca-file "$work/other.pem" --json
check "mfa enroll --server OTHER is refused" failed_with session_other_server
hip "" inbox --profile "$PA" --server "$other" --ca-file "$work/other.pem" --json
check "inbox --server OTHER (messaging) is refused" failed_with session_other_server
sleep 0.3
check "the other listener received no Authorization header and no token" received_no_token other
hip "" whoami --profile "$PA"
check "the session still works on its own server" test "$rc" -eq 0

# --- A profile of an older version: no recorded server. ---
strip_record() { sed -E -i 's/,?"session_server":\{[^}]*\}//' "$1/config.json"; }
strip_record "$PA"
check "(setup) the record is gone, as in an older profile" eval '! grep -q session_server "$PA/config.json"'
hip "" whoami --profile "$PA" --server "$other" --ca-file "$work/other.pem" --json
check "an older profile's session is refused on another server" failed_with session_other_server
hip "" whoami --profile "$PA" --ca-file "$work/other.pem" --json
check "an older profile's session is refused with another CA file than it remembered" \
  failed_with session_other_server
hip "" whoami --profile "$PA" --json
check "an older profile keeps working on the server it remembered" test "$rc" -eq 0
check "and is bound to that server's certificate from then on" \
  grep -qF "\"session_server\":{\"url\":\"$url\"" "$PA/config.json"
sleep 0.3
check "the listener still received nothing" received_no_token other

# --- A session file that does not match the record goes nowhere; logout removes it. ---
PX="$work/profiles/copied"
mkdir -p "$PX"; chmod 700 "$PX"
cp "$PA/config.json" "$PX/config.json"
printf '%s' "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" >"$PX/session"; chmod 600 "$PX/session"
hip "" whoami --profile "$PX" --json
check "a session file the record does not name: session_server_unknown, log in again" \
  eval 'failed_with session_server_unknown && err_matches "log in again"'
hip "" logout --profile "$PX"
check "logout of such a session removes it here" eval '[[ $rc -eq 0 && ! -e $PX/session ]]'

# --- Options before the command, and "did you mean". ---
hip "" --profile "$PA" whoami
check "hippocrate --profile P whoami" eval '[[ $rc -eq 0 ]] && out_matches "role: *admin"'
hip "" --json --profile "$PA" whoami
check "hippocrate --json --profile P whoami prints JSON" \
  eval '[[ $rc -eq 0 ]] && out_matches "\"role\":\"admin\""'
hip "" --profile "$PA" --server "$url" --ca-file "$ca" whoami --json
check "--server and --ca-file before the command" test "$rc" -eq 0
hip "" --profile "$work/profiles/unused" whoami --profile "$PA" --json
check "an option after the command wins over the same before it" test "$rc" -eq 0
hip "" --server "$other" --ca-file "$work/other.pem" --profile "$PA" whoami --json
check "--server OTHER before the command is refused just the same" failed_with session_other_server
hip "" whoam --profile "$PA"
check "an unknown command: exit 2, did you mean 'hippocrate whoami'?" \
  eval '[[ $rc -eq 2 ]] && err_matches "unknown command .whoam." && err_matches "Did you mean .hippocrate whoami.\\?"'
hip "" --profile "$PA" sesions
check "did you mean, after options" eval '[[ $rc -eq 2 ]] && err_matches "hippocrate sessions"'
hip "" devices revok abc --profile "$PA"
check "did you mean, for a subcommand" eval '[[ $rc -eq 2 ]] && err_matches "hippocrate devices revoke"'
hip "" frobnicate
check "nothing close: the list is one --help away" \
  eval '[[ $rc -eq 2 ]] && err_matches "unknown command" && err_matches "--help"'

# --- patient takes what patients shows; devices revoke takes the short device id. ---
enrol "$PA"
check "(setup) the administrator enrols a second factor" test "$rc" -eq 0
hip "" invite --role practitioner dr@example.org --profile "$PA" --json
prac_token=$(jget token <<<"$out")
hip "$prac_pw"$'\n' accept-invite "$prac_token" --name "Dr Jeanne Bernard" "${srv[@]}" \
  --profile "$PP" --password-stdin
enrol "$PP"
check "(setup) the practitioner joins and enrols" test "$rc" -eq 0
hip "" invite --role patient camille@example.org --profile "$PP" --json
pat_token=$(jget token <<<"$out")
hip "$pat_pw"$'\n' accept-invite "$pat_token" --name "Camille Martin" "${srv[@]}" \
  --profile "$PT" --password-stdin
check "a patient's accept-invite logs in with a full session, no mfa step" \
  eval '[[ $rc -eq 0 ]] && out_matches "logged in" && ! out_matches "mfa enroll"'
hip "" patients --profile "$PP"
check "patients shows the patient id and the relationship id" \
  eval '[[ $rc -eq 0 ]] && out_matches "^PATIENT ID +STATUS +SINCE +PATIENT +RELATIONSHIP"'
hip "" patients --profile "$PP" --json
care_id=$(grep -oE '"id":"[0-9a-f]{32}","status":"active"' <<<"$out" | head -1 | cut -d'"' -f4)
pat_id=$(grep -oE '"patient":\{"id":"[0-9a-f]{32}"' <<<"$out" | head -1 | cut -d'"' -f6)
hip "" patients --profile "$PP"
check "the text list shows the patient id first" grep -qE "^$pat_id +active" <<<"$out"
hip "" patient "$pat_id" --profile "$PP"
check "patient PATIENT_ID" eval '[[ $rc -eq 0 ]] && out_matches "Camille Martin" && out_matches "patient id: $pat_id"'
hip "" patient "$care_id" --profile "$PP" --json
check "patient RELATIONSHIP_ID (what patients showed) reads the patient" \
  eval '[[ $rc -eq 0 ]] && out_matches "\"email\":\"camille@example.org\""'
hip "" patient Camille@Example.org --profile "$PP" --json
check "patient EMAIL reads the patient" eval '[[ $rc -eq 0 ]] && out_matches "\"id\":\"$pat_id\""'
hip "" patient nobody@example.org --profile "$PP" --json
check "patient with an unknown e-mail: patient_not_found" failed_with patient_not_found

hip "" devices register --profile "$PT" --json
first_device=$(jget device_id <<<"$out")
check "(setup) the patient's first device" test "${#first_device}" -eq 32
hip "" inbox --profile "$PT"  # binds this sign-in to the first device, as people use it
hip "$pat_pw"$'\n' login camille@example.org "${srv[@]}" --profile "$PT2" --password-stdin
hip "" devices add --profile "$PT2" --json
pairing=$(jget pairing_code <<<"$out")
second_device=$(jget device_id <<<"$out")
hip "" devices approve "$pairing" --profile "$PT" --json
account_key=$(jget account_key <<<"$out")
hip "" devices add --account-key="$account_key" --profile "$PT2" --json
check "(setup) a second device is paired" eval '[[ $rc -eq 0 ]] && out_matches "\"paired\":true"'
hip "" inbox --profile "$PT2"
hip "" devices revoke abc --profile "$PT" --json
check "devices revoke with a too short id is a usage error" test "$rc" -eq 2
hip "" devices revoke 00000000 --profile "$PT" --json
check "devices revoke with an unknown prefix: device_not_found" failed_with device_not_found
hip "" devices revoke "${second_device:0:8}" --profile "$PT"
# (The server's answer after the revocation is not checked here: its sign-out of the revoked
# device's sessions is the server's business and tested there.)
check "devices revoke takes the 8-character id inbox shows: that device is revoked" \
  test -n "$(sqlite3 "$data/hippocrate.db" ".timeout 5000" "select revoked_at from devices where id = '$second_device' and revoked_at is not null")"
check "and only that one" \
  test -z "$(sqlite3 "$data/hippocrate.db" ".timeout 5000" "select revoked_at from devices where id = '$first_device' and revoked_at is not null")"

# --- Logging in to another server with the same profile: the old session is not sent there. ---
hip "" admin bootstrap --data-dir "$work/var2" --org "Cabinet B" --email b@example.org --json
boot2=$(jget token <<<"$out")
HIPPOCRATE_LOG_ACCESS="$work/access2.log" "$bin" serve --listen 127.0.0.1:0 --data-dir "$work/var2" \
  >"$work/serve2.out" 2>"$work/serve2.err" &
serve2_pid=$!
url2=$(banner_url "$work/serve2.err")
PY="$work/profiles/two-servers"
hip "$pat_pw"$'\n' login camille@example.org "${srv[@]}" --profile "$PY" --password-stdin
first_token=$(cat "$PY/session")
hip "$admin_pw"$'\n' accept-invite "$boot2" --name "Bea" --server "$url2" \
  --ca-file "$work/var2/tls/cert.pem" --profile "$PY" --password-stdin
check "the same profile signs in on a second server" \
  eval '[[ $rc -eq 0 ]] && grep -qF "\"session_server\":{\"url\":\"$url2\"" "$PY/config.json"'
check "it says the session it replaced (another server's) was not ended there" \
  err_matches "was not ended"
check "the second server never received the first one's session (no DELETE in its access log)" \
  eval 'grep -q "\"method\":\"POST\"" "$work/access2.log" && ! grep -q "\"method\":\"DELETE\"" "$work/access2.log" && ! grep -qF -- "$first_token" "$work/access2.log"'
check "the first server's session is still valid (it was not sent anywhere to be ended)" \
  eval '[[ $(curl -s -o /dev/null -w "%{http_code}" --cacert "$ca" -H "Authorization: Bearer $first_token" "$url/api/v1/me") == 200 ]]'
hip "" whoami --profile "$PY" --server "$url" --ca-file "$ca" --json
check "the profile's new session is not sent back to the first server" failed_with session_other_server
kill -TERM "$serve2_pid"; wait "$serve2_pid" || true; serve2_pid=""

# --- The real server's port, answered by another certificate: nothing is sent. ---
stop_server
listener "$port" same_port
hip "" whoami --profile "$PA" --ca-file "$work/other.pem" --json
check "the same URL with another certificate: certificate_mismatch (exit 1)" \
  failed_with certificate_mismatch
check "the message says the session was not sent and what to do" \
  eval 'err_matches "not sent" && err_matches "log in again" && err_matches "another --profile"'
HIPPOCRATE_CA_FILE="$work/other.pem" hip "" whoami --profile "$PT" --json
check "also for the patient's profile" failed_with certificate_mismatch
sleep 0.3
check "the listener on the server's port received no Authorization header and no token" \
  eval 'received_no_token same_port && ! grep -qF -- "$(cat "$PT/session")" "$work/same_port.out"'

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
