#!/usr/bin/env bash
# One threaded example feature (threads/racy_counter: 4 threads x 200 repeats) under all six tools.
#   sohound: `sohound run --filter racy_counter`, from nothing: library built in 4 flavours, 4
#            drivers built, 6 tool runs in parallel (-j = cores), reports parsed.
#   by hand: the same six tool commands (the run.sh files Sohound kept), one after the other, on
#            the already built binaries.
# Usage: bench/six_tools.sh [rounds]   (after ci/build.sh). Prints each round and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
sohound_times=() raw_times=()
for r in $(seq "$rounds"); do
  rm -rf "$work/out"
  t0=$(now)
  build/harness/sohound run suites/examples/threads.yaml --filter racy_counter --out "$work/out" --no-progress \
    >/dev/null 2>&1 || true
  t1=$(now)
  jobs="$work/out/jobs/threads/racy_counter"
  t2=$(now)
  for tool in memcheck helgrind drd asan tsan ubsan; do
    sh "$jobs/$tool/run.sh" >/dev/null 2>&1 || true
  done
  t3=$(now)
  s=$(echo "$t1 - $t0" | bc -l); h=$(echo "$t3 - $t2" | bc -l)
  sohound_times+=("$s"); raw_times+=("$h")
  printf 'round %d: sohound (builds included) %.2f s, six raw commands (prebuilt) %.2f s\n' "$r" "$s" "$h"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf 'median: sohound %.2f s, raw %.2f s\n' "$(median "${sohound_times[@]}")" "$(median "${raw_times[@]}")"
