#!/usr/bin/env bash
# Sharded runs of the example suites (e2e_shards_test.cpp compares them with the unsharded
# fixture run e2e.examples.run): N = 2 for real (an empty result cache, which it fills), both shards
# joining one trace (TRACEPARENT); then, from that cache, N = 1, 3 and 7 by hash, 3 by the reference
# run's job times (--costs), and the Bazel, GoogleTest and Kubernetes variable conventions, each
# shard a separate process; then `sohound merge` of each set. Every exit code is kept in NAME.rc.
# Usage: shards.sh SOHOUND SOURCE_DIR OUT REFERENCE_RESULTS
set -uo pipefail
sohound=$1 src=$2 out=$3 reference=$4
specs=("$src/suites/examples/examples.yaml" "$src/suites/examples/zlib.yaml")
rm -rf "$out"
mkdir -p "$out"
cache=$out/cache

run() {  # NAME [sohound run options...]; the environment as the caller set it
  local name=$1
  shift
  "$sohound" run "${specs[@]}" --no-progress -j 2 --report json --out "$out/$name" --cache-dir "$cache" "$@" >"$out/$name.log" 2>&1
  echo $? >"$out/$name.rc"
}
merge() {  # NAME INPUT... [merge options]
  local name=$1
  shift
  "$sohound" merge "$@" -o "$out/$name.json" >"$out/$name.log" 2>&1
  echo $? >"$out/$name.rc"
}

export TRACEPARENT=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
run n2-1 --shard 1/2
run n2-2 --shard 2/2
merge m2 "$out/n2-1/results.json" "$out/n2-2/results.json" --trace "$out/m2.trace.json" --trace-otlp "$out/m2.otlp.json"
unset TRACEPARENT

for n in 1 3 7; do
  inputs=()
  for ((k = 1; k <= n; ++k)); do
    run "n$n-$k" --shard "$k/$n"
    inputs+=("$out/n$n-$k/results.json")
  done
  merge "m$n" "${inputs[@]}"
done
for k in 1 2 3; do run "c3-$k" --shard "$k/3" --costs "$reference"; done
merge c3 "$out"/c3-{1,2,3}/results.json
for k in 0 1 2; do
  TEST_TOTAL_SHARDS=3 TEST_SHARD_INDEX=$k TEST_SHARD_STATUS_FILE=$out/bazel-$k.status run "bazel-$k"
done
merge bazel "$out"/bazel-{0,1,2}/results.json
for k in 0 1; do GTEST_TOTAL_SHARDS=2 GTEST_SHARD_INDEX=$k run "gtest-$k"; done
merge gtest "$out"/gtest-{0,1}/results.json
for k in 0 1; do JOB_COMPLETION_INDEX=$k run "k8s-$k" --shard-total 2; done
merge k8s "$out"/k8s-{0,1}/results.json
# Every step's exit code is checked by the tests; the script itself fails only when one crashed.
! grep -qvxE '0|1|2' "$out"/*.rc
