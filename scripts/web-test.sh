#!/usr/bin/env bash
# The web app's browser test, as `make test` runs it after the C++ tests:
#   scripts/web-test.sh PATH_TO_HIPPOCRATE
# builds web/dist (scripts/web-build.sh: npm ci only when needed), then runs
# tests/web/web_e2e_test.sh against that binary, and says how long the web part took.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:?usage: scripts/web-test.sh PATH_TO_HIPPOCRATE}
start=$(date +%s%N)
"$root/scripts/web-build.sh"
built=$(date +%s%N)
status=0
"$root/tests/web/web_e2e_test.sh" "$bin" || status=$?
end=$(date +%s%N)
ms() { echo "$(( ($1) / 1000000 ))"; }
printf 'web-test: %s ms in all (build %s ms, browser test %s ms); screenshots in build/web-test/screenshots\n' \
  "$(ms "end - start")" "$(ms "built - start")" "$(ms "end - built")"
exit "$status"
