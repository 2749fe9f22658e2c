#!/usr/bin/env bash
# Runs every libFuzzer target in build/fuzz for a while from its seed corpus.
# Usage: scripts/fuzz-smoke.sh [SECONDS]   (default 60 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
status=0
shopt -s nullglob
targets=(build/fuzz/fuzz/fuzz_*)
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets found in build/fuzz/fuzz" >&2
  exit 1
fi
for target in "${targets[@]}"; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  seeds="build/fuzz/fuzz/corpus/$name"
  work=$(mktemp -d)
  mkdir -p "$seeds"
  options=()
  # The token round trip is quadratic in the worst case; keep its inputs small.
  case "$name" in fuzz_tokens) options+=(-max_len=4096) ;; esac
  echo "--- $name: ${seconds}s from $(find "$seeds" -type f | wc -l) seeds"
  if "$target" "${options[@]}" -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=10 -print_final_stats=1 \
    "$work" "$seeds" >"$work.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^Done" "$work.log" | tail -2
  else
    echo "$name FAILED:"; tail -60 "$work.log"; status=1
  fi
  rm -rf "$work" "$work.log"
done
exit $status
