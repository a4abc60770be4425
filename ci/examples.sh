#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs Sohound on the bundled example suite.
# Results land in sohound-out/ (results.json, plus each job's driver, commands and raw reports).
# Extra arguments go to `sohound run` (for example: --tools memcheck -j 4).
set -euo pipefail
cd "$(dirname "$0")/.."
# Only what the examples need: no test, benchmark or fuzz target, no browser (ci/test.sh builds and
# installs everything), and the program built as a unity build (a few large translation units: the
# shared headers, Asio above all, parsed once per batch of 16 files; 105 s instead of 224 s from
# scratch on 2 cores, no ccache, measured) without debug information (-O2 alone: 71 s instead of
# 119 s for the unity build, measured 2026-12-06; the job runs Sohound, it does not debug it).
# ci/test.sh builds file by file, with debug information, which also checks that every file
# includes what it uses; its lint.unity test checks that this unity build still compiles. GCC's
# -Wsubobject-linkage is off here: it fires only because a unity unit includes .cpp files, where a
# type in an anonymous namespace is expected.
bash ci/setup.sh --run
# (ci/check_unity.py configures the same: keep the two in step.)
bash ci/build.sh -DSOHOUND_BUILD_TESTS=OFF -DSOHOUND_BUILD_BENCH=OFF -DSOHOUND_FUZZ_TESTS=OFF \
  -DCMAKE_UNITY_BUILD=ON -DCMAKE_UNITY_BUILD_BATCH_SIZE=16 \
  -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG -Wno-subobject-linkage" \
  "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG"
exec build/harness/sohound run suites/examples/examples.yaml suites/examples/threads.yaml suites/examples/zlib.yaml \
  --out sohound-out "$@"
