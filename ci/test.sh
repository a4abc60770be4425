#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test (unit and end-to-end,
# against real compilers, valgrind and sanitizers) with ctest in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
cd build
ctest --parallel "$(nproc)" --output-on-failure --timeout 900
