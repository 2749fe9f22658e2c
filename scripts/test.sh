#!/usr/bin/env bash
# Builds the release and the ASan+UBSan flavours and runs every test in both
# (unit, spec, token corpus, macros, end to end), then each fuzz target
# briefly, and checks that the committed wasm fixtures rebuild bit for bit.
# Ends with one line counting every test, fuzz target and check:
# "N passed, N failed".
# FUZZ_SECONDS (default 60) sets how long each fuzz target runs.
set -euo pipefail
cd "$(dirname "$0")/.."
# rustup's toolchain compiles the native Rust parts; Debian's is only for wasm.
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
jobs=$(nproc)
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Counts one step that is a single check.
step() {
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# wasmacro built for wasm32-wasip1 first: the release build's `wasi` tests
# run it, and are registered only when it exists.
echo "=== build: wasi"
step scripts/build.sh wasi
for flavour in release asan; do
  echo "=== build: $flavour"
  scripts/build.sh "$flavour"
  echo "=== ctest: $flavour"
  ctest --test-dir "build/$flavour" --output-on-failure -j"$jobs" | tee "$log" || true
  # "97% tests passed, 9 tests failed out of 329"
  if summary=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1); then
    total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
    bad=$(sed -E 's/.*passed, ([0-9]+) tests failed.*/\1/' <<<"$summary")
    passed=$((passed + total - bad))
    failed=$((failed + bad))
  else
    echo "ctest ($flavour) printed no summary" >&2
    failed=$((failed + 1))
  fi
done
echo "=== fuzz smoke"
scripts/build.sh fuzz
step scripts/fuzz-smoke.sh "${FUZZ_SECONDS:-60}"
echo "=== fixtures: rebuild and compare"
step scripts/build-fixtures.sh --check
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
