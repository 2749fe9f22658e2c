#!/usr/bin/env bash
# `wasmacro cargo` against plain Cargo on the workspace of tests/cargo
# (thiserror through its runtime crate, serde with its `derive` feature,
# serde_json) plus a member `plain` that uses no macro, in the same run,
# alternating, offline over Debian's registry:
#   from scratch   `cargo build` and `cargo check` into an empty target
#                  directory, RUNS (default 3) times each: native macros
#                  (serde_derive, thiserror-impl, syn, quote, proc-macro2
#                  compiled for the host) against `wasmacro cargo` with the
#                  prebuilt modules of tests/fixtures (shim cache warm, as
#                  for any project after the first). Target: at most 0.6x.
#   no-op          a build with everything fresh: what `wasmacro cargo` adds
#                  to a Cargo run (cargo metadata, rustc -vV, the shims' keys,
#                  Cargo resolving the patch again since the lock file is put
#                  back), 5 times each.
#   one crate      the rustc call that Cargo makes for `plain` (no macro)
#                  and for `model` (serde's derives), as `cargo build -v`
#                  prints it, run 15 times each, alternating: the overhead
#                  per rustc call (targets: under 5 ms, under 30 ms).
#                  Cargo's timing report rounds to 10 ms, too coarse here.
# The expansion cache is off (WASMACRO_CACHE=off): these are the shim
# path's own costs; bench/bridge/cache.sh measures the cache.
# Prints medians (wall; CPU too, the machine may be shared) and ratios.
#
#   bench/bridge/cargo.sh [RUNS]
# WASMACRO (default build/release/src/driver/wasmacro).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
wasmacro=${WASMACRO:-$root/build/release/src/driver/wasmacro}
work=$root/build/bench-cargo
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
[[ -x $wasmacro ]] || { echo "no wasmacro at $wasmacro (scripts/build.sh release)" >&2; exit 2; }
unset RUSTC_WRAPPER RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS || true
export WASMACRO_CACHE=off
# shellcheck source=../timing.sh
source "$root/bench/timing.sh"

rm -rf "$work" && mkdir -p "$work/macros"
cp -r "$root/tests/cargo/workspace" "$work/ws"
mkdir -p "$work/ws/wasm" "$work/ws/plain/src"
cp "$root/tests/fixtures/thiserror.wasm" "$work/ws/wasm/thiserror.wasm"
cp "$root/tests/fixtures/serde_derive.wasm" "$work/macros/serde_derive-1.0.152.wasm"
sed -i 's/members = \["app", "model"\]/members = ["app", "model", "plain"]/' "$work/ws/Cargo.toml"
printf '[package]\nname = "plain"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n' >"$work/ws/plain/Cargo.toml"
cat >"$work/ws/plain/src/lib.rs" <<'RS'
//! A crate with no macro of any crate: what a rustc call costs on its own.
pub fn checksum(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |h, &b| h.rotate_left(5) ^ u32::from(b))
}
RS
cd "$work/ws"
cargo generate-lockfile --offline --quiet
echo "rustc: $(rustc --version); cargo: $(cargo --version)"
native() { CARGO_TARGET_DIR=$work/target-native cargo "$@"; }
wasm() { CARGO_TARGET_DIR=$work/target-wasm "$wasmacro" cargo --macro-dir "$work/macros" "$@"; }
# Warm-up: the bridge rlib and the shims into the cache, the registry's
# files into the page cache.
wasm build --quiet && native build --quiet

for what in build check; do
  for ((i = 0; i < runs; i++)); do
    rm -rf "$work/target-native" "$work/target-wasm"
    timed "$work/scratch-$what-native.txt" native "$what"
    grep -q "Compiling syn v" "$work/last.log" || [[ $what == check ]] || { echo "native built no syn?" >&2; exit 1; }
    timed "$work/scratch-$what-wasm.txt" wasm "$what"
    if grep -E "(Compiling|Checking) (syn|quote|proc-macro2) v" "$work/last.log"; then
      echo "wasmacro cargo compiled a macro's dependency" >&2
      exit 1
    fi
  done
done
native build --quiet && wasm build --quiet
for ((i = 0; i < 5; i++)); do
  timed "$work/noop-native.txt" native build
  timed "$work/noop-wasm.txt" wasm build
done
# One rustc call, exactly as Cargo runs it (its command line from -v, which
# Cargo quotes for a shell): no wasmacro process runs around it either way.
rustc_command() { # SIDE CRATE
  local side=$1 crate=$2
  echo "// $(date +%s%N)" >>"$work/ws/$crate/src/lib.rs" # a change, whatever Cargo compares
  "$side" build -p "$crate" -v 2>&1 | sed -n 's/^ *Running `\(.*rustc .*--crate-name '"$crate"' .*\)`$/\1/p' | tail -n1
}
for crate in plain model; do
  native_rustc=$(rustc_command native "$crate") wasm_rustc=$(rustc_command wasm "$crate")
  [[ -n $native_rustc && -n $wasm_rustc ]] || { echo "no rustc command for $crate" >&2; exit 1; }
  for ((i = 0; i < 15; i++)); do
    timed "$work/touch-$crate-native.txt" bash -c "$native_rustc"
    timed "$work/touch-$crate-wasm.txt" bash -c "$wasm_rustc"
  done
done

med() { stats "$1" "$2" | cut -d' ' -f1; }
echo
printf "%-34s %10s %10s %8s %10s %10s %8s\n" "" "native" "wasmacro" "ratio" "CPU nat." "CPU wasm" "ratio"
for what in build check; do
  n=$(med "$work/scratch-$what-native.txt" 1) w=$(med "$work/scratch-$what-wasm.txt" 1)
  nc=$(med "$work/scratch-$what-native.txt" 2) wc=$(med "$work/scratch-$what-wasm.txt" 2)
  awk -v l="cargo $what from scratch" -v n="$n" -v w="$w" -v nc="$nc" -v wc="$wc" 'BEGIN {
    printf "%-34s %9.2fs %9.2fs %7.2fx %9.2fs %9.2fs %7.2fx  (target <= 0.6x: %s)\n",
      l, n, w, w / n, nc, wc, wc / nc, w / n <= 0.6 ? "met" : "NOT met" }'
done
nn=$(med "$work/noop-native.txt" 1) nw=$(med "$work/noop-wasm.txt" 1)
awk -v n="$nn" -v w="$nw" 'BEGIN {
  printf "%-34s %9.3fs %9.3fs   what wasmacro cargo adds to a Cargo run: %.0f ms\n",
    "no-op build (all fresh)", n, w, (w - n) * 1000 }'
for crate in plain model; do
  n=$(med "$work/touch-$crate-native.txt" 1) w=$(med "$work/touch-$crate-wasm.txt" 1)
  awk -v l="rustc on $crate (Cargo's command)" -v n="$n" -v w="$w" -v c="$crate" 'BEGIN {
    t = c == "plain" ? 5 : 30
    printf "%-34s %9.3fs %9.3fs   per rustc call: %+.0f ms (target < %d ms: %s)\n",
      l, n, w, (w - n) * 1000, t, (w - n) * 1000 < t ? "met" : "NOT met" }'
done
