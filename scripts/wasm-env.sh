# Sourced by scripts/wasm-libsodium.sh and scripts/wasm-test.sh: the environment Debian's
# Emscripten (3.1.6) needs under Node 20, kept inside the wasm build folder.
#
#   . scripts/wasm-env.sh BUILD_DIR      # e.g. build/wasm
#
# - EM_CONFIG: a private copy of Debian's /usr/share/emscripten/.emscripten in
#   BUILD_DIR/emscripten/config, so that nothing is read from or written to the home folder.
#   It keeps Debian's prebuilt system libraries (the frozen, read-only cache in
#   /usr/share/emscripten/cache: nothing is ever written there) and compiles through ccache
#   when it is installed (COMPILER_WRAPPER: ccache sees clang, so its shared cache applies).
# - NODE_PATH=/usr/share/nodejs: emcc's JS optimiser needs Debian's node-acorn.
# - NODE_OPTIONS=--no-experimental-fetch: 3.1.6's generated loader calls fetch() on a file
#   path when fetch exists (Node >= 18), which breaks emconfigure's "can run C programs".
# Fails with a clear message when Emscripten is missing.

hippocrate_wasm_env() {
  local build=$1
  if ! command -v emcc >/dev/null 2>&1 || [[ ! -r /usr/share/emscripten/.emscripten ]]; then
    echo "wasm: Emscripten is not installed (Debian package 'emscripten')." >&2
    echo "wasm: run scripts/install-deps.sh (as root or with sudo), then retry." >&2
    return 1
  fi
  if ! command -v node >/dev/null 2>&1; then
    echo "wasm: node is not installed; the wasm tests run under Node." >&2
    return 1
  fi
  mkdir -p "$build/emscripten"
  local config=$build/emscripten/config
  local wanted
  wanted=$(
    cat /usr/share/emscripten/.emscripten
    echo
    echo "# Hippocrate (scripts/wasm-env.sh): Debian's prebuilt system libraries, read-only."
    echo "CACHE = '/usr/share/emscripten/cache'"
    echo "FROZEN_CACHE = True"
    if command -v ccache >/dev/null 2>&1; then
      echo "COMPILER_WRAPPER = '$(command -v ccache)'"
    fi
  )
  if [[ ! -f $config || $(cat "$config") != "$wanted" ]]; then
    printf '%s\n' "$wanted" >"$config"
  fi
  export EM_CONFIG=$config
  export NODE_PATH=/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}
  case " ${NODE_OPTIONS:-} " in
    *" --no-experimental-fetch "*) ;;
    *) export NODE_OPTIONS="--no-experimental-fetch${NODE_OPTIONS:+ $NODE_OPTIONS}" ;;
  esac
}
