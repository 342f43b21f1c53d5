#!/usr/bin/env bash
# The lint gate (`make lint`, CI after `make test`):
#   1. clang-format 14 (.clang-format) over every tracked C++ file of src/, tests/, bench/
#      and cmake/: a file that is not formatted fails, with the diff (--dry-run --Werror).
#   2. clang-tidy 14 (.clang-tidy) over every translation unit of src/, from the compile
#      commands of a clang-14 configure in build/lint (CMAKE_EXPORT_COMPILE_COMMANDS; only
#      configure: the one generated header, base/version.h, is written by CMake then), with
#      clang's thread-safety analysis (-Wthread-safety -Wthread-safety-beta: GUARDED_BY,
#      REQUIRES… of base/thread_annotations.h). Every finding is an error (WarningsAsErrors).
#      A self-test first checks that the analysis is really on (a guarded member read
#      without its mutex must fail), so a broken flag cannot make the gate pass silently.
#
#   scripts/lint.sh                 # both
#   scripts/lint.sh --format        # clang-format only
#   scripts/lint.sh --tidy [REGEX]  # clang-tidy only, on the src/ files matching REGEX
#   JOBS=2 LINT_BUILD=build/lint    # defaults: nproc, build/lint
# To format a file in place: clang-format-14 -i FILE (an editor integration does the same).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${JOBS:-$(nproc)}
build=${LINT_BUILD:-build/lint}
mode=${1:-all}
filter=${2:-.}

for tool in clang-format-14 clang-tidy-14 clang++-14; do
  command -v "$tool" >/dev/null || { echo "lint: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

start=$(date +%s)
failed=0

if [[ $mode == all || $mode == --format ]]; then
  echo "== clang-format (--dry-run --Werror)"
  if ! git ls-files -z -- 'src/*.h' 'src/*.cc' 'tests/*.h' 'tests/*.cc' 'bench/*.h' \
      'bench/*.cc' 'cmake/*.cc' |
      xargs -0 -P"$jobs" -n40 clang-format-14 --dry-run --Werror; then
    echo "lint: clang-format: the files above are not formatted (clang-format-14 -i FILE)" >&2
    failed=1
  fi
fi

if [[ $mode == all || $mode == --tidy ]]; then
  echo "== -Wthread-safety self-test"
  probe=$(mktemp -d)
  trap 'rm -rf "$probe"' EXIT
  cat >"$probe/probe.cc" <<'PROBE'
#include "base/mutex.h"
struct Probe {
  hippocrate::Mutex mutex;
  int value GUARDED_BY(mutex) = 0;
  int locked() { hippocrate::MutexLock lock(mutex); return value; }
#ifdef UNLOCKED
  int unlocked() { return value; }
#endif
};
PROBE
  tsa=(-std=c++20 -fsyntax-only -Isrc -Wthread-safety -Wthread-safety-beta -Werror)
  if ! clang++-14 "${tsa[@]}" "$probe/probe.cc" ||
      clang++-14 "${tsa[@]}" -DUNLOCKED "$probe/probe.cc" 2>/dev/null; then
    echo "lint: clang's thread-safety analysis does not check base/mutex.h" >&2
    exit 1
  fi

  echo "== clang-tidy ($build, -j$jobs)"
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON -DHIPPOCRATE_TESTS=OFF -DHIPPOCRATE_BENCH=OFF \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log" >&2; exit 1; }
  # The project's translation units (not the generated data file of build/).
  python3 - "$build/compile_commands.json" "$root/src/" "$filter" >"$probe/units" <<'PY'
import json, re, sys
db, prefix, pattern = sys.argv[1], sys.argv[2], re.compile(sys.argv[3])
for entry in json.load(open(db)):
    f = entry["file"]
    if f.startswith(prefix) and pattern.search(f):
        print(f)
PY
  echo "$(wc -l <"$probe/units") translation units"
  # One clang-tidy per file; its output is printed only when it fails, whole.
  if ! xargs -P"$jobs" -n1 sh -c \
      'out=$(clang-tidy-14 -p "$0" --quiet --extra-arg=-Wthread-safety \
               --extra-arg=-Wthread-safety-beta "$1" 2>&1) || { printf "%s\n" "$out"; exit 1; }' \
      "$build" <"$probe/units"; then
    echo "lint: clang-tidy: findings above (.clang-tidy lists the checks)" >&2
    failed=1
  fi
fi

echo "== lint took $(( $(date +%s) - start ))s"
exit $failed
