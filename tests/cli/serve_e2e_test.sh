#!/usr/bin/env bash
# End-to-end test of `hippocrate serve` as a user runs it, checked with independent tools:
# curl (HTTPS, headers, errors), openssl s_client (TLS versions and suites), the file
# modes of the generated key and database, the config error messages, one server per data
# folder, SIGHUP (certificate reload, access log reopen), a world-readable key refused, the
# documented backup command, SIGTERM shutdown.
#   serve_e2e_test.sh PATH_TO_HIPPOCRATE
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/e2e_lib.sh" "$1"
need curl openssl sqlite3

# --version and --help
check "--version prints the version" bash -c "'$bin' --version | grep -qE '^hippocrate [0-9]+\.[0-9]+\.[0-9]+$'"
check "--help lists serve" bash -c "'$bin' --help | grep -q serve"

# Configuration errors stop start-up with exit code 2 and name the key.
set +e
out=$("$bin" serve --listen nonsense --data-dir "$work/bad" 2>&1); code=$?
set -e
check "bad --listen exits 2" test "$code" -eq 2
check "bad --listen names the key and the flag" bash -c "grep -q 'server.listen (from --listen)' <<<'$out'"
printf '[server]\nmax_body_bytes = "lots"\n' > bad.toml
set +e
out=$("$bin" serve --config bad.toml 2>&1); code=$?
set -e
check "bad config file exits 2" test "$code" -eq 2
check "bad config file names the key" bash -c "grep -q 'server.max_body_bytes' <<<'$out'"
set +e
out=$(HIPPOCRATE_SERVER_THREADS=many "$bin" serve --data-dir "$work/bad" 2>&1); code=$?
set -e
check "bad environment variable exits 2 and is named" bash -c "[[ $code -eq 2 ]] && grep -q HIPPOCRATE_SERVER_THREADS <<<'$out'"
check "no data written after a configuration error" test ! -e "$work/bad"

# The web app's files: a small build output of our own (web.root), so that what is served
# does not depend on whether web/ was built in this tree.
webroot="$work/web"
mkdir -p "$webroot/assets"
printf '<!doctype html><title>Hippocrate</title>\n' >"$webroot/index.html"
head -c 4000 /dev/urandom | base64 >"$webroot/assets/app-Ab1_-x9Z.js"
gzip -9 -n -k "$webroot/assets/app-Ab1_-x9Z.js"
printf 'not served\n' >"$webroot/.secret"
export HIPPOCRATE_WEB_ROOT="$webroot"

# Start on a free port (port 0); the banner tells the real one.
log="$work/access.log"
start_server
await_server

check "banner shows how to reach it with curl" grep -q "curl --cacert" "$work/serve.err"
# Field 41 of /proc/PID/task/TID/stat is the policy (5 = SCHED_IDLE): the database writer,
# and only it, gives way to the network threads (docs/storage.md, "Writer scheduling").
check "the database writer thread alone runs SCHED_IDLE" \
  bash -c "[[ \$(sed 's/^.*) //' /proc/$pid/task/*/stat | awk '\$39 == 5' | wc -l) == 1 ]]"
check "healthz answers 200 over verified TLS" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$ca' '$url/healthz') == 200 ]]"
check "healthz body" bash -c "[[ \$(curl -s --cacert '$ca' '$url/healthz') == '{\"status\":\"ok\",\"database\":\"ok\"}' ]]"
headers=$(curl -s -D - -o /dev/null --cacert "$ca" "$url/api/v1/version")
check "HSTS header" grep -qi '^strict-transport-security: max-age=31536000; includeSubDomains' <<<"$headers"
check "nosniff header" grep -qi '^x-content-type-options: nosniff' <<<"$headers"
check "no-referrer header" grep -qi '^referrer-policy: no-referrer' <<<"$headers"
check "CSP header" grep -qi "^content-security-policy: default-src 'none'; frame-ancestors 'none'" <<<"$headers"
check "no-store header" grep -qi '^cache-control: no-store' <<<"$headers"
check "unknown API route is a JSON 404" \
  bash -c "[[ \$(curl -s --cacert '$ca' '$url/api/v1/nope') == '{\"error\":{\"code\":\"not_found\",\"message\":\"no such resource\"}}' ]]"
