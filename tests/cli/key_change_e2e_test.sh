#!/usr/bin/env bash
# End-to-end test of key changes and of ended care relationships as people meet them,
# against a real `hippocrate serve` on a free loopback port (docs/cli.md "Messaging",
# docs/protocol.md §2.2, docs/messaging.md "Devices"):
#   - issue 25.4: the operator (who can write the server's database) replaces a patient's
#     devices and account key; the practitioner, who never verified the patient, is refused
#     sending (key_change_unacknowledged, exit 1) at every send, warned at every inbox, and
#     nothing reaches the new device, until `trust` accepts the key. A new device under the
#     same account key (pairing) blocks nothing; the account's other devices are told,
#     once, of each device added or removed. The first exchange with an unverified contact
#     says how to verify them, once.
#   - issue 22.7: messages sent before the care relationship ended are read after it, both
#     ways; a sender that cannot be verified is never called tampering and its message stays
#     on the server (inbox exit 1); an altered message makes inbox exit 1.
# Every wait is bounded; passwords come from --password-stdin.
#   key_change_e2e_test.sh PATH_TO_HIPPOCRATE
#   KEY_CHANGE_E2E_TRACE=/tmp/trace.txt key_change_e2e_test.sh ...   (keeps every output)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need oathtool sqlite3 curl

PT2="$work/profiles/patient-laptop"
PT4="$work/profiles/patient-tablet"
PT3="$work/profiles/patient-impostor"
mailbox_of() { sql "select count(*) from mailbox where device_id = '$1'"; }

# --- Accounts: administrator, practitioner, patient (active care relationship). ---
setup_clinic
check "the practitioner is set up (second factor enrolled)" test "$rc" -eq 0
setup_patient
check "the patient is set up, in an active care relationship" test "$rc" -eq 0
hip "" devices register --profile "$PT" --json
pat_dev=$(jget device_id <<<"$out")
check "the patient registers a first device" eval '[[ $rc -eq 0 && ${#pat_dev} -eq 32 ]]'

# --- A first exchange with an unverified contact says how to verify them, once. ---
hip "" send "$pat_email" "Premier message" --profile "$PP"
check "the first send to an unverified contact succeeds and says how to verify them" \
  eval '[[ $rc -eq 0 ]] && err_has "is not verified" && err_has "hippocrate verify $pat_email"'
hip "" send "$pat_email" "Deuxième message" --profile "$PP"
check "... once: the second send says nothing more" eval '[[ $rc -eq 0 && -z $err ]]'
hip "" inbox --profile "$PT"
check "the patient reads both, and is told how to verify the practitioner" \
  eval '[[ $rc -eq 0 ]] && out_has "Premier message" && out_has "Deuxième message" &&
        err_has "is not verified" && err_has "hippocrate verify $prac_email"'
hip "" send "$prac_email" "Merci" --profile "$PT"
check "... once: the patient's answer says nothing more" eval '[[ $rc -eq 0 && -z $err ]]'
hip "" inbox --profile "$PP"
check "the practitioner reads the answer" out_has "Merci"

# --- A new device under the same account key (pairing) blocks nothing; the account's
#     other devices are told of each device added or removed, once. ---
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT2" --password-stdin
hip "" devices add --profile "$PT2" --json
pair_code=$(jget pairing_code <<<"$out")
pat_dev2=$(jget device_id <<<"$out")
hip "" devices approve "$pair_code" --profile "$PT" --json
account_key=$(jget account_key <<<"$out")
hip "" devices add --account-key="$account_key" --profile "$PT2" --json
check "the patient pairs a second device" eval '[[ $rc -eq 0 ]] && out_has "\"paired\":true"'
hip "" send "$pat_email" "Pour vos deux appareils" --profile "$PP" --json
check "a new device under the same account key blocks nothing (2 envelopes, no warning)" \
  eval '[[ $rc -eq 0 ]] && out_has "\"envelopes\":2" && ! err_has "WARNING"'
hip "" inbox --profile "$PT2"
check "the new device reads it, and is told of no device change (it knew them all)" \
  eval '[[ $rc -eq 0 ]] && out_has "Pour vos deux appareils" && ! err_has "DEVICE WAS ADDED"'
hip "" inbox --profile "$PT"
check "the approving device is told of no change either (it made it)" \
  eval '[[ $rc -eq 0 ]] && out_has "Pour vos deux appareils" && ! err_has "DEVICE WAS ADDED"'
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT4" --password-stdin
hip "" devices add --profile "$PT4" --json
tablet_code=$(jget pairing_code <<<"$out")
tablet_dev=$(jget device_id <<<"$out")
hip "" devices approve "$tablet_code" --profile "$PT" --json
check "the first device approves a third one" eval '[[ $rc -eq 0 && ${#tablet_dev} -eq 32 ]]'
hip "" inbox --profile "$PT2"
check "the second device is told a device was added to its account, naming it" \
  eval '[[ $rc -eq 0 ]] && err_has "A DEVICE WAS ADDED TO YOUR ACCOUNT: $tablet_dev"'
