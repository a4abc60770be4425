#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs Sohound on the bundled example suite.
# Results land in sohound-out/ (results.json, plus each job's driver, commands and raw reports).
# Extra arguments go to `sohound run` (for example: --tools memcheck -j 4).
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the examples need: no browser (ci/test.sh builds and installs everything), and the
# build ci/examples.cmake says (no test, benchmark or fuzz target; a unity build without debug
# information). ci/test.sh builds file by file, with debug information, which also checks that
# every file includes what it uses; its lint.unity test checks that this unity build still compiles.
bash ci/setup.sh --run
bash ci/build.sh -C ci/examples.cmake
exec build/harness/sohound run suites/examples/examples.yaml suites/examples/threads.yaml suites/examples/zlib.yaml \
  --out sohound-out "$@"
