#!/usr/bin/env bash
# The worst a single expansion (or call) can cost under the default limits:
# CPU time, wall time and peak RSS of `wasmacro call`/`wasmacro run` on each
# hostile module, in both tiers. Each must end with its clean error.
# (WASMACRO_TIER picks the tier.)
# Usage: bench/limits/run.sh [WASMACRO]   (default build/release/src/driver/wasmacro)
set -euo pipefail
cd "$(dirname "$0")/../.."
wasmacro=$(realpath "${1:-build/release/src/driver/wasmacro}")
fixtures=$PWD/tests/fixtures
regression=$PWD/tests/regression
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

wat2wasm --enable-all "$regression/bulk-fill-fuel.wat" -o bulk.wasm
wat2wasm "$regression/host-call-fuel.wat" -o host-calls-plain.wasm
"$wasmacro" annotate host-calls-plain.wasm -o host-calls.wasm \
  --bang serialize=serialize --bang deserialize=deserialize --bang strings=strings >/dev/null
python3 -c 'print("a " * 20000)' >idents.rs
python3 -c '
body = "\n".join(["local.get 0 i32.const 1 i32.add local.set 0"] * 20000)
print("(module (func (export \"spin\") (result i32) (local i32) (loop $l", body, "br $l) local.get 0))")' >straight.wat
wat2wasm straight.wat -o straight.wasm
# The largest table the store budget admits, and a full memory beside one
# that takes the rest.
echo '(module (table 40000000 funcref) (func (export "answer") (result i32) (i32.const 42)))' >table.wat
wat2wasm --enable-all table.wat -o table.wasm
cat >budget.wat <<'WAT'
(module (memory 4096) (table 7500000 funcref)
  (func (export "touch") (result i32) (local i32)
    (loop $l (i32.store (local.get 0) (i32.const 1))
      (local.set 0 (i32.add (local.get 0) (i32.const 4096)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 268435456))))
    (memory.grow (i32.const 1))))
WAT
wat2wasm --enable-all budget.wat -o budget.wasm
# A macro that makes the host lex 60 KiB of its memory again and again:
# host-side data until the store budget stops it.
cat >flood.wat <<'WAT'
(module
  (import "watt-0.5" "token_stream_parse" (func $parse (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "aaaa")
  (func (export "raw_to_token_stream") (param i32) (result i32) (local.get 0))
  (func (export "token_stream_into_raw") (param i32) (result i32) (local.get 0))
  (func (export "flood") (param i32) (result i32)
    (memory.fill (i32.const 4) (i32.const 32) (i32.const 61440))
    (loop $l (drop (call $parse (i32.const 0) (i32.const 61440))) (br $l))
    (i32.const 0)))
WAT
wat2wasm flood.wat -o flood-plain.wasm
"$wasmacro" annotate flood-plain.wasm -o flood.wasm --bang flood=flood

measure() {
  local what=$1
  shift
  local status=0
  /usr/bin/time -f "%U %S %e %M" -o time.txt "$@" </dev/null >out.txt 2>err.txt || status=$?
  # time(1) puts "Command exited with non-zero status N" before its line.
  read -r user sys wall rss < <(tail -n1 time.txt)
  awk -v what="$what" -v cpu="$(awk "BEGIN { print $user + $sys }")" -v wall="$wall" -v rss="$rss" \
    -v status="$status" -v err="$(head -c 100 err.txt | tr '\n' ' ')" \
    'BEGIN { printf "%-40s %6.2f s CPU %6.2f s wall %6.0f MiB  exit %s: %s\n", what, cpu, wall, rss / 1024, status, err }'
}

for t in compiler interpreter; do
  export WASMACRO_TIER=$t
  h=$fixtures/hostile.wasm
  measure "$t: host-data flood" "$wasmacro" call flood.wasm flood
  for macro in serialize deserialize strings; do
    measure "$t: $macro loop (20,000 idents)" bash -c 'exec "$0" call "$1" "$2" <idents.rs' "$wasmacro" host-calls.wasm $macro
  done
  measure "$t: infinite_loop" "$wasmacro" call "$h" infinite_loop
  measure "$t: bulk_fill_loop" "$wasmacro" call "$h" bulk_fill_loop
  measure "$t: unbounded_alloc" "$wasmacro" call "$h" unbounded_alloc
  measure "$t: unbounded_recursion" "$wasmacro" call "$h" unbounded_recursion
  measure "$t: bad_abi(wire_deep_nesting)" bash -c "echo wire_deep_nesting | \"\$0\" call \"\$1\" bad_abi" "$wasmacro" "$h"
  measure "$t: bad_abi(parse_deep_nesting)" bash -c "echo parse_deep_nesting | \"\$0\" call \"\$1\" bad_abi" "$wasmacro" "$h"
  measure "$t: straight-line loop" "$wasmacro" run straight.wasm spin
  measure "$t: memory.fill loop" "$wasmacro" run bulk.wasm fill_memory
  measure "$t: memory.copy loop" "$wasmacro" run bulk.wasm copy_memory
  measure "$t: table.fill loop" "$wasmacro" run bulk.wasm fill_table
  measure "$t: table.copy loop" "$wasmacro" run bulk.wasm copy_table
  measure "$t: many_tables (30 tables of 10M)" "$wasmacro" call "$fixtures/many_tables.wasm" many_tables
  measure "$t: one table of 40M" "$wasmacro" run table.wasm answer
  measure "$t: 256 MiB memory + 60 MB table" "$wasmacro" run budget.wasm touch
done
