#!/usr/bin/env bash
# The bridge benchmark: compiling a crate with TYPES (default 300) types that
# derive serde's Serialize and Deserialize, with
#   native  serde_derive 1.0.152 compiled natively in release (plain rustc)
#   wasm    tests/fixtures/serde_derive.wasm (the same version) through
#           `wasmacro rustc --wasm-proc-macro serde_derive=...`, cache warm
# alternating in the same run, RUNS (default 5) times each; prints medians and
# minimums of wall time (and CPU time: the machine may be shared) and the
# ratio wasm/native (target: at most 1.10). Also the one-time costs: the
# bridge rlib, the generated serde_derive proc-macro crate, and what the
# wrapper adds to every rustc call once everything is cached.
#
#   bench/bridge/run.sh [RUNS]
# WASMACRO (default build/release/src/driver/wasmacro), TYPES.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/bridge
runs=${1:-5}
types=${TYPES:-300}
wasmacro=${WASMACRO:-$root/build/release/src/driver/wasmacro}
work=$root/build/bench-bridge
wasm=$root/tests/fixtures/serde_derive.wasm
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
mkdir -p "$work"
[[ -x $wasmacro ]] || { echo "no wasmacro at $wasmacro (scripts/build.sh release)" >&2; exit 2; }

echo "== native serde_derive and serde, release (cargo, offline)"
(cd "$here/native" && CARGO_TARGET_DIR=$work/native cargo build --quiet --release --offline)
deps=$work/native/release/deps
serde_rlib=$(ls -t "$deps"/libserde-*.rlib | head -n1)
native_derive=$(ls -t "$deps"/libserde_derive-*.so | head -n1)
"$here/gen_types.sh" "$types" >"$work/types.rs"
printf '// An empty crate: what the wrapper costs on its own.\n' >"$work/tiny.rs"
echo "rustc: $(rustc --version)"
echo "crate: $types types, $(wc -l <"$work/types.rs") lines"

common=(--edition 2021 --crate-type lib --extern "serde=$serde_rlib" -L "dependency=$deps")
native_cmd=(rustc "${common[@]}" --extern "serde_derive=$native_derive")
wasm_cmd=("$wasmacro" rustc "${common[@]}" --wasm-proc-macro "serde_derive=$wasm")

# shellcheck source=bench/timing.sh
source "$root/bench/timing.sh"

echo "== one-time costs (fresh cache)"
export WASMACRO_CACHE_DIR=$work/cache
rm -rf "$WASMACRO_CACHE_DIR" "$work"/once-*.txt
timed "$work/once-cold.txt" "${wasm_cmd[@]}" "$work/tiny.rs" -o "$work/libtiny.rlib"
rm -rf "$WASMACRO_CACHE_DIR"/serde_derive-*
timed "$work/once-macro.txt" "${wasm_cmd[@]}" "$work/tiny.rs" -o "$work/libtiny.rlib"
for i in 1 2 3; do
  timed "$work/once-warm.txt" "${wasm_cmd[@]}" "$work/tiny.rs" -o "$work/libtiny.rlib"
  timed "$work/once-plain.txt" "${native_cmd[@]}" "$work/tiny.rs" -o "$work/libtiny.rlib"
done
cold=$(cut -d' ' -f1 "$work/once-cold.txt")
macro=$(cut -d' ' -f1 "$work/once-macro.txt")
warm=$(stats "$work/once-warm.txt" 1 | cut -d' ' -f1)
plain=$(stats "$work/once-plain.txt" 1 | cut -d' ' -f1)
awk -v cold="$cold" -v macro="$macro" -v warm="$warm" -v plain="$plain" 'BEGIN {
  printf "bridge rlib (rust/bridge, opt-level 3):          %6.2f s\n", cold - macro
  printf "generated serde_derive proc-macro crate:         %6.2f s\n", macro - warm
  printf "first use in all (bridge + crate + the call):    %6.2f s\n", cold
  printf "wrapper per rustc call, cached (vs plain rustc): %6.3f s\n", warm - plain }'

echo "== $types serde types, $runs runs each, alternating"
rm -f "$work/native.txt" "$work/wasm.txt"
timed "$work/warmup.txt" "${wasm_cmd[@]}" "$work/types.rs" -o "$work/libtypes_wasm.rlib"
timed "$work/warmup.txt" "${native_cmd[@]}" "$work/types.rs" -o "$work/libtypes_native.rlib"
for ((r = 0; r < runs; r++)); do
  if ((r % 2)); then
    timed "$work/wasm.txt" "${wasm_cmd[@]}" "$work/types.rs" -o "$work/libtypes_wasm.rlib"
    timed "$work/native.txt" "${native_cmd[@]}" "$work/types.rs" -o "$work/libtypes_native.rlib"
  else
    timed "$work/native.txt" "${native_cmd[@]}" "$work/types.rs" -o "$work/libtypes_native.rlib"
    timed "$work/wasm.txt" "${wasm_cmd[@]}" "$work/types.rs" -o "$work/libtypes_wasm.rlib"
  fi
done
read -r nw_med nw_min < <(stats "$work/native.txt" 1)
read -r ww_med ww_min < <(stats "$work/wasm.txt" 1)
read -r nc_med nc_min < <(stats "$work/native.txt" 2)
read -r wc_med wc_min < <(stats "$work/wasm.txt" 2)
printf "%-28s %9s %9s\n" "" "median" "min"
printf "%-28s %8.2fs %8.2fs\n" "native serde_derive, wall" "$nw_med" "$nw_min"
printf "%-28s %8.2fs %8.2fs\n" "wasm via wasmacro, wall" "$ww_med" "$ww_min"
printf "%-28s %8.2fs %8.2fs\n" "native serde_derive, CPU" "$nc_med" "$nc_min"
printf "%-28s %8.2fs %8.2fs\n" "wasm via wasmacro, CPU" "$wc_med" "$wc_min"
awk -v a="$ww_med" -v b="$nw_med" -v c="$ww_min" -v d="$nw_min" -v e="$wc_med" -v f="$nc_med" 'BEGIN {
  printf "ratio wasm/native, wall: %.3fx (median), %.3fx (min); CPU: %.3fx (median)\n", a / b, c / d, e / f
  printf "target <= 1.10x (wall, median): %s\n", a / b <= 1.10 ? "met" : "NOT met" }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
