#!/usr/bin/env bash
# A real project's own test suite under memcheck (issue 22): `ctest -T memcheck` against
# `sohound ctest --tools memcheck` on the same build of a Debian source package's CMake project
# (default jansson: 213 CTest tests, C, no build dependencies beyond CMake).
#
#   source:  `apt-get source --download-only PACKAGE` with a deb-src list and apt state of the
#            bench's own (nothing of the machine's apt set-up is changed), the upstream tarball
#            unpacked, configured RelWithDebInfo with Ninja and built.
#   CPU:     R rounds, interleaved: `ctest -T memcheck -j J` (valgrind memcheck,
#            --leak-check=full --show-leak-kinds=definite, CTest's own log parsing), then
#            `sohound ctest --tools memcheck --no-cache -j J`: CPU seconds of each command and its
#            children; the median of each side and of the per-round ratios.
#   cache:   `sohound ctest` with an empty result cache (cold: it records what each test opens and
#            makes the sandbox's debug copies), then the same command unchanged (wall seconds, and
#            how many of the jobs were cached).
#   found:   the defects CTest's memcheck counted, and Sohound's findings, from the last round.
#
# Usage: bench/debian_suite.sh [rounds] [package]   (default 3 jansson; after ci/build.sh)
#   DEB_SRC="deb-src URI SUITE COMPONENT" picks another source archive
#   (default: deb-src http://deb.debian.org/debian bookworm main).
#   SOHOUND_BIN=PATH measures another build of sohound.
#
# Measured here (2 cores), 2026-12-06, jansson 2.14 (213 tests), 3 rounds, runs of one program
# sharing a memcheck start (docs/programs.md): ctest -T memcheck 133.8, 135.5, 126.6 CPU-s; sohound
# ctest --no-cache 41.0, 43.3, 45.9 CPU-s (0.31, 0.32, 0.36 x; median 0.32 x); found: none on either
# side, 213 passed; with the result cache cold 30.9 s, unchanged rerun 0.39 s (1.3 %, 213 of 213
# cached). Earlier the same day, a start per test: 137.3, 144.3, 144.0 against 132.8, 155.9, 138.1
# CPU-s (median 0.97 x), cold 78.4 s, rerun 0.31 s (before /dev/urandom counted as a random source,
# 49 of jansson's tests ran again every time: 17.4 s, 24 %).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
package=${2:-jansson}
jobs=2
sohound=${SOHOUND_BIN:-$PWD/build/harness/sohound}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
cpu_of() {  # command...: prints user+sys CPU seconds of the command and its children
  /usr/bin/time -o "$work/cpu.txt" -f "%U %S" "$@" >"$work/last.log" 2>&1 || true
  tail -1 "$work/cpu.txt" | awk '{print $1 + $2}'  # (time says first when the command failed)
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# The source, by apt's rules but in the bench's own folders.
mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
echo "${DEB_SRC:-deb-src http://deb.debian.org/debian bookworm main}" >"$work/apt/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o Debug::NoLocking=1)
apt-get "${apt_opts[@]}" update >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; exit 1; }
(cd "$work/src" && apt-get "${apt_opts[@]}" source --download-only "$package" >>"$work/apt.log" 2>&1) ||
  { cat "$work/apt.log"; exit 1; }
tarball=$(find "$work/src" -maxdepth 1 -name "*.orig.tar.*" | head -1)
tar -xf "$tarball" -C "$work/src"
source_dir=$(find "$work/src" -mindepth 1 -maxdepth 1 -type d | head -1)
build=$work/build
cmake -S "$source_dir" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
cmake --build "$build" >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; exit 1; }
tests=$(cd "$build" && ctest -N | awk '/Total Tests:/ {print $3}')
# CTest's memcheck settings, as include(CTest) would write them (most projects do not include it).
cat >"$build/DartConfiguration.tcl" <<EOF
SourceDirectory: $source_dir
BuildDirectory: $build
MemoryCheckType: Valgrind
MemoryCheckCommand: $(command -v valgrind)
MemoryCheckCommandOptions: --leak-check=full --show-leak-kinds=definite
EOF
echo "$(basename "$source_dir"): $tests CTest tests, built RelWithDebInfo"

: >"$work/ctest.cpu"
: >"$work/sohound.cpu"
: >"$work/ratio"
for r in $(seq "$rounds"); do
  c=$(cd "$build" && cpu_of ctest -T memcheck -j "$jobs")
  # CTest's summary: "Memory checking results:", then a line "KIND - COUNT" per kind of defect.
  defects=$(awk '/Memory checking results:/ {f = 1; next} f && / - [0-9]+$/ {s += $NF} END {print s + 0}' "$work/last.log")
  rm -rf "$work/out"
  s=$(cpu_of "$sohound" ctest "$build" --tools memcheck --no-cache --no-progress --report json -j "$jobs" --out "$work/out")
  echo "$c" >>"$work/ctest.cpu"
  echo "$s" >>"$work/sohound.cpu"
  echo "$s / $c" | bc -l >>"$work/ratio"
  printf 'round %d: ctest -T memcheck %7.2f CPU-s; sohound ctest --no-cache %7.2f CPU-s (%.2f x)\n' "$r" "$c" "$s" \
    "$(echo "$s / $c" | bc -l)"
done
found=$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"]; f=sum(len(x["findings"]) for x in j); p=sum(x["passed"] for x in j); print(f"{f} findings in {len(j)} jobs, {p} passed")' \
  "$work/out/results.json")
printf 'median of %d: ctest -T memcheck %.2f CPU-s, sohound ctest %.2f CPU-s, ratio %.2f x\n' "$rounds" \
  "$(median <"$work/ctest.cpu")" "$(median <"$work/sohound.cpu")" "$(median <"$work/ratio")"
printf 'found: ctest memcheck defects %s; sohound %s\n' "$defects" "$found"

cached_run() {  # out: wall seconds of sohound ctest with the bench's result cache
  local t0 t1
  t0=$(now)
  "$sohound" ctest "$build" --tools memcheck --cache-dir "$work/cache" --no-progress --report json -j "$jobs" \
    --out "$1" >/dev/null 2>&1 || true
  t1=$(now)
  elapsed "$t0" "$t1"
}
cold=$(cached_run "$work/out-cold")
rerun=$(cached_run "$work/out-rerun")
printf 'sohound ctest with a result cache: cold %.2f s, unchanged rerun %.2f s (%.1f %% of cold; %s)\n' "$cold" "$rerun" \
  "$(echo "100 * $rerun / $cold" | bc -l)" \
  "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"]; c=sum(x["cached"] for x in j); print(f"{c} of {len(j)} jobs cached")' \
    "$work/out-rerun/results.json")"
