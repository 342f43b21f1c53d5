#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and running
# Hippocrate needs. Idempotent: installs only what is missing, and refreshes the package
# index only when something must be installed.
#
#   scripts/install-deps.sh           # build + run + tests
#   scripts/install-deps.sh --bench   # also wrk, nginx, prosody and ejabberd for `make bench`
set -euo pipefail

packages=(
  # toolchain
  build-essential g++ clang-14 cmake ninja-build ccache pkg-config
  # libraries
  libboost1.81-dev libboost-json1.81-dev libssl-dev libsodium-dev libsqlite3-dev
  libcli11-dev libtomlplusplus-dev libqrencode-dev libzxcvbn-dev libpq-dev libjemalloc-dev
  # tests
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  sqlite3 openssl curl oathtool python3 libclang-rt-14-dev
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
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
if [[ $(id -u) -eq 0 ]]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "install-deps: need root to install packages. Run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
