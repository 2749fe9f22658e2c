#!/usr/bin/env bash
# wasmacro built for wasm32-wasip1 against the native command: serde's
# Serialize and Deserialize on ENTRIES (default 20) entries of the macro
# corpus, one `wasmacro call` process per expansion, run four ways in
# alternation, RUNS (default 3) rounds:
#   native         build/release's command (its default tier, adaptive)
#   native-interp  the same with --interpreter
#   node           build/wasi/wasmacro.wasm under node 20 (scripts/wasi-run.mjs),
#                  without NODE_EXTRA_CA_CERTS: where a machine sets it, every
#                  node process parses that CA bundle first (some 40 ms here),
#                  which a WASI command that opens no connection never needs
#   self           build/wasi/wasmacro.wasm under build/release's `run --wasi`
#                  (our interpreter, compiled to wasm, run by our engine)
# Prints the median time of one expansion for each (wall and CPU) and the
# ratios of wall time to native (target for node: at most 6x); then the same
# for a trivial expansion (Demo on `struct S;`), which is what starting each
# process costs, so that the difference is the expansion's own work.
#
#   bench/wasi/run.sh [RUNS]      (after scripts/build.sh release and wasi)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# The wasm builds see the current directory only: fixtures go by relative name.
cd "$root"
runs=${1:-3}
entries=${ENTRIES:-20}
native=$root/build/release/src/driver/wasmacro
wasm=$root/build/wasi/wasmacro.wasm
work=$root/build/bench-wasi
[[ -x $native ]] || { echo "no $native (scripts/build.sh release)" >&2; exit 2; }
[[ -f $wasm ]] || { echo "no $wasm (scripts/build.sh wasi)" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work/inputs"
source "$root/bench/timing.sh"

# The corpus entries, one file each.
awk -v dir="$work/inputs" -v max="$entries" '
  /^\/\/ @entry / { n++; if (n > max) exit; file = sprintf("%s/%03d.rs", dir, n); next }
  file { print > file }' "$root/tests/corpus/serde.rs"
count=$(($(ls "$work/inputs" | wc -l) * 2))
echo 'struct S;' >"$work/trivial.rs"

# expand WAY FIXTURE MACRO FILE: one expansion, as the way runs it.
expand() {
  local fixture=tests/fixtures/$2.wasm
  case $1 in
  native) "$native" call "$fixture" "$3" <"$4" ;;
  native-interp) WASMACRO_TIER=interpreter "$native" call "$fixture" "$3" <"$4" ;;
  node) env -u NODE_EXTRA_CA_CERTS node "$root/scripts/wasi-run.mjs" "$wasm" call "$fixture" "$3" <"$4" ;;
  self) "$native" run --wasi "$wasm" --dir . -- call "$fixture" "$3" <"$4" ;;
  esac
}
serde_round() {
  for input in "$work"/inputs/*.rs; do
    for macro in Serialize Deserialize; do expand "$1" serde_derive "$macro" "$input" >/dev/null; done
  done
}
trivial_round() {
  for _ in $(seq "$count"); do expand "$1" demo Demo "$work/trivial.rs" >/dev/null; done
}
ways=(native native-interp node self)
# The outputs must agree before any timing counts.
for w in "${ways[@]:1}"; do
  for input in "$work"/inputs/*.rs; do
    cmp -s <(expand native serde_derive Deserialize "$input") <(expand "$w" serde_derive Deserialize "$input") ||
      { echo "$w: output differs from native on $input" >&2; exit 1; }
  done
done
for _ in $(seq "$runs"); do
  for w in "${ways[@]}"; do
    timed "$work/serde-$w.txt" serde_round "$w"
    timed "$work/trivial-$w.txt" trivial_round "$w"
  done
done

echo "$count expansions a round (serde_derive on $((count / 2)) corpus entries), $runs rounds, one process each"
report() {
  local kind=$1 base
  base=$(stats "$work/$kind-native.txt" 1 | awk '{print $1}')
  printf "%-14s %12s %12s %10s\n" "$kind" "wall/call" "cpu/call" "vs native"
  for w in "${ways[@]}"; do
    read -r wall _ < <(stats "$work/$kind-$w.txt" 1)
    read -r cpu _ < <(stats "$work/$kind-$w.txt" 2)
    awk -v w="$w" -v wall="$wall" -v cpu="$cpu" -v n="$count" -v base="$base" \
      'BEGIN { printf "%-14s %9.1f ms %9.1f ms %9.2fx\n", w, wall / n * 1000, cpu / n * 1000, wall / base }'
  done
}
report serde
report trivial
echo "expansion work alone (serde minus trivial, wall):"
for w in "${ways[@]}"; do
  s=$(stats "$work/serde-$w.txt" 1 | awk '{print $1}')
  t=$(stats "$work/trivial-$w.txt" 1 | awk '{print $1}')
  echo "$w $s $t"
done | awk -v n="$count" '
  NR == 1 { base = $2 - $3 }
  { printf "%-14s %9.1f ms %9.2fx\n", $1, ($2 - $3) / n * 1000, ($2 - $3) / base }'
