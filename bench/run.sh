#!/usr/bin/env bash
# bench/run.sh: builds without sanitizers and runs the benchmarks against the simulator:
#   (a) classroom, 30 students x 5 machines, balanced: deploy, then the class lifecycle (reset to
#       the baseline, start, shutdown), then destroy; (b) campus, 200 x 10, smart: deploy, destroy.
# Usage: bench/run.sh [a|b|all]   (BENCH_SCALE_A / BENCH_SCALE_B set the time scales;
#   BENCH_DETAIL=1 also prints each command's requests per endpoint)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j"$(nproc)" --target deploy-stand pve-sim ds-bench >/dev/null
DS_BIN="$PWD/build-bench/bin" ./build-bench/bin/ds-bench "${1:-all}"
