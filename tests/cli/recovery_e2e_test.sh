#!/usr/bin/env bash
# End-to-end test of the account key's recovery (issue 22.9; docs/cli.md "Recovery",
# docs/protocol.md §2.6) against a real `hippocrate serve` on a free loopback port: a
# practitioner and a patient message each other; the patient's first device showed a
# recovery key once at set-up; the patient loses every device (the profile is deleted); a
# new profile is told to `hippocrate restore`, refuses a mistyped key before any request and
# a wrong key with nothing changed, then restores with the right one: the practitioner's
# `send` goes through with no key-change block (the account key did not change), the
# patient reads it and answers, and both safety numbers are unchanged. The backup cannot be
# fetched with a session alone (curl with the bearer token: 403 step_up_required), and the
# recovery key is nowhere in the data folder or the server's output.
# Every wait is bounded; passwords come from --password-stdin.
#   recovery_e2e_test.sh PATH_TO_HIPPOCRATE
#   RECOVERY_E2E_TRACE=/tmp/trace.txt recovery_e2e_test.sh ...   (keeps every output)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need oathtool sqlite3 curl
# The recovery key a command showed on stderr (14 groups of 4 Crockford base32 symbols).
shown_key() { grep -oE '([0-9a-hjkmnp-tv-z]{4}-){13}[0-9a-hjkmnp-tv-z]{4}' <<<"$err" | head -1 || true; }

PT="$work/profiles/patient-phone"
PN="$work/profiles/patient-new-phone"
log="$work/access.log"

# --- A server, an administrator, a practitioner, a patient in a care relationship. ---
setup_clinic
setup_patient
check "the accounts are set up" test "$rc" -eq 0

# --- The first device shows its recovery key once. ---
hip "" devices register --profile "$PT" --json
pat_key=$(shown_key)
old_dev=$(jget device_id <<<"$out")
check "setting up the patient's first device shows a recovery key, once, with what to do with it" \
  eval '[[ $rc -eq 0 && ${#pat_key} -eq 69 ]] && err_has "Write it down and keep it safe" && err_has "if you lose all your devices"'
check "... and uploads the backup (version 1, 114 bytes, opaque)" \
  test "$(sql "select version || ':' || length(backup) from key_backups")" == "1:114"
hip "" devices --profile "$PT"
check "the recovery key is not shown again" test -z "$(shown_key)"
hip "" send "$pat_email" "Bonjour Camille, vos résultats sont arrivés." --profile "$PP"
prac_key=$(shown_key)
check "the practitioner's first send sets up its device and shows its own recovery key" \
  eval '[[ $rc -eq 0 && ${#prac_key} -eq 69 && "$prac_key" != "$pat_key" ]]'
hip "" inbox --profile "$PT"
check "the patient reads it" out_has "vos résultats sont arrivés"
hip "" send "$prac_email" "Merci docteur." --profile "$PT"
hip "" inbox --profile "$PP"
check "the practitioner reads the answer" out_has "Merci docteur."
hip "" safety-number "$pat_email" --profile "$PP" --json
sn_prac=$(jget safety_number <<<"$out")
hip "" safety-number "$prac_email" --profile "$PT" --json
sn_pat=$(jget safety_number <<<"$out")
check "both sides see the same 60-digit safety number" \
  eval '[[ ${#sn_prac} -ge 60 && "$sn_prac" == "$sn_pat" ]]'

# --- The backup is not handed out to a session alone. ---
login_json="{\"email\":\"$pat_email\",\"password\":\"$pat_pw\"}"
bearer=$(curl -s --cacert "$ca" -H 'Content-Type: application/json' -d "$login_json" \
  "$url/api/v1/sessions" | grep -oE '"token":"[^"]*"' | head -1 | sed -E 's/"token":"(.*)"/\1/')
out=$(curl -s -w ' %{http_code}' --cacert "$ca" -H "Authorization: Bearer $bearer" "$url/api/v1/me/key-backup")
check "GET /api/v1/me/key-backup with a bearer token and no step-up: 403 step_up_required" \
  eval '[[ ${#bearer} -gt 20 && "$out" == *" 403" ]] && out_has "\"step_up_required\""'

# --- Every device lost. ---
rm -rf "$PT"
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$PN" --password-stdin
hip "" inbox --profile "$PN" --json
check "a new profile cannot set itself up: it is told to pair, or to restore when all are lost" \
  eval 'failed_with device_not_paired && out_has "hippocrate restore"'
