#!/usr/bin/env bash
# What the sandbox costs: the example suites (every feature under six tools, no result cache) run
# with --sandbox on and --sandbox off, alternating, N times each; wall time and CPU per run, and
# the tool processes each run started. Also one process started bare, under bwrap, and under bwrap
# with the status shim, 50 times each (the per-process cost).
# Usage: bench/sandbox_overhead.sh [runs]   (after ci/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for i in $(seq "$runs"); do
  for mode in on off; do
    start=$(date +%s.%N)
    build/harness/sohound run suites/examples/examples.yaml suites/examples/zlib.yaml suites/examples/threads.yaml \
      --out "$out/$mode$i" --no-progress --no-cache --sandbox "$mode" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    python3 - "$out/$mode$i/results.json" "$mode" "$start" "$end" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
res, ex = r["resources"], r["execution"]
print(f"sandbox {sys.argv[2]:3}  wall {float(sys.argv[4]) - float(sys.argv[3]):6.1f} s  "
      f"cpu {res['self_cpu_s'] + res['children_cpu_s']:6.1f} s  processes {ex['processes']}  "
      f"sandboxed jobs {sum(j.get('sandboxed', False) for j in r['jobs'])} of {len(r['jobs'])}")
PY
  done
done
shim=build/harness/sohound-status
per_process() {
  local start end
  start=$(date +%s%N)
  for _ in $(seq 50); do "$@" 850>/dev/null; done
  end=$(date +%s%N)
  echo "$(( (end - start) / 50000 )) us"
}
echo "one process, bare:                 $(per_process /bin/true)"
echo "one process, bwrap:                $(per_process bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-net --die-with-parent -- /bin/true)"
echo "one process, bwrap + status shim:  $(per_process bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --unshare-net --die-with-parent -- "$shim" 850 -- /bin/true)"