hip "" inbox --profile "$PT2"
check "... once: the next inbox says nothing of it" eval '[[ $rc -eq 0 ]] && ! err_has "$tablet_dev"'
hip "" devices revoke "$tablet_dev" --profile "$PT" --json
check "the first device revokes the third" test "$rc" -eq 0
hip "" send "$prac_email" "Depuis l'ordinateur" --profile "$PT2"
check "the second device's next send says the device was removed, naming it" \
  eval '[[ $rc -eq 0 ]] && err_has "the device $tablet_dev was removed from your account"'
hip "" inbox --profile "$PT2"
check "... once" eval '[[ $rc -eq 0 ]] && ! err_has "$tablet_dev"'
hip "" inbox --profile "$PP"
check "the practitioner reads the second device's message" out_has "Depuis l'ordinateur"

# --- The operator replaces the patient's devices and account key in the database, and
#     signs in a fresh profile to the patient's account (as whoever holds the server can).
#     The practitioner never verified the patient. ---
pat_sql_id="(select id from accounts where email = '$pat_email')"
sql "update devices set revoked_at = $(date +%s) where account_id = $pat_sql_id and revoked_at is null"
sql "delete from device_lists where account_id = $pat_sql_id"
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PT3" --password-stdin
hip "" devices register --profile "$PT3" --json
evil_dev=$(jget device_id <<<"$out")
check "the operator's device registers under a new account key" \
  eval '[[ $rc -eq 0 && ${#evil_dev} -eq 32 ]]'
messages_before=$(sql "select count(*) from messages")
hip "" send "$pat_email" "Vos résultats: confidentiel" --profile "$PP" --json
check "the send to the unverified patient whose account key changed is refused (exit 1)" \
  failed_with key_change_unacknowledged
check "... with a clear message on stderr: the key changed, nothing was sent, how to resolve" \
  eval 'err_has "HAS CHANGED" && err_has "NOT SENT" && err_has "hippocrate trust $pat_email"'
check "nothing was delivered to the new device, nothing stored" \
  eval '[[ $(mailbox_of "$evil_dev") -eq 0 && $(sql "select count(*) from messages") -eq $messages_before ]]'
hip "" send "$pat_email" "Deuxième essai" --profile "$PP" --json
check "the refusal repeats at the second send, with the warning" \
  eval 'failed_with key_change_unacknowledged && err_has "HAS CHANGED"'
check "... and still nothing was delivered" test "$(mailbox_of "$evil_dev")" -eq 0
hip "" inbox --profile "$PP"
check "the warning repeats at inbox too" eval '[[ $rc -eq 0 ]] && err_has "HAS CHANGED"'
hip "" safety-number "$pat_email" --profile "$PP" --json
check "safety-number says the key changed" out_has '"key_changed":true'
hip "" trust "$pat_email" --profile "$PP"
check "trust accepts the new key explicitly, and says the contact is not verified" \
  eval '[[ $rc -eq 0 ]] && out_has "NOT verified"'
hip "" send "$pat_email" "Après acceptation" --profile "$PP"
check "after the explicit acceptance, sending works" test "$rc" -eq 0
hip "" inbox --profile "$PP"
check "... and the warning is gone" eval '[[ $rc -eq 0 ]] && ! err_has "HAS CHANGED"'
hip "" inbox --profile "$PT3"
check "the new device receives what was sent after the acceptance only" \
  eval 'out_has "Après acceptation" && ! out_has "confidentiel" && ! out_has "Deuxième essai"'

# --- A sender that cannot be verified is not called tampering, and its message stays. ---
prac_sql_id="(select id from accounts where email = '$prac_email')"
hip "" send "$pat_email" "Expéditeur à vérifier" --profile "$PP"
sql "create table keep_list as select * from device_lists where account_id = $prac_sql_id"
sql "delete from device_lists where account_id = $prac_sql_id"
hip "" inbox --profile "$PT3"
check "a sender whose device list cannot be read: not shown, inbox exits 1" \
  eval '[[ $rc -eq 1 ]] && ! out_has "Expéditeur à vérifier" && err_has "could not be verified now"'
check "... never called altered, and the message stays on the server" \
  eval '! err_has "altered" && [[ $(mailbox_of "$evil_dev") -eq 1 ]]'
