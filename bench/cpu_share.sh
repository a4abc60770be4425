#!/usr/bin/env bash
# Sohound's own CPU time as a share of all CPU time spent in a run of the example suite
# (target: at most 5%). Children's time includes compilers, valgrind and the drivers.
# Usage: bench/cpu_share.sh [runs]   (after ci/build.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
out=$(mktemp -d)
for i in $(seq "$runs"); do
  build/harness/sohound run suites/examples/examples.yaml suites/examples/zlib.yaml --out "$out/run$i" --no-progress \
    >/dev/null 2>&1 || true
  python3 - "$out/run$i/results.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["resources"]
total = r["self_cpu_s"] + r["children_cpu_s"]
print(f"sohound self {r['self_cpu_s']:.3f} s, children {r['children_cpu_s']:.2f} s, share {100 * r['self_cpu_s'] / total:.2f}%")
PY
done
rm -rf "$out"
