#!/usr/bin/env bash
# test_version: `deploy-stand --version` prints "deploy-stand VERSION" (VERSION from CMake's
# project(VERSION ...)) on standard output and exits 0, in any locale and before any global option
# is checked; the main --help, the manual page and the bash completion name the option.
set -u
bin=${DS_BIN:?DS_BIN is not set}/deploy-stand
src=${DS_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
fail() { echo "FAIL: $*"; exit 1; }

want=$(sed -n 's/^project(deploy-stand VERSION \([0-9][0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$want" ] || fail "no project(deploy-stand VERSION x.y.z) in CMakeLists.txt"

for lang in C ru_RU.UTF-8; do
    out=$(LANG=$lang LC_ALL= LANGUAGE= "$bin" --version 2>"${TMPDIR:-/tmp}/ds-version-err.$$")
    rc=$?
    err=$(cat "${TMPDIR:-/tmp}/ds-version-err.$$")
    rm -f "${TMPDIR:-/tmp}/ds-version-err.$$"
    [ "$rc" -eq 0 ] || fail "LANG=$lang: --version exited $rc"
    [ "$out" = "deploy-stand $want" ] || fail "LANG=$lang: --version printed '$out', not 'deploy-stand $want'"
    [ -z "$err" ] || fail "LANG=$lang: --version wrote to stderr: $err"
done

# a global option before it does not matter; it needs no connections file
out=$("$bin" --connections /nonexistent/file.yml --version) || fail "--connections F --version failed"
[ "$out" = "deploy-stand $want" ] || fail "--connections F --version printed '$out'"

"$bin" --help | grep -q -- '--version' || fail "--help does not mention --version"
grep -q -- '\\-\\-version' "$src/docs/deploy-stand.1" || fail "docs/deploy-stand.1 lacks --version"
grep -q -- '--version' "$src/completion/deploy-stand.bash" || fail "the completion lacks --version"
echo "ok: deploy-stand $want"
exit 0
