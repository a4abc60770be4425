#!/bin/sh
# Prepares the fidelity test of `sohound ctest` (e2e_ctest_props_test.cpp): builds this project
# plain (OUT/plain) and with ASan (OUT/asan).
# Usage: setup.sh OUT
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
cmake -S "$here" -B "$out/plain" -G Ninja >/dev/null
cmake --build "$out/plain" >/dev/null
cmake -S "$here" -B "$out/asan" -G Ninja -DCMAKE_C_FLAGS=-fsanitize=address >/dev/null
cmake --build "$out/asan" >/dev/null
