#!/usr/bin/env bash
# test.sh: the whole suite. Installs what is missing (build deps and test tools), builds twice
# (plain, for the valgrind checks, and with ASan+UBSan), runs the fuzz targets, then every test
# under the sanitizers with ctest on a clock shifted +30 days, then `deploy-stand demo` for each
# simulated scenario on a clock shifted +1 year.
#
# The clock shift: a time namespace (unshare --time) moves CLOCK_MONOTONIC and CLOCK_BOOTTIME
# forward, as on a machine that has been up that long; the wall clock is unchanged. It needs root
# (or password-less sudo) and a kernel with time namespaces (Linux 5.6+). Without them the runner
# says why, runs ctest on the unshifted clock and counts the shifted demo checks as skipped.
#
# Usage: scripts/test.sh [CTEST-ARGS...]      (e.g. -R e2e/ to run a subset)
# The last line is "N passed, M failed, K skipped": ctest's tests plus this script's own checks
# (fuzz targets, the secret check, the shifted demos). The exit code is non-zero when anything
# failed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
./scripts/install-deps.sh test
jobs=$(nproc)

# --- this script's own checks, counted in the last line --------------------------------------
x_pass=0 x_fail=0 x_skip=0
check() { # NAME passed|failed|skipped [WHY]
  echo "check $1: $2${3:+ ($3)}"
  case $2 in
    passed) x_pass=$((x_pass + 1)) ;;
    failed) x_fail=$((x_fail + 1)) ;;
    skipped) x_skip=$((x_skip + 1)) ;;
  esac
}

# --- build ----------------------------------------------------------------------------------------
# quietly; when a build fails, shows its log and ends the run with the counts so far
build() {
  local dir=$1; shift
  echo "building $dir ..."
  cmake --build "$dir" -j"$jobs" "$@" >"$dir/build.log" 2>&1 || {
    tail -60 "$dir/build.log"
    check "build $dir" failed "nothing was tested"
    echo "$x_pass passed, $x_fail failed, $x_skip skipped"
    exit 1
  }
}
cmake -S . -B build-plain -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
build build-plain --target deploy-stand pve-sim
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDS_SANITIZE=ON \
      -DDS_VALGRIND_BIN_DIR="$root/build-plain/bin" >/dev/null
build build-asan

# --- fuzzing ----------------------------------------------------------------------------------------
# libFuzzer targets for the config parsers and the client's response parsing, 60 s each
# (FUZZ_SECONDS=0 only builds them)
if ./scripts/fuzz.sh; then check fuzz passed; else check fuzz failed "see build-fuzz/logs"; fi

# --- the clock shift ----------------------------------------------------------------------------------
# SHIFT_HOW: root (unshare directly), sudo (unshare through password-less sudo, the tests then
# dropped back to this user with setpriv), or empty with SHIFT_WHY saying why not.
SHIFT_HOW="" SHIFT_WHY=""
if [ "$(id -u)" -eq 0 ]; then
  SHIFT_HOW=root
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SHIFT_HOW=sudo
else
  SHIFT_WHY="time namespaces need root, and sudo is missing or asks for a password"
fi
# shifted SECONDS CMD...: runs CMD with CLOCK_MONOTONIC and CLOCK_BOOTTIME moved SECONDS ahead.
shifted() {
  local s=$1; shift
  case $SHIFT_HOW in
    root) unshare --time --monotonic="$s" --boottime="$s" "$@" ;;
    sudo) sudo -n -E unshare --time --monotonic="$s" --boottime="$s" \
            setpriv --reuid="$(id -u)" --regid="$(id -g)" --init-groups "$@" ;;
    *) return 1 ;;
  esac
}
if [ -n "$SHIFT_HOW" ]; then
  # the probe: the namespace can be made, and a program in it sees the moved clock
  if ! probe=$(shifted 1 true 2>&1); then
    SHIFT_WHY="unshare --time --monotonic=1 true failed: ${probe:-no message} (a kernel without time namespaces, or a container that forbids them)"
    SHIFT_HOW=""
  else
    up=$(shifted 2592000 cut -d. -f1 /proc/uptime 2>/dev/null) || true
    if ! [[ "$up" =~ ^[0-9]+$ ]] || [ "$up" -lt 2592000 ]; then
      SHIFT_WHY="in the time namespace /proc/uptime reads '$up', not 30 days or more (the shift does not reach programs)"
      SHIFT_HOW=""
    fi
  fi
