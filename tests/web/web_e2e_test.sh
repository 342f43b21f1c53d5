#!/usr/bin/env bash
# The web app in a real browser (issue 16): Debian's Chromium, headless, driven by
# playwright-core (web/node_modules) against a real `hippocrate serve` on a free loopback
# port with a fresh data folder, serving web/dist. The administrator is bootstrapped
# offline, joins and enrols TOTP with the CLI (as tests/cli do); the browser part is
# tests/web/web_test.mjs. Run by `make test` (after the C++ tests) and `make test-web`.
#   web_e2e_test.sh PATH_TO_HIPPOCRATE
# Screenshots: build/web-test/screenshots/ (1280 and 360 px wide, each page).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
source "$repo/tests/cli/e2e_lib.sh" "$1"
need oathtool openssl node
chromium=${CHROMIUM:-/usr/bin/chromium}
[[ -x $chromium ]] || { echo "FAIL - $chromium is needed (scripts/install-deps.sh installs chromium)"; exit 1; }
[[ -f "$repo/web/dist/index.html" ]] || { echo "FAIL - web/dist is not built (scripts/web-build.sh)"; exit 1; }
[[ -d "$repo/web/node_modules/playwright-core" ]] || { echo "FAIL - web/node_modules is missing (scripts/web-build.sh)"; exit 1; }

export HIPPOCRATE_WEB_ROOT="$repo/web/dist"
hip "" admin bootstrap --data-dir "$data" --org "Clinique du Parc" --email "$admin_email" --json
boot_token=$(jget token <<<"$out")
start_server
await_server
sign_up "$boot_token" "$admin_email" "$admin_pw" "Alice Admin" "$PA"
check "the administrator joined with the CLI" test "$rc" -eq 0
# TOTP enrolment (mandatory for staff) with a code from oathtool; its recovery codes kept.
hip "" mfa enroll --profile "$PA" --json
totp_secret=$(jget secret <<<"$out")
hip "" mfa confirm "$(oathtool --totp --base32 "$totp_secret")" --profile "$PA" --json
enrol_step=$(( $(date +%s) / 30 ))
check "the administrator enrolled TOTP with the CLI" test "$rc" -eq 0
recovery_code=$(grep -oE '"recovery_codes":\["[^"]+' <<<"$out" | sed -E 's/.*\["//')
check "mfa confirm gave recovery codes" test -n "$recovery_code"

# The browser trusts this server's certificate by its public key only (SPKI pin).
spki=$(openssl x509 -in "$ca" -pubkey -noout | openssl pkey -pubin -outform der |
         openssl dgst -sha256 -binary | base64)

set +e
WEB_URL="$url" WEB_CA="$ca" WEB_SPKI="$spki" WEB_CHROMIUM="$chromium" \
  WEB_EMAIL="$admin_email" WEB_PASSWORD="$admin_pw" WEB_NAME="Alice Admin" \
  WEB_TOTP_SECRET="$totp_secret" WEB_ENROL_STEP="$enrol_step" WEB_RECOVERY_CODE="$recovery_code" \
  WEB_SCREENSHOTS="${WEB_SCREENSHOTS:-$repo/build/web-test/screenshots}" \
  timeout 300 node "$here/web_test.mjs"
node_rc=$?
set -e
stop_server
out="" err="" rc=$node_rc
check "the browser scenario passed (web_test.mjs exit $node_rc)" test "$node_rc" -eq 0
echo "web_e2e_test: $passed passed, $failed failed"
(( failed == 0 ))
