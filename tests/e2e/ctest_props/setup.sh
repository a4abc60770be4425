#!/bin/sh
# Prepares the fidelity test of `sohound ctest` (e2e_ctest_props_test.cpp): builds this project
# plain (OUT/T/plain) and with ASan (OUT/T/asan), once for each test T that runs it (ctest runs
# them side by side, and the project's tests keep their state in their build folder).
# Usage: setup.sh OUT
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
for test in fidelity cache; do
  cmake -S "$here" -B "$out/$test/plain" -G Ninja >/dev/null
  cmake --build "$out/$test/plain" >/dev/null
  cmake -S "$here" -B "$out/$test/asan" -G Ninja -DCMAKE_C_FLAGS=-fsanitize=address >/dev/null
  cmake --build "$out/$test/asan" >/dev/null
done
