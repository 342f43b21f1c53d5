#!/usr/bin/env bash
# The WebAssembly tests: src/base (without its thread/scheduler files), src/crypto, src/e2ee,
# the client keystore and the client core (src/client without the HTTPS client) with their
# tests, compiled by Debian's Emscripten against libsodium built for wasm32, and run under
# Node by CTest in the wasm tree. `make test` runs it after the native tests (`make
# test-wasm` alone). A missing Emscripten is an error, not a skip.
#
#   scripts/wasm-test.sh [BUILD_DIR]    # default build/wasm; JOBS and CTEST_ARGS as in make
#
# BUILD_DIR holds everything: the CMake tree, libsodium (built once, scripts/wasm-libsodium.sh)
# and the Emscripten config (scripts/wasm-env.sh). Afterwards `ninja -C build/wasm` and
# `cd build/wasm && ctest` work by themselves; one binary directly:
#   node build/wasm/tests/e2ee/e2ee_test.js --gtest_filter='Session*'
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/wasm}
mkdir -p "$build"
build=$(cd "$build" && pwd)
jobs=${JOBS:-$(nproc)}
# shellcheck source=scripts/wasm-env.sh
. "$root/scripts/wasm-env.sh"
hippocrate_wasm_env "$build"

"$root/scripts/wasm-libsodium.sh" "$build"

# Release with -O2 and without NDEBUG: a small optimised binary that keeps the assertions
# (Result::value() on an error) that `make test`'s Debug build has.
cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake \
  -DHIPPOCRATE_WASM=ON -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE=-O2 \
  -DHIPPOCRATE_WASM_SODIUM_DIR="$build/libsodium/install" \
  -DHIPPOCRATE_EM_CONFIG="$EM_CONFIG" >/dev/null
ninja -C "$build" -j"$jobs"
# CTEST_ARGS is split as the shell of a Makefile recipe splits it (quotes respected).
eval "set -- ${CTEST_ARGS:-}"
(cd "$build" && ctest --output-on-failure -j"$jobs" "$@")

for wasm in "$build"/tests/*/*_test.wasm; do
  printf 'wasm: %-34s %8d bytes, %8d gzip -9\n' "${wasm#"$build"/}" \
    "$(stat -c %s "$wasm")" "$(gzip -9c "$wasm" | wc -c)"
done