sql "insert into device_lists select * from keep_list"
sql "drop table keep_list"
hip "" inbox --profile "$PT3"
check "once the sender can be verified, the message is read" \
  eval '[[ $rc -eq 0 ]] && out_has "Expéditeur à vérifier"'

# --- An altered message is reported and makes inbox exit 1. ---
hip "" send "$pat_email" "Ce message sera altéré" --profile "$PP"
hex=$(sql "select hex(ciphertext) from mailbox where device_id = '$evil_dev'")
last=${hex: -2}
sql "update mailbox set ciphertext = x'${hex:0:${#hex}-2}$(printf '%02X' $(( 0x$last ^ 0xff )))' where device_id = '$evil_dev'"
hip "" inbox --profile "$PT3"
check "an altered message is reported as not decrypted, and inbox exits 1" \
  eval '[[ $rc -eq 1 ]] && err_has "could NOT be decrypted" && err_has "could not be read" && ! out_has "altéré"'
refused_as() { sql "select count(*) from undelivered_notices where reason = '$1'"; }
check "... refused, not acknowledged: gone from that device's mailbox, a notice for the sender" \
  eval '[[ $(mailbox_of "$evil_dev") -eq 0 && $(refused_as undecryptable) -ge 1 ]] &&
        [[ $(sql "select count(*) from audit_log where action = '"'message.refuse'"' and detail like '"'count=1,reason=undecryptable,%'"'") -eq 1 ]]'
hip "" inbox --profile "$PP"
check "the sender learns that the patient's device could not read it" \
  eval '[[ $rc -eq 0 ]] && err_has "could not be read on 1 of their device: it failed to decrypt there"'
check "... once: the notices are acknowledged" test "$(refused_as undecryptable)" -eq 0
# The same through listen (the backlog of the socket): refused over HTTPS, the sender told.
hip "" send "$pat_email" "Celui-ci aussi sera altéré" --profile "$PP"
hex=$(sql "select hex(ciphertext) from mailbox where device_id = '$evil_dev'")
last=${hex: -2}
sql "update mailbox set ciphertext = x'${hex:0:${#hex}-2}$(printf '%02X' $(( 0x$last ^ 0xff )))' where device_id = '$evil_dev'"
hip "" listen --timeout 3 --profile "$PT3"
check "listen reports an altered message and exits 1 (messages_unreadable)" \
  eval '[[ $rc -eq 1 ]] && err_has "1 message could not be read" && err_has "could NOT be decrypted" && ! out_has "altéré"'
check "... and refuses it: the sender's devices have a notice" \
  eval '[[ $(mailbox_of "$evil_dev") -eq 0 && $(refused_as undecryptable) -ge 1 ]]'
hip "" inbox --profile "$PP" --json
check "inbox --json gives the sender the notice with its reason" \
  eval '[[ $rc -eq 0 ]] && out_has "\"reason\":\"undecryptable\"" && out_has "\"devices\":1"'

# --- Ending the care relationship does not destroy the messages already sent. ---
hip "" send "$pat_email" "Envoyé avant la fin des soins" --profile "$PP"
check "the practitioner writes while the relationship is active" test "$rc" -eq 0
hip "" send "$prac_email" "Réponse avant la fin" --profile "$PT3"
check "the patient writes too" test "$rc" -eq 0
hip "" practitioners --profile "$PT3" --json
care_id=$(grep -oE '"id":"[0-9a-f]{32}","status":"active"' <<<"$out" | head -1 | cut -d'"' -f4)
hip "" care end "$care_id" --profile "$PT3"
check "the patient ends the care relationship" test "$rc" -eq 0
hip "" inbox --profile "$PT3"
check "the patient's inbox shows the practitioner's message sent before the end, by name" \
  eval '[[ $rc -eq 0 ]] && out_has "Envoyé avant la fin des soins" && ! err_has "could NOT" &&
        out_has "From: Dr Jeanne Bernard <$prac_email>"'
hip "" inbox --profile "$PP"
check "the practitioner's inbox shows the patient's message sent before the end, by name" \
  eval '[[ $rc -eq 0 ]] && out_has "Réponse avant la fin" && ! err_has "could NOT" &&
        out_has "From: Camille Martin <$pat_email>"'
check "each reading of the other's device list after the end is audited as the exception" \
  test "$(sql "select count(*) from audit_log where action = 'device.list' and result = 'allowed' and detail = 'reason=pending_messages,policy=no_active_care_relationship'")" -eq 2
hip "" send "$pat_email" "Après la fin" --profile "$PP" --json
check "a new message after the end is refused (contact_not_permitted)" \
  failed_with contact_not_permitted

stop_server
hip "" admin audit verify --data-dir "$data"
check "the audit log is intact" test "$rc" -eq 0

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
