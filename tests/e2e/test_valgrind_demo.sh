#!/usr/bin/env bash
# test_valgrind_demo: the whole demo (in-process simulator, deploy, status, destroy) under
# valgrind, using the build without sanitizers: no invalid access, no definite leak.
set -u
[ -n "${DS_VALGRIND_BIN:-}" ] && [ -x "$DS_VALGRIND_BIN/deploy-stand" ] || { echo "no plain build: skipped"; exit 77; }
command -v valgrind >/dev/null || { echo "valgrind missing: skipped"; exit 77; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
export XDG_STATE_HOME=$(mktemp -d) XDG_CONFIG_HOME=$(mktemp -d)
valgrind --quiet --error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite \
  --show-leak-kinds=definite --log-file="$log" \
  "$DS_VALGRIND_BIN/deploy-stand" demo --time-scale 0.01 >/dev/null 2>&1
rc=$?
rm -rf "$XDG_STATE_HOME" "$XDG_CONFIG_HOME"
if [ $rc -ne 0 ]; then
  echo "deploy-stand demo under valgrind: exit $rc"
  cat "$log"
  exit 1
fi
echo "valgrind: clean"
