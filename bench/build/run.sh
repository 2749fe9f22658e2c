#!/usr/bin/env bash
# The `wasmacro build` benchmark: for each registry crate of tests/build (and
# serde_derive, thiserror-impl), the time of `wasmacro build` from a fresh
# target directory, then its module's expansions against native
# (wasmacro_bench_build). Run by `cmake --build build/release --target
# bench_build`; BENCH_BUILD_WORK is its scratch directory (cargo's offline
# configuration above it), WASMACRO and BENCH_BUILD the binaries.
set -euo pipefail
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
export RUSTC=/usr/bin/rustc CARGO=/usr/bin/cargo
here=$(cd "$(dirname "$0")" && pwd)
tests=$here/../../tests/build
registry=/usr/share/cargo/registry
work=$BENCH_BUILD_WORK
cd "$work"
for dir in "$@"; do
  crate=${dir%-*}
  rm -rf "$work/$crate"
  start=$(date +%s.%N)
  "$WASMACRO" build "$registry/$dir" -o "$work/$crate/$crate.wasm" --target-dir "$work/$crate/t" >"$work/$crate.log" 2>&1 ||
    { cat "$work/$crate.log" >&2; exit 1; }
  end=$(date +%s.%N)
  python3 "$tests/native-harness.py" "$work/$crate/t/wasmacro-build/$dir" "$work/$crate/harness" "$here/../../tests/native-expand/src" \
    "$work/$crate/$crate.wasm"
  (cd "$work/$crate/harness/harness" && env -u RUSTC -u CARGO CARGO_TARGET_DIR="$work/$crate/harness/target" \
    cargo build --release --offline --quiet)
  printf '%s: wasmacro build %.1f s (wall, fresh target directory, 2 shared cores)\n' "$dir" "$(echo "$end - $start" | bc)"
  corpus=$tests/corpus/$crate.rs
  [[ $crate == serde_derive ]] && corpus=$here/../../tests/corpus/serde.rs
  [[ $crate == thiserror-impl ]] && corpus=$here/../../tests/corpus/thiserror.rs
  "$BENCH_BUILD" "$work/$crate/$crate.wasm" "$work/$crate/harness/target/release/native-harness" 10 "$corpus"
done
