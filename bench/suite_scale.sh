#!/usr/bin/env bash
# Suite-scale speed (issue 10): an N-feature C suite of a prebuilt library under all six tools,
# Sohound against the CTest workflow a user would write instead, both measured in this run.
#
#   ctest:   four CMake build trees (plain, asan, tsan, ubsan), one driver executable and add_test
#            per feature; `ctest -T memcheck -j J` with valgrind memcheck, again with --overwrite
#            for helgrind and drd, and with MEMORYCHECK_TYPE for the three sanitizers. Configure,
#            build and test time all counted; no compiler cache.
#   cold:    `sohound run` with an empty result cache and no compiler cache (SOHOUND_CCACHE=0).
#   rerun:   the same command again, unchanged (result cache warm; the same --out, emptied first;
#            the median of three).
#   edited:  one feature's code changed, the same command again (that feature's jobs run).
#   another --out: the rerun and an edit again, each into a new --out (only the result cache is
#            shared: the drivers' main objects are kept per --out, so the edit compiles them).
#   memcheck batch vs process: memcheck alone, --isolation batch against --isolation process,
#            timing the run phase only (first tool process start to last end, from results.json),
#            since both build the same driver.
#   ctest memcheck CPU: the CTest tree's plain build, `ctest -T memcheck -j J` against `sohound ctest
#            --tools memcheck` on that build, with an empty result cache of its own (as a first run:
#            it makes the sandbox's decompressed debug copies and records what each test opens)
#            and with --no-cache (no copies: the tools read the compressed originals): CPU seconds
#            of each command and its children, in that order.
#
# The generated library: most features are clean; every 10th+3 leaks a block (definitely lost);
# every 10th+7 increments an unlocked counter from two threads (a data race). Prints one line per
# figure, and what each side found.
# Usage: bench/suite_scale.sh [--cxx] [N ...]   (default: 40 200; after ci/build.sh)
#   --cxx: the C++ variant (every feature includes yaml-cpp's header and parses a little YAML):
#          Sohound only (cold, per feature, rerun, edited), no CTest workflow.
#   SOHOUND_BIN=PATH measures another build of sohound (an earlier commit's, for before/after).
#
# Measured here (2 cores), 2026-11-30, N=40: ctest 52.8 s, cold 8.66 s (0.16 x), rerun 0.06 s (0.7 %),
# memcheck run phase batch 1.84 s vs per process 22.3 s (12.1 x); N=200: ctest 249.7 s, cold 30.7 s
# (0.12 x), rerun 0.78 s (2.5 %). 2026-12-05, N=200 (features sharing compiles): ctest 284.2 s, cold
# 9.02 s (0.032 x), rerun 0.18 s (2.0 %), one edited 2.16 s (23.9 %); ctest -T memcheck 114.3 CPU-s,
# sohound ctest 135.9 CPU-s (1.19 x; 1.04 and 1.16 in two interleaved pairs after). --cxx N=40: cold
# 14.29 s (0.357 s per feature; 163.75 s, 4.09 s per feature, at b1e0ec8), rerun 0.12 s, edited 6.44 s.
# 2026-12-05 (later; this machine ran slower: the CTest workflow took 311.8 s), N=200: cold 12.22 s
# (0.039 x), rerun 0.27 s (2.2 %), one edited 3.50 s (28.7 %); ctest -T memcheck 133.8 CPU-s, sohound
# ctest 127.8 CPU-s (0.95 x); sohound ctest with the cache (programs keyed on what they opened):
# cold 73.7 s, unchanged rerun 1.58 s (2.1 %, 200 of 200 cached). --cxx N=40 (C++ units of 128):
# cold 9.89 s (0.247 s per feature), rerun 0.08 s, edited 6.01 s; --cxx 128: cold 19.4-22.3 s with
# units of 128 against 32.6-32.9 s with units of 32. 2026-12-06, N=200 (cache entries of format 4 read
# on both cores; memcheck's leak checks skip the runtime's idle thread stacks): ctest 232.7 s, cold
# 7.76 s (0.033 x), rerun 0.13 s (1.7 %), one edited 2.23 s (28.7 %); ctest -T memcheck 104.4 CPU-s,
# sohound ctest 121.2 CPU-s (1.16 x); sohound ctest cold 68.5 s, rerun 1.77 s (2.6 %). --cxx N=40:
# cold 7.67 s (0.192 s per feature), rerun 0.08 s (1.0 %), edited 6.42 s. Later (keys beside valgrind
# --version), N=200: ctest 256.2 s, cold 7.67 s (0.030 x), rerun 0.12 s (1.6 %), one edited 2.17 s
# (28.3 %); ctest -T memcheck 127.4 CPU-s, sohound ctest 140.6 CPU-s (1.10 x); sohound ctest cold
# 66.9 s, rerun 1.72 s (2.6 %). 2026-12-06, later (an all-cached rerun starts no process and reads
# one pack; Sohound's heap in huge pages; main objects kept), N=200, rerun and edit into the same
# --out: ctest 255.6 s, cold 9.12 s (0.036 x), rerun 0.09 s (1.0 %, median of 3), one edited 1.97 s
# (21.6 %); into another --out: rerun 0.09 s, edited 2.97 s; ctest -T memcheck 125.5 CPU-s,
# sohound ctest 131.3 CPU-s (1.05 x); sohound ctest cold 77.9 s, rerun 1.93 s (2.5 %). (The run
# before, same code but the rerun into a new --out: cold 7.79 s, rerun 0.10 s, edited 1.79 s.)
# --cxx N=40: cold 7.14 s (0.179 s per feature), rerun 0.04 s (0.5 %), edited 5.38 s.
# 2026-12-06, later (Valgrind reads decompressed copies of libc6-dbg's files in the sandbox), N=200:
# ctest 243.1 s, cold 8.32 s (0.034 x), rerun 0.07 s (0.9 %), one edited 1.75 s (21.0 %); into
# another --out: rerun 0.09 s, edited 2.38 s; ctest -T memcheck 109.9 CPU-s, sohound ctest with an
# empty cache 127.1 CPU-s (1.16 x), --no-cache 130.3 CPU-s (1.19 x); sohound ctest cold 67.0 s,
# rerun 1.61 s (2.4 %). The same pair interleaved four times right after (copies kept, results
# not): 1.02-1.09 x, median 1.03 x; copies against none (SOHOUND_DEBUG_COPIES=0, --no-cache, five
# interleaved rounds): 0.88-1.0 x the CPU, median 0.94 x.
# 2026-12-06, later still (b2f7155: the result cache bounded), N=200: ctest 238.9 s, cold 7.55 s
# (0.032 x), rerun 0.07 s (1.0 %), one edited 1.61 s (21.3 %); into another --out: rerun 0.07 s,
# edited 2.13 s; ctest -T memcheck 105.3 CPU-s, sohound ctest with an empty cache 119.8 CPU-s
# (1.14 x), --no-cache 114.4 CPU-s (1.09 x); sohound ctest cold 61.6 s, rerun 1.41 s (2.3 %).
# 2026-12-07 (54d0eac; this VM ran ~30 % slower than the day before: memcheck on /bin/true 0.6-0.77
# CPU-s), N=200: ctest 251.4 s, cold 9.35 s (0.037 x), rerun 0.12 s (1.3 %; seven more reruns right
# after: 0.07-0.11 s), one edited 1.78 s (19.0 %); into another --out: rerun 0.13 s, edited 2.40 s;
# ctest -T memcheck 126.4 CPU-s, sohound ctest 154.5 CPU-s (1.22 x; --no-cache 1.27 x); sohound
# ctest cold 75.4 s, rerun 0.54 s (0.7 %).
# 2026-12-07, later (e8d0a41: cache entries signed with BLAKE2b and parsed with simdjson), N=200:
# ctest 243.1 s, cold 9.59 s (0.039 x), rerun 0.09 s (0.9 %), one edited 1.81 s (18.9 %); into
# another --out: rerun 0.08 s, edited 2.48 s; ctest -T memcheck 141.0 CPU-s, sohound ctest 146.1
# CPU-s (1.04 x; --no-cache 1.05 x); sohound ctest cold 78.4 s, rerun 0.65 s (0.8 %). --cxx N=40:
# cold 9.48 s (0.237 s per feature), rerun 0.04 s (0.4 %), edited 6.21 s.
# 2026-12-07, later (e0ff796: symbols first, exec/slim_debug; copies read from the run that makes
# them), N=200: ctest 195.9 s, cold 7.73 s (0.039 x), rerun 0.09 s (1.2 %), one edited 1.26 s
# (16.3 %); into another --out: rerun 0.09 s, edited 2.01 s; ctest -T memcheck 99.9 CPU-s, sohound
# ctest 68.0 CPU-s (0.68 x; --no-cache 1.10 x: no cache, no copies); sohound ctest cold 37.8 s,
# rerun 0.40 s (1.1 %). 2026-12-07, later (998e00f: a run without a cache makes the slim copies
# too), N=200: ctest 212.9 s, cold 7.29 s (0.034 x), rerun 0.08 s (1.1 %), one edited 1.03 s
# (14.2 %); into another --out: rerun 0.07 s (1.0 %), edited 1.60 s; ctest -T memcheck 106.9 CPU-s,
# sohound ctest 71.5 CPU-s (0.67 x; --no-cache 66.5 CPU-s, 0.62 x); sohound ctest cold 38.6 s,
# rerun 0.64 s (1.6 %).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sohound=${SOHOUND_BIN:-$root/build/harness/sohound}
jobs=$(nproc)
language=c
if [[ ${1:-} == --cxx ]]; then
  language=cxx
  shift