before_log=$(wc -l <"$log")
typo="${pat_key:0:5}$( [[ ${pat_key:5:1} == 0 ]] && echo 1 || echo 0 )${pat_key:6}"
hip "$typo"$'\n'"$pat_pw"$'\n' restore --recovery-key-stdin --password-stdin --profile "$PN" --json
check "a mistyped recovery key is refused before any request (its checksum)" \
  eval 'failed_with e2ee_recovery_key_invalid && out_has "typo" && [[ $(wc -l <"$log") -eq $before_log ]]'
state() { sql "select (select group_concat(d.id || ':' || coalesce(d.revoked_at, '-')) from devices d join accounts a on a.id = d.account_id where a.email = '$pat_email'), (select l.version from device_lists l join accounts a on a.id = l.account_id where a.email = '$pat_email')"; }
before_state=$(state)
hip "$prac_key"$'\n'"$pat_pw"$'\n' restore --recovery-key-stdin --password-stdin --profile "$PN" --json
check "a wrong recovery key (a valid one, of another account) is refused clearly, nothing changed" \
  eval 'failed_with e2ee_recovery_key_wrong && out_has "does not open" && out_has "nothing was changed" && [[ "$(state)" == "$before_state" && ! -e "$PN/keystore" ]]'
hip "$pat_key"$'\n'"$pat_pw"$'\n' restore --recovery-key-stdin --password-stdin --profile "$PN" --json
new_dev=$(jget device_id <<<"$out")
check "restore with the recovery key: this profile holds the account key again" \
  eval '[[ $rc -eq 0 && ${#new_dev} -eq 32 && "$new_dev" != "$old_dev" ]] && out_has "\"restored\":true" && out_has "$old_dev"'
check "... the lost device is revoked" \
  test -n "$(sql "select revoked_at from devices where id = '$old_dev' and revoked_at is not null")"
hip "$pat_key"$'\n'"$pat_pw"$'\n' restore --recovery-key-stdin --password-stdin --profile "$PN" --json
check "restore again on a device already set up is refused (already_set_up)" failed_with already_set_up

# --- Messaging goes on, under the same account key. ---
hip "" send "$pat_email" "Votre prochain rendez-vous est jeudi." --profile "$PP" --json
check "the practitioner's send goes through with no key-change block (the account key is the same)" \
  eval '[[ $rc -eq 0 ]] && ! err_has "HAS CHANGED" && ! out_has "key_change"'
hip "" inbox --profile "$PN"
check "the patient's new device reads it" out_has "Votre prochain rendez-vous est jeudi."
hip "" send "$prac_email" "Merci, à jeudi." --profile "$PN"
hip "" inbox --profile "$PP"
check "the practitioner reads the restored device's answer" \
  eval 'out_has "Merci, à jeudi." && ! grep -qi "changed" <<<"$out$err"'
hip "" safety-number "$pat_email" --profile "$PP" --json
check "the practitioner's safety number is unchanged, and no key change is recorded" \
  eval '[[ "$(jget safety_number <<<"$out")" == "$sn_prac" ]] && ! out_has "\"key_changed\":true"'
hip "" safety-number "$prac_email" --profile "$PN" --json
check "the patient's safety number is unchanged" test "$(jget safety_number <<<"$out")" == "$sn_pat"

# --- A new recovery key; the old one stops working. ---
hip "$pat_pw"$'\n' recovery-key show-new --password-stdin --profile "$PN" --json
new_key=$(shown_key)
check "recovery-key show-new shows a new key and stores backup version 2" \
  eval '[[ $rc -eq 0 && ${#new_key} -eq 69 && "$new_key" != "$pat_key" ]] && [[ "$(sql "select version from key_backups k join accounts a on a.id = k.account_id where a.email = '"'$pat_email'"'")" == 2 ]]'
hip "$pat_pw"$'\n' login "$pat_email" "${srv[@]}" --profile "$work/profiles/third" --password-stdin
hip "$pat_key"$'\n'"$pat_pw"$'\n' restore --recovery-key-stdin --password-stdin --profile "$work/profiles/third" --json
check "the old recovery key no longer opens the backup" failed_with e2ee_recovery_key_wrong

# --- The server never saw a recovery key. ---
stop_server
leaks=0
for k in "$pat_key" "$prac_key" "$new_key"; do
  for form in "$k" "${k//-/}"; do
    grep -rqaF -- "$form" "$data" "$log" "$work/serve.out" "$work/serve.err" && leaks=$((leaks + 1))
    sqlite3 "$data/hippocrate.db" .dump | grep -qaF -- "$form" && leaks=$((leaks + 1))
  done
done
check "no recovery key in the data folder, its SQL dump or the server's output" test "$leaks" -eq 0

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
