#!/usr/bin/env bash
# test.sh: the whole suite. Installs what is missing, builds twice (plain, for the valgrind
# checks, and with ASan+UBSan), runs the fuzz targets, then every test under the sanitizers
# with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
# build quietly; show the log when a build fails
build() {
  local dir=$1; shift
  echo "building $dir ..."
  cmake --build "$dir" -j"$jobs" "$@" >"$dir/build.log" 2>&1 || { tail -60 "$dir/build.log"; exit 1; }
}
cmake -S . -B build-plain -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
build build-plain --target deploy-stand pve-sim
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDS_SANITIZE=ON \
      -DDS_VALGRIND_BIN_DIR="$PWD/build-plain/bin" >/dev/null
build build-asan
# libFuzzer targets for the config parsers and the client's response parsing, 60 s each
# (FUZZ_SECONDS=0 only builds them)
./scripts/fuzz.sh
cd build-asan
rc=0
ctest --output-on-failure -j"$jobs" --timeout 600 --output-junit junit.xml "$@" || rc=$?
# no test secret may appear in anything the suite printed
secrets='sim-root-password|teacher-set-pw|x-password|wrong-password'
if grep -E -l "$secrets" Testing/Temporary/LastTest*.log >/dev/null 2>&1; then
  echo "secret check: a test secret appears in the test output:"
  grep -E -n -o "$secrets" Testing/Temporary/LastTest*.log | head
  rc=1
else
  echo "secret check: no test secret in the test output"
fi
total=$(grep -o '<testcase ' junit.xml | wc -l)
failed=$(grep -c '<failure' junit.xml || true)
skipped=$(grep -c '<skipped' junit.xml || true)
echo "$((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"
exit $rc
