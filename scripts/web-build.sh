#!/usr/bin/env bash
# Builds the web app (web/) into web/dist, which `hippocrate serve` serves at / (docs/web.md).
#
#   scripts/web-build.sh                        # npm ci when needed, then npm run build
#   scripts/web-build.sh --check-reproducible   # builds twice from clean, compares the bytes
#
# `npm ci` (the exact packages of web/package-lock.json, nothing else) runs only when
# web/node_modules is missing or the lockfile changed since it last ran: a stamp in
# web/node_modules holds the lockfile's hash. `npm run build` is `tsc --noEmit` (strict
# types; a message missing from a catalogue fails here) then `vite build`. Nothing is
# fetched at build or run time but the npm packages the lockfile names, by `npm ci`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
web="$root/web"
cd "$web"

for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "web-build: $tool is needed (Node.js 20)" >&2; exit 1; }
done
node_major=$(node -p 'process.versions.node.split(".")[0]')
if (( node_major < 20 )); then
  echo "web-build: Node.js 20 or later is needed (found $(node --version))" >&2
  exit 1
fi

stamp=node_modules/.hippocrate-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -d node_modules || ! -f $stamp || "$(cat "$stamp")" != "$want" ]]; then
  echo "web-build: npm ci (web/package-lock.json)" >&2
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" >"$stamp"
fi

build() { npm run --silent build; }

if [[ "${1:-}" == "--check-reproducible" ]]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build && cp -r dist "$tmp/first"
  rm -rf dist node_modules/.vite
  build
  if diff -r "$tmp/first" dist >/dev/null; then
    echo "web-build: reproducible ($(find dist -type f | wc -l) files, byte for byte)"
  else
    echo "web-build: NOT reproducible:" >&2
    diff -r "$tmp/first" dist >&2 || true
    exit 1
  fi
  exit 0
fi
build
