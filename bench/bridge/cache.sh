#!/usr/bin/env bash
# The expansion cache's benchmark: the crate of TYPES (default 300) serde
# types (gen_types.sh, 600 derives) as a Cargo package, rebuilt after its
# source is touched, four ways in the same run:
#   native    serde_derive 1.0.152 compiled natively (Cargo, offline)
#   uncached  tests/fixtures/serde_derive.wasm through wasmacro as Cargo's
#             RUSTC_WRAPPER (bridge mode), WASMACRO_CACHE=off
#   cold      the same with the expansion cache, emptied before each build
#   warm      the same with the expansion cache as the last build left it
# for `cargo check` and for `cargo build`, alternating, RUNS (default 3)
# times each. Prints medians of wall time and of rustc's macro_expand_crate
# pass (-Z time-passes) and the ratios the cache is for: warm
# macro_expand_crate <= 0.25x native's, warm `cargo check` below native's
# wall time, cold <= 1.05x uncached.
#
#   bench/bridge/cache.sh [RUNS]
# WASMACRO (default build/release/src/driver/wasmacro), TYPES.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/bench/bridge
runs=${1:-3}
types=${TYPES:-300}
wasmacro=${WASMACRO:-$root/build/release/src/driver/wasmacro}
work=$root/build/bench-bridge-cache
wasm=$root/tests/fixtures/serde_derive.wasm
if [ -d "$HOME/.cargo/bin" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi
[[ -x $wasmacro ]] || { echo "no wasmacro at $wasmacro (scripts/build.sh release)" >&2; exit 2; }
rm -rf "$work" && mkdir -p "$work/.cargo" "$work/native/src" "$work/wasm/src"
cp "$here/native/.cargo/config.toml" "$work/.cargo/"
"$here/gen_types.sh" "$types" >"$work/native/src/lib.rs"
cp "$work/native/src/lib.rs" "$work/wasm/src/lib.rs"
manifest() {
  printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\npublish = false\n\n' "$1"
  printf '[dependencies]\nserde = { version = "=1.0.152", default-features = false, features = ["std"] }\n%s\n' "$2"
  printf '[workspace]\n'
}
manifest types-native 'serde_derive = "=1.0.152"' >"$work/native/Cargo.toml"
# No serde_derive dependency: the crate of that name is the one wasmacro
# makes from the module named in RUSTFLAGS.
manifest types-wasm '' >"$work/wasm/Cargo.toml"
echo "rustc: $(rustc --version); crate: $types types, $(wc -l <"$work/native/src/lib.rs") lines"

export RUSTC_BOOTSTRAP=1 WASMACRO_CACHE_DIR=$work/cache
native_cargo=(env -C "$work/native" RUSTFLAGS="-Z time-passes" CARGO_TARGET_DIR="$work/target-native" cargo)
wasm_cargo=(env -C "$work/wasm" RUSTC_WRAPPER="$wasmacro" CARGO_TARGET_DIR="$work/target-wasm"
  RUSTFLAGS="--wasm-proc-macro serde_derive=$wasm -Z time-passes" cargo)

# shellcheck source=bench/timing.sh
source "$root/bench/timing.sh"

# way NAME COMMAND: touches the sources, builds, records wall and CPU time
# and the types crate's macro_expand_crate (the last one cargo printed).
way() {
  local name=$1 command=$2 dir=$work/native
  [[ $name == native ]] || dir=$work/wasm
  touch "$dir/src/lib.rs"
  case $name in
  native) timed "$work/$command-$name.txt" "${native_cargo[@]}" "$command" --offline ;;
  uncached) timed "$work/$command-$name.txt" env WASMACRO_CACHE=off "${wasm_cargo[@]}" "$command" --offline ;;
  cold)
    "$wasmacro" cache clear >/dev/null
    timed "$work/$command-$name.txt" "${wasm_cargo[@]}" "$command" --offline
    ;;
  warm) timed "$work/$command-$name.txt" "${wasm_cargo[@]}" "$command" --offline ;;
  esac
  awk '/[ \t]macro_expand_crate$/ { sub(/;/, "", $2); v = $2 } END { print v }' "$work/last.log" \
    >>"$work/$command-$name-mec.txt"
}

ways=(native uncached cold warm)
for command in check build; do
  echo "== cargo $command after touching src/lib.rs, $runs runs each, alternating"
  # Dependencies, the bridge and the macro crate first; then one warm-up.
  for w in "${ways[@]}"; do way "$w" "$command"; done
  rm -f "$work/$command"-*.txt
  for ((r = 0; r < runs; r++)); do
    order=("${ways[@]}")
    ((r % 2)) && order=(warm cold uncached native)
    for w in "${order[@]}"; do way "$w" "$command"; done
  done
  printf "%-10s %10s %10s %18s\n" "" "wall" "CPU" "macro_expand_crate"
  for w in "${ways[@]}"; do
    read -r wall _ < <(stats "$work/$command-$w.txt" 1)
    read -r cpu _ < <(stats "$work/$command-$w.txt" 2)
    read -r mec _ < <(awk '{ print $1, 0 }' "$work/$command-$w-mec.txt" | stats /dev/stdin 1)
    printf "%-10s %9.3fs %9.3fs %17.3fs\n" "$w" "$wall" "$cpu" "$mec"
    eval "${w}_wall=$wall ${w}_mec=$mec"
  done
  # shellcheck disable=SC2154
  awk -v nw="$native_wall" -v nm="$native_mec" -v uw="$uncached_wall" -v um="$uncached_mec" \
    -v cw="$cold_wall" -v cm="$cold_mec" -v ww="$warm_wall" -v wm="$warm_mec" -v cmd="$command" 'BEGIN {
    printf "warm macro_expand_crate / native: %.3fx (target <= 0.25x: %s)\n", wm / nm, wm / nm <= 0.25 ? "met" : "NOT met"
    printf "warm wall / native: %.3fx (target < 1 for check: %s)\n", ww / nw, ww < nw ? "met" : (cmd == "check" ? "NOT met" : "-")
    printf "cold / uncached: %.3fx wall, %.3fx macro_expand_crate (target <= 1.05x)\n", cw / uw, cm / um
    printf "uncached / native: %.3fx wall, %.3fx macro_expand_crate\n", uw / nw, um / nm }'
done
echo "expansion cache: $("$wasmacro" cache stats --json)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
