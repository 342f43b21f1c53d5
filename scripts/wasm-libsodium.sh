#!/usr/bin/env bash
# Builds libsodium for wasm32 (Emscripten) once per wasm build folder, from Debian's source
# package of the libsodium the native build uses (same version, Debian's patches applied).
#
#   scripts/wasm-libsodium.sh [BUILD_DIR]               # default build/wasm
#   scripts/wasm-libsodium.sh --autotools [BUILD_DIR]   # the reference build, to compare
#
# Result: BUILD_DIR/libsodium/install/{include,lib/libsodium.a}. BUILD_DIR/libsodium/stamp
# records what was built (the version, emcc's version, this script); while it matches, the
# script does nothing.
#
# How: emcc compiles the sources straight from a generated build.ninja, with the flags and
# the defines that libsodium's own `emconfigure ./configure --disable-shared
# --without-pthreads --disable-ssp --disable-asm --disable-pie CFLAGS=-O3` chooses under
# Debian's Emscripten 3.1.6 (below, recorded from that run); the source list is read from
# the package's src/libsodium/Makefile.am with automake's conditionals as that configure
# sets them, and the installed headers from include/Makefile.am. configure under Emscripten
# compiles and links a wasm program per check: on 2 shared cores the autotools build took
# 74-124 s without ccache (about 60 s of it configure) and 100 s with a warm ccache; this
# takes 10-17 s (15-27 s through ccache). libsodium.a and the headers are byte for byte the
# autotools build's: `--autotools` still runs that build (into BUILD_DIR/libsodium-autotools/,
# not used by the project), and scripts/wasm-libsodium-compare.sh BUILD_DIR builds both and
# compares them.
# Needs a deb-src entry: scripts/install-deps.sh adds one if missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=direct
if [[ ${1:-} == --autotools ]]; then
  mode=autotools
  shift
fi
build=${1:-$root/build/wasm}
mkdir -p "$build"
build=$(cd "$build" && pwd)
# shellcheck source=scripts/wasm-env.sh
. "$root/scripts/wasm-env.sh"
hippocrate_wasm_env "$build"

if [[ $mode == autotools ]]; then
  dir=$build/libsodium-autotools
else
  dir=$build/libsodium
fi
prefix=$dir/install
stamp=$dir/stamp
# The source version the native build links (libsodium-dev); the newest one if unknown.
version=$(dpkg-query -W -f='${source:Version}' libsodium-dev 2>/dev/null || true)
configure_flags=(--disable-shared --without-pthreads --disable-ssp --disable-asm --disable-pie)
cflags="-O3"
wanted="libsodium ${version:-newest}; emcc $(emcc -dumpversion 2>/dev/null); $mode; $(sha256sum "$0" | cut -c1-16)"
if [[ -f $stamp && $(cat "$stamp") == "$wanted" && -f $prefix/lib/libsodium.a ]]; then
  exit 0
fi

if ! apt-cache showsrc -q libsodium >/dev/null 2>&1; then
  echo "wasm: apt cannot find libsodium's source package (no deb-src entry)." >&2
  echo "wasm: run scripts/install-deps.sh (as root or with sudo): it adds one." >&2
  exit 1
fi
tools=(dpkg-source ninja)
[[ $mode == autotools ]] && tools=(dpkg-source autoreconf libtoolize automake make)
for tool in "${tools[@]}"; do
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

if [[ $mode == autotools ]]; then
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
  echo "wasm: libsodium (autotools) built in $(( $(date +%s) - start ))s" >&2
  exit 0
fi

