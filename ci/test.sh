#!/usr/bin/env bash
# The test command: installs what is needed, builds, and runs every test (unit and end-to-end,
# against real compilers, valgrind and sanitizers) with ctest in parallel.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
# Every target (the options are set again: a tree configured by ci/examples.sh has them off).
bash ci/build.sh -DSOHOUND_BUILD_TESTS=ON -DSOHOUND_BUILD_BENCH=ON -DSOHOUND_FUZZ_TESTS=ON -DCMAKE_UNITY_BUILD=OFF
cd build
ctest --parallel "$(nproc)" --output-on-failure --timeout 900
