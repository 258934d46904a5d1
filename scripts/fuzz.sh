#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of tests/fuzz/ with clang (ASan+UBSan) into build-fuzz/
# and runs each for FUZZ_SECONDS (default 60), two at a time; fails on any crash, leak or timeout.
#
# Usage: scripts/fuzz.sh [TARGET...]      (default: every tests/fuzz/fuzz_*.c)
# Env:   FUZZ_SECONDS  run time per target (default 60; 0 = build only)
#        FUZZ_JOBS     targets run at once (default 2)
#        BUILD_FUZZ    build directory (default <repo>/build-fuzz)
#        CC            compiler (default clang)
# Nothing is written outside BUILD_FUZZ: new corpus entries go to BUILD_FUZZ/corpus/<name>, the
# committed seeds in tests/fuzz/corpus/<name> are only read, crash files go to
# BUILD_FUZZ/artifacts/<name>/, and HOME/XDG_* point into BUILD_FUZZ/tmp.
# compile_one and run_one are run by xargs through bash -c:
# shellcheck disable=SC2317,SC2016
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${BUILD_FUZZ:-$ROOT/build-fuzz}"
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
JOBS="${FUZZ_JOBS:-2}"
CC="${CC:-clang}"

command -v "$CC" >/dev/null || { echo "fuzz.sh: $CC not found (scripts/install-deps.sh test installs it)" >&2; exit 2; }
command -v cmake >/dev/null || { echo "fuzz.sh: cmake not found" >&2; exit 2; }

PKGS="jansson yaml-0.1 libcurl libsodium sqlite3 openssl"
# shellcheck disable=SC2086
PKG_CFLAGS="$(pkg-config --cflags $PKGS)"
# shellcheck disable=SC2086
PKG_LIBS="$(pkg-config --libs $PKGS)"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror $SAN $PKG_CFLAGS
        -I$ROOT/src -I$ROOT/common -I$ROOT/tests/fuzz -I$OUT/gen"

mkdir -p "$OUT/obj" "$OUT/gen" "$OUT/bin" "$OUT/tmp" "$OUT/logs"

# --- the code under test, as one archive (what the targets use is pulled from it) ---------------
# The loaders and the client with what they depend on; the sources are compiled with
# -fsanitize=fuzzer-no-link so libFuzzer sees their coverage.
EMBED=(common/pve_schema_table.json)
for f in "$ROOT"/examples/clusters/*.yml "$ROOT"/examples/*.yml; do EMBED+=("${f#"$ROOT"/}"); done
EMBED_ARG="$(IFS=,; echo "${EMBED[*]}")"
cmake -DOUT="$OUT/gen/embedded_files.c" -DBASE="$ROOT" "-DFILES=$EMBED_ARG" \
      -P "$ROOT/cmake/embed.cmake"

SRCS=("$ROOT"/common/*.c "$OUT/gen/embedded_files.c")
for d in config util pve store; do SRCS+=("$ROOT/src/$d"/*.c); done

compile_one() { # src obj
  local src="$1" obj="$2"
  if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] || [ "$FUZZ_SCRIPT" -nt "$obj" ] ||
     [ -n "$(find "$ROOT/src" "$ROOT/common" -name '*.h' -newer "$obj" -print -quit)" ]; then
    # shellcheck disable=SC2086
    "$CC" $CFLAGS -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
  fi
}
export -f compile_one
FUZZ_SCRIPT="$ROOT/scripts/fuzz.sh"
export CC CFLAGS ROOT FUZZ_SCRIPT

OBJS=()
pairs=()
for s in "${SRCS[@]}"; do
  rel="${s#"$ROOT"/}"; rel="${rel#"$OUT"/}"
  o="$OUT/obj/${rel//\//_}.o"
  OBJS+=("$o"); pairs+=("$s" "$o")
done
echo "fuzz.sh: compiling ${#OBJS[@]} sources with $CC"
printf '%s\0' "${pairs[@]}" | xargs -0 -n 2 -P "$JOBS" bash -c 'compile_one "$0" "$1"'
rm -f "$OUT/libdsfuzz.a"
ar rcs "$OUT/libdsfuzz.a" "${OBJS[@]}"

# --- the targets ------------------------------------------------------------------------------
if [ $# -gt 0 ]; then
  TARGETS=("$@")
else
  TARGETS=()
  for f in "$ROOT"/tests/fuzz/fuzz_*.c; do TARGETS+=("$(basename "$f" .c)"); done
fi
for t in "${TARGETS[@]}"; do
  [ -f "$ROOT/tests/fuzz/$t.c" ] || { echo "fuzz.sh: no tests/fuzz/$t.c" >&2; exit 2; }
  # shellcheck disable=SC2086
  "$CC" $CFLAGS -fsanitize=fuzzer "$ROOT/tests/fuzz/$t.c" "$OUT/libdsfuzz.a" $PKG_LIBS -lpthread -lm \
        -o "$OUT/bin/$t"
done
echo "fuzz.sh: built ${TARGETS[*]} in $OUT/bin"
[ "$SECONDS_PER_TARGET" = 0 ] && exit 0

# --- run ----------------------------------------------------------------------------------------
run_one() { # target
  local t="$1" name="${1#fuzz_}"
  local seeds="$ROOT/tests/fuzz/corpus/$name" work="$OUT/corpus/$name" art="$OUT/artifacts/$name/"
  local log="$OUT/logs/$t.log" tmp="$OUT/tmp/$t"
  mkdir -p "$work" "$art" "$tmp"
  [ -d "$seeds" ] || { echo "$t: FAILED (no seed corpus tests/fuzz/corpus/$name)" >"$OUT/logs/$t.summary"; return 1; }
  local rc=0
  (cd "$tmp" && HOME="$tmp" XDG_CONFIG_HOME="$tmp/config" XDG_STATE_HOME="$tmp/state" \
     XDG_DATA_HOME="$tmp/data" XDG_CACHE_HOME="$tmp/cache" TMPDIR="$tmp" \
     ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
     "$OUT/bin/$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
       -max_len=65536 -print_final_stats=1 -artifact_prefix="$art" "$work" "$seeds") \
     >"$log" 2>&1 || rc=$?
  local runs cov crash
  runs="$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -1)"
  cov="$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)"
  crash="$(find "$art" -type f | head -1)"
  if [ "$rc" -eq 0 ] && [ -z "$crash" ]; then
    echo "$t: ok (${runs:-? runs}, ${cov:-cov: ?}, corpus $(find "$work" -type f | wc -l) files)" \
      >"$OUT/logs/$t.summary"
  else
    local why
    why="$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error: .*|invariant failed: .*' "$log" || echo "exit $rc")"
    echo "$t: FAILED ($why; input ${crash:-none}; log $log)" >"$OUT/logs/$t.summary"
    return 1
  fi
}
export -f run_one
export OUT SECONDS_PER_TARGET

rm -f "$OUT"/logs/*.summary
rm -rf "$OUT/artifacts"
echo "fuzz.sh: running ${#TARGETS[@]} targets for ${SECONDS_PER_TARGET} s each, $JOBS at a time"
status=0
printf '%s\n' "${TARGETS[@]}" | xargs -n 1 -P "$JOBS" bash -c 'run_one "$0"' || status=1
for t in "${TARGETS[@]}"; do
  cat "$OUT/logs/$t.summary" 2>/dev/null || { echo "$t: FAILED (no result)"; status=1; }
done
exit $status