check "an unknown file outside the API is a JSON 404 too" \
  bash -c "[[ \$(curl -s --cacert '$ca' '$url/nope.php') == '{\"error\":{\"code\":\"not_found\",\"message\":\"no such resource\"}}' ]]"

# The web app (docs/web.md).
check "the banner says where the web app comes from" grep -q "Web app: 2 files from $webroot" "$work/serve.err"
app_headers=$(curl -s -D - -o "$work/index.out" --cacert "$ca" "$url/")
check "/ is the app's index.html, never cached" \
  eval 'grep -q "<title>Hippocrate</title>" "$work/index.out" && grep -qi "^cache-control: no-store" <<<"$app_headers" && grep -qi "^content-type: text/html; charset=utf-8" <<<"$app_headers"'
check "the app's CSP: scripts from itself and WebAssembly, no inline, trusted types" \
  eval "grep -qi \"^content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';.*object-src 'none'; base-uri 'none';.*frame-ancestors 'none'; require-trusted-types-for 'script'\" <<<\"\$app_headers\""
check "the app is isolated from other windows (COOP) and asks for camera and microphone for itself only" \
  eval 'grep -qi "^cross-origin-opener-policy: same-origin" <<<"$app_headers" && grep -qi "^permissions-policy: camera=(self), microphone=(self), display-capture=()" <<<"$app_headers"'
check "a client-side route is the app too" \
  bash -c "curl -s --cacert '$ca' '$url/patients/abc/access-log' | grep -q '<title>Hippocrate</title>'"
asset_headers=$(curl -s -D - -o "$work/asset.gz" -H 'Accept-Encoding: gzip' --cacert "$ca" "$url/assets/app-Ab1_-x9Z.js")
check "a hashed asset is immutable and comes gzip-compressed when accepted" \
  eval 'grep -qi "^cache-control: public, max-age=31536000, immutable" <<<"$asset_headers" && grep -qi "^content-encoding: gzip" <<<"$asset_headers" && grep -qi "^vary: Accept-Encoding" <<<"$asset_headers" && gzip -dc "$work/asset.gz" | cmp -s - "$webroot/assets/app-Ab1_-x9Z.js"'
check "... and plain when not" \
  bash -c "curl -s --cacert '$ca' -H 'Accept-Encoding: identity' '$url/assets/app-Ab1_-x9Z.js' | cmp -s - '$webroot/assets/app-Ab1_-x9Z.js'"
check "no path climbs out of the app's folder, and dot files are not served" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --path-as-is --cacert '$ca' '$url/assets/../../../etc/passwd') == 404 && \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$ca' '$url/.secret') == 404 ]]"
check "wrong method is 405" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' -X POST --cacert '$ca' '$url/healthz') == 405 ]]"
check "oversized body is 413" \
  bash -c "head -c 2000000 /dev/zero | curl -s -o /dev/null -w '%{http_code}' --cacert '$ca' -H 'content-type: application/json' --data-binary @- '$url/healthz' | grep -q 413"
check "oversized headers are 431" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$ca' -H \"x-big: \$(head -c 40000 /dev/zero | tr '\\0' a)\" '$url/healthz') == 431 ]]"
check "plain HTTP is refused" bash -c "! curl -s --max-time 5 'http://127.0.0.1:$port/healthz' >/dev/null 2>&1"
check "a client that does not trust the certificate is refused" \
  bash -c "! curl -s --max-time 5 '$url/healthz' >/dev/null 2>&1"

