#!/usr/bin/env bash
# The pre-expand benchmark: a crate with TYPES (default 300) types deriving
# serde's Serialize and Deserialize (600 derives; bench/bridge/gen_types.sh),
#   native      rustc with serde_derive 1.0.152 compiled natively (release),
#               with -Z time-passes for its own macro_expand_crate pass
#   pre-expand  `wasmacro expand` with tests/fixtures/serde_derive.wasm,
#               then plain rustc on the expanded crate (no proc-macro crate)
# alternating in the same run, RUNS (default 5) times each. Prints medians
# and minimums of wall and CPU time, and the ratios: expand + compile against
# the native build (target: at most 1.10x), and expand alone against rustc's
# macro_expand_crate (target for expand alone: at most 0.5 s).
#
#   bench/expand/run.sh [RUNS]
# WASMACRO (default build/release/src/driver/wasmacro), TYPES.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-5}
types=${TYPES:-300}
wasmacro=${WASMACRO:-$root/build/release/src/driver/wasmacro}
work=$root/build/bench-expand
wasm=$root/tests/fixtures/serde_derive.wasm
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
mkdir -p "$work"
[[ -x $wasmacro ]] || { echo "no wasmacro at $wasmacro (scripts/build.sh release)" >&2; exit 2; }

echo "== native serde_derive and serde, release (cargo, offline)"
(cd "$root/bench/bridge/native" && CARGO_TARGET_DIR=$work/native cargo build --quiet --release --offline)
deps=$work/native/release/deps
serde_rlib=$(ls -t "$deps"/libserde-*.rlib | head -n1)
native_derive=$(ls -t "$deps"/libserde_derive-*.so | head -n1)
"$root/bench/bridge/gen_types.sh" "$types" >"$work/types.rs"
echo "rustc: $(rustc --version)"
echo "crate: $types types ($((types * 2)) derives), $(wc -l <"$work/types.rs") lines"

common=(--edition 2021 --crate-type lib --extern "serde=$serde_rlib" -L "dependency=$deps")
native_cmd=(env RUSTC_BOOTSTRAP=1 rustc "${common[@]}" --extern "serde_derive=$native_derive"
  -Z time-passes "$work/types.rs" -o "$work/libtypes_native.rlib")
# Every macro runs: with the expansion cache on, every run after the first
# would only replay (bench/bridge/cache.sh measures that).
expand_cmd=(env WASMACRO_CACHE=off "$wasmacro" expand "$work/types.rs" --edition 2021
  --wasm-proc-macro "serde_derive=$wasm" -o "$work/expanded")
compile_cmd=(rustc "${common[@]}" "$work/expanded/types.rs" -o "$work/libtypes_expanded.rlib")

# shellcheck source=bench/timing.sh
source "$root/bench/timing.sh"

native_round() {
  timed "$work/native.txt" "${native_cmd[@]}"
  # rustc's own expansion pass: "time:   0.123; rss: ...  macro_expand_crate"
  awk '/[ \t]macro_expand_crate$/ { sub(/;/, "", $2); print $2 }' "$work/last.log" >>"$work/mec.txt"
}
expand_round() {
  timed "$work/expand.txt" "${expand_cmd[@]}"
  timed "$work/compile.txt" "${compile_cmd[@]}"
}

echo "== $runs runs each, alternating"
rm -f "$work"/{native,mec,expand,compile}.txt
expand_round
native_round
rm -f "$work"/{native,mec,expand,compile}.txt
for ((r = 0; r < runs; r++)); do
  if ((r % 2)); then expand_round; native_round; else native_round; expand_round; fi
done
paste -d' ' "$work/expand.txt" "$work/compile.txt" |
  awk '{ printf "%.3f %.3f\n", $1 + $3, $2 + $4 }' >"$work/total.txt"
awk '{ print $1, $1 }' "$work/mec.txt" >"$work/mec2.txt"

read -r nw nw_min < <(stats "$work/native.txt" 1)
read -r nc nc_min < <(stats "$work/native.txt" 2)
read -r mw mw_min < <(stats "$work/mec2.txt" 1)
read -r ew ew_min < <(stats "$work/expand.txt" 1)
read -r ec ec_min < <(stats "$work/expand.txt" 2)
read -r cw cw_min < <(stats "$work/compile.txt" 1)
read -r tw tw_min < <(stats "$work/total.txt" 1)
read -r tc tc_min < <(stats "$work/total.txt" 2)
printf "%-44s %9s %9s\n" "" "median" "min"
printf "%-44s %8.3fs %8.3fs\n" "native build, wall" "$nw" "$nw_min"
printf "%-44s %8.3fs %8.3fs\n" "native build, CPU" "$nc" "$nc_min"
printf "%-44s %8.3fs %8.3fs\n" "  its macro_expand_crate pass (time-passes)" "$mw" "$mw_min"
printf "%-44s %8.3fs %8.3fs\n" "wasmacro expand, wall" "$ew" "$ew_min"
printf "%-44s %8.3fs %8.3fs\n" "wasmacro expand, CPU" "$ec" "$ec_min"
printf "%-44s %8.3fs %8.3fs\n" "rustc on the expanded crate, wall" "$cw" "$cw_min"
printf "%-44s %8.3fs %8.3fs\n" "expand + compile, wall" "$tw" "$tw_min"
printf "%-44s %8.3fs %8.3fs\n" "expand + compile, CPU" "$tc" "$tc_min"
awk -v tw="$tw" -v nw="$nw" -v tc="$tc" -v nc="$nc" -v ew="$ew" -v mw="$mw" 'BEGIN {
  printf "ratio (expand + compile) / native build: %.3fx wall, %.3fx CPU (median); target <= 1.10x: %s\n",
    tw / nw, tc / nc, tw / nw <= 1.10 ? "met" : "NOT met"
  printf "expand alone / macro_expand_crate: %.3fx (wall, median)\n", ew / mw
  printf "expand alone <= 0.5 s for the %d derives: %s\n", '"$((types * 2))"', ew <= 0.5 ? "met" : "NOT met" }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
