#!/usr/bin/env bash
# Checks that scripts/wasm-libsodium.sh (emcc straight from a generated build.ninja) builds
# the same libsodium as libsodium's own autotools build under Emscripten: builds both in
# BUILD_DIR (libsodium/ and libsodium-autotools/), then compares libsodium.a byte for byte
# (member by member when they differ) and the installed headers. Run it after a change of
# Debian's libsodium or Emscripten, or of the flags in wasm-libsodium.sh.
#
#   scripts/wasm-libsodium-compare.sh [BUILD_DIR]     # default build/wasm
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/wasm}
mkdir -p "$build"
build=$(cd "$build" && pwd)
"$root/scripts/wasm-libsodium.sh" "$build"
"$root/scripts/wasm-libsodium.sh" --autotools "$build"
# shellcheck source=scripts/wasm-env.sh
. "$root/scripts/wasm-env.sh"
hippocrate_wasm_env "$build"

direct=$build/libsodium/install
autotools=$build/libsodium-autotools/install
status=0
if ! diff -r "$direct/include" "$autotools/include"; then
  echo "wasm: the installed headers differ" >&2
  status=1
fi
if cmp -s "$direct/lib/libsodium.a" "$autotools/lib/libsodium.a"; then
  echo "wasm: libsodium.a identical ($(emar t "$direct/lib/libsodium.a" | wc -l) objects)"
else
  echo "wasm: libsodium.a differs from the autotools build:" >&2
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  mkdir "$work/direct" "$work/autotools"
  (cd "$work/direct" && emar x "$direct/lib/libsodium.a")
  (cd "$work/autotools" && emar x "$autotools/lib/libsodium.a")
  diff -r "$work/direct" "$work/autotools" >&2 || true
  diff <(emar t "$direct/lib/libsodium.a") <(emar t "$autotools/lib/libsodium.a") >&2 || true
  status=1
fi
exit "$status"
