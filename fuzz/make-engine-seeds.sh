#!/usr/bin/env bash
# Builds fuzz_engine's seed corpus in OUT: every binary module of the spec
# tests (converted with wast2json), and modules that wasm-opt -ttf makes from
# random bytes (seeded, so the corpus is the same every time).
set -euo pipefail
suite=$1
out=$2
rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for wast in "$suite"/*.wast; do
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
touch "$out/.done"
