#!/usr/bin/env bash
# Checks that every C++ source is formatted as .clang-format says (clang-format-14). The driver
# templates and runtime (drivers/) are C whose line numbers reports and tests quote: left as they are.
# Usage: ci/check_format.sh [--fix]
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find harness reports tests bench -name '*.cpp' -o -name '*.hpp' -o -name '*.h' | grep -v '/out/' | sort)
if [[ "${1:-}" == "--fix" ]]; then
  clang-format-14 -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format-14 --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if ((${#bad[@]})); then
  printf 'not formatted (ci/check_format.sh --fix):\n' >&2
  printf '  %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "${#files[@]} files formatted"