fi

# --- ctest ----------------------------------------------------------------------------------------
cd build-asan
rm -f junit.xml
rc=0
if [ -n "$SHIFT_HOW" ]; then
  echo "ctest runs on a clock shifted +30 days (CLOCK_MONOTONIC and CLOCK_BOOTTIME, unshare --time)"
  shifted 2592000 ctest --output-on-failure -j"$jobs" --timeout 600 --output-junit junit.xml "$@" || rc=$?
else
  echo "clock shift unavailable: $SHIFT_WHY; ctest runs on the unshifted clock"
  ctest --output-on-failure -j"$jobs" --timeout 600 --output-junit junit.xml "$@" || rc=$?
fi

# no test secret may appear in anything the suite printed
secrets='sim-root-password|teacher-set-pw|x-password|wrong-password'
if grep -E -l "$secrets" Testing/Temporary/LastTest*.log >/dev/null 2>&1; then
  echo "secret check: a test secret appears in the test output:"
  grep -E -n -o "$secrets" Testing/Temporary/LastTest*.log | head
  check secrets failed "a test secret appears in the test output"
else
  check secrets passed "no test secret in the test output"
fi
cd "$root"

# --- the demo a year later ------------------------------------------------------------------------
# `deploy-stand demo` (the in-process simulator, deploy, status, teardown) on a machine that has
# been up a year, once per scenario, each bounded by a timeout. The sanitized build is used.
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
for scenario in single classroom campus; do
  name="demo-1y-$scenario"
  if [ -z "$SHIFT_HOW" ]; then
    check "$name" skipped "clock shift unavailable"
    continue
  fi
  log=$root/build-asan/$name.log
  drc=0
  mkdir -p "$demo_dir/$scenario"
  shifted 31536000 env HOME="$demo_dir/$scenario" XDG_CONFIG_HOME="$demo_dir/$scenario/config" \
    XDG_STATE_HOME="$demo_dir/$scenario/state" ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    timeout 120 "$root/build-asan/bin/deploy-stand" demo --scenario "$scenario" >"$log" 2>&1 || drc=$?
  if [ "$drc" -eq 0 ]; then
    check "$name" passed
  else
    # the demo prints the students' passwords: their lines are left out
    grep -v '^student' "$log" | tail -20
    if [ "$drc" -eq 124 ]; then why="still running after 120 s"; else why="exit $drc"; fi
    check "$name" failed "$why; log build-asan/$name.log"
  fi
done

# --- the summary ----------------------------------------------------------------------------------
# ctest's counts come from its JUnit report; a ctest that failed without a failing test (it could
# not run them) is one more failed check.
junit=build-asan/junit.xml
total=0 failed=0 skipped=0
if [ -f "$junit" ]; then
  total=$(grep -o '<testcase ' "$junit" | wc -l)
  failed=$(grep -c '<failure' "$junit" || true)
  skipped=$(grep -c '<skipped' "$junit" || true)
  [ "$rc" -eq 0 ] || [ "$failed" -gt 0 ] || check ctest failed "exit $rc without a failing test"
else
  check ctest failed "exit $rc, no $junit written"
fi
echo "$((total - failed - skipped + x_pass)) passed, $((failed + x_fail)) failed, $((skipped + x_skip)) skipped"
[ "$((failed + x_fail))" -eq 0 ] || exit 1