# TLS policy, seen by openssl s_client.
tls() { timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$ca" "$@" </dev/null 2>&1; }
check "TLS 1.3 accepted" bash -c "$(declare -f tls); port=$port ca='$ca'; tls -tls1_3 | grep -qE 'TLSv1\.3, Cipher is TLS_(AES_128_GCM|AES_256_GCM|CHACHA20_POLY1305)'"
check "TLS 1.2 with ECDHE-AEAD accepted" bash -c "$(declare -f tls); port=$port ca='$ca'; tls -tls1_2 | grep -qE 'TLSv1\.2, Cipher is ECDHE-ECDSA-(AES128-GCM|AES256-GCM|CHACHA20)'"
check "TLS 1.1 refused" bash -c "$(declare -f tls); port=$port ca='$ca'; ! tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' | grep -q 'Cipher is ECDHE'"
check "TLS 1.1 handshake fails" bash -c "$(declare -f tls); port=$port ca='$ca'; tls -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' | grep -qE 'Cipher is \(NONE\)|no protocols available|alert'"
check "TLS 1.2 CBC suite refused" bash -c "$(declare -f tls); port=$port ca='$ca'; ! tls -tls1_2 -cipher 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA' | grep -q 'Cipher is ECDHE'"
check "no session resumption: nothing to resume is offered, and a saved session is not reused (TLS 1.3, 1.2)" bash -c "$(declare -f tls); port=$port ca='$ca'; d=\$(mktemp -d); trap 'rm -rf \$d' EXIT; for v in -tls1_3 -tls1_2; do tls \$v -sess_out \$d/s | grep -q '^New, TLSv1' || exit 1; if [[ -s \$d/s ]]; then tls \$v -sess_in \$d/s | grep -q '^New, TLSv1' || exit 1; fi; rm -f \$d/s; done"
check "TLS 1.2 RSA key exchange refused" bash -c "$(declare -f tls); port=$port ca='$ca'; ! tls -tls1_2 -cipher 'AES128-GCM-SHA256' | grep -q 'Cipher is AES'"

# Files in the data folder.
check "private key is 0600" test "$(stat -c %a "$work/var/tls/key.pem")" = 600
check "data folder is 0700" test "$(stat -c %a "$work/var")" = 700
check "database is 0600" test "$(stat -c %a "$work/var/hippocrate.db")" = 600
check "schema version recorded" bash -c "[[ \$(sqlite3 '$work/var/hippocrate.db' 'select max(version) from schema_migrations') -ge 1 ]]"

# Access log: JSON lines, route templates, no secrets.
curl -s -o /dev/null --cacert "$ca" -H 'Authorization: Bearer TOPSECRETTOKEN' "$url/healthz?key=QUERYSECRET"
sleep 0.2
check "access log is JSON lines with the route" grep -q '"route":"/healthz"' "$work/access.log"
check "access log holds no token or query" bash -c "! grep -qE 'TOPSECRETTOKEN|QUERYSECRET' '$work/access.log'"

# One server per data folder: a second one on the same folder stops at once, naming the
# folder and the first one's pid.
set +e
out=$(timeout 20 "$bin" serve --listen 127.0.0.1:0 --data-dir "$work/var" 2>&1); code=$?
set -e
check "a second server on the same data folder exits 1" test "$code" -eq 1
check "it names the folder and the pid of the one running" \
  bash -c "grep -q 'data folder $work/var is in use' <<<'$out' && grep -q 'pid $pid' <<<'$out'"
check "the first one still serves" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$ca' '$url/healthz') == 200 ]]"

# The documented backup command (docs/operations.md) writes a file only its owner can read.
(cd "$work" && umask 077 && sqlite3 var/hippocrate.db ".backup backup.db")
check "the documented backup is mode 0600" test "$(stat -c %a "$work/backup.db")" = 600
check "the backup holds the schema" \
  bash -c "[[ \$(sqlite3 '$work/backup.db' 'select max(version) from schema_migrations') -ge 1 ]]"

# SIGHUP: the server keeps serving, reloads the certificate for new connections and reopens
# the access log (rotation); a broken certificate is refused and the current one stays.
fingerprint_served() {
  timeout 10 openssl s_client -connect "127.0.0.1:$port" </dev/null 2>/dev/null |
    openssl x509 -noout -fingerprint -sha256
}
hups() { grep -c 'hippocrate: SIGHUP:' "$work/serve.err" || true; }
wait_hups() {  # wait_hups N: until N SIGHUP lines are printed (bounded)
  for _ in $(seq 1 100); do [[ $(hups) -ge $1 ]] && return 0; sleep 0.1; done; return 1
}
old_fp=$(fingerprint_served)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/new-key.pem" \
  -out "$work/new-cert.pem" -days 2 -subj /CN=renewed -addext "subjectAltName=IP:127.0.0.1" \
  2>/dev/null
new_fp=$(openssl x509 -in "$work/new-cert.pem" -noout -fingerprint -sha256)
install -m 600 "$work/new-key.pem" "$work/var/tls/key.pem"
cp "$work/new-cert.pem" "$work/var/tls/cert.pem"
mv "$work/access.log" "$work/access.log.1"
kill -HUP "$pid"
wait_hups 1 || true
check "SIGHUP: the server is still running" kill -0 "$pid"
check "SIGHUP: one line says what was reloaded" \
  grep -q "SIGHUP: reloaded the TLS certificate $work/var/tls/cert.pem for new connections; reopened the access log $work/access.log" "$work/serve.err"
check "SIGHUP: a new connection gets the new certificate" \
  bash -c "[[ '$(fingerprint_served)' == '$new_fp' && '$new_fp' != '$old_fp' ]]"
check "SIGHUP: it answers over the new certificate" \
  bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --cacert '$work/new-cert.pem' '$url/healthz') == 200 ]]"
