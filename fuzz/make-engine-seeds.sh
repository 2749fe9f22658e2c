#!/usr/bin/env bash
# Builds fuzz_engine's seed corpus in OUT: every binary module of the spec
# tests and of our proposal tests (tests/spec/proposals; converted with
# wast2json), modules that wasm-opt -ttf makes from random bytes (seeded, so
# the corpus is the same every time), and
# WASI-importing modules: the wasm32-wasi fixture macro, and per preview 1
# function small modules that call it with in-bounds, edge and wild pointers;
# and a module that uses exception handling.
set -euo pipefail
suite=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$0")/.." && pwd)
for wast in "$suite"/*.wast "$root"/tests/spec/proposals/*.wast; do
  name=$(basename "$wast" .wast)
  case "$name" in simd_*) continue ;; esac
  mkdir -p "$work/$name"
  wast2json --enable-all "$wast" -o "$work/$name/$name.json" >/dev/null 2>&1 || true
  for wasm in "$work/$name"/*.wasm; do
    [ -f "$wasm" ] && cp "$wasm" "$out/$name-$(basename "$wasm")"
  done
done
for i in $(seq 1 40); do
  python3 -c "import random, sys; random.seed($i); sys.stdout.buffer.write(random.randbytes(4096))" >"$work/random.bin"
  wasm-opt -ttf "$work/random.bin" --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int \
    --enable-mutable-globals --enable-multivalue --enable-reference-types -o "$out/ttf-$i.wasm" >/dev/null 2>&1 || true
done
cp "$root/tests/fixtures/wasi.wasm" "$out/wasi-fixture.wasm"
# The functions and their parameter types, from the shim's own table.
grep -o '{"[a-z_]*", "[iI]*"' "$root/src/wasi/wasi.cpp" | tr -d '{",' >"$work/wasi-functions"
python3 - "$work" <<'PY'
import sys
work = sys.argv[1]
# An iovec at 1024 naming 16 bytes at 2048; a path at 3072.
data = '(data (i32.const 1024) "\\00\\08\\00\\00\\10\\00\\00\\00")' \
       '(data (i32.const 2048) "hello, wasi fuzz")(data (i32.const 3072) "a/../b.txt")'
variants = {
    "zero": lambda i, t: 0,
    "inbounds": lambda i, t: [3, 1024, 1, 2048, 16, 3072, 10, 4096, 5000][i % 9],
    "edge": lambda i, t: [1, 65532, 8, 65535, 2, 65528, 4, 65530, 65534][i % 9],
    "wild": lambda i, t: [0xFFFFFFF0, 0x7FFFFFFF, 0xFFFFFFFF, 65536][i % 4],
}
for line in open(f"{work}/wasi-functions"):
    name, params = line.split()[0], (line.split() + [""])[1]
    returns = name != "proc_exit"
    sig = "".join(f" (param {'i64' if p == 'I' else 'i32'})" for p in params)
    sig += " (result i32)" if returns else ""
    for variant, value in variants.items():
        args = "".join(
            f" ({'i64' if p == 'I' else 'i32'}.const {value(i, p) if p == 'i' else value(i, p) - (1 << 32) * (value(i, p) >= 1 << 31)})"
            for i, p in enumerate(params))
        call = f"(call $f{args})" + ("" if returns else " (i32.const 0)")
        with open(f"{work}/wasi-{name}-{variant}.wat", "w") as f:
            f.write(f'(module (import "wasi_snapshot_preview1" "{name}" (func $f{sig}))'
                    f' (memory (export "memory") 1) {data}'
                    f' (func (export "go") (result i32) {call}))\n')
PY
for wat in "$work"/wasi-*.wat; do
  wat2wasm "$wat" -o "$out/$(basename "$wat" .wat).wasm"
done
# Bulk memory and tables: the regression modules (fills in loops, tables over
# the store's budget, NaN payloads), and each bulk instruction over lengths
# from none to past the end, in a loop, so that fuel and bounds meet.
here=$(cd "$(dirname "$0")" && pwd)
for wat in "$here"/../tests/regression/*.wat; do
  wat2wasm --enable-all "$wat" -o "$out/regression-$(basename "$wat" .wat).wasm"
done
for n in 0 1 64 65536 1048576 4294967295; do
  cat >"$work/bulk-$n.wat" <<WAT
(module
  (memory 16) (table 4096 funcref) (elem func \$f) (data "abcdefgh")
  (func \$f)
  (func (export "fill") (result i32)
    (loop \$l (memory.fill (i32.const 8) (i32.const 1) (i32.const $n)) (br \$l)) (i32.const 0))
  (func (export "copy") (result i32)
    (loop \$l (memory.copy (i32.const 0) (i32.const 16) (i32.const $n)) (br \$l)) (i32.const 0))
  (func (export "init") (result i32)
    (loop \$l (memory.init 0 (i32.const 0) (i32.const 0) (i32.const $n)) (br \$l)) (i32.const 0))
  (func (export "table_fill") (result i32)
    (loop \$l (table.fill 0 (i32.const 0) (ref.null func) (i32.const $n)) (br \$l)) (i32.const 0))
  (func (export "table_copy") (result i32)
    (loop \$l (table.copy (i32.const 1) (i32.const 0) (i32.const $n)) (br \$l)) (i32.const 0))
  (func (export "table_grow") (result i32)
    (table.grow 0 (ref.null func) (i32.const $n))))
WAT
  wat2wasm --enable-all "$work/bulk-$n.wat" -o "$out/bulk-$n.wasm"
done
# Exception handling: the engine's own test module (tags, try, catch,
# catch_all, throw, rethrow, delegate).
wat2wasm --enable-exceptions "$root/tests/unit/exceptions/exceptions.wat" -o "$out/exceptions.wasm"
touch "$out/.done"
