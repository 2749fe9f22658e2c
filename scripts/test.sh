#!/usr/bin/env bash
# Builds the release and the ASan+UBSan flavours and runs every test in both
# (unit, spec, token corpus, fixtures), then each fuzz target briefly, and
# checks that the committed wasm fixtures rebuild bit for bit.
# FUZZ_SECONDS (default 60) sets how long each fuzz target runs.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
status=0
for flavour in release asan; do
  echo "=== build: $flavour"
  scripts/build.sh "$flavour"
  echo "=== ctest: $flavour"
  ctest --test-dir "build/$flavour" --output-on-failure -j"$jobs" || status=1
done
echo "=== fuzz smoke"
scripts/build.sh fuzz
scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-60}" || status=1
echo "=== fixtures: rebuild and compare"
scripts/build-fixtures.sh --check || status=1
exit $status
