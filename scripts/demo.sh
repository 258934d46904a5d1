#!/usr/bin/env bash
# demo.sh: the newcomer's first command: install what building needs (only that: the test
# tools come with scripts/test.sh), build, and run `deploy-stand demo` (the example stand
# deployed to the built-in simulated cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
# the compiler, cmake and the -dev libraries, only those missing (Debian 12 or 13)
./scripts/install-deps.sh build
# build the two programs the demo runs
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target deploy-stand pve-sim >/dev/null
exec ./build/bin/deploy-stand demo "$@"
