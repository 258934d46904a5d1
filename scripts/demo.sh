#!/usr/bin/env bash
# demo.sh: the newcomer's first command: install what is missing, build, and run
# `deploy-stand demo` (the example stand deployed to the built-in simulated cluster).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target deploy-stand pve-sim >/dev/null
exec ./build/bin/deploy-stand demo "$@"
