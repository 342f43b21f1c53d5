#!/usr/bin/env bash
# End-to-end test of the local message history (docs/messaging.md "Local history",
# docs/cli.md "Messaging"), against a real `hippocrate serve` on a free loopback port: a
# practitioner and a patient exchange messages (`send`, `inbox`, `listen`); once the server
# has deleted the envelopes, `history EMAIL` shows both directions in order on both sides
# (--limit, --json), `conversations` lists the contact; PROFILE/history is 0600 and holds
# no plaintext; a message delivered twice (a lost ack) is kept once; a damaged history is
# refused (history_corrupt), never silently reset.
# Every wait is bounded; passwords come from --password-stdin.
#   history_e2e_test.sh PATH_TO_HIPPOCRATE
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need oathtool sqlite3 python3
listen_pid=""
pid_vars+=(listen_pid)
# in_order TEXT...: $out has the TEXTs in this order.
in_order() {
  python3 - "$out" "$@" <<'PY'
import sys
out, texts = sys.argv[1], sys.argv[2:]
pos = [out.find(t) for t in texts]
sys.exit(0 if all(p >= 0 for p in pos) and pos == sorted(pos) else 1)
PY
}
# from_me_list: the history --json's messages as "from_me:text" lines.
from_me_list() {
  python3 - "$out" <<'PY'
import json, sys
for m in json.loads(sys.argv[1])["messages"]:
    print(("true" if m["from_me"] else "false") + ":" + m["text"])
PY
}

# Random markers: the plaintext of the messages, to look for in the history files.
m1="Bonjour-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
m2="Merci-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
m3="Direct-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
m4="Deux-fois-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

# --- Accounts: administrator, practitioner, patient (as in messaging_e2e_test.sh). ---
setup_clinic
setup_patient
hip "" devices register --profile "$PT" --json
pat_dev=$(jget device_id <<<"$out")
check "the practitioner and the patient are set up" eval '[[ $rc -eq 0 && ${#pat_dev} -eq 32 ]]'

hip "" history "$prac_email" --profile "$PT"
check "history before any message: none yet" \
  eval '[[ $rc -eq 0 ]] && out_has "No messages with"'

# --- A conversation: inbox one way, inbox the other, listen. ---
hip "" send "$pat_email" "$m1" --profile "$PP"
check "the practitioner sends" test "$rc" -eq 0
hip "" inbox --profile "$PT"
check "the patient reads it with inbox" out_has "$m1"
hip "" send "$prac_email" "$m2" --profile "$PT"
hip "" inbox --profile "$PP"
check "the practitioner reads the answer with inbox" out_has "$m2"
timeout 40 "$bin" listen --count 1 --timeout 30 --profile "$PT" >"$work/listen.out" 2>"$work/listen.err" &
listen_pid=$!
wait_for 15 grep -qs "Listening" "$work/listen.err" || true
hip "" send "$pat_email" "$m3" --profile "$PP"
set +e; wait "$listen_pid"; listen_rc=$?; set -e; listen_pid=""
check "the patient receives the third with listen" \
  eval '[[ $listen_rc -eq 0 ]] && grep -q "$m3" "$work/listen.out"'
check "the server deleted every envelope (acknowledged)" \
  test "$(sql "select count(*) from mailbox")" -eq 0

# --- The history, after the server deleted the envelopes. ---
hip "" history "$prac_email" --profile "$PT"
check "the patient's history: both directions, oldest first" \
  eval '[[ $rc -eq 0 ]] && in_order "$m1" "$m2" "$m3"'
check "... the sender named, the own messages as You, the time with its zone" \
  eval 'out_has "Dr Jeanne Bernard <$prac_email>" && grep -qE "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} [A-Z+0-9-]+  You$" <<<"$out"'
hip "" history "$pat_email" --profile "$PP" --json
expected=$(printf 'true:%s\nfalse:%s\ntrue:%s' "$m1" "$m2" "$m3")
check "the practitioner's history (--json): sent, received, sent, in order" \
  eval '[[ "$(from_me_list)" == "$expected" ]]'
hip "" history "$prac_email" --profile "$PT" --limit 2
check "--limit 2: the last two only" \
  eval 'in_order "$m2" "$m3" && ! out_has "$m1"'
hip "" conversations --profile "$PT"
check "the patient's conversations list the practitioner, 3 messages, the last one's preview" \
  eval '[[ $rc -eq 0 ]] && out_has "Dr Jeanne Bernard" && out_has "$prac_email" && grep -qE " 3  .*$m3" <<<"$out"'
hip "" conversations --profile "$PP" --json
check "the practitioner's conversations (--json) list the patient" \
  eval 'out_has "\"email\":\"$pat_email\"" && out_has "\"messages\":3"'

# --- At rest. ---
check "the history files are 0600" \
  eval '[[ $(stat -c %a "$PT/history") == 600 && $(stat -c %a "$PP/history") == 600 ]]'
check "the history files hold none of the texts" \
  eval '! grep -qaF -e "$m1" -e "$m2" -e "$m3" "$PT/history" "$PP/history"'

# --- A message delivered twice (a lost ack) is kept once. ---
hip "" send "$pat_email" "$m4" --profile "$PP" --json
dup_id=$(jget message_id <<<"$out" || true)
sql "create table keep_envelope as select * from mailbox where device_id = '$pat_dev' and message_id = '$dup_id'"
hip "" inbox --profile "$PT"
sql "insert into mailbox select * from keep_envelope"
check "the server holds the same envelope again" \
  test "$(sql "select count(*) from mailbox where device_id = '$pat_dev'")" -eq 1
hip "" inbox --profile "$PT"
check "inbox acknowledges the copy" \
  test "$(sql "select count(*) from mailbox where device_id = '$pat_dev'")" -eq 0
hip "" history "$prac_email" --profile "$PT" --json
check "the message delivered twice is in the history once" \
  eval '[[ $(grep -o "$m4" <<<"$out" | wc -l) -eq 1 && $(grep -o "\"message_id\":\"$dup_id\"" <<<"$out" | wc -l) -eq 1 ]]'

# --- A damaged history is refused, never reset. ---
cp "$PT/history" "$work/history.good"
python3 - "$PT/history" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[20] ^= 0x01  # inside the first record's ciphertext
open(p, "wb").write(bytes(b))
PY
hip "" history "$prac_email" --profile "$PT" --json
check "a flipped byte: history_corrupt" failed_with history_corrupt
check "... and the file is left as it was (not reset)" \
  eval '! cmp -s "$PT/history" "$work/history.good" && [[ $(stat -c %s "$PT/history") == $(stat -c %s "$work/history.good") ]]'
cp "$work/history.good" "$PT/history"
hip "" history "$prac_email" --profile "$PT"
check "restored, it reads again" eval '[[ $rc -eq 0 ]] && in_order "$m1" "$m2" "$m3" "$m4"'

# --- The care relationship ends: the history with the former practitioner stays readable. ---
hip "" practitioners --profile "$PT" --json
care_id=$(grep -oE '"id":"[0-9a-f]{32}","status":"active"' <<<"$out" | head -1 | cut -d'"' -f4)
hip "" care end "$care_id" --profile "$PT"
check "the patient ends the care relationship" test "$rc" -eq 0
hip "" history "$prac_email" --profile "$PT"
check "the history with a former practitioner is still shown" \
  eval '[[ $rc -eq 0 ]] && in_order "$m1" "$m2" "$m3" "$m4"'

stop_server
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
