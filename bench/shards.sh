#!/usr/bin/env bash
# Sharding speed (issue 13), both sides measured in this run on the generated N-feature suite
# (bench/lib/generated_suite.sh) under all six tools, no result cache, no compiler cache:
#
#   unsharded: one `sohound run -j 1` pinned to core 0 (taskset);
#   sharded:   `--shard 1/2` pinned to core 0 and `--shard 2/2` pinned to core 1, started together,
#              each -j 1, balanced by the job times of a warm-up run (--costs), then `sohound merge`;
#              its wall time is the slowest shard plus the merge.
#   target:    sharded <= 0.575 x unsharded (ideal 0.5, plus 15 %).
#
# Also: whether the merge equals the unsharded run (jobs, outcomes, findings), each shard's share
# of the estimated and of the measured work, and tracing's cost: the unsharded run again with
# recording off (SOHOUND_TRACE=0), and spans x the recorder's cost per span (bench: BM_TracerSpan)
# over the run's wall time.
# Usage: bench/shards.sh [N]   (default 200; after ci/build.sh)
#
# Measured here (2 cores, 2026-12-01), N=200: unsharded 54.99 s, 2 shards 30.29 s = 0.551 x (slowest
# shard 30.08 s + merge 0.13 s); merge equal to the unsharded run; tracing 2,034 spans x 657 ns =
# 1.3 ms = 0.0024 % of the run (recording off: 56.53 s, within run-to-run noise). Before batches
# stopped splitting by thread count (the same day): 0.615 x.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sohound=$root/build/harness/sohound
n=${1:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }
source "$root/bench/lib/generated_suite.sh"

dir=$work/n$n
generate "$dir" "$n"
export SOHOUND_CCACHE=0
run() {  # out [args...]: a run of the whole suite (quiet); its exit status is not the benchmark's
  local out=$1
  shift
  "$sohound" run "$dir/bench.yaml" --out "$out" --no-cache --no-progress --report json "$@" >"$out.log" 2>&1 || true
}

# Warm-up: the job times the shards are balanced by (as the previous pipeline's results would be).
run "$dir/warm" -j 2

t0=$(now)
taskset -c 0 "$sohound" run "$dir/bench.yaml" --out "$dir/unsharded" --no-cache --no-progress --report json -j 1 >"$dir/unsharded.log" 2>&1 || true
t1=$(now)
unsharded=$(elapsed "$t0" "$t1")

t0=$(now)
taskset -c 0 "$sohound" run "$dir/bench.yaml" --out "$dir/s1" --no-cache --no-progress --report json -j 1 --shard 1/2 \
  --costs "$dir/warm/results.json" >"$dir/s1.log" 2>&1 &
p1=$!
taskset -c 1 "$sohound" run "$dir/bench.yaml" --out "$dir/s2" --no-cache --no-progress --report json -j 1 --shard 2/2 \
  --costs "$dir/warm/results.json" >"$dir/s2.log" 2>&1 &
p2=$!
wait $p1 || true
t_s1=$(now)
wait $p2 || true
t_s2=$(now)
taskset -c 0 "$sohound" merge "$dir/s1/results.json" "$dir/s2/results.json" -o "$dir/merged.json" >"$dir/merge.log" 2>&1 || true
t2=$(now)
sharded=$(elapsed "$t0" "$t2")
merge_s=$(python3 -c "print(max(0.0, $t2 - max($t_s1, $t_s2)))")

t0=$(now)
SOHOUND_TRACE=0 taskset -c 0 "$sohound" run "$dir/bench.yaml" --out "$dir/untraced" --no-cache --no-progress --report json -j 1 \
  >"$dir/untraced.log" 2>&1 || true
t1=$(now)
untraced=$(elapsed "$t0" "$t1")

span_ns=$("$root/build/bench/sohound_bench" --benchmark_filter='BM_TracerSpan' --benchmark_format=json 2>/dev/null |
  python3 -c "import json,sys; b=json.load(sys.stdin)['benchmarks'][0]; print(b['cpu_time'] * {'ns':1,'us':1e3,'ms':1e6}[b['time_unit']])")

python3 - "$dir" "$n" "$unsharded" "$sharded" "$merge_s" "$untraced" "$span_ns" <<'PY'
import json, sys
d, n, unsharded, sharded, merge_s, untraced, span_ns = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:])
def load(p): return json.load(open(p))
def key(r): return [(j["suite"], j["feature"], j["tool"], j["outcome"], j["passed"],
                     sorted((f["fingerprint"], f["status"]) for f in j["findings"])) for j in r["jobs"]]
u, m, warm = load(f"{d}/unsharded/results.json"), load(f"{d}/merged.json"), load(f"{d}/warm/results.json")
s = [load(f"{d}/s{k}/results.json") for k in (1, 2)]
ratio = sharded / unsharded
print(f"N={n}: {len(u['jobs'])} jobs under 6 tools, no result cache, no compiler cache")
print(f"  unsharded, 1 core        {unsharded:7.2f} s")
print(f"  2 shards, 1 core each    {sharded:7.2f} s  (slowest shard + merge {merge_s:.2f} s) = {ratio:.3f} x unsharded  "
      f"(target <= 0.575: {'met' if ratio <= 0.575 else 'NOT met'})")
for k, r in enumerate(s, 1):
    est = sum(next((w["duration_s"] for w in warm["jobs"] if (w["suite"], w["feature"], w["tool"]) == (j["suite"], j["feature"], j["tool"])), 0)
              for j in r["jobs"])
    print(f"  shard {k}/2: {len(r['jobs'])} jobs, {r['duration_s']:.2f} s wall, estimated work {est:.2f} s, "
          f"measured job time {sum(j['duration_s'] for j in r['jobs']):.2f} s, split by {r['shard']['balance']}")
same = key(u) == key(m) and u["exit_code"] == m["exit_code"]
print(f"  merge equals the unsharded run (jobs, outcomes, findings, exit {u['exit_code']}): {same}")
spans = len(u["trace"]["spans"])
print(f"  tracing: {spans} spans x {span_ns:.0f} ns = {spans * span_ns / 1e6:.2f} ms = {100 * spans * span_ns / 1e9 / unsharded:.4f} % of the run; "
      f"same run with recording off {untraced:.2f} s ({100 * (unsharded - untraced) / untraced:+.1f} %, run-to-run noise included)")
PY
