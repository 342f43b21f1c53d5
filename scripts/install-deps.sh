#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and running
# Hippocrate needs. Idempotent: installs only what is missing, and refreshes the package
# index only when something must be installed.
#
#   scripts/install-deps.sh           # build + run + tests
#   scripts/install-deps.sh --bench   # also wrk, nginx, prosody and ejabberd for `make bench`
#
# The WebAssembly tests (`make test-wasm`, part of `make test`) need Emscripten and libsodium's
# source package: when `apt-get source libsodium` cannot work, a deb-src entry mirroring the
# Debian archives already configured is added (/etc/apt/sources.list.d/hippocrate-deb-src.list).
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ clang-14 cmake ninja-build ccache pkg-config
  # lint (scripts/lint.sh)
  clang-format-14 clang-tidy-14
  # libraries
  libboost1.81-dev libboost-json1.81-dev libssl-dev libsodium-dev libsqlite3-dev
  libcli11-dev libtomlplusplus-dev libqrencode-dev libzxcvbn-dev libpq-dev libjemalloc-dev
  # tests
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  sqlite3 openssl curl oathtool python3 libclang-rt-14-dev
  # the web app's browser test (tests/web): Debian's Chromium, driven by playwright-core
  # from npm (which downloads no browser). Node.js >= 20 with npm builds web/
  # (scripts/web-build.sh checks it; Debian 12's nodejs is 18)
  chromium
  # WebAssembly tests (scripts/wasm-test.sh): Emscripten, and what libsodium's source
  # package needs to be fetched (apt-get source: dpkg-dev) and configured (autogen.sh)
  emscripten dpkg-dev autoconf automake libtool make
)
if [[ "${1:-}" == "--bench" ]]; then
  packages+=(wrk nginx-light prosody ejabberd)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# libsodium's source package (for its wasm32 build) needs a deb-src entry. Only when
# `apt-get source` cannot find it: add one for each Debian archive the machine already uses
# (same URI, suite and component), unless a Debian deb-src entry exists and only the index
# is missing (then `apt-get update` suffices).
src_list=/etc/apt/sources.list.d/hippocrate-deb-src.list
need_src=0
if ! apt-cache showsrc -q libsodium >/dev/null 2>&1; then
  need_src=1
fi
if [[ ${#missing[@]} -eq 0 && $need_src -eq 0 ]]; then
  exit 0
fi

if [[ ${#missing[@]} -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}" >&2
else
  echo "install-deps: adding the source index for libsodium (apt-get source)" >&2
fi
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: need root to install packages. Run:" >&2
  if [[ ${#missing[@]} -gt 0 ]]; then
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  fi
  [[ $need_src -eq 0 ]] || echo "  sudo $0    # adds a deb-src entry for libsodium's source" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

debian_targets() {  # "URI SUITE COMPONENT" for each configured Debian archive of type $1
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
    'Origin: Debian' "Identifier: $1" 2>/dev/null | sort -u
}
"${sudo[@]}" apt-get update -qq
if [[ $need_src -eq 1 && ! -e $src_list && -z $(debian_targets Sources) ]]; then
  entries=$(debian_targets Packages)
  if [[ -z $entries ]]; then
    echo "install-deps: no Debian archive configured in /etc/apt/sources.list*;" \
         "cannot add a deb-src entry for libsodium" >&2
    exit 1
  fi
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  opts=""
  [[ -r $keyring ]] && opts="[signed-by=$keyring] "
  echo "install-deps: adding $src_list (deb-src for the Debian archives in use)" >&2
  {
    echo "# Added by Hippocrate's scripts/install-deps.sh: libsodium's source for the wasm build."
    while read -r uri suite component; do
      echo "deb-src ${opts}${uri} ${suite} ${component}"
    done <<<"$entries"
  } | "${sudo[@]}" tee "$src_list" >/dev/null
  "${sudo[@]}" apt-get update -qq
fi
if [[ ${#missing[@]} -gt 0 ]]; then
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
