#!/usr/bin/env bash
# One threaded example feature (racy_counter: 4 threads x 200 repeats) under all six tools.
#   sohound: `sohound run --filter racy_counter` from nothing: the library built in 4 flavours, 4
#            drivers built, 6 tool runs in parallel (-j = cores), reports parsed.
#   raw:     the same six tool commands (the run.sh files Sohound kept), one after the other, on
#            the already built binaries.
# Four cases: the example library libthreaded (C + C++) and its C part alone, each with a cold
# compiler cache (SOHOUND_CCACHE=0) and a warm one (ccache, as on every CI rerun).
# Usage: bench/six_tools.sh [rounds]   (after ci/build.sh). Prints each case's medians: wall time,
# and CPU time (user + system of every process), which bounds what parallel jobs can gain: on N
# cores a run cannot finish in less than its CPU time / N.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

run_case() {  # label spec suite ccache
  local label=$1 spec=$2 suite=$3 cache=$4 s_times=() r_times=() s_cpu=() r_cpu=()
  for r in $(seq "$rounds"); do
    rm -rf "$work/out"
    t0=$(now)
    SOHOUND_CCACHE=$cache build/harness/sohound run "$spec" --filter racy_counter --out "$work/out" --no-progress \
      --report json >/dev/null 2>&1 || true
    t1=$(now)
    /usr/bin/time -f '%U %S' -o "$work/raw.cpu" sh -c "for tool in memcheck helgrind drd asan tsan ubsan; do
      sh '$work/out/jobs/$suite/racy_counter/'\$tool/run.sh >/dev/null 2>&1 || true; done"
    t2=$(now)
    s_times+=("$(echo "$t1 - $t0" | bc -l)"); r_times+=("$(echo "$t2 - $t1" | bc -l)")
    s_cpu+=("$(python3 -c "import json; r = json.load(open('$work/out/results.json'))['resources']; print(r['self_cpu_s'] + r['children_cpu_s'])")")
    r_cpu+=("$(awk '{print $1 + $2}' "$work/raw.cpu")")
  done
  printf '%-40s sohound %.2f s (cpu %.2f s)   raw %.2f s (cpu %.2f s)\n' "$label" "$(median "${s_times[@]}")" \
    "$(median "${s_cpu[@]}")" "$(median "${r_times[@]}")" "$(median "${r_cpu[@]}")"
}

# Prime ccache for the warm cases.
SOHOUND_CCACHE=1 build/harness/sohound run suites/examples/threads.yaml --filter racy_counter --out "$work/prime" \
  --no-progress --report json >/dev/null 2>&1 || true
SOHOUND_CCACHE=1 build/harness/sohound run bench/specs/threads-c-only.yaml --out "$work/prime2" --no-progress \
  --report json >/dev/null 2>&1 || true
run_case "libthreaded (C + C++), cold cache" suites/examples/threads.yaml threads 0
run_case "libthreaded (C + C++), warm cache" suites/examples/threads.yaml threads 1
run_case "libthreaded C part only, cold cache" bench/specs/threads-c-only.yaml threads-c-only 0
run_case "libthreaded C part only, warm cache" bench/specs/threads-c-only.yaml threads-c-only 1
