#!/usr/bin/env bash
# How often TSan misses a plain race in a Sohound driver: two copies of `counter++` (threads: 2),
# run again and again under CPU load, with the copies released together from the start barrier
# (SOHOUND_START_STEP_US=0) and a step apart (the default under TSan, drivers/sohound_rt.h
# sohound_stagger). Runs alternate, so both see the same load. With GCC 12 and Clang 14.
# Usage: bench/race_odds.sh [runs per variant, default 300] [busy loops, default 4]  (after ci/build.sh)
#
# 2026-12-07, 2 cores, 4 busy loops, 300 runs per variant:
# - a standalone program of the driver's shape: released together, Clang 14 missed 36 and GCC 12
#   51; a step apart (1 ms, from the last arrival), 0 and 0.
# - this script: GCC 0 together, 0 a step apart; Clang 4 together, 2 a step apart. The odds swing
#   with the load and the exact code around the access; the step lowers them, never to zero (a
#   scheduler can still bring two copies together), hence `repeat` for a race that must be found.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-300}
loops=${2:-4}
work=$(mktemp -d)
load=()
cleanup() {
  for pid in "${load[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/odds.yaml" <<'YAML'
suite: odds
tools: [tsan]
isolation: process
globals: |
  static int odds_counter;
features:
  - name: counter_race
    threads: 2
    code: |
      odds_counter++;
YAML

declare -A driver
for compiler in gcc clang; do
  build/harness/sohound run "$work/odds.yaml" --compiler "$compiler" --out "$work/$compiler" --no-cache --no-progress \
    --report json >/dev/null 2>&1 || true
  driver[$compiler]="$work/$compiler/build/odds/tsan/driver"
  test -x "${driver[$compiler]}" || { echo "no TSan driver built with $compiler (see $work/$compiler)" >&2; exit 1; }
done

for _ in $(seq "$loops"); do
  (while :; do :; done) &
  load+=($!)
done

declare -A missed
for compiler in gcc clang; do for step in 0 default; do missed[$compiler/$step]=0; done; done
for _ in $(seq "$runs"); do
  for compiler in gcc clang; do
    for step in 0 default; do
      env=(TSAN_OPTIONS=exitcode=86)
      [ "$step" = 0 ] && env+=(SOHOUND_START_STEP_US=0)
      env "${env[@]}" setarch -R "${driver[$compiler]}" counter_race >"$work/out" 2>&1 || true
      grep -q "WARNING: ThreadSanitizer: data race" "$work/out" || missed[$compiler/$step]=$((missed[$compiler/$step] + 1))
    done
  done
done

printf '%-8s %-26s %s\n' compiler "copies start" "runs that missed the race"
for compiler in gcc clang; do
  printf '%-8s %-26s %d of %d\n' "$compiler" "together (step 0)" "${missed[$compiler/0]}" "$runs"
  printf '%-8s %-26s %d of %d\n' "$compiler" "a step apart (default)" "${missed[$compiler/default]}" "$runs"
done
