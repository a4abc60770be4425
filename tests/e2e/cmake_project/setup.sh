#!/bin/sh
# Prepares the end-to-end tests of `sohound ctest` and the CMake package (e2e_cmake_test.cpp):
# installs Sohound from BUILD into OUT/prefix as a user would (cmake --install --strip), then
# configures and builds this project twice, plain with the package's checks (OUT/plain) and with
# ASan (OUT/asan).
# Usage: setup.sh SOHOUND_BUILD_DIR OUT
set -eu
build=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
cmake --install "$build" --prefix "$out/prefix" --strip >/dev/null
cmake -S "$here" -B "$out/plain" -G Ninja -DWITH_SOHOUND=ON -DCMAKE_PREFIX_PATH="$out/prefix" >/dev/null
cmake --build "$out/plain" >/dev/null
cmake -S "$here" -B "$out/asan" -G Ninja -DCMAKE_C_FLAGS=-fsanitize=address >/dev/null
cmake --build "$out/asan" >/dev/null
