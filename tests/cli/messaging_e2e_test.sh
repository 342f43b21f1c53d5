#!/usr/bin/env bash
# End-to-end test of end-to-end encrypted messaging as people run it, against a real
# `hippocrate serve` on a free loopback port (docs/cli.md "Messaging"): a practitioner and
# a patient in an active care relationship exchange messages both ways (`send`, `inbox`,
# `listen`), across a server restart and while the recipient is offline; their safety
# numbers match; `verify`; a tampered envelope is reported and the conversation goes on; a
# message delivered twice (a lost ack) is acknowledged and not shown again, by `inbox` and
# `listen`; a second device of the patient is paired while a message to the patient is on
# its way (the server answers device_list_mismatch, `send` retries with the same message id
# and both devices read it), receives the conversation, and receives nothing once revoked
# (revoked while another message is on its way: the retry leaves it out); the contact
# policy refuses a patient → assistant message and, once the care
# relationship ended, patient → practitioner. "The server cannot read": a random marker sent
# in a message appears nowhere in the data folder (database, WAL, SQL dump of every table,
# audit trail included) nor in the server's output and access log.
# Every wait is bounded; passwords come from --password-stdin.
#   messaging_e2e_test.sh PATH_TO_HIPPOCRATE
#   MESSAGING_E2E_TRACE=/tmp/trace.txt messaging_e2e_test.sh ...   (keeps every output)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need oathtool sqlite3 python3 curl
listen_pid=""
relay_pid=""
send_pid=""
pid_vars+=(listen_pid send_pid relay_pid)
report_tails+=("$work/relay.err")

asst_pw='Filing cabinets hum in spring 77'
asst_email=assistant@example.org
PS="$work/profiles/assistant"
PT2="$work/profiles/patient-laptop"
log="$work/access.log"

server_up() { curl -s -o /dev/null --cacert "$data/tls/cert.pem" "$url/healthz"; }

# A device list that changes while a message is on its way: `send` reads the device lists
# just before it posts, so the test puts a relay between the practitioner and the server.
# The practitioner's profile signs in through it from the start (a session goes only to
# the server that issued it, and the relay presents the server's own certificate, so the
# client trusts it); it passes every byte on unchanged. Once $work/relay/arm exists, it
# holds the next `POST /api/v1/messages` until $work/relay/release exists, creating
# $work/relay/held when it starts holding it (and removing the three files once it lets
# the request go). The client's request timeout is 10 s: what runs meanwhile must be
# quicker.
cat >"$work/hold_relay.py" <<'PY'
import asyncio, os, ssl, sys
upstream_port, cert, key, state = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]

def path(name):
    return os.path.join(state, name)

async def pump(reader, writer, may_hold):
    tail = b""
    try:
        while data := await reader.read(65536):
            if (may_hold and os.path.exists(path("arm")) and
                    b"POST /api/v1/messages " in tail + data):
                os.remove(path("arm"))
                open(path("held"), "w").close()
                for _ in range(400):  # at most 20 s
                    if os.path.exists(path("release")):
                        break
                    await asyncio.sleep(0.05)
                for name in ("release", "held"):
                    if os.path.exists(path(name)):
                        os.remove(path(name))
            tail = data[-32:]
            writer.write(data)
            await writer.drain()
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    finally:
        writer.close()

async def relay(client_reader, client_writer):
    upstream = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    upstream.check_hostname = False
    upstream.verify_mode = ssl.CERT_NONE  # loopback, our own server
    try:
        r, w = await asyncio.open_connection("127.0.0.1", upstream_port, ssl=upstream)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, w, True), pump(r, client_writer, False))

