#!/bin/sh
# Prepares the end-to-end test of `sohound meson` (e2e_meson_test.cpp): configures and builds this
# project twice with Meson, plain (OUT/plain) and with ASan (OUT/asan).
# Usage: setup.sh OUT
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
meson setup "$out/plain" "$here" >/dev/null
ninja -C "$out/plain" >/dev/null
meson setup "$out/asan" "$here" -Db_sanitize=address -Db_lundef=false >/dev/null
ninja -C "$out/asan" >/dev/null