lib=$src/src/libsodium
# What configure decides under Emscripten 3.1.6 with the flags above (its DEFS, CPPFLAGS
# and CFLAGS, in its order): no mmap/mprotect/mlock (sodium_malloc uses posix_memalign), no
# SIMD (the SSE/AVX files compile to nothing), randombytes through JavaScript.
package_version=$(sed -n 's/^AC_INIT(\[libsodium\],\[\([0-9.]*\)\],.*/\1/p' "$src/configure.ac")
defines=(
  -DPACKAGE_NAME='"libsodium"' -DPACKAGE_TARNAME='"libsodium"'
  -DPACKAGE_VERSION="\"$package_version\"" -DPACKAGE_STRING="\"libsodium $package_version\""
  -DPACKAGE_BUGREPORT='"https://github.com/jedisct1/libsodium/issues"'
  -DPACKAGE_URL='"https://github.com/jedisct1/libsodium"' -DPACKAGE='"libsodium"'
  -DVERSION="\"$package_version\""
  -DHAVE_STDIO_H=1 -DHAVE_STDLIB_H=1 -DHAVE_STRING_H=1 -DHAVE_INTTYPES_H=1 -DHAVE_STDINT_H=1
  -DHAVE_STRINGS_H=1 -DHAVE_SYS_STAT_H=1 -DHAVE_SYS_TYPES_H=1 -DHAVE_UNISTD_H=1
  -DHAVE_WCHAR_H=1 -DSTDC_HEADERS=1 -D_ALL_SOURCE=1 -D_DARWIN_C_SOURCE=1 -D_GNU_SOURCE=1
  -D_HPUX_ALT_XOPEN_SOCKET_API=1 -D_NETBSD_SOURCE=1 -D_OPENBSD_SOURCE=1
  -D_POSIX_PTHREAD_SEMANTICS=1 -D__STDC_WANT_IEC_60559_ATTRIBS_EXT__=1
  -D__STDC_WANT_IEC_60559_BFP_EXT__=1 -D__STDC_WANT_IEC_60559_DFP_EXT__=1
  -D__STDC_WANT_IEC_60559_FUNCS_EXT__=1 -D__STDC_WANT_IEC_60559_TYPES_EXT__=1
  -D__STDC_WANT_LIB_EXT2__=1 -D__STDC_WANT_MATH_SPEC_FUNCS__=1 -D_TANDEM_SOURCE=1
  -D__EXTENSIONS__=1 -DHAVE_C_VARARRAYS=1 -DHAVE_DLFCN_H=1 -DLT_OBJDIR='".libs/"'
  -DHAVE_SYS_MMAN_H=1 -DHAVE_SYS_RANDOM_H=1 -DNATIVE_LITTLE_ENDIAN=1 -DHAVE_INLINE_ASM=1
  -DCPU_UNALIGNED_ACCESS=1 -DHAVE_ATOMIC_OPS=1 -DHAVE_ALLOCA_H=1 -DHAVE_ALLOCA=1
  -DHAVE_POSIX_MEMALIGN=1 -DHAVE_GETPID=1 -DHAVE_NANOSLEEP=1 -DHAVE_EXPLICIT_BZERO=1
  -DCONFIGURED=1
)
compile_flags=("${defines[@]}" -I"$lib" -I"$lib/include/sodium" -D_FORTIFY_SOURCE=2
               "$cflags" -fvisibility=hidden -fPIC -fno-strict-aliasing -fno-strict-overflow)

# The .c files of libsodium.la and of the convenience libraries it absorbs (libaesni.la …),
# as "library<TAB>file", with the conditionals as configure sets them for Emscripten.
makefile_sources() {
  awk -v true_conditions=" EMSCRIPTEN " '
    function active(   i) { for (i = 1; i <= depth; i++) if (!on[i]) return 0; return 1 }
    /^if / {
      name = $2; negated = sub(/^!/, "", name)
      depth++; on[depth] = (index(true_conditions, " " name " ") > 0) != negated; next
    }
    /^else/ { on[depth] = !on[depth]; next }
    /^endif/ { depth--; next }
    {
      line = $0
      if (!continued) {
        var = ""
        if (match(line, /^[A-Za-z0-9_]+[ \t]*\+?=/)) {
          var = line; sub(/[ \t]*\+?=.*/, "", var)
          sub(/^[A-Za-z0-9_]+[ \t]*\+?=/, "", line)
        }
      }
      continued = sub(/\\[ \t]*$/, "", line)
      if (var == "" || !active()) next
      n = split(line, words, /[ \t]+/)
      for (i = 1; i <= n; i++) {
        if (words[i] == "") continue
        if (var == "libsodium_la_LIBADD") { sub(/\.la$/, "", words[i]); libadd[words[i]] = 1 }
        else if (var ~ /_la_SOURCES$/ && words[i] ~ /\.c$/) {
          lib = var; sub(/_la_SOURCES$/, "", lib); order[++count] = lib "\t" words[i]
        }
      }
    }
    END {
      for (i = 1; i <= count; i++) {
        split(order[i], f, "\t")
        if (f[1] == "libsodium" || f[1] in libadd) print order[i]
      }
    }' "$lib/Makefile.am"
}