fi
sizes=("$@")
((${#sizes[@]})) || sizes=(40 200)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

source "$root/bench/lib/generated_suite.sh"

# The CTest workflow; prints its time and writes each tool's defect count to $dir/ctest-found.
ctest_workflow() {  # dir
  local dir=$1 t0 t1
  t0=$(now)
  local -A flags=([plain]="" [asan]="-fsanitize=address" [tsan]="-fsanitize=thread" [ubsan]="-fsanitize=undefined")
  local -A type=([plain]=Valgrind [asan]=AddressSanitizer [tsan]=ThreadSanitizer [ubsan]=UndefinedBehaviorSanitizer)
  for flavour in plain asan tsan ubsan; do
    cmake -S "$dir/ctest" -B "$dir/ctest-$flavour" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_C_FLAGS="-g -O0 -fno-omit-frame-pointer ${flags[$flavour]}" -DMEMORYCHECK_TYPE="${type[$flavour]}" \
      -DMEMORYCHECK_COMMAND_OPTIONS="--leak-check=full --show-leak-kinds=definite" >/dev/null
    ninja -C "$dir/ctest-$flavour" -j "$jobs" >/dev/null
  done
  : >"$dir/ctest-found"
  run_memcheck() {  # label build-dir [ctest args...]
    local label=$1 tree=$2
    shift 2
    (cd "$tree" && ctest -T memcheck -j "$jobs" "$@" >"$dir/ctest-$label.log" 2>&1) || true
    echo "$label $(grep -Eo 'Defects: [0-9]+' "$dir/ctest-$label.log" | tail -1 || echo 'Defects: 0')" >>"$dir/ctest-found"
  }
  run_memcheck memcheck "$dir/ctest-plain"
  run_memcheck helgrind "$dir/ctest-plain" --overwrite MemoryCheckCommandOptions="--tool=helgrind"
  run_memcheck drd "$dir/ctest-plain" --overwrite MemoryCheckCommandOptions="--tool=drd"
  run_memcheck asan "$dir/ctest-asan"
  run_memcheck tsan "$dir/ctest-tsan"
  run_memcheck ubsan "$dir/ctest-ubsan"
  t1=$(now)
  elapsed "$t0" "$t1"
}

sohound_run() {  # dir out cache [args...]; prints wall seconds
  local dir=$1 out=$2 cache=$3 t0 t1
  shift 3
  rm -rf "$out"
  t0=$(now)
  SOHOUND_CCACHE=0 "$sohound" run "$dir/bench.yaml" --out "$out" --cache-dir "$cache" --no-progress -j "$jobs" \
    --report json "$@" >/dev/null 2>&1 || true
  t1=$(now)
  elapsed "$t0" "$t1"
}

found() {  # results.json -> "tool kind count ..." of new error findings
  python3 - "$1" <<'EOF'
import collections, json, sys
r = json.load(open(sys.argv[1]))
c = collections.Counter()
for j in r["jobs"]:
    for f in j["findings"]:
        if f["severity"] == "error":
            c[(j["tool"], f["kind"])] += 1
print(", ".join(f"{t} {k} x{n}" for (t, k), n in sorted(c.items())) or "nothing")
EOF
}

run_phase() {  # results.json -> seconds from the first tool process start to the last end
  python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
spans = [(p["start_s"], p["end_s"]) for j in r["jobs"] for p in j["phases"] if p["name"] == "run"]
print(f"{max(e for s, e in spans) - min(s for s, e in spans):.2f}" if spans else "nan")
EOF
}

cpu_of() {  # command...: prints user+sys CPU seconds of the command and its children
  /usr/bin/time -o "$work/cpu.txt" -f "%U %S" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/cpu.txt" | awk '{print $1 + $2}'  # (time says first when the command failed)
}

edit_one_feature() {  # dir: changes f0's code (one more statement)
  sed -i '0,/^      /s//      (void)0; /' "$1/bench.yaml"
}

for n in "${sizes[@]}"; do
  dir=$work/n$n
  generate "$dir" "$n" "$language"
  if [[ $language == c ]]; then
    ctest_s=$(ctest_workflow "$dir")
    printf 'N=%-4d ctest workflow  %7.2f s   found: %s\n' "$n" "$ctest_s" "$(tr '\n' ';' <"$dir/ctest-found")"
  fi
  # The same command each time, as a user reruns it (one --out, emptied before each run; the
  # results kept aside); then the edit once more into another --out, where nothing of a run before
  # can be kept but the result cache (the drivers' main objects are kept per --out).
  keep() { rm -rf "$dir/$1" && mv "$dir/out" "$dir/$1"; }
  cold_s=$(sohound_run "$dir" "$dir/out" "$dir/cache") && keep out-cold
  # (the median of three: a tenth of a second varies by a few hundredths from run to run here)
  rerun_s=$(for i in 1 2 3; do sohound_run "$dir" "$dir/out" "$dir/cache"; done | sort -n | sed -n 2p) && keep out-rerun
  other_rerun_s=$(sohound_run "$dir" "$dir/out-other" "$dir/cache")
  cp "$dir/bench.yaml" "$dir/bench.unedited.yaml"
  edit_one_feature "$dir"
  edited_s=$(sohound_run "$dir" "$dir/out" "$dir/cache") && keep out-edited
  cp "$dir/bench.unedited.yaml" "$dir/bench.yaml"
  edit_one_feature "$dir"
  sed -i '0,/(void)0; /s//(void)1; /' "$dir/bench.yaml"  # another edit: its jobs are not in the cache either
  other_edited_s=$(sohound_run "$dir" "$dir/out-other-edited" "$dir/cache")
  rerun_cached=$(python3 -c "import json; r = json.load(open('$dir/out-rerun/results.json')); print(r['execution']['cached_jobs'], 'of', len(r['jobs']), 'jobs from the cache,', r['execution']['processes'], 'tool processes')")
  edited_cached=$(python3 -c "import json; r = json.load(open('$dir/out-edited/results.json')); print(len(r['jobs']) - r['execution']['cached_jobs'], 'jobs ran,', r['execution']['processes'], 'tool processes')")
  cold_exec=$(python3 -c "import json; e = json.load(open('$dir/out-cold/results.json'))['execution']; print(e['processes'], 'tool processes,', e['batches'], 'batches')")
  if [[ $language == c ]]; then
    printf 'N=%-4d sohound cold    %7.2f s   (%.3f x ctest; %s)   found: %s\n' "$n" "$cold_s" "$(echo "$cold_s / $ctest_s" | bc -l)" \
      "$cold_exec" "$(found "$dir/out-cold/results.json")"
  else
    printf 'N=%-4d sohound cold    %7.2f s   (C++, %.3f s per feature; %s)   found: %s\n' "$n" "$cold_s" \
      "$(echo "$cold_s / $n" | bc -l)" "$cold_exec" "$(found "$dir/out-cold/results.json")"
  fi
  printf 'N=%-4d sohound rerun   %7.2f s   (%.1f %% of cold; %s)\n' "$n" "$rerun_s" "$(echo "100 * $rerun_s / $cold_s" | bc -l)" \
    "$rerun_cached"
  printf 'N=%-4d one edited      %7.2f s   (%.1f %% of cold; %s)\n' "$n" "$edited_s" "$(echo "100 * $edited_s / $cold_s" | bc -l)" \
    "$edited_cached"
  printf 'N=%-4d into another --out: unchanged rerun %.2f s (%.1f %%), one edited %.2f s (%.1f %%)\n' "$n" "$other_rerun_s" \
    "$(echo "100 * $other_rerun_s / $cold_s" | bc -l)" "$other_edited_s" "$(echo "100 * $other_edited_s / $cold_s" | bc -l)"
  if ((n <= 40)); then
    sohound_run "$dir" "$dir/out-mc-batch" "$dir/cache-mc" --tools memcheck --no-cache --isolation batch >/dev/null
    sohound_run "$dir" "$dir/out-mc-process" "$dir/cache-mc" --tools memcheck --no-cache --isolation process >/dev/null
    b=$(run_phase "$dir/out-mc-batch/results.json")
    p=$(run_phase "$dir/out-mc-process/results.json")
    printf 'N=%-4d memcheck run phase: batch %.2f s, one process per feature %.2f s (%.1f x)\n' "$n" "$b" "$p" "$(echo "$p / $b" | bc -l)"
  fi
  if [[ $language == c ]]; then
    # The same build under CTest's memcheck and Sohound's, CPU of each with its children.
    ctest_cpu=$(cd "$dir/ctest-plain" && cpu_of ctest -T memcheck -j "$jobs")
    rm -rf "$dir/cache-ctest-cpu"
    sohound_cpu=$(cpu_of "$sohound" ctest "$dir/ctest-plain" --tools memcheck --cache-dir "$dir/cache-ctest-cpu" --no-progress \
      --report json -j "$jobs" --out "$dir/out-ctest")
    nocache_cpu=$(cpu_of "$sohound" ctest "$dir/ctest-plain" --tools memcheck --no-cache --no-progress --report json \
      -j "$jobs" --out "$dir/out-ctest-nocache")
    printf 'N=%-4d ctest -T memcheck %7.2f CPU-s; sohound ctest %7.2f CPU-s (%.2f x; --no-cache %.2f CPU-s, %.2f x)   found: %s\n' \
      "$n" "$ctest_cpu" "$sohound_cpu" "$(echo "$sohound_cpu / $ctest_cpu" | bc -l)" "$nocache_cpu" \
      "$(echo "$nocache_cpu / $ctest_cpu" | bc -l)" "$(found "$dir/out-ctest/results.json")"
    # The same with the result cache: cold (recording what each test opens), then unchanged.
    rm -rf "$dir/cache-ctest"
    ctest_run() {  # out: wall seconds of sohound ctest (memcheck, result cache $dir/cache-ctest)
      local t0 t1
      t0=$(now)
      "$sohound" ctest "$dir/ctest-plain" --tools memcheck --cache-dir "$dir/cache-ctest" --no-progress --report json \
        -j "$jobs" --out "$1" >/dev/null 2>&1 || true
      t1=$(now)
      elapsed "$t0" "$t1"
    }
    ctest_cold_s=$(ctest_run "$dir/out-ctest-cold")
    ctest_rerun_s=$(ctest_run "$dir/out-ctest-rerun")
    printf 'N=%-4d sohound ctest cold %.2f s, unchanged rerun %.2f s (%.1f %% of cold; %s)\n' "$n" "$ctest_cold_s" \
      "$ctest_rerun_s" "$(echo "100 * $ctest_rerun_s / $ctest_cold_s" | bc -l)" \
      "$(python3 -c 'import json,sys; j=json.load(open(sys.argv[1]))["jobs"]; c=sum(x["cached"] for x in j); print(f"{c} of {len(j)} jobs cached")' \
        "$dir/out-ctest-rerun/results.json")"
  fi
done