async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = await asyncio.start_server(relay, "127.0.0.1", 0, ssl=context)
    with open(os.path.join(state, "port.tmp"), "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    os.rename(os.path.join(state, "port.tmp"), os.path.join(state, "port"))
    async with server:
        await server.serve_forever()

asyncio.run(main())
PY
start_relay() {  # sets relay_url (once, before the practitioner signs in)
  rm -rf "$work/relay"; mkdir -p "$work/relay"
  python3 "$work/hold_relay.py" "$port" "$data/tls/cert.pem" "$data/tls/key.pem" "$work/relay" \
    2>>"$work/relay.err" &
  relay_pid=$!
  wait_for 10 test -s "$work/relay/port" || { echo "FAIL - the relay did not start"; exit 1; }
  relay_url="https://127.0.0.1:$(cat "$work/relay/port")"
}
# held_send TEXT PROFILE: `send --json` to the patient, held by the relay (PROFILE signed in
# through it), in the background (sets send_pid; the answer goes to $work/held.out, .err).
# held_send_done: waits, sets $out, $err, $rc like hip.
held_send() {
  touch "$work/relay/arm"
  timeout 60 "$bin" send "$pat_email" "$1" --profile "$2" \
    --json >"$work/held.out" 2>"$work/held.err" &
  send_pid=$!
}
held_send_done() {
  set +e; wait "$send_pid"; rc=$?; set -e; send_pid=""
  out=$(cat "$work/held.out"); err=$(cat "$work/held.err")
  trace "hippocrate send (through the relay)"
}
# send_audit RESULT MESSAGE_ID: the details of the message.send records of that message.
send_audit() {
  sql "select detail from audit_log where action = 'message.send' and result = '$1' and detail like '%message=$2,%'"
}
# release_held_send: lets the held request through, waits for the send (like hip) and sets
# held_id to the message id it printed.
release_held_send() {
  touch "$work/relay/release"
  held_send_done
  held_id=$(jget message_id <<<"$out" || true)
}
# refused_then_stored ID BEFORE AFTER: the audit trail shows message ID first refused with
# BEFORE envelopes (device_list_mismatch), then stored with AFTER, under the same id.
refused_then_stored() {
  [[ "$(send_audit failed "$1")" == "reason=device_list_mismatch,message=$1,envelopes=$2" &&
     "$(send_audit succeeded "$1")" == "message=$1,envelopes=$3" ]]
}

# --- Accounts: administrator, practitioner, assistant, patient (as in auth_e2e_test.sh). ---
hip "" admin bootstrap --data-dir "$data" --org "Clinique du Parc" --email "$admin_email" --json
boot_token=$(jget token <<<"$out")
start_server
await_server
start_relay
srv_relay=(--server "$relay_url" --ca-file "$ca")  # the practitioner's way to the server

sign_up "$boot_token" "$admin_email" "$admin_pw" "Alice Admin" "$PA"
enrol "$PA"
check "the administrator is set up" test "$rc" -eq 0
for who in practitioner assistant; do
  email=$prac_email; pw=$prac_pw; name="Dr Jeanne Bernard"; prof=$PP; way=("${srv_relay[@]}")
  [[ $who == assistant ]] && { email=$asst_email; pw=$asst_pw; name="Paul Assistant"; prof=$PS; way=("${srv[@]}"); }
  invite_as "$PA" "$who" "$email"
  sign_up "$token" "$email" "$pw" "$name" "$prof" "${way[@]}"
  enrol "$prof"
  check "the $who is set up (second factor enrolled)" test "$rc" -eq 0
done
setup_patient
check "the patient is set up, in an active care relationship" test "$rc" -eq 0
hip "" accounts list --profile "$PA" --json
asst_id=$(grep -oE "\{[^{}]*\"$asst_email\"[^{}]*\}" <<<"$out" | jget id)
prac_id=$(grep -oE "\{[^{}]*\"$prac_email\"[^{}]*\}" <<<"$out" | jget id)
check "the administrator lists the assistant's and practitioner's ids" \
  eval '[[ ${#asst_id} -eq 32 && ${#prac_id} -eq 32 ]]'

# --- Contacts and devices. ---
hip "" contacts --profile "$PT" --json
check "the patient's contacts: the practitioner only" \
  eval 'out_has "$prac_email" && ! out_has "$asst_email" && ! out_has "$admin_email"'
hip "" contacts --profile "$PP" --json
check "the practitioner's contacts: the patient and the staff of the organisation" \
  eval 'out_has "$pat_email" && out_has "$asst_email" && out_has "$admin_email"'
hip "" send "$pat_email" "too early" --profile "$PP" --json
check "sending to someone without a device: no_recipient_devices" failed_with no_recipient_devices
hip "" devices register --profile "$PT" --json
pat_dev=$(jget device_id <<<"$out")
check "devices register sets up the patient's first device (account key held)" \
  eval '[[ $rc -eq 0 && ${#pat_dev} -eq 32 ]] && out_has "\"holds_account_key\":true"'
check "the keystore and its key file are 0600" \
  eval '[[ $(stat -c %a "$PT/keystore") == 600 && $(stat -c %a "$PT/keystore.key") == 600 ]]'
hip "" devices --profile "$PT"
check "devices lists this device, marked" eval 'out_has "$pat_dev" && out_has "this device"'
otk_count() { sql "select count(*) from one_time_prekeys where device_id = '$1'"; }
check "the device uploaded 100 one-time prekeys" test "$(otk_count "$pat_dev")" -eq 100
sql "delete from one_time_prekeys where device_id = '$pat_dev' and key_id > 19"
hip "" inbox --profile "$PT"
check "below 20 left on the server, the next command tops them up to 100" \
  test "$(otk_count "$pat_dev")" -eq 100
hip "" inbox --profile "$PT"
check "at 100, nothing more is uploaded" test "$(otk_count "$pat_dev")" -eq 100

# --- Both ways. ---
hip "" send "$pat_email" "Bonjour Camille, vos résultats sont arrivés." --profile "$PP"
check "the practitioner sends (first use sets up its device)" \
  eval '[[ $rc -eq 0 ]] && out_has "Sent to Camille Martin"'
hip "" inbox --profile "$PT"
check "the patient's inbox shows the text, the sender's name and e-mail" \
  eval 'out_has "vos résultats sont arrivés" && out_has "Dr Jeanne Bernard <$prac_email>"'
hip "" inbox --profile "$PT"
check "read messages are acknowledged: the inbox is then empty" out_has "No new messages"
printf 'Merci docteur,\nà jeudi.' >"$work/reply.txt"
hip "$(cat "$work/reply.txt")" send "$prac_email" - --profile "$PT"
check "the patient answers, the text read from standard input" test "$rc" -eq 0
hip "" inbox --profile "$PP" --json
check "the practitioner's inbox (--json) has the two-line answer from the patient" \
  eval 'out_has "Merci docteur,\\nà jeudi." && out_has "\"email\":\"$pat_email\""'
hip "" send "$pat_email" "Deuxième message" --profile "$PP"
hip "" send "$pat_email" "Troisième message" --profile "$PP"
hip "" inbox --profile "$PT" --json
check "several messages arrive in order" \
  eval '[[ $(grep -o "Deuxième message.*Troisième message" <<<"$out" | wc -l) -eq 1 ]]'
# The ids the CLI chose: UUID version 7 (docs/messaging.md, "Conventions"), the send time
# in milliseconds first, so the later message's id sorts after the earlier one's.
time_ordered_ids() {
  python3 - "$out" <<'PY'
import json, sys, time
ids = [m["message_id"] for m in json.loads(sys.argv[1])["messages"]]
now = int(time.time() * 1000)
ok = len(ids) == 2 and ids[0] < ids[1]
for i in ids:
    ms = int(i[:12], 16)
    ok = ok and i[12] == "7" and i[16] in "89ab" and now - 600_000 <= ms <= now + 1_000
sys.exit(0 if ok else 1)
PY
}
check "the message ids are time-ordered (UUIDv7 layout, send time first)" time_ordered_ids

# --- Live delivery. ---
timeout 40 "$bin" listen --count 1 --timeout 30 --profile "$PT" >"$work/listen.out" 2>"$work/listen.err" &
listen_pid=$!
check "listen connects" wait_for 15 grep -qs "Listening" "$work/listen.err"
hip "" send "$pat_email" "Message en direct" --profile "$PP"
set +e; wait "$listen_pid"; listen_rc=$?; set -e; listen_pid=""
check "listen --count 1 prints the live message and exits 0" \
  eval '[[ $listen_rc -eq 0 ]] && grep -q "Message en direct" "$work/listen.out"'
hip "" inbox --profile "$PT"
check "the live message was acknowledged" out_has "No new messages"
hip "" listen --count 1 --timeout 1 --profile "$PT" --json
check "listen --timeout without the count: listen_timeout (exit 1)" failed_with listen_timeout

# --- Safety numbers. ---
hip "" safety-number "$pat_email" --profile "$PP" --json
sn_prac=$(jget safety_number <<<"$out")
hip "" safety-number "$prac_email" --profile "$PT" --json
sn_pat=$(jget safety_number <<<"$out")
check "both sides compute the same 60-digit safety number" \
  eval '[[ $sn_prac =~ ^[0-9]{60}$ && $sn_prac == "$sn_pat" ]]'
hip "" safety-number "$prac_email" --profile "$PT"
check "safety-number shows 12 groups of 5 digits and a QR code" \
  eval '[[ $(grep -oE "^  ([0-9]{5} ){5}[0-9]{5}$" <<<"$out" | wc -l) -eq 2 ]] && out_has "█"'
hip "" verify "$pat_email" --profile "$PP"
check "verify marks the patient verified" test "$rc" -eq 0
hip "" safety-number "$pat_email" --profile "$PP" --json
check "the practitioner now sees the patient as verified" out_has '"verified":true'
hip "" verify "$prac_email" --profile "$PT" --acknowledge-change --json
check "verify --acknowledge-change without a change just verifies" test "$rc" -eq 0

# --- A tampered envelope is reported, acknowledged, and the session goes on. ---
hip "" send "$pat_email" "Ce message sera altéré" --profile "$PP"
# The server (or anyone with the database) flips the last byte of the envelope (its AEAD tag).
hex=$(sql "select hex(ciphertext) from mailbox where device_id = '$pat_dev'")
last=${hex: -2}
flipped="${hex:0:${#hex}-2}$(printf '%02X' $(( 0x$last ^ 0xff )))"
sql "update mailbox set ciphertext = x'$flipped' where device_id = '$pat_dev'"
check "the envelope was altered in the database" \
  eval '[[ $(sql "select hex(ciphertext) from mailbox where device_id = '"'$pat_dev'"'") == "$flipped" ]]'
hip "" send "$pat_email" "Message authentique" --profile "$PP"
hip "" inbox --profile "$PT"
check "the tampered message is reported (e2ee_decrypt_failed), the genuine one shown" \
  eval 'err_has "e2ee_decrypt_failed" && ! out_has "altéré" && out_has "Message authentique"'
check "the tampered message was acknowledged (the mailbox is empty)" \
  test "$(sqlite3 "$data/hippocrate.db" ".timeout 5000" "select count(*) from mailbox where device_id = '$pat_dev'")" -eq 0

# --- Delivery is at-least-once: a message comes again when its ack was lost (or after a
#     sender's retry). The device recognises its id, acknowledges it, and shows nothing. ---
pat_mailbox() { sql "select count(*) from mailbox where device_id = '$pat_dev'"; }
hip "" send "$pat_email" "Message livré deux fois" --profile "$PP" --json
dup_id=$(jget message_id <<<"$out" || true)
# The envelope as the server holds it before the ack: put back after the ack, the server
# delivers it again exactly as if the ack had never reached it.
sql "create table keep_envelope as select * from mailbox where device_id = '$pat_dev' and message_id = '$dup_id'"
check "a copy of the envelope is kept aside before it is read" \
  test "$(sql "select count(*) from keep_envelope")" -eq 1
hip "" inbox --profile "$PT"
check "the patient reads the message once" \
  eval '[[ $rc -eq 0 ]] && out_has "Message livré deux fois"'
check "and acknowledges it (the mailbox is empty)" test "$(pat_mailbox)" -eq 0
sql "insert into mailbox select * from keep_envelope"
check "the server holds the same envelope again (a lost ack)" test "$(pat_mailbox)" -eq 1
hip "" inbox --profile "$PT"
check "inbox: the message delivered again is not shown again, and it is no error" \
  eval '[[ $rc -eq 0 && -z $err ]] && ! out_has "livré deux fois" && out_has "No new messages"'
check "inbox acknowledged the copy (the mailbox is empty)" test "$(pat_mailbox)" -eq 0
sql "insert into mailbox select * from keep_envelope"
hip "" inbox --profile "$PT" --json
check "inbox --json leaves the copy out as well" \
  eval '[[ $rc -eq 0 && -z $err ]] && [[ $out == "{\"messages\":[],\"expired\":0,\"undelivered\":[]}" ]] && [[ $(pat_mailbox) -eq 0 ]]'
# listen: the copy comes with the backlog when the socket opens; it is acknowledged
# without being shown or counted, so --count 1 waits for the next message.
sql "insert into mailbox select * from keep_envelope"
timeout 40 "$bin" listen --count 1 --timeout 30 --profile "$PT" >"$work/listen3.out" 2>"$work/listen3.err" &
listen_pid=$!
check "listen connects, the copy waiting in the mailbox" wait_for 15 grep -qs "Listening" "$work/listen3.err"
check "listen acknowledges the copy from the backlog (the mailbox is empty)" \
  wait_for 15 eval '[[ $(pat_mailbox) -eq 0 ]]'
hip "" send "$pat_email" "Après le doublon" --profile "$PP"
set +e; wait "$listen_pid"; listen_rc=$?; set -e; listen_pid=""
check "listen --count 1 neither shows nor counts the copy, and prints the next message" \
  eval '[[ $listen_rc -eq 0 ]] && ! grep -q "livré deux fois" "$work/listen3.out" &&
        grep -q "Après le doublon" "$work/listen3.out" && ! grep -q "hippocrate:" "$work/listen3.err"'
# The same ciphertext under another message id is no redelivery: the ratchet refuses it
# (its message key is used up), as a replay, and nothing is shown.
replay_id=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
sql "insert into messages select '$replay_id', sender_id, sender_device, recipient_account, created_at from messages where message_id = '$dup_id'"
sql "insert into mailbox select device_id, '$replay_id', (select coalesce(max(seq), 0) + 1 from mailbox where device_id = '$pat_dev'), ciphertext, stored_at from keep_envelope"
hip "" inbox --profile "$PT" --json
check "an old ciphertext under a new message id is still refused (e2ee_replay), not shown" \
  eval '[[ $rc -eq 0 ]] && out_has "\"code\":\"e2ee_replay\"" && ! out_has "livré deux fois"'
check "... and acknowledged (the mailbox is empty)" test "$(pat_mailbox)" -eq 0
sql "drop table keep_envelope"

# --- A server restart, and a message sent while the recipient was offline. ---
# One of them never reaches the patient's device: its envelope is made 100 days old while
# the server is down, so the retention sweep at start-up deletes it (90 days by default).
hip "" send "$pat_email" "Jamais reçu" --profile "$PP"
lost_id=$(sql "select message_id from messages order by rowid desc limit 1")
hip "" send "$pat_email" "Envoyé pendant votre absence" --profile "$PP"
stop_server
sql "update mailbox set stored_at = stored_at - 100 * 86400 where message_id = '$lost_id'"
start_server "127.0.0.1:$port"
check "the server restarts on the same data folder" wait_for 15 server_up
lost_expired() {
  [[ $(sql "select count(*) from mailbox where message_id = '$lost_id'") -eq 0 &&
     $(sql "select count(*) from audit_log where action = 'message.expire'") -ge 1 ]]
}
check "the start-up sweep expires the 100-day-old envelope (audited message.expire)" \
  wait_for 15 lost_expired
hip "" inbox --profile "$PT"
check "after the restart, the message sent while offline is delivered" \
  out_has "Envoyé pendant votre absence"
check "the expired one is not, and inbox says one message expired unread" \
  eval '! out_has "Jamais reçu" && grep -q "1 message sent to this device was never received" <<<"$err"'
hip "" inbox --profile "$PT" --json
check "... once: the next inbox reports none" eval '[[ $rc -eq 0 ]] && out_has "\"expired\":0"'
# Its sender is told: a notice for the practitioner's device, shown by listen (the socket's
# notice) and by inbox, once each; shown, then acknowledged.
notices() { sql "select count(*) from undelivered_notices where message_id = '$lost_id'"; }
check "the sweep left the practitioner's device a notice for the lost message" test "$(notices)" -eq 1
sql "create table keep_notice as select * from undelivered_notices where message_id = '$lost_id'"
hip "" listen --timeout 4 --profile "$PP"
check "listen warns the practitioner that the patient never received it" \
  eval '[[ $rc -eq 0 ]] && grep -q "your message to .*$pat_email.* (id ${lost_id:0:8}) was never received on 1 of their device:" <<<"$err"'
check "... and acknowledges the notice (none left on the server)" test "$(notices)" -eq 0
sql "insert into undelivered_notices select * from keep_notice"
hip "" inbox --profile "$PP"
check "inbox shows a notice not yet acknowledged (a lost ack), then acknowledges it" \
  eval '[[ $rc -eq 0 ]] && grep -q "(id ${lost_id:0:8}) was never received" <<<"$err" && [[ $(notices) -eq 0 ]]'
sql "insert into undelivered_notices select * from keep_notice"
sql "drop table keep_notice"
hip "" listen --timeout 4 --json --profile "$PP"
check "listen --json prints the notice as an \"undelivered\" object, with the recipient's e-mail" \
  eval '[[ $rc -eq 0 ]] && out_has "{\"undelivered\":{\"message_id\":\"$lost_id\"" && out_has "\"email\":\"$pat_email\"" && [[ $(notices) -eq 0 ]]'
hip "" inbox --profile "$PP" --json
check "... once: the next inbox --json lists none" eval '[[ $rc -eq 0 ]] && out_has "\"undelivered\":[]"'
hip "" send "$prac_email" "Après le redémarrage" --profile "$PT"
hip "" inbox --profile "$PP"
check "patient → practitioner after the restart" out_has "Après le redémarrage"
hip "" send "$pat_email" "Bien reçu" --profile "$PP"
hip "" inbox --profile "$PT"
check "practitioner → patient after the restart" out_has "Bien reçu"

# --- listen survives a server restart: it reconnects and gets what comes next. ---
timeout 90 "$bin" listen --count 1 --timeout 75 --profile "$PT" >"$work/listen2.out" 2>"$work/listen2.err" &
listen_pid=$!
check "listen connects before the restart" wait_for 15 grep -qs "Listening" "$work/listen2.err"
stop_server
start_server "127.0.0.1:$port"
check "the server restarts while listen waits" wait_for 15 server_up
check "listen reconnects by itself" wait_for 45 grep -qs "Reconnected" "$work/listen2.err"
hip "" send "$pat_email" "Toujours à l'écoute" --profile "$PP"
set +e; wait "$listen_pid"; listen_rc=$?; set -e; listen_pid=""
check "the reconnected listen prints the next message and exits 0" \
  eval '[[ $listen_rc -eq 0 ]] && grep -q "Toujours à l.écoute" "$work/listen2.out"'

# --- The server cannot read. ---
marker="marker-$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
hip "" send "$prac_email" "Confidentiel: $marker" --profile "$PT"
check "the marker message is sent" test "$rc" -eq 0
check "the server holds the envelope (in the mailbox)" \
  test "$(sqlite3 "$data/hippocrate.db" ".timeout 5000" "select count(*) from mailbox")" -ge 1
on_server() {  # on_server TEXT: TEXT is in the data folder, the dump or the logs
  grep -rqaF -- "$1" "$data" "$log" "$work/serve.out" "$work/serve.err" ||
    sqlite3 "$data/hippocrate.db" ".timeout 5000" .dump | grep -qaF -- "$1" ||
    strings -a "$data"/hippocrate.db* | grep -qF -- "$1"
}
no_marker_on_server() { ! on_server "$marker"; }
check "(control) the same search finds what the server does store: the patient's e-mail" \
  on_server "$pat_email"
check "the marker is nowhere on the server while the message waits (db, WAL, dump, logs)" \
  no_marker_on_server
hip "" inbox --profile "$PP"
check "only the practitioner's device reads it" out_has "Confidentiel: $marker"
check "the marker is nowhere on the server after delivery" no_marker_on_server

# --- A second device of the patient. ---
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT2" --password-stdin
export HIPPOCRATE_KEYSTORE_PASSPHRASE='laptop keystore passphrase'
hip "" send "$prac_email" "from an unpaired device" --profile "$PT2" --json
check "an account that has devices does not silently get a new one (device_not_paired)" \
  failed_with device_not_paired
hip "" devices add --profile "$PT2" --json
pair_code=$(jget pairing_code <<<"$out")
pat_dev2=$(jget device_id <<<"$out")
check "devices add prints a pairing code" eval '[[ $pair_code == hippocrate-pair:* ]]'
check "the second keystore is protected by a passphrase (no key file)" test ! -e "$PT2/keystore.key"
hip "" send "$prac_email" "still unpaired" --profile "$PT2" --json
check "a device waiting for approval cannot send" failed_with device_not_paired
export HIPPOCRATE_KEYSTORE_PASSPHRASE='wrong passphrase'
wrong_key=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
hip "" devices add --account-key="$wrong_key" --profile "$PT2" --json
check "the wrong keystore passphrase is refused" failed_with keystore_wrong_passphrase
export HIPPOCRATE_KEYSTORE_PASSPHRASE='laptop keystore passphrase'
hip "" devices add --account-key="$wrong_key" --profile "$PT2" --json
check "pairing with a wrong account key fails (e2ee_bad_signature)" failed_with e2ee_bad_signature
unset HIPPOCRATE_KEYSTORE_PASSPHRASE
# The practitioner's message leaves while the patient has one device, and reaches the
# server after the second one is approved and paired: the server answers
# device_list_mismatch, and `send` fetches the lists again, sets up a session with the new
# device, and sends again with the same message id — all in the one command.
held_send "Pour vos deux appareils" "$PP"
check "the practitioner's message is on its way (held), the patient having one device" \
  wait_for 15 test -e "$work/relay/held"
hip "" devices approve "$pair_code" --profile "$PT" --json
account_key=$(jget account_key <<<"$out")
check "the first device approves the second and gives the account key" \
  eval '[[ $rc -eq 0 && ${#account_key} -eq 43 ]]'
export HIPPOCRATE_KEYSTORE_PASSPHRASE='laptop keystore passphrase'
hip "" devices add --account-key="$account_key" --profile "$PT2" --json
check "devices add --account-key completes the pairing" eval '[[ $rc -eq 0 ]] && out_has "\"paired\":true"'
release_held_send
mismatch_id=$held_id
check "send succeeds at the first invocation, encrypted for both devices of the patient" \
  eval '[[ $rc -eq 0 && ${#mismatch_id} -eq 32 ]] && out_has "\"envelopes\":2"'
check "the server first refused it (device_list_mismatch, 1 envelope), then stored it (2), same id" \
  refused_then_stored "$mismatch_id" 1 2
hip "" admin audit search --data-dir "$data" --action message.send --result failed --json
check "admin audit search shows the refusal (device_list_mismatch) of that message" \
  out_has "reason=device_list_mismatch,message=$mismatch_id,"
hip "" devices --profile "$PT" --json
check "the patient now has two devices" \
  eval 'out_has "$pat_dev" && out_has "$pat_dev2"'
hip "" inbox --profile "$PT2"
check "the second device receives the conversation" out_has "Pour vos deux appareils"
hip "" inbox --profile "$PT"
check "the first device receives it too" out_has "Pour vos deux appareils"
hip "" send "$prac_email" "Écrit depuis l'ordinateur" --profile "$PT2"
check "the second device sends" test "$rc" -eq 0
hip "" inbox --profile "$PT"
check "the first device gets a copy of what the second sent" \
  eval 'out_has "Écrit depuis l" && out_has "From: you"'
hip "" inbox --profile "$PP"
check "the practitioner receives the second device's message" out_has "Écrit depuis l"
hip "" devices revoke "$pat_dev" --profile "$PT2" --json
check "a device without the account key cannot revoke (account_key_missing)" \
  failed_with account_key_missing
# Revoked while a message for both devices is on its way: the retry leaves it out.
held_send "Après la révocation" "$PP"
check "the next message is on its way (held), for both devices of the patient" \
  wait_for 15 test -e "$work/relay/held"
hip "" devices revoke "$pat_dev2" --profile "$PT" --json
check "the first device revokes the second" test "$rc" -eq 0
release_held_send
check "the practitioner still sends after the revocation, to the remaining device only" \
  eval '[[ $rc -eq 0 ]] && out_has "\"envelopes\":1"'
check "the server refused the 2 envelopes (device_list_mismatch), then stored 1, same id" \
  refused_then_stored "$held_id" 2 1
check "nothing is queued for the revoked device" \
  test "$(sqlite3 "$data/hippocrate.db" ".timeout 5000" "select count(*) from mailbox where device_id = '$pat_dev2'")" -eq 0
hip "" inbox --profile "$PT2" --json
check "the revoked device is signed out and receives nothing new (invalid_token)" \
  failed_with invalid_token
hip "$pat_pw"$'\n' login "$pat_email" --profile "$PT2" --password-stdin
hip "" inbox --profile "$PT2" --json
check "signed in again, the revoked device still receives nothing (device_revoked)" \
  failed_with device_revoked
hip "" inbox --profile "$PT"
check "the remaining device receives it" out_has "Après la révocation"
unset HIPPOCRATE_KEYSTORE_PASSPHRASE

# A device approved but not yet paired can already be sent to: the pairing code carries
# its signed prekey, which the approving device publishes with the registration. What is
# sent in between is read once the pairing completes.
PT4="$work/profiles/patient-tablet"
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT4" --password-stdin
hip "" devices add --profile "$PT4" --json
tablet_code=$(jget pairing_code <<<"$out")
hip "" devices approve "$tablet_code" --profile "$PT"
tablet_key=$(grep -oE -- '--account-key=[A-Za-z0-9_-]{43}' <<<"$out" | cut -d= -f2)
check "approve prints the command to run on the new device, --account-key=KEY" \
  eval '[[ $rc -eq 0 && ${#tablet_key} -eq 43 ]]'
hip "" send "$pat_email" "Pendant l'appairage" --profile "$PP" --json
check "the practitioner sends to the approved, not yet paired device (2 envelopes)" \
  eval '[[ $rc -eq 0 ]] && out_has "\"envelopes\":2"'
hip "" devices add --account-key="$tablet_key" --profile "$PT4" --json
check "the tablet completes the pairing" eval '[[ $rc -eq 0 ]] && out_has "\"paired\":true"'
hip "" inbox --profile "$PT4"
check "the tablet reads what was sent while it was pairing" out_has "Pendant l'appairage"
hip "" inbox --profile "$PT"
check "the first device reads it too" out_has "Pendant l'appairage"

# --- The patient's account key changes (a reinstall, or a server presenting an impostor):
#     the practitioner, who verified the patient, is warned and blocked until it acknowledges.
PT3="$work/profiles/patient-reinstalled"
pat_sql_id="(select id from accounts where email = '$pat_email')"
sql "update devices set revoked_at = $(date +%s) where account_id = $pat_sql_id and revoked_at is null"
sql "delete from device_lists where account_id = $pat_sql_id"
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT3" --password-stdin
hip "" devices register --profile "$PT3" --json
check "a reinstalled patient device creates a new account key" test "$rc" -eq 0
hip "" send "$pat_email" "Est-ce bien vous ?" --profile "$PP" --json
check "sending to a verified contact whose account key changed is refused, loudly" \
  eval 'failed_with key_change_unacknowledged && err_has "HAS CHANGED"'
hip "" safety-number "$pat_email" --profile "$PP" --json
sn_new=$(jget safety_number <<<"$out")
check "the safety number changed and says so" \
  eval '[[ $sn_new =~ ^[0-9]{60}$ && $sn_new != "$sn_prac" ]] && out_has "\"key_changed\":true"'
hip "" verify "$pat_email" --profile "$PP" --json
check "verify without --acknowledge-change is refused" failed_with key_change_unacknowledged
hip "" verify "$pat_email" --acknowledge-change --profile "$PP"
check "verify --acknowledge-change accepts the new key" test "$rc" -eq 0
hip "" send "$pat_email" "Est-ce bien vous ?" --profile "$PP"
check "sending works again" test "$rc" -eq 0
hip "" inbox --profile "$PT3"
check "the reinstalled device receives it" out_has "Est-ce bien vous ?"
PT=$PT3

# --- The contact policy. ---
hip "" send "$asst_email" "Bonjour" --profile "$PT" --json
check "patient → assistant by e-mail: contact_not_permitted" failed_with contact_not_permitted
hip "" send "$asst_id" "Bonjour" --profile "$PT" --json
check "patient → assistant by account id: refused by the server (contact_not_permitted)" \
  failed_with contact_not_permitted
hip "" practitioners --profile "$PT" --json
care_id=$(grep -oE '"id":"[0-9a-f]{32}","status":"active"' <<<"$out" | head -1 | cut -d'"' -f4)
hip "" care end "$care_id" --profile "$PT"
check "the patient ends the care relationship" test "$rc" -eq 0
hip "" send "$prac_email" "Encore là ?" --profile "$PT" --json
check "patient → practitioner after the end: contact_not_permitted" failed_with contact_not_permitted
hip "" send "$prac_id" "Encore là ?" --profile "$PT" --json
check "... also by account id, refused by the server" failed_with contact_not_permitted
hip "" send "$pat_email" "Et dans l'autre sens ?" --profile "$PP" --json
check "practitioner → patient after the end: contact_not_permitted" failed_with contact_not_permitted
stop_server
audit_count() {
  sqlite3 "$data/hippocrate.db" "select count(*) from audit_log where result = 'denied' and detail like '%$1%'"
}
check "the refusals are audited (patient_with_non_practitioner, no_active_care_relationship)" \
  eval '[[ $(audit_count patient_with_non_practitioner) -ge 1 && $(audit_count no_active_care_relationship) -ge 1 ]]'
check "the marker is still nowhere on the server (after shutdown: checkpointed db, logs)" \
  no_marker_on_server
hip "" admin audit verify --data-dir "$data"
check "the audit log is intact" test "$rc" -eq 0

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