# The headers `make install` installs (SODIUM_EXPORT and the generated version.h, in
# include/Makefile.am).
exported_headers() {
  awk '/^(SODIUM_EXPORT|nobase_nodist_include_HEADERS)[ \t]*=/ { on = 1; sub(/^[A-Za-z_]+[ \t]*=/, "") }
       on { c = sub(/\\[ \t]*$/, ""); n = split($0, w, /[ \t]+/)
            for (i = 1; i <= n; i++) if (w[i] != "") print w[i]
            if (!c) on = 0 }' "$lib/include/Makefile.am"
}

(
  echo "libsodium $package_version: emcc from $dir/build.ninja"
  # version.h as configure writes it (the full library, not --enable-minimal).
  major=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MAJOR=\([0-9]*\)$/\1/p' "$src/configure.ac")
  minor=$(sed -n 's/^SODIUM_LIBRARY_VERSION_MINOR=\([0-9]*\)$/\1/p' "$src/configure.ac")
  if [[ -z $package_version || -z $major || -z $minor ]]; then
    echo "no version numbers found in $src/configure.ac" >&2
    exit 1
  fi
  sed -e "s/@VERSION@/$package_version/" -e "s/@SODIUM_LIBRARY_VERSION_MAJOR@/$major/" \
      -e "s/@SODIUM_LIBRARY_VERSION_MINOR@/$minor/" -e "s/@SODIUM_LIBRARY_MINIMAL_DEF@//" \
      "$lib/include/sodium/version.h.in" >"$lib/include/sodium/version.h"

  sources=$(makefile_sources)
  if [[ $(grep -c . <<<"$sources") -lt 50 ]]; then
    echo "too few sources read from $lib/Makefile.am" >&2
    exit 1
  fi
  # One object per source, named as libtool names them (LIB_la-BASENAME.o), archived in
  # libtool's order: libsodium.la's in source order, then each convenience library's
  # objects sorted by name. emcc runs in src/libsodium with relative paths, as make does
  # (assert() records the path as given).
  objects=()
  {
    printf 'builddir = %s\n' "$dir"
    # shellcheck disable=SC2016  # $in and $out are ninja's
    printf 'rule cc\n  command = emcc %s -c $in -o $out\n' "$(printf '%q ' "${compile_flags[@]}")"
    # shellcheck disable=SC2016
    printf 'rule ar\n  command = rm -f $out && emar cr $out $in && emranlib $out\n'
    while IFS=$'\t' read -r library file; do
      object=$dir/obj/${library}_la-$(basename "${file%.c}").o
      printf 'build %s: cc %s\n' "$object" "$file"
      objects+=("$library $object")
    done <<<"$sources"
    archive_order=$(printf '%s\n' "${objects[@]}" | awk '$1 == "libsodium" { print $2 }'
                    printf '%s\n' "${objects[@]}" | awk '$1 != "libsodium" && !($1 in seen) { seen[$1] = ++n }
                      $1 != "libsodium" { print seen[$1], $2 }' | LC_ALL=C sort -k1,1n -k2,2 | cut -d' ' -f2)
    printf 'build %s/lib/libsodium.a: ar %s\n' "$dir" "$(tr '\n' ' ' <<<"$archive_order")"
  } >"$dir/build.ninja"
  ninja -C "$lib" -f "$dir/build.ninja" -j"$(nproc)"

  mkdir -p "$prefix/lib" "$prefix/include/sodium"
  cp "$dir/lib/libsodium.a" "$prefix/lib/"
  while read -r header; do
    cp "$lib/include/$header" "$prefix/include/$header"
  done < <(exported_headers)
) >"$log" 2>&1 || {
  echo "wasm: the libsodium build failed; the end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
}
printf '%s\n' "$wanted" >"$stamp"
echo "wasm: libsodium built in $(( $(date +%s) - start ))s" >&2
