#!/usr/bin/env bash
# Builds libsodium for wasm32 (Emscripten) once per wasm build folder, from Debian's source
# package of the libsodium the native build uses (same version, Debian's patches applied).
#
#   scripts/wasm-libsodium.sh [BUILD_DIR]     # default build/wasm
#
# Result: BUILD_DIR/libsodium/install/{include,lib/libsodium.a}. BUILD_DIR/libsodium/stamp
# records what was built; while it matches, the script does nothing. About 6 minutes on
# 2 cores the first time, about 4 when ccache has the objects (configure, which ccache cannot
# speed up, is most of it). Needs a deb-src entry: scripts/install-deps.sh adds one if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/wasm}
mkdir -p "$build"
build=$(cd "$build" && pwd)
# shellcheck source=scripts/wasm-env.sh
. "$root/scripts/wasm-env.sh"
hippocrate_wasm_env "$build"

dir=$build/libsodium
prefix=$dir/install
stamp=$dir/stamp
# The source version the native build links (libsodium-dev); the newest one if unknown.
version=$(dpkg-query -W -f='${source:Version}' libsodium-dev 2>/dev/null || true)
configure_flags=(--disable-shared --without-pthreads --disable-ssp --disable-asm --disable-pie)
cflags="-O3"
wanted="libsodium ${version:-newest}; emcc $(emcc -dumpversion 2>/dev/null); CFLAGS=$cflags; ${configure_flags[*]}"
if [[ -f $stamp && $(cat "$stamp") == "$wanted" && -f $prefix/lib/libsodium.a ]]; then
  exit 0
fi

if ! apt-cache showsrc -q libsodium >/dev/null 2>&1; then
  echo "wasm: apt cannot find libsodium's source package (no deb-src entry)." >&2
  echo "wasm: run scripts/install-deps.sh (as root or with sudo): it adds one." >&2
  exit 1
fi
for tool in dpkg-source autoreconf libtoolize automake make; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "wasm: $tool is missing: run scripts/install-deps.sh" >&2
    exit 1
  fi
done

start=$(date +%s)
echo "wasm: building libsodium ${version:-(newest)} for wasm32 in $dir (once per build folder)" >&2
rm -rf "$dir"
mkdir -p "$dir/src"
(
  cd "$dir/src"
  # apt-get source downloads the .dsc and tarballs and unpacks them with Debian's patches.
  if ! { [[ -n $version ]] && apt-get source -qq "libsodium=$version" >/dev/null 2>&1; }; then
    apt-get source -qq libsodium >/dev/null
  fi
) 2> >(grep -v 'unsandboxed as root' >&2)
src=$(find "$dir/src" -mindepth 1 -maxdepth 1 -type d -name 'libsodium-*' | head -n 1)
if [[ -z $src ]]; then
  echo "wasm: apt-get source libsodium produced no source folder in $dir/src" >&2
  exit 1
fi
log=$dir/build.log
echo "wasm: libsodium log: $log" >&2
(
  cd "$src"
  # The tarball has no configure; autogen.sh must not download config.sub/config.guess.
  DO_NOT_UPDATE_CONFIG_SCRIPTS=1 ./autogen.sh
  emconfigure ./configure "${configure_flags[@]}" --prefix="$prefix" CFLAGS="$cflags"
  emmake make -j"$(nproc)"
  emmake make install
) >"$log" 2>&1 || {
  echo "wasm: the libsodium build failed; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
}
printf '%s\n' "$wanted" >"$stamp"
echo "wasm: libsodium built in $(( $(date +%s) - start ))s" >&2