sleep 0.2
check "SIGHUP: the access log was reopened (rotation)" grep -q '"route":"/healthz"' "$work/access.log"
echo "not a certificate" > "$work/var/tls/cert.pem"
kill -HUP "$pid"
wait_hups 2 || true
check "SIGHUP with a broken certificate: kept, and said so" \
  grep -q "SIGHUP: kept the current TLS certificate: cannot read the TLS certificate chain" "$work/serve.err"
check "SIGHUP with a broken certificate: the previous one is still served" \
  bash -c "[[ '$(fingerprint_served)' == '$new_fp' ]]"
cp "$work/new-cert.pem" "$work/var/tls/cert.pem"

# SIGTERM: clean stop, exit 0, port released.
kill -TERM "$pid"
set +e
wait "$pid"; code=$?
set -e
pid=""
check "SIGTERM stops with exit code 0" test "$code" -eq 0
check "stop is reported" grep -q "hippocrate: stopped" "$work/serve.err"
check "port released after stop" bash -c "! curl -s --max-time 2 --cacert '$ca' '$url/healthz' >/dev/null 2>&1"

# A second start reuses the certificate and database.
before=$(sha256sum "$work/var/tls/cert.pem")
"$bin" serve --listen 127.0.0.1:0 --data-dir "$work/var" >/dev/null 2>"$work/serve2.err" &
pid=$!
for _ in $(seq 1 100); do grep -q 'running at' "$work/serve2.err" && break; sleep 0.1; done
check "restart reuses the certificate" test "$before" = "$(sha256sum "$work/var/tls/cert.pem")"
kill -INT "$pid"; wait "$pid" || true; pid=""

# A TLS private key other users may read is refused at start-up, naming the file and the fix.
chmod 644 "$work/new-key.pem"
printf '[tls]\ncertificate = "%s"\nprivate_key = "%s"\n' "$work/new-cert.pem" "$work/new-key.pem" \
  > "$work/own-cert.toml"
set +e
out=$(timeout 20 "$bin" serve --config "$work/own-cert.toml" --listen 127.0.0.1:0 \
  --data-dir "$work/var" 2>&1); code=$?
set -e
check "a world-readable TLS key stops start-up (exit 1)" test "$code" -eq 1
check "the message names the key file and the chmod to run" \
  bash -c "grep -q 'chmod 600 $work/new-key.pem' <<<'$out'"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
