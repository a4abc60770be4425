#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs Sohound on the bundled example suite.
# Results land in sohound-out/ (results.json, plus each job's driver, commands and raw reports).
# Extra arguments go to `sohound run` (for example: --tools memcheck -j 4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
exec build/harness/sohound run suites/examples/examples.yaml suites/examples/threads.yaml suites/examples/zlib.yaml \
  --out sohound-out "$@"
