#!/usr/bin/env bash
# GoogleTest cases in one memcheck process (issue 22, item 5): a generated GoogleTest program of N
# cases (every 10th+3 leaks a block from its TestBody through a helper, every 10th+5 fails its
# assertion), under `sohound exec --gtest --tools memcheck`, the cases sharing one process (the
# default) against one process per case (--isolation process), both measured in this run, with
# the findings and verdicts of every case compared.
# Usage: bench/gtest_batch.sh [N]   (default 100; after ci/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sohound=${SOHOUND_BIN:-$root/build/harness/sohound}
n=${1:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo '#include <gtest/gtest.h>'
  echo '#include <cstdlib>'
  echo '__attribute__((noinline)) static void* make(int n) { return std::malloc(static_cast<std::size_t>(n)); }'
  for ((i = 0; i < n; ++i)); do
    if ((i % 10 == 3)); then
      echo "TEST(Gen, Case$i) { void* volatile p = make(16 + $i); p = nullptr; (void)p; }"
    elif ((i % 10 == 5)); then
      echo "TEST(Gen, Case$i) { EXPECT_EQ($i, -1); }"
    else
      echo "TEST(Gen, Case$i) { void* p = make(8); EXPECT_NE(p, nullptr); std::free(p); }"
    fi
  done
} >"$work/gen.cpp"
c++ -g -O0 -pthread -o "$work/gen_test" "$work/gen.cpp" -lgtest -lgtest_main

run() {  # label isolation
  local t0 t1
  t0=$(date +%s.%N)
  "$sohound" exec --gtest --isolation "$2" --no-cache --tools memcheck --no-progress --report json -j "$(nproc)" \
    --out "$work/$1" -- "$work/gen_test" >/dev/null 2>&1 || true
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
one=$(run shared batch)
each=$(run alone process)
python3 - "$work/shared/results.json" "$work/alone/results.json" "$one" "$each" <<'PY'
import json, sys
def verdicts(path):
    r = json.load(open(path))
    out = {}
    for j in r["jobs"]:
        kinds = sorted((f["kind"], f["bytes"]) for f in j["findings"] if f["severity"] == "error")
        out[j["feature"]] = (j["outcome"], j["passed"], j["message"], kinds)
    return r["execution"], out
(e1, v1), (e2, v2) = verdicts(sys.argv[1]), verdicts(sys.argv[2])
one, each = float(sys.argv[3]), float(sys.argv[4])
same = v1 == v2
print(f"{len(v1)} cases under memcheck: one shared process {one:.2f} s ({e1['processes']} processes), "
      f"one process per case {each:.2f} s ({e2['processes']} processes): {each / one:.1f} x")
print(f"findings and verdicts per case identical: {same}; leaking cases {sum(1 for v in v1.values() if v[3])}, "
      f"failing cases {sum(1 for v in v1.values() if v[0] == 'crashed')}")
if not same:
    for k in sorted(set(v1) | set(v2)):
        if v1.get(k) != v2.get(k):
            print("  differs:", k, v1.get(k), v2.get(k))
    sys.exit(1)
PY
