#!/usr/bin/env bash
# test.sh: the whole suite. Installs what is missing, builds twice (plain, for the valgrind
# checks, and with ASan+UBSan), then runs every test under the sanitizers with ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build-plain -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-plain -j"$jobs" --target deploy-stand pve-sim
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDS_SANITIZE=ON \
      -DDS_VALGRIND_BIN_DIR="$PWD/build-plain/bin" >/dev/null
cmake --build build-asan -j"$jobs"
cd build-asan
rc=0
ctest --output-on-failure -j"$jobs" --timeout 600 --output-junit junit.xml "$@" || rc=$?
total=$(grep -o '<testcase ' junit.xml | wc -l)
failed=$(grep -c '<failure' junit.xml || true)
skipped=$(grep -c '<skipped' junit.xml || true)
echo "$((total - failed - skipped)) passed, ${failed} failed, ${skipped} skipped"
exit $rc
